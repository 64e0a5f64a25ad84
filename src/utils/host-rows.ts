// Reading tensors to the host and building tensors from chosen rows, for the small utilities
// that split and relabel whole datasets at once.
import { hostView } from '../data/host-tensors.js';
import { engine } from '../engine/engine.js';
import { allocArray, type TypedArray } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';

/** The tensor's values on the host (zero-copy where the backend keeps them there). */
export function valuesOf(t: Tensor): TypedArray {
  return hostView(t) ?? t.dataSync();
}

/** A tensor holding rows `rows` (along axis 0) of `t`, in that order. */
export function takeRows(t: Tensor, rows: ArrayLike<number>): Tensor {
  const src = valuesOf(t);
  const rowShape = t.shape.slice(1);
  const rowSize = rowShape.reduce((a, b) => a * b, 1);
  const out = allocArray(t.dtype, rows.length * rowSize);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    out.set(src.subarray(r * rowSize, (r + 1) * rowSize), i * rowSize);
  }
  return engine.fromHost(out, [rows.length, ...rowShape], t.dtype);
}
