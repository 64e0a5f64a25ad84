import { reductionPlan } from '../loops.js';
import { DTypeError, ShapeError, fmtShape } from '../../errors.js';
import { allocArray, castScalar, type DType } from '../../tensor/dtype.js';
import { broadcastedAxes, normalizeAxes, normalizeAxis, shapesEqual } from '../../tensor/shape.js';
import { onesLike, toTensor, type TensorLike } from '../creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { defineOp, type OpDef, type TensorMeta } from '../define-op.js';
import { run1 } from '../run.js';
import { div, mul } from './binary.js';
import { where } from './select.js';
import { cast } from './cast.js';
import { equal } from './compare.js';
import { broadcastTo, reshape } from './shape.js';
import { declareOp } from '../surface.js';
import { batchOnFront } from '../batch-rules.js';

export interface ReduceAttrs {
  /** Sorted, non-negative axes to reduce. */
  readonly axes: readonly number[];
  readonly keepDims: boolean;
}

/** Options every reduction takes: `axis` (number, array, negative; all by default) and `keepDims`. */
export interface ReduceOptions {
  axis?: number | readonly number[] | null;
  keepDims?: boolean;
}

export function reducedShape(shape: readonly number[], axes: readonly number[], keepDims: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepDims) out.push(1);
  });
  return out;
}

type Acc = { init: number; step: (acc: number, v: number) => number; finish?: (acc: number, n: number) => number };

function reduceKernel(x: TensorMeta & { data: ArrayLike<number> }, axes: readonly number[], outDtype: DType, acc: Acc) {
  const { base, red } = reductionPlan(x.shape, axes);
  const out = allocArray(outDtype, base.length);
  const d = x.data;
  for (let o = 0; o < base.length; o++) {
    const b = base[o]!;
    let a = acc.init;
    for (let r = 0; r < red.length; r++) a = acc.step(a, d[b + red[r]!]!);
    const v = acc.finish ? acc.finish(a, red.length) : a;
    // The ±inf identity of an empty int max/min saturates to INT_MIN/INT_MAX (an Int32Array would store 0).
    out[o] = Number.isFinite(v) ? v : castScalar(v, outDtype);
  }
  return out;
}

interface ReduceSpec {
  acc: Acc;
  dtype: (d: DType) => DType;
  grad?: (x: Tensor, y: Tensor, dy: Tensor, attrs: ReduceAttrs) => Tensor;
  /** Linear (sum): its JVP is the reduction of the tangent. */
  linear?: boolean;
}

function defineReduce(name: string, spec: ReduceSpec): OpDef<ReduceAttrs> {
  const op: OpDef<ReduceAttrs> = defineOp<ReduceAttrs>({
    name,
    infer: ([x], { axes, keepDims }) => [{ shape: reducedShape(x!.shape, axes, keepDims), dtype: spec.dtype(x!.dtype) }],
    ref: ([x], { axes }, [o]) => [reduceKernel(x!, axes, o!.dtype, spec.acc)],
    grad: spec.grad ? ([dy], { inputs: [x], outputs: [y], attrs }) => [spec.grad!(x!, y!, dy!, attrs)] : undefined,
    // Each gradient is dy (broadcast back) times ∂y/∂x elementwise, so with dy = 1 it is ∂y/∂x,
    // and the JVP is the reduction of ∂y/∂x * t.
    jvp: spec.grad
      ? ([t], { inputs: [x], outputs: [y], attrs }) => [t ? run1(reduceOps.sum, [mul(spec.grad!(x!, y!, onesLike(y!), attrs), t)], attrs) : null]
      : undefined,
    notDifferentiable: !spec.grad,
    linear: spec.linear,
    batch: ([x], [a], { axes, keepDims }) => batchOnFront(op, x!, a!, { axes: axes.map((i) => i + 1), keepDims }),
  });
  return op;
}

/** dy (reduced shape) broadcast back over the input's shape. */
function expandBack(dy: Tensor, x: Tensor, attrs: ReduceAttrs): Tensor {
  return broadcastTo(reshape(dy, reducedShape(x.shape, attrs.axes, true)), x.shape);
}

