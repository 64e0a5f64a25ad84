import { ShapeError, fmtShape } from '../../errors.js';
import { allocArray } from '../../tensor/dtype.js';
import { assertShape, broadcastShapes, inferReshape, normalizeAxes, normalizeAxis, shapesEqual, sizeOf, broadcastedAxes } from '../../tensor/shape.js';
import { reshapeStrides } from '../../tensor/layout.js';
import { toTensor, type TensorLike } from '../creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { defineOp, type BatchAxis, type Batched, type OpDef } from '../define-op.js';
import { run1 } from '../run.js';
import { declareOp } from '../surface.js';

// Views: stride changes over the input's storage, no kernel (DESIGN.md principle 2).

export interface ReshapeAttrs {
  readonly shape: readonly number[];
}

export const reshapeOp = defineOp<ReshapeAttrs>({
  name: 'reshape',
  linear: true,
  infer: ([x], { shape }) => {
    if (sizeOf(shape) !== sizeOf(x!.shape)) {
      throw new ShapeError(`reshape: cannot reshape ${fmtShape(x!.shape)} into ${fmtShape(shape)}`);
    }
    return [{ shape, dtype: x!.dtype }];
  },
  view: (l, { shape }) => {
    const strides = reshapeStrides(l, shape);
    return strides ? { shape, strides, offset: l.offset } : null;
  },
  grad: ([dy], { inputs: [x] }) => [reshape(dy!, x!.shape)],
  batch: ([x], [a], { shape }) => {
    const xb = toFront(x!, a!);
    return front(reshape(xb, [xb.shape[0]!, ...shape]));
  },
});

export interface PermAttrs {
  readonly perm: readonly number[];
}

export const transposeOp = defineOp<PermAttrs>({
  name: 'transpose',
  linear: true,
  infer: ([x], { perm }) => [{ shape: perm.map((p) => x!.shape[p]!), dtype: x!.dtype }],
  view: (l, { perm }) => ({ shape: perm.map((p) => l.shape[p]!), strides: perm.map((p) => l.strides[p]!), offset: l.offset }),
  grad: ([dy], { attrs: { perm } }) => {
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => (inv[p] = i));
    return [transpose(dy!, inv)];
  },
  batch: ([x], [a], { perm }) => front(transpose(toFront(x!, a!), [0, ...perm.map((p) => p + 1)])),
});

export interface SliceAttrs {
  readonly begin: readonly number[];
  readonly size: readonly number[];
  /** Non-zero steps; a negative step walks backwards from `begin`. */
  readonly step: readonly number[];
}

export const sliceOp: OpDef<SliceAttrs> = defineOp<SliceAttrs>({
  name: 'slice',
  linear: true,
  infer: ([x], { size }) => [{ shape: size, dtype: x!.dtype }],
  batch: ([x], [a], { begin, size, step }) => {
    const xb = toFront(x!, a!);
    return front(run1(sliceOp, [xb], { begin: [0, ...begin], size: [xb.shape[0]!, ...size], step: [1, ...step] }));
  },
  view: (l, { begin, size, step }) => {
    let offset = l.offset;
    const strides = l.strides.map((s, i) => {
      if (size[i]! > 0) offset += begin[i]! * s;
      return s * step[i]!;
    });
    return { shape: size, strides, offset };
  },
  grad: ([dy], { inputs: [x], attrs }) => [sliceGrad(dy!, x!.shape, attrs)],
});

