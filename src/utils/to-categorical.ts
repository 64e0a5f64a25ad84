import { ShapeError, ValueError } from '../errors.js';
import { engine } from '../engine/engine.js';
import { toTensor, type TensorLike } from '../ops/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { valuesOf } from './host-rows.js';

/**
 * One-hot rows for integer class labels, like keras.utils.to_categorical: labels of shape [...]
 * give float32 [..., numClasses] (a trailing axis of size 1 is dropped first). Without
 * `numClasses`, the largest label + 1.
 */
export function toCategorical(labels: TensorLike, numClasses?: number): Tensor {
  const t = toTensor(labels, 'toCategorical');
  const values = valuesOf(t);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < 0) throw new ValueError(`toCategorical: labels must be non-negative integers, got ${v} at flat index ${i}`);
  }
  let largest = -1;
  for (let i = 0; i < values.length; i++) largest = Math.max(largest, values[i]!);
  const k = numClasses ?? largest + 1;
  if (!Number.isInteger(k) || k < 1) throw new ValueError(`toCategorical: numClasses must be a positive integer, got ${numClasses}`);
  if (largest >= k) throw new ValueError(`toCategorical: label ${largest} is out of range for numClasses ${k} (labels must be in [0, ${k - 1}])`);
  let shape = [...t.shape];
  if (shape.length > 0 && shape[shape.length - 1] === 1) shape = shape.slice(0, -1);
  if (values.length !== shape.reduce((a, b) => a * b, 1)) throw new ShapeError('toCategorical: unexpected label shape');
  const out = new Float32Array(values.length * k);
  for (let i = 0; i < values.length; i++) out[i * k + values[i]!] = 1;
  return engine.fromHost(out, [...shape, k], 'float32');
}
