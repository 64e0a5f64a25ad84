// Bicubic resampling of one axis at given source coordinates, as ONNX Resize's 'cubic' mode
// defines it: four taps around each coordinate weighted by Keys' cubic kernel with coefficient
// `a`; taps past the edge repeat the edge value, or (excludeOutside) get weight 0 with the others
// renormalised. Gathers of precomputed indices, so the result is differentiable.
import { add, mul } from '../primitives/binary.js';
import { gather } from '../primitives/indexing.js';
import { reshape } from '../primitives/shape.js';
import { tensor } from '../creation.js';
import type { Tensor } from '../../tensor/tensor.js';

/** Keys' cubic convolution kernel at distance `d`. */
function cubicWeight(d: number, a: number): number {
  const t = Math.abs(d);
  if (t <= 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
  return 0;
}

/** `x` resampled along `axis` at the source coordinates `src` (input pixel units) with the cubic kernel. */
export function cubicAxis(x: Tensor, axis: number, src: readonly number[], a: number, excludeOutside: boolean): Tensor {
  const n = x.shape[axis]!;
  const out = src.length;
  const bshape = x.shape.map((_, i) => (i === axis ? out : 1));
  let y: Tensor | null = null;
  const taps = src.map((v) => {
    const base = Math.floor(v);
    const idx = [-1, 0, 1, 2].map((k) => base + k);
    let w = idx.map((j) => cubicWeight(v - j, a));
    if (excludeOutside) {
      w = w.map((wk, k) => (idx[k]! < 0 || idx[k]! >= n ? 0 : wk));
      const total = w.reduce((s, wk) => s + wk, 0);
      if (total !== 0) w = w.map((wk) => wk / total);
    }
    return { idx: idx.map((j) => Math.min(Math.max(j, 0), n - 1)), w };
  });
  for (let k = 0; k < 4; k++) {
    const picked = gather(x, tensor(taps.map((t) => t.idx[k]!), [out], 'int32'), { axis });
    const term = mul(picked, reshape(tensor(taps.map((t) => t.w[k]!), [out], x.dtype), bshape));
    y = y ? add(y, term) : term;
  }
  return y!;
}