/** Scatter a slice's gradient back into zeros of the input's shape (pads, with interleaving for steps). */
function sliceGrad(dy: Tensor, inShape: readonly number[], { begin, size, step }: SliceAttrs): Tensor {
  let g = dy;
  const first = begin.map((b, i) => (step[i]! < 0 ? b + (size[i]! - 1) * step[i]! : b));
  const negAxes = step.map((s, i) => (s < 0 ? i : -1)).filter((i) => i >= 0);
  if (negAxes.length) g = flip(g, negAxes);
  for (let ax = 0; ax < step.length; ax++) {
    const k = Math.abs(step[ax]!);
    if (k === 1 || size[ax]! === 0) continue;
    // [.., n, ..] -> [.., n, 1, ..] -> pad to [.., n, k, ..] -> [.., n*k, ..] -> drop the trailing k-1.
    const sh = g.shape;
    const n = sh[ax]!;
    g = reshape(g, [...sh.slice(0, ax + 1), 1, ...sh.slice(ax + 1)]);
    const pads = g.shape.map((_, i) => (i === ax + 1 ? [0, k - 1] : [0, 0]) as [number, number]);
    g = run1(padOp, [g], { paddings: pads, value: 0 });
    g = reshape(g, [...sh.slice(0, ax), n * k, ...sh.slice(ax + 1)]);
    g = slice(g, sh.map(() => 0), sh.map((d, i) => (i === ax ? (n - 1) * k + 1 : d)));
  }
  const paddings = inShape.map((d, i) => {
    if (g.shape[i] === 0) return [0, d] as [number, number];
    return [first[i]!, d - first[i]! - g.shape[i]!] as [number, number];
  });
  if (g.size === 0) return run1(padOp, [reshape(g, g.shape.map(() => 0))], { paddings: inShape.map((d) => [0, d] as [number, number]), value: 0 });
  return run1(padOp, [g], { paddings, value: 0 });
}

// pad is slice's adjoint (each is the other's gradient), so the two live together.
export interface PadAttrs {
  readonly paddings: readonly (readonly [number, number])[];
  readonly value: number;
}

export const padOp: OpDef<PadAttrs> = defineOp<PadAttrs>({
  name: 'pad',
  infer: ([x], { paddings }) => [{ shape: x!.shape.map((d, i) => d + paddings[i]![0] + paddings[i]![1]), dtype: x!.dtype }],
  ref: ([x], { paddings, value }, [o]) => {
    const outShape = o!.shape;
    const out = allocArray(o!.dtype, sizeOf(outShape));
    if (value !== 0) out.fill(value);
    const inShape = x!.shape;
    const n = sizeOf(inShape);
    if (n === 0) return [out];
    const rank = inShape.length;
    if (rank === 0) {
      out[0] = x!.data[0]!;
      return [out];
    }
    // Copy input rows (last axis) into their padded positions.
    const outStrides = outShape.map((_, i) => sizeOf(outShape.slice(i + 1)));
    const row = inShape[rank - 1]!;
    const idx = new Array<number>(rank - 1).fill(0);
    const src = x!.data;
    for (let r = 0; r < n / row; r++) {
      let off = paddings[rank - 1]![0];
      for (let a = 0; a < rank - 1; a++) off += (idx[a]! + paddings[a]![0]) * outStrides[a]!;
      out.set(src.subarray(r * row, r * row + row), off);
      for (let a = rank - 2; a >= 0; a--) {
        if (++idx[a]! < inShape[a]!) break;
        idx[a] = 0;
      }
    }
    return [out];
  },
  grad: ([dy], { inputs: [x], attrs: { paddings } }) => [slice(dy!, paddings.map((p) => p[0]), x!.shape)],
  // Affine in x: the padding value is a constant, so the tangent is padded with zeros.
  jvp: ([t], { attrs }) => [t ? run1(padOp, [t], { ...attrs, value: 0 }) : null],
  batch: ([x], [a], { paddings, value }) => front(run1(padOp, [toFront(x!, a!)], { paddings: [[0, 0], ...paddings], value })),
});

export interface BroadcastAttrs {
  readonly shape: readonly number[];
}

export const broadcastToOp = defineOp<BroadcastAttrs>({
  name: 'broadcastTo',
  linear: true,
  infer: ([x], { shape }) => {
    const b = broadcastShapes('broadcastTo', x!.shape, shape);
    if (!shapesEqual(b, shape)) throw new ShapeError(`broadcastTo: cannot broadcast ${fmtShape(x!.shape)} to ${fmtShape(shape)}`);
    return [{ shape, dtype: x!.dtype }];
  },
  view: (l, { shape }) => {
    const lead = shape.length - l.shape.length;
    const strides = shape.map((d, i) => (i < lead || (l.shape[i - lead] === 1 && d !== 1) ? 0 : l.strides[i - lead]!));
    return { shape, strides, offset: l.offset };
  },
  grad: ([dy], { inputs: [x] }) => [dy!],
  batch: ([x], [a], { shape }) => {
    const xb = padRankAfterBatch(toFront(x!, a!), shape.length);
    return front(broadcastTo(xb, [xb.shape[0]!, ...shape]));
  },
});

