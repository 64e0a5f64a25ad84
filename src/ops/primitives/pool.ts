// Max and average pooling over NHWC inputs (NCHW with `channelsFirst`), with their gradients as primitives. Padded cells
// never take part: a max is over the real cells of a window, an average divides by their count
// (TensorFlow's 'same' behaviour). Every op here is linear in its tensor argument (given x for the
// max family), so the gradient ops' own gradients close the loop and any order works.
import { DTypeError, ShapeError, ValueError, fmtShape } from '../../errors.js';
import { allocArray, isFloat, type DType, type TypedArray } from '../../tensor/dtype.js';
import { sizeOf } from '../../tensor/shape.js';
import { toTensor, type TensorLike } from '../creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { defineOp, type OpDef, type TensorMeta } from '../define-op.js';
import { run1 } from '../run.js';
import { assertNHWC, outHW, pairOf, resolvePads, type Pair } from './conv-geometry.js';
import { expandDims, squeeze } from './shape.js';
import { declareOp } from '../surface.js';
import { batchFoldingIntoN } from '../batch-rules.js';
import { optionsOnly, poolOptions } from '../tfjs-positional.js';
import { isChannelsFirst, lastShape, layoutShape, toFirstData, toLastData, type DataFormat } from './channels-first.js';

export interface PoolAttrs {
  readonly poolSize: readonly [number, number];
  readonly strides: readonly [number, number];
  /** Explicit padding: top, bottom, left, right. */
  readonly pads: readonly [number, number, number, number];
  /** Images are [n, c, h, w] (absent: [n, h, w, c]). */
  readonly channelsFirst?: boolean;
}

export interface AvgPoolGradAttrs extends PoolAttrs {
  /** Shape of the pooled input, which the gradient has. */
  readonly inputShape: readonly number[];
}

const NO_DILATION = [1, 1] as const;

function pooledShape(op: string, xIn: readonly number[], attrs: PoolAttrs): number[] {
  assertNHWC(op, 'input', xIn, attrs.channelsFirst);
  const x = lastShape(xIn, attrs.channelsFirst);
  const [oh, ow] = outHW(op, x, attrs.poolSize, { strides: attrs.strides, dilations: NO_DILATION, pads: attrs.pads });
  return layoutShape([x[0]!, oh, ow, x[3]!], attrs.channelsFirst);
}

interface Img {
  readonly data: TypedArray;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** An image's data and shape as the channels-last loops below take them. */
function asLast(t: Img, attrs: PoolAttrs): { data: TypedArray; shape: number[] } {
  const cf = attrs.channelsFirst;
  return { data: cf ? toLastData(t.data, t.shape, t.dtype) : t.data, shape: lastShape(t.shape, cf) };
}

/** A channels-last result of `shape` back in the op's layout. */
function inLayout(data: TypedArray, shape: readonly number[], dtype: DType, attrs: PoolAttrs): TypedArray {
  return attrs.channelsFirst ? toFirstData(data, shape, dtype) : data;
}

/** The window attributes without the gradient's extras. */
function poolAttrsOf(a: PoolAttrs): PoolAttrs {
  const base = { poolSize: a.poolSize, strides: a.strides, pads: a.pads };
  return a.channelsFirst ? { ...base, channelsFirst: true } : base;
}

function assertFloat(op: string, ...ts: TensorMeta[]): void {
  for (const t of ts) if (!isFloat(t.dtype)) throw new DTypeError(`${op}: expected a float tensor, got ${t.dtype}`);
}

function assertShape(op: string, what: string, actual: readonly number[], expected: readonly number[]): void {
  if (actual.length !== expected.length || actual.some((d, i) => d !== expected[i])) {
    throw new ShapeError(`${op}: ${what} has shape ${fmtShape(actual)}, expected ${fmtShape(expected)}`);
  }
}

/**
 * Visit every output pixel of a pooling window over `xShape`: `visit(yOff, cells, count)` gets the
 * offset of the output pixel's channel 0, the offsets of the channel 0 of the real input cells
 * under the window (in `cells[0..count)`, row-major), and how many there are.
 */
function forEachWindow(
  xShape: readonly number[],
  yShape: readonly number[],
  attrs: PoolAttrs,
  visit: (yOff: number, cells: Int32Array, count: number) => void,
): void {
  const [n, h, w, c] = xShape as [number, number, number, number];
  const [oh, ow] = [yShape[1]!, yShape[2]!];
  const [ph, pw] = attrs.poolSize;
  const [sh, sw] = attrs.strides;
  const [top, , left] = attrs.pads;
  const cells = new Int32Array(ph * pw);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        let count = 0;
        for (let p = 0; p < ph; p++) {
          const ih = i * sh - top + p;
          if (ih < 0 || ih >= h) continue;
          for (let q = 0; q < pw; q++) {
            const iw = j * sw - left + q;
            if (iw >= 0 && iw < w) cells[count++] = ((b * h + ih) * w + iw) * c;
          }
        }
        visit(((b * oh + i) * ow + j) * c, cells, count);
      }
    }
  }
}

