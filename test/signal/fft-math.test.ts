// The float64 row transform behind the reference kernels against a direct O(n²) DFT, for every
// length from 1 to 70 and a few larger ones (radix-2 and Bluestein paths), both directions. The
// lengths outnumber the plan cache, so plans are evicted and rebuilt on the way.
import { describe, expect, it } from 'vitest';
import { dft, isPowerOfTwo } from '../../src/signal/fft-math.js';

function directDft(re: Float64Array, im: Float64Array, inverse: boolean): [Float64Array, Float64Array] {
  const n = re.length;
  const sign = inverse ? 1 : -1;
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      const angle = (sign * 2 * Math.PI * ((j * k) % n)) / n;
      outRe[k]! += re[j]! * Math.cos(angle) - im[j]! * Math.sin(angle);
      outIm[k]! += re[j]! * Math.sin(angle) + im[j]! * Math.cos(angle);
    }
  }
  return [outRe, outIm];
}

function row(n: number, seed: number): Float64Array {
  return Float64Array.from({ length: n }, (_, j) => Math.sin(seed * 12.9898 + j * 78.233) * 0.9);
}

describe('dft (radix-2 and Bluestein)', () => {
  const lengths = [...Array.from({ length: 70 }, (_, i) => i + 1), 97, 128, 243, 256, 1000];
  it(`matches a direct DFT for ${lengths.length} lengths in both directions, and again after plan eviction`, () => {
    for (const pass of [0, 1]) {
      for (const n of lengths) {
        for (const inverse of [false, true]) {
          const re = row(n, n + pass);
          const im = row(n, 2 * n + 1 + pass);
          const [wantRe, wantIm] = directDft(re, im, inverse);
          dft(re, im, inverse);
          for (let k = 0; k < n; k++) {
            const tol = 1e-11 * n;
            if (Math.abs(re[k]! - wantRe[k]!) > tol || Math.abs(im[k]! - wantIm[k]!) > tol) {
              throw new Error(`n=${n} ${inverse ? 'inverse' : 'forward'} bin ${k}: got ${re[k]} + ${im[k]}i, direct DFT ${wantRe[k]} + ${wantIm[k]}i`);
            }
          }
        }
      }
    }
  });

  it('knows its powers of two', () => {
    expect([1, 2, 4, 1024].every(isPowerOfTwo)).toBe(true);
    expect([0, 3, 6, 1000, -4].some(isPowerOfTwo)).toBe(false);
  });
});