export interface FlipAttrs {
  readonly axes: readonly number[];
}

export const flipOp: OpDef<FlipAttrs> = defineOp<FlipAttrs>({
  name: 'flip',
  linear: true,
  infer: ([x]) => [{ shape: x!.shape, dtype: x!.dtype }],
  view: (l, { axes }) => {
    let offset = l.offset;
    const strides = l.strides.map((s, i) => {
      if (!axes.includes(i) || l.shape[i] === 0) return s;
      offset += (l.shape[i]! - 1) * s;
      return -s;
    });
    return { shape: l.shape, strides, offset };
  },
  grad: ([dy], { attrs: { axes } }) => [flip(dy!, axes)],
  batch: ([x], [a], { axes }) => front(run1(flipOp, [toFront(x!, a!)], { axes: axes.map((i) => i + 1) })),
});

// ---------------------------------------------------------------- batching helpers (vmap)

/** @internal `x` with axis `from` moved to position `to`. */
export function moveAxis(x: Tensor, from: number, to: number): Tensor {
  if (from === to) return x;
  const perm = x.shape.map((_, i) => i).filter((i) => i !== from);
  perm.splice(to, 0, from);
  return transpose(x, perm);
}

/** @internal A batched tensor with its batch axis first. */
export function toFront(x: Tensor, axis: number): Tensor {
  return moveAxis(x, axis, 0);
}

/**
 * @internal A tensor batched on axis 0 whose examples have a lower rank than `rank`: size-1 axes
 * after the batch axis, so that it broadcasts against examples of that rank.
 */
export function padRankAfterBatch(xb: Tensor, rank: number): Tensor {
  const missing = rank - (xb.rank - 1);
  if (missing <= 0) return xb;
  return reshape(xb, [xb.shape[0]!, ...new Array<number>(missing).fill(1), ...xb.shape.slice(1)]);
}

/** @internal The result of a batching rule whose one output is batched on axis 0. */
export function front(out: Tensor): Batched {
  return { outputs: [out], axes: [0] };
}

/** @internal The batch size of a rule's inputs (the first batched one's). */
export function batchSizeOf(inputs: readonly Tensor[], axes: readonly (BatchAxis | undefined)[]): number {
  const i = axes.findIndex((a) => a !== null && a !== undefined);
  return inputs[i]!.shape[axes[i]!]!;
}

/** @internal `x` batched on axis 0: moved there if batched, else broadcast to the batch size. */
export function batchedFront(x: Tensor, axis: BatchAxis | undefined, size: number): Tensor {
  if (axis !== null && axis !== undefined) return toFront(x, axis);
  return broadcastTo(reshape(x, [1, ...x.shape]), [size, ...x.shape]);
}

// ---------------------------------------------------------------- functions

/** Same elements in a new shape (one size may be -1); a view when the layout allows. */
export function reshape(x: TensorLike, shape: readonly number[]): Tensor {
  const t = toTensor(x, 'reshape');
  if (!Array.isArray(shape)) throw new ShapeError(`reshape: shape must be an array, got ${JSON.stringify(shape)}`);
  const target = inferReshape('reshape', t.shape, shape);
  if (shapesEqual(target, t.shape)) return t;
  return run1(reshapeOp, [t], { shape: target });
}

/** Permute axes; reverses them by default (matrix transpose for rank 2). */
export function transpose(x: TensorLike, perm?: readonly number[]): Tensor {
  const t = toTensor(x, 'transpose');
  const p = perm ? perm.map((a) => normalizeAxis('transpose', a, t.rank)) : t.shape.map((_, i) => t.rank - 1 - i);
  if (p.length !== t.rank || new Set(p).size !== p.length) {
    throw new ShapeError(`transpose: perm ${JSON.stringify(perm)} is not a permutation of ${t.rank} axes (shape ${fmtShape(t.shape)})`);
  }
  if (p.every((a, i) => a === i)) return t;
  return run1(transposeOp, [t], { perm: p });
}