/** For each output element, the flat input index of its window's maximum (the first one; NaN wins). */
function argmaxIndices(x: TypedArray, xShape: readonly number[], yShape: readonly number[], attrs: PoolAttrs): Int32Array {
  const c = xShape[3]!;
  const arg = new Int32Array(sizeOf(yShape));
  const best = new Float64Array(c);
  forEachWindow(xShape, yShape, attrs, (yOff, cells, count) => {
    best.fill(-Infinity);
    for (let k = 0; k < c; k++) arg[yOff + k] = cells[0]! + k;
    for (let t = 0; t < count; t++) {
      const base = cells[t]!;
      for (let k = 0; k < c; k++) {
        const v = x[base + k]!;
        const b = best[k]!;
        if (v > b || (v !== v && b === b)) {
          best[k] = v;
          arg[yOff + k] = base + k;
        }
      }
    }
  });
  return arg;
}

export const maxPoolOp: OpDef<PoolAttrs> = defineOp<PoolAttrs>({
  name: 'maxPool',
  infer: ([x], attrs) => {
    assertFloat('maxPool', x!);
    return [{ shape: pooledShape('maxPool', x!.shape, attrs), dtype: x!.dtype }];
  },
  ref: ([x], attrs, [o]) => {
    const xl = asLast(x!, attrs);
    const ys = lastShape(o!.shape, attrs.channelsFirst);
    const arg = argmaxIndices(xl.data, xl.shape, ys, attrs);
    const y = allocArray(o!.dtype, arg.length);
    for (let i = 0; i < arg.length; i++) y[i] = xl.data[arg[i]!]!;
    return [inLayout(y, ys, o!.dtype, attrs)];
  },
  grad: ([dy], { inputs: [x], attrs }) => [run1(maxPoolGradOp, [x!, dy!], attrs)],
  batch: (inputs, axes, attrs) => batchFoldingIntoN(maxPoolOp, inputs, axes, attrs, [0]),
});

/** Inputs [x, dy]: each dy element added to the input cell that was its window's maximum. */
export const maxPoolGradOp: OpDef<PoolAttrs> = defineOp<PoolAttrs>({
  name: 'maxPoolGrad',
  infer: ([x, dy], attrs) => {
    assertFloat('maxPoolGrad', x!, dy!);
    assertShape('maxPoolGrad', 'the gradient', dy!.shape, pooledShape('maxPoolGrad', x!.shape, attrs));
    return [{ shape: x!.shape, dtype: x!.dtype }];
  },
  ref: ([x, dy], attrs) => {
    const [xl, dyl] = [asLast(x!, attrs), asLast(dy!, attrs)];
    const arg = argmaxIndices(xl.data, xl.shape, dyl.shape, attrs);
    const dx = new Float64Array(sizeOf(x!.shape));
    for (let i = 0; i < arg.length; i++) dx[arg[i]!]! += dyl.data[i]!;
    const out = allocArray(x!.dtype, dx.length);
    out.set(dx);
    return [inLayout(out, xl.shape, x!.dtype, attrs)];
  },
  // Piecewise constant in x; linear in dy with maxPoolGradGrad as its adjoint.
  grad: ([ddx], { inputs: [x], attrs }) => [null, run1(maxPoolGradGradOp, [x!, ddx!], attrs)],
  batch: (inputs, axes, attrs) => batchFoldingIntoN(maxPoolGradOp, inputs, axes, attrs, [0, 1]),
});

/** Inputs [x, g] with g shaped like x: picks g at each window's argmax (the adjoint of maxPoolGrad in dy). */
export const maxPoolGradGradOp: OpDef<PoolAttrs> = defineOp<PoolAttrs>({
  name: 'maxPoolGradGrad',
  infer: ([x, g], attrs) => {
    assertFloat('maxPoolGradGrad', x!, g!);
    assertShape('maxPoolGradGrad', 'the gradient', g!.shape, x!.shape);
    return [{ shape: pooledShape('maxPoolGradGrad', x!.shape, attrs), dtype: x!.dtype }];
  },
  ref: ([x, g], attrs, [o]) => {
    const [xl, gl] = [asLast(x!, attrs), asLast(g!, attrs)];
    const ys = lastShape(o!.shape, attrs.channelsFirst);
    const arg = argmaxIndices(xl.data, xl.shape, ys, attrs);
    const y = allocArray(o!.dtype, arg.length);
    for (let i = 0; i < arg.length; i++) y[i] = gl.data[arg[i]!]!;
    return [inLayout(y, ys, o!.dtype, attrs)];
  },
  grad: ([dd], { inputs: [x], attrs }) => [null, run1(maxPoolGradOp, [x!, dd!], attrs)],
  batch: (inputs, axes, attrs) => batchFoldingIntoN(maxPoolGradGradOp, inputs, axes, attrs, [0, 1]),
});

