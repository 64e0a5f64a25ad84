// nb.signal on every backend: hand-derived values, round trips, and gradients of every transform
// (each norm, cropped and padded lengths, the Hermitian weighting of irfft) against finite
// differences. The values against numpy are in test/signal/fft-numpy.test.ts.
import { describe, it } from 'vitest';
import * as nb from '../../src/index.js';
import { backendsUnderTest, checkGrad, checkSecondDerivative, expectClose, on, onHost, sample, sampleFloat, widestFloat } from './harness.js';

const { signal } = nb;
const NORMS = ['backward', 'ortho', 'forward'] as const;

for (const backend of backendsUnderTest()) {
  describe(`nb.signal on ${backend}`, () => {
    it('hand-derived values: an impulse, a constant, a cosine', () =>
      on(backend, () => {
        const dt = widestFloat(backend);
        // fft of an impulse is flat; of a constant, an impulse of height n.
        expectClose(signal.fft(nb.tensor([[1, 0], [0, 0], [0, 0], [0, 0]], dt)), [[1, 0], [1, 0], [1, 0], [1, 0]]);
        expectClose(signal.fft(nb.tensor([[2, 1], [2, 1], [2, 1]], dt)), [[6, 3], [0, 0], [0, 0]], { atol: 1e-5 });
        expectClose(signal.rfft(nb.tensor([1, 2, 3, 4], dt)), [[10, 0], [-2, 2], [-2, 0]], { atol: 1e-5 });
        expectClose(signal.irfft(nb.tensor([[10, 0], [-2, 2], [-2, 0]], dt)), [1, 2, 3, 4], { atol: 1e-5 });
        // cos(2π·2j/8) has its energy in bins 2 and 8 - 2, each n/2.
        const cos = nb.tensor(Array.from({ length: 8 }, (_, j) => Math.cos((2 * Math.PI * 2 * j) / 8)), dt);
        expectClose(signal.rfft(cos), [[0, 0], [0, 0], [4, 0], [0, 0], [0, 0]], { atol: 1e-5 });
        // ifft of a lone zero-frequency bin is constant: that bin over n.
        expectClose(signal.ifft(nb.tensor([[3, 6], [0, 0], [0, 0]], dt)), [[1, 2], [1, 2], [1, 2]], { atol: 1e-5 });
        expectClose(signal.rfft2(nb.tensor([[1, 2], [3, 4]], dt)), [[[10, 0], [-2, 0]], [[-4, 0], [0, 0]]], { atol: 1e-5 });
      }));

    it('round trips: ifft(fft(z)) = z and irfft(rfft(x), n) = x for odd, even and batched lengths', () =>
      on(backend, () => {
        for (const n of [1, 2, 5, 6, 8, 9]) {
          const z = sampleFloat([3, n, 2], -1, 1, n);
          const x = sampleFloat([2, n], -1, 1, n + 50);
          for (const norm of NORMS) {
            expectClose(signal.ifft(signal.fft(z, { norm }), { norm }), onHost(() => z.arraySync()) as number[][][], { atol: 1e-5 });
            expectClose(signal.irfft(signal.rfft(x, { norm }), { n, norm }), onHost(() => x.arraySync()) as number[][], { atol: 1e-5 });
          }
        }
        const z2 = sampleFloat([2, 3, 5, 2], -1, 1, 3);
        expectClose(signal.ifft2(signal.fft2(z2)), onHost(() => z2.arraySync()) as number[][][][], { atol: 1e-5 });
        const x2 = sampleFloat([2, 3, 5], -1, 1, 4);
        expectClose(signal.irfft2(signal.rfft2(x2), [3, 5]), onHost(() => x2.arraySync()) as number[][][], { atol: 1e-5 });
      }));

    it('fft and ifft gradients vs finite differences (lengths 1, 4, 5, 6; norms; n cropping and padding)', () =>
      on(backend, () => {
        for (const n of [1, 4, 5, 6]) {
          checkGrad((z) => signal.fft(z), [sample([2, n, 2], -1, 1, n)]);
          checkGrad((z) => signal.ifft(z), [sample([n, 2], -1, 1, n + 1)]);
        }
        for (const norm of NORMS) checkGrad((z) => signal.fft(z, { norm }), [sample([5, 2], -1, 1, 9)]);
        checkGrad((z) => signal.fft(z, 3), [sample([5, 2], -1, 1, 10)]);
        checkGrad((z) => signal.ifft(z, { n: 7, norm: 'ortho' }), [sample([2, 5, 2], -1, 1, 11)]);
      }));

    it('rfft and irfft gradients vs finite differences (the Hermitian weighting of the middle bins)', () =>
      on(backend, () => {
        for (const n of [1, 2, 5, 6, 8]) {
          checkGrad((x) => signal.rfft(x), [sample([2, n], -1, 1, n)]);
          // Every bin, the zero-frequency and n/2 ones included, imaginary parts too (ignored ones get 0).
          checkGrad((z) => signal.irfft(z, n), [sample([2, Math.floor(n / 2) + 1, 2], -1, 1, n + 20)]);
        }
        for (const norm of NORMS) {
          checkGrad((x) => signal.rfft(x, { norm }), [sample([7], -1, 1, 12)]);
          checkGrad((z) => signal.irfft(z, { n: 7, norm }), [sample([4, 2], -1, 1, 13)]);
        }
        // Cropped and padded inputs and spectra.
        checkGrad((x) => signal.rfft(x, 4), [sample([6], -1, 1, 14)]);
        checkGrad((x) => signal.rfft(x, 9), [sample([6], -1, 1, 15)]);
        checkGrad((z) => signal.irfft(z, 4), [sample([5, 2], -1, 1, 16)]);
        checkGrad((z) => signal.irfft(z, 12), [sample([3, 2], -1, 1, 17)]);
      }));

    it('2-D gradients vs finite differences', () =>
      on(backend, () => {
        checkGrad((z) => signal.fft2(z), [sample([2, 3, 4, 2], -1, 1, 21)]);
        checkGrad((z) => signal.ifft2(z, { s: [2, 5], norm: 'ortho' }), [sample([3, 4, 2], -1, 1, 22)]);
        checkGrad((x) => signal.rfft2(x), [sample([2, 3, 5], -1, 1, 23)]);
        checkGrad((z) => signal.irfft2(z), [sample([3, 3, 2], -1, 1, 24)]);
        checkGrad((z) => signal.irfft2(z, { s: [3, 5], norm: 'forward' }), [sample([3, 3, 2], -1, 1, 25)]);
      }));

    it('second derivatives (the gradients of the gradient transforms) and the complex helpers', () =>
      on(backend, () => {
        checkSecondDerivative((x) => nb.square(signal.rfft(x)), sample([6], -1, 1, 31));
        checkSecondDerivative((z) => nb.square(signal.irfft(z, 5)), sample([3, 2], -1, 1, 32));
        checkSecondDerivative((z) => nb.square(signal.fft(z)), sample([3, 2], -1, 1, 33));
        checkGrad((z) => signal.abs(signal.fft(z)), [sample([4, 2], -1, 1, 34)]);
        checkGrad((z) => signal.angle(z), [sample([4, 2], 0.2, 1, 35)]);
        checkGrad((re, im) => signal.conj(signal.complex(re, im)), [sample([3], -1, 1, 36), sample([3], -1, 1, 37)]);
      }));
  });
}
