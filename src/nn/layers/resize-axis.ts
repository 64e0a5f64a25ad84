// Resizing one axis of a tensor by sampling: nearest or linear, with TensorFlow's half-pixel
// centres (tf.image.resize, Keras) or with source position i * in / out (TF.js's default resize,
// which its UpSampling2D uses). The sampling itself is interpolateAxis (shared with ONNX Resize).
import { interpolateAxis } from '../../ops/composite/interpolate-axis.js';
import type { Tensor } from '../../tensor/tensor.js';

export type ResizeMethod = 'bilinear' | 'nearest';
/** Where output element i samples the input: 'halfPixel' (i + 0.5) * in / out - 0.5, 'asymmetric' i * in / out. */
export type SampleGrid = 'halfPixel' | 'asymmetric';

/** `x` with axis `axis` resized to `out` elements. */
export function resizeAxis(x: Tensor, axis: number, out: number, method: ResizeMethod, grid: SampleGrid): Tensor {
  const n = x.shape[axis]!;
  if (out === n) return x;
  const scale = n / out;
  // Half-pixel: the sample point is the output pixel's centre; nearest floors it (the input pixel
  // whose area holds it), linear measures it from input pixel centres (hence the -0.5).
  const at = (i: number) => (grid === 'halfPixel' ? (i + 0.5) * scale - (method === 'nearest' ? 0 : 0.5) : i * scale);
  const src = Array.from({ length: out }, (_, i) => at(i));
  return interpolateAxis(x, axis, src, method === 'nearest' ? 'nearest' : 'linear', Math.floor);
}