export const avgPoolOp: OpDef<PoolAttrs> = defineOp<PoolAttrs>({
  name: 'avgPool',
  linear: true,
  infer: ([x], attrs) => {
    assertFloat('avgPool', x!);
    return [{ shape: pooledShape('avgPool', x!.shape, attrs), dtype: x!.dtype }];
  },
  ref: ([x], attrs, [o]) => {
    const xl = asLast(x!, attrs);
    const ys = lastShape(o!.shape, attrs.channelsFirst);
    const c = xl.shape[3]!;
    const xd = xl.data;
    const y = allocArray(o!.dtype, sizeOf(o!.shape));
    const acc = new Float64Array(c);
    forEachWindow(xl.shape, ys, attrs, (yOff, cells, count) => {
      acc.fill(0);
      for (let t = 0; t < count; t++) {
        const base = cells[t]!;
        for (let k = 0; k < c; k++) acc[k]! += xd[base + k]!;
      }
      for (let k = 0; k < c; k++) y[yOff + k] = acc[k]! / count;
    });
    return [inLayout(y, ys, o!.dtype, attrs)];
  },
  grad: ([dy], { inputs: [x], attrs }) => [run1(avgPoolGradOp, [dy!], { ...attrs, inputShape: x!.shape })],
  batch: (inputs, axes, attrs) => batchFoldingIntoN(avgPoolOp, inputs, axes, attrs, [0]),
});

/** Input [dy]: each dy element spread evenly over the real cells of its window. */
export const avgPoolGradOp: OpDef<AvgPoolGradAttrs> = defineOp<AvgPoolGradAttrs>({
  name: 'avgPoolGrad',
  linear: true,
  infer: ([dy], attrs) => {
    assertFloat('avgPoolGrad', dy!);
    assertShape('avgPoolGrad', 'the gradient', dy!.shape, pooledShape('avgPoolGrad', attrs.inputShape, attrs));
    return [{ shape: attrs.inputShape, dtype: dy!.dtype }];
  },
  batch: (inputs, axes, attrs) =>
    batchFoldingIntoN(avgPoolGradOp, inputs, axes, attrs, [0], (a, size) => ({ ...a, inputShape: [size * a.inputShape[0]!, ...a.inputShape.slice(1)] })),
  ref: ([dy], attrs, [o]) => {
    const dyl = asLast(dy!, attrs);
    const xs = lastShape(o!.shape, attrs.channelsFirst);
    const c = xs[3]!;
    const g = dyl.data;
    const dx = new Float64Array(sizeOf(o!.shape));
    forEachWindow(xs, dyl.shape, attrs, (yOff, cells, count) => {
      for (let t = 0; t < count; t++) {
        const base = cells[t]!;
        for (let k = 0; k < c; k++) dx[base + k]! += g[yOff + k]! / count;
      }
    });
    const out = allocArray(o!.dtype, dx.length);
    out.set(dx);
    return [inLayout(out, xs, o!.dtype, attrs)];
  },
  grad: ([ddx], { attrs }) => [run1(avgPoolOp, [ddx!], poolAttrsOf(attrs))],
});

export const poolOps = {
  maxPool: maxPoolOp,
  maxPoolGrad: maxPoolGradOp,
  maxPoolGradGrad: maxPoolGradGradOp,
  avgPool: avgPoolOp,
  avgPoolGrad: avgPoolGradOp,
};

// ---------------------------------------------------------------- functions

/** Options of the pooling ops. */
export interface PoolOptions {
  /** Window size: a number or [h, w] (default 2; 1-D: a number). */
  poolSize?: Pair;
  /** Window step (default poolSize). */
  strides?: Pair;
  /** 'valid' (default) or 'same'. */
  padding?: 'valid' | 'same';
  /** 'channelsLast' (default: [n, h, w, c]) or 'channelsFirst' ([n, c, h, w]). */
  dataFormat?: DataFormat;
}

