// nb.signal: Fourier transforms over complex values stored as a trailing axis of 2 (real, imaginary).
export { fft, ifft, rfft, irfft, fft2, ifft2, rfft2, irfft2, type FftNorm, type FftOptions, type Fft2Options } from './fft.js';
export { complex, real, imag, conj, abs, angle } from './complex.js';