const numeric = (d: DType): DType => (d === 'bool' ? 'int32' : d);
const same = (d: DType) => d;
const bool = () => 'bool' as const;

/** Gradient of max/min: split dy evenly between the tied extremes. */
function extremumGrad(x: Tensor, y: Tensor, dy: Tensor, attrs: ReduceAttrs): Tensor {
  const mask = cast(equal(x, expandBack(y, x, attrs)), x.dtype);
  const count = run1(reduceOps.sum, [mask], { axes: attrs.axes, keepDims: true });
  return div(mul(mask, expandBack(dy, x, attrs)), count);
}

/** Gradient of prod that stays finite at zeros: each element gets the product of the others. */
function prodGrad(x: Tensor, y: Tensor, dy: Tensor, attrs: ReduceAttrs): Tensor {
  const isZero = equal(x, 0);
  const nonzero = where(isZero, 1, x);
  const keep = { axes: attrs.axes, keepDims: true };
  const zeroCount = run1(reduceOps.sum, [cast(isZero, 'int32')], keep);
  const prodOfNonzero = run1(reduceOps.prod, [nonzero], keep);
  // y / x where x != 0 (0 when another element is 0); at a zero, the product of the others is
  // the product of the non-zeros if it is the only zero, else 0.
  const others = where(isZero, where(equal(zeroCount, 1), prodOfNonzero, 0), div(expandBack(y, x, attrs), nonzero));
  return mul(expandBack(dy, x, attrs), others);
}

/** The reduction primitives by name (`OpDef`s). */
export const reduceOps = {
  sum: defineReduce('sum', {
    acc: { init: 0, step: (a, v) => a + v },
    dtype: numeric,
    grad: (x, _y, dy, attrs) => expandBack(dy, x, attrs),
    linear: true,
  }),
  prod: defineReduce('prod', {
    acc: { init: 1, step: (a, v) => a * v },
    dtype: numeric,
    grad: prodGrad,
  }),
  max: defineReduce('max', {
    acc: { init: -Infinity, step: (a, v) => (v > a || v !== v ? v : a) },
    dtype: same,
    grad: extremumGrad,
  }),
  min: defineReduce('min', {
    acc: { init: Infinity, step: (a, v) => (v < a || v !== v ? v : a) },
    dtype: same,
    grad: extremumGrad,
  }),
  all: defineReduce('all', { acc: { init: 1, step: (a, v) => (a && v ? 1 : 0) }, dtype: bool }),
  any: defineReduce('any', { acc: { init: 0, step: (a, v) => (a || v ? 1 : 0) }, dtype: bool }),
};

export interface ArgAttrs {
  readonly axis: number;
}

function defineArg(name: string, better: (v: number, best: number) => boolean): OpDef<ArgAttrs> {
  const op: OpDef<ArgAttrs> = defineOp<ArgAttrs>({
    name,
    infer: ([x], { axis }) => {
      if (x!.shape[axis] === 0) throw new ShapeError(`${name}: cannot reduce an empty axis ${axis} of shape ${fmtShape(x!.shape)}`);
      return [{ shape: reducedShape(x!.shape, [axis], false), dtype: 'int32' }];
    },
    ref: ([x], { axis }) => {
      const { base, red } = reductionPlan(x!.shape, [axis]);
      const out = new Int32Array(base.length);
      const d = x!.data;
      for (let o = 0; o < base.length; o++) {
        const b = base[o]!;
        let best = d[b]!;
        let bi = 0;
        for (let r = 1; r < red.length; r++) {
          const v = d[b + red[r]!]!;
          if (best === best && (better(v, best) || v !== v)) {
            best = v;
            bi = r;
          }
        }
        out[o] = bi;
      }
      return [out];
    },
    notDifferentiable: true,
    batch: ([x], [a], { axis }) => batchOnFront(op, x!, a!, { axis: axis + 1 }),
  });
  return op;
}

