// The FFT primitives by name (as src/linalg/primitives.ts for linalg), for tests that hold each to its rules.
import { fftOp, irfftOp, rfftOp } from './fft-ops.js';

export const SIGNAL_OPS = {
  fft: fftOp,
  rfft: rfftOp,
  irfft: irfftOp,
} as const;