/**
 * `slice(x, begin, size)` like TensorFlow: `size[i] = -1` takes the rest of the axis.
 * Missing trailing entries take the whole axis.
 */
export function slice(x: TensorLike, begin: number | readonly number[], size?: number | readonly number[]): Tensor {
  const t = toTensor(x, 'slice');
  const b = typeof begin === 'number' ? [begin] : [...begin];
  const s = size === undefined ? [] : typeof size === 'number' ? [size] : [...size];
  if (b.length > t.rank || s.length > t.rank) {
    throw new ShapeError(`slice: begin ${JSON.stringify(b)} / size ${JSON.stringify(s)} have more entries than rank ${t.rank} (shape ${fmtShape(t.shape)})`);
  }
  const beg = t.shape.map((d, i) => {
    const v = b[i] ?? 0;
    const r = v < 0 ? v + d : v;
    if (!Number.isInteger(v) || r < 0 || r > d) throw new ShapeError(`slice: begin ${v} out of range for axis ${i} of size ${d} (shape ${fmtShape(t.shape)})`);
    return r;
  });
  const sz = t.shape.map((d, i) => {
    const v = s[i] ?? -1;
    const r = v === -1 ? d - beg[i]! : v;
    if (!Number.isInteger(r) || r < 0 || beg[i]! + r > d) {
      throw new ShapeError(`slice: begin ${beg[i]} + size ${v} exceeds axis ${i} of size ${d} (shape ${fmtShape(t.shape)})`);
    }
    return r;
  });
  return stridedView(t, beg, sz, sz.map(() => 1));
}

/** @internal A validated slice view with steps. */
export function stridedView(t: Tensor, begin: number[], size: number[], step: number[]): Tensor {
  if (step.every((s) => s === 1) && size.every((d, i) => d === t.shape[i]) && begin.every((b) => b === 0)) return t;
  return run1(sliceOp, [t], { begin, size, step });
}

/** Broadcast to `shape` (NumPy rules) as a view, without copying. */
export function broadcastTo(x: TensorLike, shape: readonly number[]): Tensor {
  const t = toTensor(x, 'broadcastTo');
  assertShape(shape, 'broadcastTo');
  if (shapesEqual(t.shape, shape)) return t;
  return run1(broadcastToOp, [t], { shape: [...shape] });
}

/** Elements reversed along the given axes (all by default), as a view. */
export function flip(x: TensorLike, axis?: number | readonly number[]): Tensor {
  const t = toTensor(x, 'flip');
  const axes = normalizeAxes('flip', axis, t.rank);
  if (axes.length === 0) return t;
  return run1(flipOp, [t], { axes });
}

/** A size-1 axis inserted at `axis` (default 0; negative counts from the end). */
export function expandDims(x: TensorLike, axis = 0): Tensor {
  const t = toTensor(x, 'expandDims');
  const a = normalizeAxis('expandDims', axis, t.rank + 1);
  return reshape(t, [...t.shape.slice(0, a), 1, ...t.shape.slice(a)]);
}

/** Remove size-1 axes (all of them, or the given ones, which must have size 1). */
export function squeeze(x: TensorLike, axis?: number | readonly number[]): Tensor {
  const t = toTensor(x, 'squeeze');
  const axes = axis === undefined ? t.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0) : normalizeAxes('squeeze', axis, t.rank);
  for (const a of axes) {
    if (t.shape[a] !== 1) throw new ShapeError(`squeeze: axis ${a} has size ${t.shape[a]}, expected 1 (shape ${fmtShape(t.shape)})`);
  }
  return reshape(t, t.shape.filter((_, i) => !axes.includes(i)));
}

// The public surface of these ops (src/ops/surface.ts).
declareOp(reshape, { method: true });
declareOp(transpose, { method: true, aliases: ['permute'] });
declareOp(slice, { method: true });
declareOp(broadcastTo, { method: true });
declareOp(flip, { method: true });
declareOp(expandDims, { method: true });
declareOp(squeeze, { method: true });