function pool2d(op: string, def: OpDef<PoolAttrs>, x: TensorLike, opts: PoolOptions): Tensor {
  let t = toTensor(x, op);
  const cf = isChannelsFirst(op, opts.dataFormat);
  const unbatched = t.rank === 3;
  if (unbatched) t = expandDims(t, 0);
  assertNHWC(op, 'input', t.shape, cf);
  const hw: [number, number] = cf ? [t.shape[2]!, t.shape[3]!] : [t.shape[1]!, t.shape[2]!];
  const poolSize = pairOf(op, 'poolSize', opts.poolSize, 2);
  const strides = opts.strides === undefined ? poolSize : pairOf(op, 'strides', opts.strides, 1);
  if (opts.padding !== undefined && opts.padding !== 'valid' && opts.padding !== 'same') {
    throw new ShapeError(`${op}: padding must be 'valid' or 'same', got ${JSON.stringify(opts.padding)}`);
  }
  const pads = resolvePads(op, opts.padding, hw, poolSize, strides, NO_DILATION);
  const y = run1(def, [t], poolAttrsOf({ poolSize, strides, pads, channelsFirst: cf }));
  return unbatched ? squeeze(y, 0) : y;
}

function pool1d(op: string, def: OpDef<PoolAttrs>, x: TensorLike, opts: PoolOptions): Tensor {
  const t = toTensor(x, op);
  const cf = isChannelsFirst(op, opts.dataFormat);
  if (t.rank !== 3 && t.rank !== 2) {
    throw new ShapeError(`${op}: input must have rank 3 ${cf ? '[batch, channels, width]' : '[batch, width, channels]'}, got shape ${fmtShape(t.shape)}`);
  }
  const scalarOf = (name: string, v: Pair | undefined) => {
    if (v !== undefined && !(typeof v === 'number' && Number.isInteger(v) && v > 0)) throw new ValueError(`${op}: ${name} must be a positive integer, got ${JSON.stringify(v)}`);
    return v;
  };
  const size = scalarOf('poolSize', opts.poolSize) ?? 2;
  const stride = scalarOf('strides', opts.strides) ?? size;
  // The unit height goes before the width: axis 1 channels-last, axis 2 channels-first.
  const hAxis = cf ? 2 : 1;
  const x4 = expandDims(t.rank === 2 ? expandDims(t, 0) : t, hAxis);
  const y = squeeze(pool2d(op, def, x4, { poolSize: [1, size], strides: [1, stride], padding: opts.padding, dataFormat: opts.dataFormat }), hAxis);
  return t.rank === 2 ? squeeze(y, 0) : y;
}

/** Max over windows of NHWC `x` ([n, h, w, c] or [h, w, c]; channelsFirst: [n, c, h, w] or [c, h, w]). */
export function maxPool(x: TensorLike, opts?: PoolOptions): Tensor;
/** TF.js's positional form: `filterSize, strides, pad`. */
export function maxPool(x: TensorLike, filterSize: Pair, strides?: Pair, pad?: 'valid' | 'same'): Tensor;
export function maxPool(x: TensorLike, ...args: unknown[]): Tensor {
  return pool2d('maxPool', maxPoolOp, x, poolOptions('maxPool', args, 'maxPool(x, { poolSize, strides, padding })'));
}

/** Mean over windows of NHWC `x`; padded cells are not counted. */
export function avgPool(x: TensorLike, opts?: PoolOptions): Tensor;
/** TF.js's positional form: `filterSize, strides, pad`. */
export function avgPool(x: TensorLike, filterSize: Pair, strides?: Pair, pad?: 'valid' | 'same'): Tensor;
export function avgPool(x: TensorLike, ...args: unknown[]): Tensor {
  return pool2d('avgPool', avgPoolOp, x, poolOptions('avgPool', args, 'avgPool(x, { poolSize, strides, padding })'));
}

/** Max over windows along the width of `x` [n, width, c]. */
export function maxPool1d(x: TensorLike, opts?: PoolOptions): Tensor;
export function maxPool1d(x: TensorLike, ...args: unknown[]): Tensor {
  return pool1d('maxPool1d', maxPoolOp, x, optionsOnly('maxPool1d', args, 'maxPool1d(x, { poolSize, strides, padding })'));
}

/** Mean over windows along the width of `x` [n, width, c]. */
export function avgPool1d(x: TensorLike, opts?: PoolOptions): Tensor;
export function avgPool1d(x: TensorLike, ...args: unknown[]): Tensor {
  return pool1d('avgPool1d', avgPoolOp, x, optionsOnly('avgPool1d', args, 'avgPool1d(x, { poolSize, strides, padding })'));
}

// The public surface of these ops (src/ops/surface.ts).
declareOp(maxPool, { nn: true });
declareOp(avgPool, { nn: true });
declareOp(maxPool1d, { nn: true });
declareOp(avgPool1d, { nn: true });
