import { ShapeError, ValueError, fmtShape } from '../../errors.js';
import { allocArray, promote } from '../../tensor/dtype.js';
import { normalizeAxis, sizeOf } from '../../tensor/shape.js';
import { toTensor, type TensorLike } from '../creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { defineOp, type OpDef } from '../define-op.js';
import { run1 } from '../run.js';
import { cast } from './cast.js';
import { batchSizeOf, batchedFront, broadcastTo, expandDims, flip, padOp, reshape, slice, squeeze } from './shape.js';
import { declareOp } from '../surface.js';

/** Options of {@link pad}: the fill value and the padding mode. */
export interface PadOptions {
  /** The fill value in 'constant' mode (default 0). */
  constantValue?: number;
  mode?: 'constant' | 'reflect' | 'symmetric';
}

/** Pad with a constant (`mode: 'constant'`), or mirror (`'reflect'`, `'symmetric'`) like TF's pad. */
export function pad(x: TensorLike, paddings: readonly (readonly [number, number])[], valueOrOpts: number | PadOptions = 0): Tensor {
  const t = toTensor(x, 'pad');
  const opts = typeof valueOrOpts === 'number' ? { constantValue: valueOrOpts } : valueOrOpts;
  if (paddings.length !== t.rank || paddings.some((p) => p.length !== 2 || p.some((v) => !Number.isInteger(v) || v < 0))) {
    throw new ShapeError(`pad: expected ${t.rank} pairs of non-negative integers for shape ${fmtShape(t.shape)}, got ${JSON.stringify(paddings)}`);
  }
  const mode = opts.mode ?? 'constant';
  if (mode === 'constant') return run1(padOp, [t], { paddings: paddings.map((p) => [p[0], p[1]] as const), value: opts.constantValue ?? 0 });
  return mirrorPad(t, paddings, mode);
}

function mirrorPad(t: Tensor, paddings: readonly (readonly [number, number])[], mode: 'reflect' | 'symmetric'): Tensor {
  let out = t;
  const shift = mode === 'reflect' ? 1 : 0;
  paddings.forEach(([before, after], ax) => {
    const n = out.shape[ax]!;
    if (before + shift > n || after + shift > n) {
      throw new ShapeError(`pad: ${mode} padding ${before},${after} is too large for axis ${ax} of size ${n}`);
    }
    const parts: Tensor[] = [];
    const take = (start: number, len: number) => slice(out, out.shape.map((_, i) => (i === ax ? start : 0)), out.shape.map((d, i) => (i === ax ? len : d)));
    if (before) parts.push(flip(take(shift, before), ax));
    parts.push(out);
    if (after) parts.push(flip(take(n - shift - after, after), ax));
    out = parts.length > 1 ? concat(parts, ax) : out;
  });
  return out;
}


export interface ConcatAttrs {
  readonly axis: number;
}

export const concatOp: OpDef<ConcatAttrs> = defineOp<ConcatAttrs>({
  name: 'concat',
  linear: true,
  infer: (xs, { axis }) => {
    const first = xs[0]!;
    const shape = [...first.shape];
    shape[axis] = 0;
    for (const x of xs) {
      if (x.shape.length !== first.shape.length || x.shape.some((d, i) => i !== axis && d !== first.shape[i])) {
        throw new ShapeError(`concat: shapes ${xs.map((t) => fmtShape(t.shape)).join(', ')} differ outside axis ${axis}`);
      }
      shape[axis]! += x.shape[axis]!;
    }
    return [{ shape, dtype: first.dtype }];
  },
  ref: (xs, { axis }, [o]) => {
    const out = allocArray(o!.dtype, sizeOf(o!.shape));
    const outer = sizeOf(o!.shape.slice(0, axis));
    const rowOut = sizeOf(o!.shape.slice(axis));
    let col = 0;
    for (const x of xs) {
      const row = sizeOf(x.shape.slice(axis));
      for (let r = 0; r < outer; r++) out.set(x.data.subarray(r * row, (r + 1) * row), r * rowOut + col);
      col += row;
    }
    return [out];
  },
  grad: ([dy], { inputs, attrs: { axis } }) => {
    let start = 0;
    return inputs.map((x) => {
      const g = slice(dy!, dy!.shape.map((_, i) => (i === axis ? start : 0)), x.shape);
      start += x.shape[axis]!;
      return g;
    });
  },
  batch: (xs, axes, { axis }) => {
    const size = batchSizeOf(xs, axes);
    return { outputs: [run1(concatOp, xs.map((x, i) => batchedFront(x, axes[i], size)), { axis: axis + 1 })], axes: [0] };
  },
});

