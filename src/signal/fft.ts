// The public transforms of nb.signal, numpy.fft's conventions: 1-D ones over the last axis (of
// the values; complex tensors carry their trailing axis of 2 after it), 2-D ones over the last two,
// batched over the leading axes. Each crops or zero-pads its input to the requested length, runs
// the unnormalised primitive (fft-ops.ts) and scales by the `norm` convention.
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import type { TensorLike } from '../ops/creation.js';
import { mul } from '../ops/primitives/binary.js';
import { slice, transpose } from '../ops/primitives/shape.js';
import { pad } from '../ops/primitives/structure.js';
import { run1, NO_ATTRS } from '../ops/run.js';
import type { Tensor } from '../tensor/tensor.js';
import { complexInput, floatInput } from './complex.js';
import { fftOp, halfBins, irfftOp, rfftOp } from './fft-ops.js';

/**
 * Which direction is scaled: `'backward'` (default) divides the inverse transforms by n,
 * `'ortho'` divides both directions by sqrt(n), `'forward'` divides the forward transforms by n.
 */
export type FftNorm = 'backward' | 'ortho' | 'forward';

/** Options of the 1-D transforms. */
export interface FftOptions {
  /** Transform length: the input is cropped or zero-padded to it (irfft: the output length). */
  n?: number;
  /** Which direction is scaled (default `'backward'`). */
  norm?: FftNorm;
}

/** Options of the 2-D transforms. */
export interface Fft2Options {
  /** Transform lengths of the last two axes: the input is cropped or zero-padded to them (irfft2: the output shape). */
  s?: readonly [number, number];
  /** Which direction is scaled (default `'backward'`); n is the product of the two lengths. */
  norm?: FftNorm;
}

const NORMS: readonly FftNorm[] = ['backward', 'ortho', 'forward'];

function options(op: string, t: Tensor, opts: number | FftOptions | undefined): { n?: number; norm: FftNorm } {
  const o = typeof opts === 'number' ? { n: opts } : (opts ?? {});
  if (o.n !== undefined) checkLength(op, o.n, t);
  return { n: o.n, norm: checkNorm(op, o.norm) };
}

function options2(op: string, t: Tensor, opts: readonly [number, number] | Fft2Options | undefined): { s?: readonly [number, number]; norm: FftNorm } {
  const o: Fft2Options = Array.isArray(opts) ? { s: opts as readonly [number, number] } : ((opts as Fft2Options | undefined) ?? {});
  if (o.s !== undefined) {
    if (!Array.isArray(o.s) || o.s.length !== 2) throw new ValueError(`${op}: s must be two lengths [rows, columns], got ${JSON.stringify(o.s)}`);
    o.s.forEach((n) => checkLength(op, n, t));
  }
  return { s: o.s, norm: checkNorm(op, o.norm) };
}

function checkLength(op: string, n: number, t: Tensor): void {
  if (!Number.isInteger(n) || n < 1) throw new ValueError(`${op}: the transform length must be an integer >= 1, got ${n} (input shape ${fmtShape(t.shape)})`);
}

function checkNorm(op: string, norm: FftNorm | undefined): FftNorm {
  if (norm === undefined) return 'backward';
  if (!NORMS.includes(norm)) throw new ValueError(`${op}: norm must be one of ${NORMS.join(', ')}, got ${JSON.stringify(norm)}`);
  return norm;
}

/** The factor a transform of `count` points is multiplied by under `norm`. */
function scaleFactor(norm: FftNorm, count: number, inverse: boolean): number {
  if (norm === 'ortho') return 1 / Math.sqrt(count);
  if (norm === 'forward') return inverse ? 1 : 1 / count;
  return inverse ? 1 / count : 1;
}

function scaled(t: Tensor, factor: number): Tensor {
  return factor === 1 ? t : mul(t, factor);
}

/** `t` with axis `axis` cropped or zero-padded (at the end) to `length`. */
function resize(t: Tensor, axis: number, length: number): Tensor {
  const have = t.shape[axis]!;
  if (have === length) return t;
  if (have > length) return slice(t, t.shape.map(() => 0), t.shape.map((d, k) => (k === axis ? length : d)));
  return pad(t, t.shape.map((_, k) => (k === axis ? [0, length - have] : [0, 0]) as [number, number]));
}

/** `t` with two axes swapped (a view). */
function swap(t: Tensor, a: number, b: number): Tensor {
  const perm = t.shape.map((_, k) => k);
  perm[a] = b;
  perm[b] = a;
  return transpose(t, perm);
}

/** The unnormalised complex DFT of a complex tensor `[..., m, n, 2]` along its m axis. */
function alongRows(z: Tensor, inverse: boolean): Tensor {
  const r = z.rank;
  return swap(run1(fftOp, [swap(z, r - 3, r - 2)], { inverse }), r - 3, r - 2);
}

function complex1d(op: string, z: TensorLike, opts: number | FftOptions | undefined, inverse: boolean): Tensor {
  const t = complexInput(op, z);
  const { n = t.shape[t.rank - 2]!, norm } = options(op, t, opts);
  if (n < 1) throw new ShapeError(`${op}: cannot transform an axis of length 0 (shape ${fmtShape(t.shape)}); pass n >= 1`);
  return scaled(run1(fftOp, [resize(t, t.rank - 2, n)], { inverse }), scaleFactor(norm, n, inverse));
}

/**
 * The discrete Fourier transform of complex rows: `z` is `[..., n, 2]` (real, imaginary), the result
 * has the same shape. `n` (or `{ n }`) crops or zero-pads each row first; `norm` as numpy.
 */
