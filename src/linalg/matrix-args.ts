// Argument checks and small helpers shared by the linalg ops: every op works on the last two axes
// and treats the leading axes as a batch.
import { DTypeError, ShapeError, fmtShape } from '../errors.js';
import { toTensor, type TensorLike } from '../ops/creation.js';
import type { TensorMeta } from '../ops/define-op.js';
import { cast } from '../ops/primitives/cast.js';
import { isFloat } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';

/** A float tensor of rank >= 2 (int32 is cast to float32, like the other float ops). */
export function matrixArg(x: TensorLike, op: string): Tensor {
  const t = toTensor(x, op);
  if (t.dtype === 'bool') throw new DTypeError(`linalg.${op}: expected a float tensor, got bool`);
  if (t.rank < 2) throw new ShapeError(`linalg.${op}: expected a matrix or a batch of matrices (rank >= 2), got shape ${fmtShape(t.shape)}`);
  return isFloat(t.dtype) ? t : cast(t, 'float32');
}

/** `matrixArg`, square in its last two axes. */
export function squareArg(x: TensorLike, op: string): Tensor {
  const t = matrixArg(x, op);
  const [m, n] = t.shape.slice(-2);
  if (m !== n) throw new ShapeError(`linalg.${op}: expected square matrices, got shape ${fmtShape(t.shape)} (${m} x ${n})`);
  return t;
}

/** The shape rule's view of the same check, for primitives. */
export function checkSquareMeta(x: TensorMeta, op: string): number {
  checkFloatMeta(x, op);
  const [m, n] = x.shape.slice(-2);
  if (x.shape.length < 2 || m !== n) throw new ShapeError(`linalg.${op}: expected square matrices (rank >= 2), got shape ${fmtShape(x.shape)}`);
  return m!;
}

export function checkFloatMeta(x: TensorMeta, op: string): void {
  if (!isFloat(x.dtype)) throw new DTypeError(`linalg.${op}: expected float32 or float64, got ${x.dtype}`);
  if (x.shape.length < 2) throw new ShapeError(`linalg.${op}: expected rank >= 2, got shape ${fmtShape(x.shape)}`);
}

/** How many matrices of `rows x cols` a tensor of `shape` holds. */
export function batchCount(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length - 2; i++) n *= shape[i]!;
  return n;
}
