// Resampling one axis at given source coordinates (nearest or linear), with gathers of precomputed
// indices, so resizes are ordinary differentiable ops. Shared by the image layers and ONNX Resize.
import { add, mul } from '../primitives/binary.js';
import { gather } from '../primitives/indexing.js';
import { reshape } from '../primitives/shape.js';
import { tensor } from '../creation.js';
import type { Tensor } from '../../tensor/tensor.js';

export type InterpolationMode = 'nearest' | 'linear';

/**
 * `x` resampled along `axis` at the source coordinates `src` (one per output position, in input
 * pixel units): nearest rounds each with `round` and clamps it into the axis; linear blends the two
 * neighbours of each clamped coordinate.
 */
export function interpolateAxis(x: Tensor, axis: number, src: readonly number[], mode: InterpolationMode, round: (v: number) => number = Math.floor): Tensor {
  const n = x.shape[axis]!;
  const out = src.length;
  if (mode === 'nearest') {
    const idx = src.map((v) => Math.min(Math.max(round(v), 0), n - 1));
    return gather(x, tensor(idx, [out], 'int32'), { axis });
  }
  const clamped = src.map((v) => Math.min(Math.max(v, 0), n - 1));
  const lo = clamped.map((v) => Math.floor(v));
  const hi = lo.map((v) => Math.min(v + 1, n - 1));
  const w = clamped.map((v, i) => v - lo[i]!);
  const bshape = x.shape.map((_, i) => (i === axis ? out : 1));
  const wHi = reshape(tensor(w, [out], x.dtype), bshape);
  const wLo = reshape(tensor(w.map((v) => 1 - v), [out], x.dtype), bshape);
  return add(mul(gather(x, tensor(lo, [out], 'int32'), { axis }), wLo), mul(gather(x, tensor(hi, [out], 'int32'), { axis }), wHi));
}
