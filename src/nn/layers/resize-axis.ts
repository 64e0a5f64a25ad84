// Resizing one axis of a tensor by sampling: nearest or linear, with TensorFlow's half-pixel
// centres (tf.image.resize, Keras) or with source position i * in / out (TF.js's default resize,
// which its UpSampling2D uses). Gathers of precomputed indices, so gradients flow to the input.
import { tensor } from '../../ops/creation.js';
import { add, mul } from '../../ops/primitives/binary.js';
import { gather } from '../../ops/primitives/indexing.js';
import { reshape } from '../../ops/primitives/shape.js';
import type { Tensor } from '../../tensor/tensor.js';

export type ResizeMethod = 'bilinear' | 'nearest';
/** Where output element i samples the input: 'halfPixel' (i + 0.5) * in / out - 0.5, 'asymmetric' i * in / out. */
export type SampleGrid = 'halfPixel' | 'asymmetric';

/** `x` with axis `axis` resized to `out` elements. */
export function resizeAxis(x: Tensor, axis: number, out: number, method: ResizeMethod, grid: SampleGrid): Tensor {
  const n = x.shape[axis]!;
  if (out === n) return x;
  const scale = n / out;
  const take = (idx: number[]) => gather(x, tensor(idx, [out], 'int32'), { axis });
  if (method === 'nearest') {
    const at = (i: number) => Math.floor(grid === 'halfPixel' ? (i + 0.5) * scale : i * scale);
    return take(Array.from({ length: out }, (_, i) => Math.min(at(i), n - 1)));
  }
  const src = Array.from({ length: out }, (_, i) => Math.min(Math.max(grid === 'halfPixel' ? (i + 0.5) * scale - 0.5 : i * scale, 0), n - 1));
  const lo = src.map((v) => Math.floor(v));
  const hi = lo.map((v) => Math.min(v + 1, n - 1));
  const w = src.map((v, i) => v - lo[i]!);
  const bshape = x.shape.map((_, i) => (i === axis ? out : 1));
  const weight = (ws: number[]) => reshape(tensor(ws, [out], x.dtype), bshape);
  return add(mul(take(lo), weight(w.map((v) => 1 - v))), mul(take(hi), weight(w)));
}