/** Join tensors along an existing axis, promoting to a common dtype. */
export function concat(xs: readonly TensorLike[], axis = 0): Tensor {
  if (!Array.isArray(xs) || xs.length === 0) throw new ValueError('concat: expected a non-empty array of tensors');
  let ts = xs.map((x) => toTensor(x, 'concat'));
  const rank = ts[0]!.rank;
  if (rank === 0) throw new ShapeError('concat: cannot concatenate scalars; use stack');
  if (ts.some((t) => t.rank !== rank)) throw new ShapeError(`concat: ranks differ: ${ts.map((t) => fmtShape(t.shape)).join(', ')}`);
  const ax = normalizeAxis('concat', axis, rank);
  const dt = ts.map((t) => t.dtype).reduce(promote);
  ts = ts.map((t) => cast(t, dt));
  if (ts.length === 1) return ts[0]!;
  return run1(concatOp, ts, { axis: ax });
}

/** Join same-shaped tensors along a new axis. */
export function stack(xs: readonly TensorLike[], axis = 0): Tensor {
  if (!Array.isArray(xs) || xs.length === 0) throw new ValueError('stack: expected a non-empty array of tensors');
  const ts = xs.map((x) => toTensor(x, 'stack'));
  const shape = ts[0]!.shape;
  if (ts.some((t) => t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))) {
    throw new ShapeError(`stack: all tensors must have one shape, got ${ts.map((t) => fmtShape(t.shape)).join(', ')}`);
  }
  const ax = normalizeAxis('stack', axis, shape.length + 1);
  return concat(ts.map((t) => expandDims(t, ax)), ax);
}

/** Slices along `axis`, each with that axis removed. */
export function unstack(x: TensorLike, axis = 0): Tensor[] {
  const t = toTensor(x, 'unstack');
  const ax = normalizeAxis('unstack', axis, t.rank);
  if (t.shape[ax] === 0) return [];
  return split(t, t.shape[ax]!, ax).map((p) => squeeze(p, ax));
}

/** Split into `n` equal parts, or parts of the given sizes (one may be -1). */
export function split(x: TensorLike, sizes: number | readonly number[], axis = 0): Tensor[] {
  const t = toTensor(x, 'split');
  const ax = normalizeAxis('split', axis, t.rank);
  const d = t.shape[ax]!;
  let parts: number[];
  if (typeof sizes === 'number') {
    if (!Number.isInteger(sizes) || sizes <= 0 || d % sizes !== 0) {
      throw new ShapeError(`split: axis ${ax} of size ${d} cannot be split into ${sizes} equal parts (shape ${fmtShape(t.shape)})`);
    }
    parts = new Array<number>(sizes).fill(d / sizes);
  } else {
    parts = [...sizes];
    const unknown = parts.indexOf(-1);
    if (unknown >= 0) parts[unknown] = d - parts.reduce((a, b, i) => (i === unknown ? a : a + b), 0);
    if (parts.some((p) => !Number.isInteger(p) || p < 0) || parts.reduce((a, b) => a + b, 0) !== d) {
      throw new ShapeError(`split: sizes ${JSON.stringify(sizes)} must be non-negative integers (one may be -1) adding up to axis ${ax} of size ${d}`);
    }
  }
  let start = 0;
  return parts.map((p) => {
    const s = slice(t, t.shape.map((_, i) => (i === ax ? start : 0)), t.shape.map((dd, i) => (i === ax ? p : dd)));
    start += p;
    return s;
  });
}

/** Repeat the tensor `reps[i]` times along each axis (a broadcast view, then one copy). */
export function tile(x: TensorLike, reps: readonly number[]): Tensor {
  const t = toTensor(x, 'tile');
  if (reps.length !== t.rank || reps.some((r) => !Number.isInteger(r) || r < 0)) {
    throw new ShapeError(`tile: reps ${JSON.stringify(reps)} must be ${t.rank} non-negative integers for shape ${fmtShape(t.shape)}`);
  }
  const inter = t.shape.flatMap((d) => [1, d]);
  const target = t.shape.flatMap((d, i) => [reps[i]!, d]);
  return reshape(broadcastTo(reshape(t, inter), target), t.shape.map((d, i) => d * reps[i]!));
}

// The public surface of these ops (src/ops/surface.ts).
declareOp(pad, { method: true });
declareOp(concat);
declareOp(stack);
declareOp(unstack, { method: true });
declareOp(split, { method: true });
declareOp(tile, { method: true });
