import { engine } from '../../engine/engine.js';
import { DTypeError, ValueError, fmtShape } from '../../errors.js';
import { tensor, type TensorLike } from '../creation.js';
import { Tensor } from '../../tensor/tensor.js';

/**
 * Indices as an int32 tensor. Tensors must already be int32 (a float index is almost always a
 * bug); plain JS numbers and arrays are converted when every value is an integer.
 */
export function indexTensor(x: TensorLike, op: string, what = 'indices'): Tensor {
  if (x instanceof Tensor) {
    if (x.dtype !== 'int32') throw new DTypeError(`${op}: ${what} must be int32, got ${x.dtype}; cast them with nb.cast(${what}, 'int32')`);
    return x;
  }
  // Checked on the host (js backend): the current backend may have no float64 (webgpu).
  const t = engine.withBackend('js', () => tensor(x, 'float64'));
  const values = t.dataSync();
  for (let i = 0; i < values.length; i++) {
    if (!Number.isInteger(values[i])) throw new DTypeError(`${op}: ${what} must be integers, got ${values[i]} at flat position ${i}`);
  }
  return tensor(x, t.shape as number[], 'int32');
}

/** Multi-index of flat position `i` in `shape`, for error messages. */
function unravel(i: number, shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d]!;
    out[d] = n === 0 ? 0 : i % n;
    i = n === 0 ? 0 : Math.floor(i / n);
  }
  return out;
}

/** The error for an index outside [0, size): names the op, the value, where it sits and the valid range. */
export function indexOutOfRange(op: string, value: number, flatPos: number, indicesShape: readonly number[], size: number, where: string): ValueError {
  const pos = indicesShape.length ? ` at indices${fmtShape(unravel(flatPos, indicesShape))}` : '';
  const range = size === 0 ? 'no valid index (the axis is empty)' : `expected an integer in [0, ${size - 1}]`;
  return new ValueError(`${op}: index ${value}${pos} is out of range for ${where} (size ${size}); ${range}`);
}
