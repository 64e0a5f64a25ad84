/**
 * `nb.signal`: Fourier transforms (numpy.fft's conventions) with gradients on every backend. nabla
 * has no complex dtype: a complex tensor is a float tensor whose last axis of size 2 holds the real
 * and imaginary parts (as torch.view_as_real); `complex`, `real`, `imag` convert.
 * @module
 */
export { fft, ifft, rfft, irfft, fft2, ifft2, rfft2, irfft2, type FftNorm, type FftOptions, type Fft2Options } from './fft.js';
export { complex, real, imag, conj, abs, angle } from './complex.js';