/** The argmax/argmin primitives by name (`OpDef`s). */
export const argOps = {
  argmax: defineArg('argmax', (v, best) => v > best),
  argmin: defineArg('argmin', (v, best) => v < best),
};

/** Accept `f(x, axis, keepDims)` and `f(x, {axis, keepDims})`. */
export function reduceOptions(axisOrOpts?: number | readonly number[] | ReduceOptions | null, keepDims?: boolean): ReduceOptions {
  if (axisOrOpts === undefined || axisOrOpts === null || typeof axisOrOpts === 'number' || Array.isArray(axisOrOpts)) {
    return { axis: axisOrOpts as number | number[] | undefined, keepDims: keepDims ?? false };
  }
  const o = axisOrOpts as ReduceOptions;
  return { axis: o.axis, keepDims: o.keepDims ?? keepDims ?? false };
}

/** An axis, a list of axes, null (all axes) or {@link ReduceOptions}. */
export type AxisArg = number | readonly number[] | ReduceOptions | null;

function reducer(op: OpDef<ReduceAttrs>, allowBool = true) {
  return (x: TensorLike, axisOrOpts?: AxisArg, keepDims?: boolean): Tensor => {
    const t = toTensor(x, op.name);
    if (!allowBool && t.dtype === 'bool') throw new DTypeError(`${op.name}: expected a numeric tensor, got bool`);
    const o = reduceOptions(axisOrOpts, keepDims);
    const axes = normalizeAxes(op.name, o.axis, t.rank);
    return run1(op, [t], { axes, keepDims: o.keepDims ?? false });
  };
}

/** Sum over `axis` (all axes by default); bool sums as int32. */
export const sum = reducer(reduceOps.sum);
/** Product over `axis` (all axes by default). */
export const prod = reducer(reduceOps.prod);
/** Maximum over `axis` (all axes by default). */
export const max = reducer(reduceOps.max, false);
/** Minimum over `axis` (all axes by default). */
export const min = reducer(reduceOps.min, false);
const allRaw = reducer(reduceOps.all);
const anyRaw = reducer(reduceOps.any);
/** Whether every element over `axis` is nonzero, as bool. */
export const all = (x: TensorLike, axisOrOpts?: AxisArg, keepDims?: boolean): Tensor => allRaw(cast(x, 'bool'), axisOrOpts, keepDims);
/** Whether some element over `axis` is nonzero, as bool. */
export const any = (x: TensorLike, axisOrOpts?: AxisArg, keepDims?: boolean): Tensor => anyRaw(cast(x, 'bool'), axisOrOpts, keepDims);

function argReducer(op: OpDef<ArgAttrs>) {
  return (x: TensorLike, axis: number | { axis?: number } = 0): Tensor => {
    const t = toTensor(x, op.name);
    const a = typeof axis === 'number' ? axis : (axis.axis ?? 0);
    if (t.rank === 0) throw new ShapeError(`${op.name}: expected a tensor of rank >= 1, got a scalar`);
    return run1(op, [t], { axis: normalizeAxis(op.name, a, t.rank) });
  };
}

/** Index of the largest element along `axis` (default 0), as int32. */
export const argmax = argReducer(argOps.argmax);
/** Index of the smallest element along `axis` (default 0), as int32. */
export const argmin = argReducer(argOps.argmin);

// The public surface of these ops (src/ops/surface.ts).
declareOp(sum, { method: true, aliases: ['reduceSum'] });
declareOp(prod, { method: true, aliases: ['reduceProd'] });
declareOp(max, { method: true, aliases: ['reduceMax'] });
declareOp(min, { method: true, aliases: ['reduceMin'] });
declareOp(all, { method: true, aliases: ['reduceAll'] });
declareOp(any, { method: true, aliases: ['reduceAny'] });
declareOp(argmax, { method: true });
declareOp(argmin, { method: true });

/** Sum `g` over the axes along which `shape` was broadcast, back to `shape` (used by the tape). */
export function unbroadcast(g: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const axes = broadcastedAxes(shape, g.shape);
  return reshape(sum(g, axes), shape);
}
