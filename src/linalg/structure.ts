// Structural matrix ops, composed from the general ops (so their gradients come for free):
// transposes, diagonals, traces and band masks over the last two axes.
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { eye, toTensor, type TensorLike } from '../ops/creation.js';
import { engine } from '../engine/engine.js';
import { sum } from '../ops/primitives/reduce.js';
import { where } from '../ops/primitives/select.js';
import { expandDims, slice, transpose } from '../ops/primitives/shape.js';
import type { Tensor } from '../tensor/tensor.js';

/** Swap the last two axes: the transpose of each matrix of a batch. */
export function matrixTranspose(x: TensorLike): Tensor {
  const t = toTensor(x, 'linalg.matrixTranspose');
  if (t.rank < 2) throw new ShapeError(`linalg.matrixTranspose: expected rank >= 2, got shape ${fmtShape(t.shape)}`);
  const perm = t.shape.map((_, i) => i);
  perm[t.rank - 2] = t.rank - 1;
  perm[t.rank - 1] = t.rank - 2;
  return transpose(t, perm);
}

/** A constant 0/1 mask of shape [rows, cols] where `keep(i, j)` holds, as bool. */
function mask(rows: number, cols: number, keep: (i: number, j: number) => boolean): Tensor {
  const m = new Uint8Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m[i * cols + j] = keep(i, j) ? 1 : 0;
  return engine.fromHost(m, [rows, cols], 'bool');
}

/**
 * The diagonal of each matrix (numpy's diagonal over the last two axes, TF's matrix_diag_part):
 * shape [..., min(m, n)].
 */
export function diagPart(x: TensorLike): Tensor {
  const t = toTensor(x, 'linalg.diagPart');
  if (t.rank < 2) throw new ShapeError(`linalg.diagPart: expected rank >= 2, got shape ${fmtShape(t.shape)}`);
  const [m, n] = t.shape.slice(-2) as [number, number];
  const k = Math.min(m, n);
  const square = m === n ? t : slice(t, t.shape.map(() => 0), [...t.shape.slice(0, -2), k, k]);
  return sum(where(mask(k, k, (i, j) => i === j), square, 0), -1);
}

/** Matrices with `v`'s last axis on their diagonal and zeros elsewhere: [..., n] -> [..., n, n]. */
export function diag(v: TensorLike): Tensor {
  const t = toTensor(v, 'linalg.diag');
  if (t.rank < 1) throw new ShapeError('linalg.diag: expected a vector or a batch of vectors (rank >= 1), got a scalar');
  const n = t.shape[t.rank - 1]!;
  return where(mask(n, n, (i, j) => i === j), expandDims(t, -1), 0);
}

/** The sum of each matrix's diagonal: shape [...]. */
export function trace(x: TensorLike): Tensor {
  return sum(diagPart(x), -1);
}

/**
 * Keep a band of each matrix and zero the rest (TF's matrix_band_part): entry (i, j) stays when
 * i - j <= numLower and j - i <= numUpper; a negative count keeps that whole triangle.
 * `bandPart(x, -1, 0)` is the lower triangle, `bandPart(x, 0, -1)` the upper one.
 */
export function bandPart(x: TensorLike, numLower: number, numUpper: number): Tensor {
  const t = toTensor(x, 'linalg.bandPart');
  if (t.rank < 2) throw new ShapeError(`linalg.bandPart: expected rank >= 2, got shape ${fmtShape(t.shape)}`);
  for (const [name, v] of [['numLower', numLower], ['numUpper', numUpper]] as const) {
    if (!Number.isInteger(v)) throw new ValueError(`linalg.bandPart: ${name} must be an integer (negative for the whole triangle), got ${v}`);
  }
  const [m, n] = t.shape.slice(-2) as [number, number];
  const keep = mask(m, n, (i, j) => (numLower < 0 || i - j <= numLower) && (numUpper < 0 || j - i <= numUpper));
  return where(keep, t, 0);
}

/** The lower triangle below the diagonal shifted by `k` (numpy's tril): entries with j - i <= k. */
export function tril(x: Tensor, k = 0): Tensor {
  const [m, n] = x.shape.slice(-2) as [number, number];
  return where(mask(m, n, (i, j) => j - i <= k), x, 0);
}

/** numpy's triu: entries with j - i >= k. */
export function triu(x: Tensor, k = 0): Tensor {
  const [m, n] = x.shape.slice(-2) as [number, number];
  return where(mask(m, n, (i, j) => j - i >= k), x, 0);
}

/** x * I broadcast: keeps the diagonal of square matrices. */
export function diagOnly(x: Tensor): Tensor {
  return diag(diagPart(x));
}

/** The identity matrix the size of the last axis of `x`, in x's dtype. */
export function identityLike(x: Tensor): Tensor {
  const n = x.shape[x.rank - 1]!;
  return eye(n, n, x.dtype);
}
