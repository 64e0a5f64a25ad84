// fft/rfft/irfft (src/signal/fft-ops.ts) as direct DFTs: one invocation per output element sums
// its row in O(n). The angle index jk mod n is stepped without multiplying (no i32 overflow) and
// folded into [-n/2, n/2], so the f32 angle stays within [-π, π]. The wrapper refuses float64.
import type { FftAttrs, IrfftAttrs } from '../../../signal/fft-ops.js';
import { sizeOf } from '../../../tensor/shape.js';
import { groupsFor, perElementKernel } from '../wgsl.js';
import type { GpuKernel } from './kernel-types.js';

/** WGSL: the angle 2π·idx/n with idx folded to the nearest multiple of n. */
const ANGLE = `
  let folded = select(idx, idx - n, 2 * idx > n);
  let theta = 6.283185307179586 * f32(folded) / f32(n);`;

// meta: [total, n, inverse]
const FFT_SOURCE = perElementKernel(
  [
    { name: 'z', type: 'f32', access: 'read' },
    { name: 'out', type: 'f32', access: 'read_write' },
  ],
  `  let n = M(1); let s = select(-1.0, 1.0, M(2) != 0);
  let part = i % 2; let k = (i / 2) % n; let base = (i / (2 * n)) * 2 * n;
  var re = 0.0; var im = 0.0; var idx = 0;
  for (var j = 0; j < n; j++) {${ANGLE}
    let c = cos_(theta); let sn = s * sin_(theta);
    let xr = z[base + 2 * j]; let xi = z[base + 2 * j + 1];
    re += xr * c - xi * sn;
    im += xr * sn + xi * c;
    idx = (idx + k) % n;
  }
  out[i] = select(re, im, part == 1);`,
);

// meta: [total, n, bins]
const RFFT_SOURCE = perElementKernel(
  [
    { name: 'x', type: 'f32', access: 'read' },
    { name: 'out', type: 'f32', access: 'read_write' },
  ],
  `  let n = M(1); let m = M(2);
  let part = i % 2; let k = (i / 2) % m; let base = (i / (2 * m)) * n;
  var re = 0.0; var im = 0.0; var idx = 0;
  for (var j = 0; j < n; j++) {${ANGLE}
    let v = x[base + j];
    re += v * cos_(theta);
    im -= v * sin_(theta);
    idx = (idx + k) % n;
  }
  out[i] = select(re, im, part == 1);`,
);

// meta: [total, n, bins, hermitian]
const IRFFT_SOURCE = perElementKernel(
  [
    { name: 'z', type: 'f32', access: 'read' },
    { name: 'out', type: 'f32', access: 'read_write' },
  ],
  `  let n = M(1); let m = M(2); let hermitian = M(3) != 0;
  let j = i % n; let base = (i / n) * 2 * m;
  var acc = 0.0; var idx = 0;
  for (var k = 0; k < m; k++) {${ANGLE}
    let doubled = hermitian && k > 0 && 2 * k != n;
    let w = select(1.0, 2.0, doubled);
    acc += w * (z[base + 2 * k] * cos_(theta) - z[base + 2 * k + 1] * sin_(theta));
    idx = (idx + j) % n;
  }
  out[i] = acc;`,
);

const fft: GpuKernel<FftAttrs> = (ctx, [z], { inverse }, [out]) => {
  const total = sizeOf(out!.shape);
  const o = ctx.alloc(total);
  ctx.dispatch(FFT_SOURCE, [z!.data, o], [total, z!.shape[z!.shape.length - 2]!, inverse ? 1 : 0], groupsFor(total));
  return [o];
};

const rfft: GpuKernel<Record<string, never>> = (ctx, [x], _attrs, [out]) => {
  const total = sizeOf(out!.shape);
  const o = ctx.alloc(total);
  ctx.dispatch(RFFT_SOURCE, [x!.data, o], [total, x!.shape[x!.shape.length - 1]!, out!.shape[out!.shape.length - 2]!], groupsFor(total));
  return [o];
};

const irfft: GpuKernel<IrfftAttrs> = (ctx, [z], { n, hermitian }, [out]) => {
  const total = sizeOf(out!.shape);
  const o = ctx.alloc(total);
  ctx.dispatch(IRFFT_SOURCE, [z!.data, o], [total, n, z!.shape[z!.shape.length - 2]!, hermitian ? 1 : 0], groupsFor(total));
  return [o];
};

export function fftKernels() {
  return { fft, rfft, irfft };
}