export function fft(z: TensorLike, opts?: number | FftOptions): Tensor {
  return complex1d('signal.fft', z, opts, false);
}

/** The inverse of `fft`: ifft(fft(z)) = z under the same `norm`. */
export function ifft(z: TensorLike, opts?: number | FftOptions): Tensor {
  return complex1d('signal.ifft', z, opts, true);
}

/**
 * The Fourier transform of real rows `x` (`[..., n]`): the n/2 + 1 non-negative frequency bins,
 * `[..., n/2 + 1, 2]` (the others are their conjugates).
 */
export function rfft(x: TensorLike, opts?: number | FftOptions): Tensor {
  const t = floatInput('signal.rfft', x);
  if (t.rank < 1) throw new ShapeError(`signal.rfft: expected a real tensor of rank >= 1 ([..., n]), got shape ${fmtShape(t.shape)}`);
  const { n = t.shape[t.rank - 1]!, norm } = options('signal.rfft', t, opts);
  if (n < 1) throw new ShapeError(`signal.rfft: cannot transform an axis of length 0 (shape ${fmtShape(t.shape)}); pass n >= 1`);
  return scaled(run1(rfftOp, [resize(t, t.rank - 1, n)], NO_ATTRS), scaleFactor(norm, n, false));
}

/**
 * The inverse of `rfft`: real rows of length `n` (default 2 * (bins - 1), so pass n for odd
 * lengths) from a half spectrum `[..., bins, 2]`, cropped or zero-padded to n/2 + 1 bins. The
 * imaginary parts of the zero-frequency bin (and of the n/2 bin for even n) are ignored, as in numpy.
 */
export function irfft(z: TensorLike, opts?: number | FftOptions): Tensor {
  const t = complexInput('signal.irfft', z);
  const bins = t.shape[t.rank - 2]!;
  const { n = 2 * (bins - 1), norm } = options('signal.irfft', t, opts);
  if (n < 1) throw new ShapeError(`signal.irfft: ${bins} bin(s) (shape ${fmtShape(t.shape)}) give an output length of ${n}; pass n >= 1`);
  const spectrum = resize(t, t.rank - 2, halfBins(n));
  return scaled(run1(irfftOp, [spectrum], { n, hermitian: true }), scaleFactor(norm, n, true));
}

function complex2d(op: string, z: TensorLike, opts: readonly [number, number] | Fft2Options | undefined, inverse: boolean): Tensor {
  const t = complexInput(op, z, 3);
  const r = t.rank;
  const { s = [t.shape[r - 3]!, t.shape[r - 2]!], norm } = options2(op, t, opts);
  if (s[0] < 1 || s[1] < 1) throw new ShapeError(`${op}: cannot transform axes of length 0 (shape ${fmtShape(t.shape)}); pass s`);
  const sized = resize(resize(t, r - 3, s[0]), r - 2, s[1]);
  const y = alongRows(run1(fftOp, [sized], { inverse }), inverse);
  return scaled(y, scaleFactor(norm, s[0] * s[1], inverse));
}

/** The 2-D DFT over the last two axes of a complex tensor `[..., m, n, 2]`; `s` crops or pads them. */
export function fft2(z: TensorLike, opts?: readonly [number, number] | Fft2Options): Tensor {
  return complex2d('signal.fft2', z, opts, false);
}

/** The inverse of `fft2`. */
export function ifft2(z: TensorLike, opts?: readonly [number, number] | Fft2Options): Tensor {
  return complex2d('signal.ifft2', z, opts, true);
}

/** The 2-D DFT of real `[..., m, n]`: `[..., m, n/2 + 1, 2]` (rfft over the last axis, then fft over the other). */
export function rfft2(x: TensorLike, opts?: readonly [number, number] | Fft2Options): Tensor {
  const t = floatInput('signal.rfft2', x);
  const r = t.rank;
  if (r < 2) throw new ShapeError(`signal.rfft2: expected a real tensor of rank >= 2 ([..., m, n]), got shape ${fmtShape(t.shape)}`);
  const { s = [t.shape[r - 2]!, t.shape[r - 1]!], norm } = options2('signal.rfft2', t, opts);
  if (s[0] < 1 || s[1] < 1) throw new ShapeError(`signal.rfft2: cannot transform axes of length 0 (shape ${fmtShape(t.shape)}); pass s`);
  const sized = resize(resize(t, r - 2, s[0]), r - 1, s[1]);
  const y = alongRows(run1(rfftOp, [sized], NO_ATTRS), false);
  return scaled(y, scaleFactor(norm, s[0] * s[1], false));
}

/**
 * The inverse of `rfft2`: real `[..., m, n]` from `[..., m, bins, 2]`; `s` defaults to
 * [m, 2 * (bins - 1)] (pass it for an odd last length).
 */
export function irfft2(z: TensorLike, opts?: readonly [number, number] | Fft2Options): Tensor {
  const t = complexInput('signal.irfft2', z, 3);
  const r = t.rank;
  const { s = [t.shape[r - 3]!, 2 * (t.shape[r - 2]! - 1)], norm } = options2('signal.irfft2', t, opts);
  if (s[0] < 1 || s[1] < 1) throw new ShapeError(`signal.irfft2: shape ${fmtShape(t.shape)} gives an output of ${s[0]} x ${s[1]}; pass s with lengths >= 1`);
  const sized = resize(resize(t, r - 3, s[0]), r - 2, halfBins(s[1]));
  const y = run1(irfftOp, [alongRows(sized, true)], { n: s[1], hermitian: true });
  return scaled(y, scaleFactor(norm, s[0] * s[1], true));
}
