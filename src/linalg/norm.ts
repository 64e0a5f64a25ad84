// Vector and matrix norms (numpy.linalg.norm's orders), composed from reductions and the SVD.
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { toTensor, type TensorLike } from '../ops/creation.js';
import { cast } from '../ops/primitives/cast.js';
import { notEqual } from '../ops/primitives/compare.js';
import { pow } from '../ops/primitives/binary.js';
import { max, min, sum } from '../ops/primitives/reduce.js';
import { expandDims, transpose } from '../ops/primitives/shape.js';
import { abs, sqrt, square } from '../ops/primitives/unary.js';
import { isFloat } from '../tensor/dtype.js';
import { normalizeAxis } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { svd } from './decompositions.js';

/** The order of a norm: a number (p, ±Infinity, 0 for vectors), or 'fro' / 'nuc' for matrices. */
export type NormOrder = number | 'fro' | 'nuc';

/** Options of {@link norm}. */
export interface LinalgNormOptions {
  /**
   * Vectors: any p (default 2), Infinity (max |x|), -Infinity (min |x|), 0 (count of non-zeros).
   * Matrices: 'fro' (default), 'nuc' (sum of singular values), 1 / -1 (max / min column sum of
   * |x|), Infinity / -Infinity (max / min row sum), 2 / -2 (largest / smallest singular value).
   */
  ord?: NormOrder;
  /**
   * One axis for vector norms, two for matrix norms. Default: the vector norm of a rank-1 tensor,
   * the matrix norm over the last two axes of anything larger (batched; numpy instead flattens
   * a tensor of rank > 2 when neither ord nor axis is given).
   */
  axis?: number | readonly [number, number];
  /** Keep the reduced axes with size 1. */
  keepDims?: boolean;
}

/** A vector or matrix norm of `x`, like numpy.linalg.norm; differentiable (except at 0 for p <= 1 orders). */
export function norm(x: TensorLike, opts: LinalgNormOptions = {}): Tensor {
  let t = toTensor(x, 'linalg.norm');
  if (!isFloat(t.dtype)) t = cast(t, 'float32');
  if (t.rank === 0) throw new ShapeError('linalg.norm: expected a vector or matrix, got a scalar');
  const axes = opts.axis === undefined ? (t.rank === 1 ? [0] : [t.rank - 2, t.rank - 1]) : typeof opts.axis === 'number' ? [opts.axis] : [...opts.axis];
  const resolved = axes.map((a) => normalizeAxis('linalg.norm', a, t.rank));
  if (resolved.length === 2 && resolved[0] === resolved[1]) throw new ValueError(`linalg.norm: the two matrix axes must differ, got ${String(opts.axis)}`);
  const keepDims = !!opts.keepDims;
  return resolved.length === 1 ? vectorNorm(t, resolved[0]!, opts.ord ?? 2, keepDims) : matrixNorm(t, resolved as [number, number], opts.ord ?? 'fro', keepDims);
}

function vectorNorm(t: Tensor, axis: number, ord: NormOrder, keepDims: boolean): Tensor {
  const o = { axis, keepDims };
  if (typeof ord !== 'number' || Number.isNaN(ord)) throw new ValueError(`linalg.norm: ord ${String(ord)} is not a vector norm (a number, Infinity or -Infinity)`);
  if (ord === Infinity) return max(abs(t), o);
  if (ord === -Infinity) return min(abs(t), o);
  if (ord === 0) return sum(cast(notEqual(t, 0), t.dtype), o);
  if (ord === 1) return sum(abs(t), o);
  if (ord === 2) return sqrt(sum(square(t), o));
  return pow(sum(pow(abs(t), ord), o), 1 / ord);
}

function matrixNorm(t: Tensor, [r, c]: [number, number], ord: NormOrder, keepDims: boolean): Tensor {
  const o = { axis: [r, c], keepDims };
  if (ord === 'fro') return sqrt(sum(square(t), o));
  if (ord === 1 || ord === -1) return (ord === 1 ? max : min)(sum(abs(t), { axis: r, keepDims: true }), o);
  if (ord === Infinity || ord === -Infinity) return (ord === Infinity ? max : min)(sum(abs(t), { axis: c, keepDims: true }), o);
  if (ord === 'nuc' || ord === 2 || ord === -2) {
    // Move the two axes last for the SVD, then reduce its singular values.
    const rest = t.shape.map((_, i) => i).filter((i) => i !== r && i !== c);
    const s = svd(transpose(t, [...rest, r, c])).s;
    let out = ord === 'nuc' ? sum(s, -1) : ord === 2 ? max(s, -1) : min(s, -1);
    if (keepDims) for (const a of [r, c].sort((x, y) => x - y)) out = expandDims(out, a);
    return out;
  }
  throw new ValueError(`linalg.norm: ord ${String(ord)} is not a matrix norm of shape ${fmtShape(t.shape)} (use 'fro', 'nuc', 1, -1, 2, -2, Infinity or -Infinity)`);
}
