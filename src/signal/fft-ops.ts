// The three FFT primitives, unnormalised, over the last axis (batched over the leading ones).
// Complex values are real tensors with a trailing axis of 2 (real, imaginary). The public functions
// (fft.ts) crop/pad, scale and transpose around them; these only transform.
//
//   fft   [..., n, 2] -> [..., n, 2]          X[k] = sum_j x[j] e^{∓2πi jk/n}  (− forward, + inverse)
//   rfft  [..., n]    -> [..., n/2+1, 2]      the first n/2+1 bins of the forward DFT of a real row
//   irfft [..., n/2+1, 2] -> [..., n]         x[j] = sum_k w[k] Re(X[k] e^{+2πi jk/n})
//
// irfft's weights w are 1 for the zero-frequency bin (and the n/2 bin for even n) and 2 for the
// others when `hermitian` (the half spectrum stands for the whole Hermitian one, as numpy's irfft),
// or all 1 when not: that form is rfft's adjoint, and rfft weighted by w is irfft's.
import { DTypeError, ShapeError, fmtShape } from '../errors.js';
import { defineOp, type OpDef, type TensorMeta } from '../ops/define-op.js';
import { batchAsLeadingAxis } from '../ops/batch-rules.js';
import { run1, NO_ATTRS } from '../ops/run.js';
import { mul } from '../ops/primitives/binary.js';
import { tensor } from '../ops/creation.js';
import { allocArray, type DType, type TypedArray } from '../tensor/dtype.js';
import { sizeOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { dft } from './fft-math.js';

export interface FftAttrs {
  /** Exponent sign +1 (the unnormalised inverse transform) instead of -1. */
  readonly inverse: boolean;
}

export interface IrfftAttrs {
  /** Length of the real output row. */
  readonly n: number;
  /** Double the bins that stand for their mirror images (numpy's irfft); false gives rfft's adjoint. */
  readonly hermitian: boolean;
}

/** Bins of the half spectrum of a real row of length n. */
export function halfBins(n: number): number {
  return Math.floor(n / 2) + 1;
}

function checkFloat(op: string, x: TensorMeta): void {
  if (x.dtype !== 'float32' && x.dtype !== 'float64') {
    throw new DTypeError(`${op}: expected float32 or float64, got ${x.dtype} (shape ${fmtShape(x.shape)})`);
  }
}

function checkComplex(op: string, x: TensorMeta, minRank = 2): void {
  checkFloat(op, x);
  if (x.shape.length < minRank || x.shape[x.shape.length - 1] !== 2) {
    throw new ShapeError(`${op}: expected a complex tensor [..., n, 2] (a trailing axis of 2: real, imaginary), got shape ${fmtShape(x.shape)}`);
  }
}

function checkLength(op: string, n: number, shape: readonly number[]): void {
  if (!(n >= 1)) throw new ShapeError(`${op}: the transform length must be at least 1, got ${n} (shape ${fmtShape(shape)})`);
}

/** How many rows (positions of the leading axes) a tensor has when its last `rowRank` axes form one row. */
function rows(shape: readonly number[], rowRank: number): number {
  return sizeOf(shape.slice(0, shape.length - rowRank));
}

export const fftOp: OpDef<FftAttrs> = defineOp<FftAttrs>({
  name: 'fft',
  batch(inputs, axes, attrs) {
    return batchAsLeadingAxis(this, inputs, axes, attrs);
  },
  infer: ([z]) => {
    checkComplex('fft', z!);
    checkLength('fft', z!.shape[z!.shape.length - 2]!, z!.shape);
    return [{ shape: z!.shape, dtype: z!.dtype }];
  },
  ref: ([z], { inverse }, [o]) => {
    const n = z!.shape[z!.shape.length - 2]!;
    const out = allocArray(o!.dtype, z!.data.length);
    const re = new Float64Array(n);
    const im = new Float64Array(n);
    const count = rows(z!.shape, 2);
    for (let r = 0; r < count; r++) {
      const base = r * n * 2;
      for (let j = 0; j < n; j++) {
        re[j] = z!.data[base + 2 * j]!;
        im[j] = z!.data[base + 2 * j + 1]!;
      }
      dft(re, im, inverse);
      writeComplex(out, base, re, im, n);
    }
    return [out];
  },
  // The DFT matrix is symmetric, so its adjoint is its conjugate: the transform of the other sign.
  grad: ([dy], { attrs }) => [run1(fftOp, [dy!], { inverse: !attrs.inverse })],
});

export const rfftOp: OpDef<Record<string, never>> = defineOp({
  name: 'rfft',
  batch(inputs, axes, attrs) {
    return batchAsLeadingAxis(this, inputs, axes, attrs);
  },
  infer: ([x]) => {
    checkFloat('rfft', x!);
    if (x!.shape.length < 1) throw new ShapeError(`rfft: expected a real tensor of rank >= 1, got shape ${fmtShape(x!.shape)}`);
    const n = x!.shape[x!.shape.length - 1]!;
    checkLength('rfft', n, x!.shape);
    return [{ shape: [...x!.shape.slice(0, -1), halfBins(n), 2], dtype: x!.dtype }];
  },
  ref: ([x], _attrs, [o]) => {
    const n = x!.shape[x!.shape.length - 1]!;
    const m = halfBins(n);
    const count = rows(x!.shape, 1);
    const out = allocArray(o!.dtype, count * m * 2);
    const re = new Float64Array(n);
    const im = new Float64Array(n);
    for (let r = 0; r < count; r++) {
      for (let j = 0; j < n; j++) re[j] = x!.data[r * n + j]!;
      im.fill(0);
      dft(re, im, false);
      writeComplex(out, r * m * 2, re, im, m);
    }
    return [out];
  },
  grad: ([dy], { inputs: [x] }) => [run1(irfftOp, [dy!], { n: x!.shape[x!.rank - 1]!, hermitian: false })],
});

export const irfftOp: OpDef<IrfftAttrs> = defineOp<IrfftAttrs>({
  name: 'irfft',
  batch(inputs, axes, attrs) {
    return batchAsLeadingAxis(this, inputs, axes, attrs);
  },
  infer: ([z], { n }) => {
    checkComplex('irfft', z!);
    checkLength('irfft', n, z!.shape);
    const m = z!.shape[z!.shape.length - 2]!;
    if (m !== halfBins(n)) throw new ShapeError(`irfft: ${m} bins (shape ${fmtShape(z!.shape)}) do not make a row of length ${n}: expected ${halfBins(n)}`);
    return [{ shape: [...z!.shape.slice(0, -2), n], dtype: z!.dtype }];
  },
  ref: ([z], { n, hermitian }, [o]) => {
    const m = halfBins(n);
    const count = rows(z!.shape, 2);
    const out = allocArray(o!.dtype, count * n);
    const re = new Float64Array(n);
    const im = new Float64Array(n);
    for (let r = 0; r < count; r++) {
      re.fill(0);
      im.fill(0);
      const base = r * m * 2;
      for (let k = 0; k < m; k++) {
        re[k] = z!.data[base + 2 * k]!;
        im[k] = z!.data[base + 2 * k + 1]!;
        // The mirror bin n-k carries the conjugate, so Re(X[k] e^{iθk}) is counted twice.
        const mirror = n - k;
        if (hermitian && k > 0 && mirror > k) {
          re[mirror] = re[k]!;
          im[mirror] = -im[k]!;
        }
      }
      dft(re, im, true);
      for (let j = 0; j < n; j++) out[r * n + j] = re[j]!;
    }
    return [out];
  },
  grad: ([dx], { inputs: [z], attrs: { n, hermitian } }) => {
    const g = run1(rfftOp, [dx!], NO_ATTRS);
    return [hermitian ? mul(g, hermitianWeights(n, z!.dtype)) : g];
  },
});

/** irfft's bin weights as a [n/2+1, 1] tensor (broadcast over the real/imaginary pair). */
function hermitianWeights(n: number, dtype: DType): Tensor {
  const m = halfBins(n);
  const w = new Array<number>(m).fill(2);
  w[0] = 1;
  if (n % 2 === 0) w[m - 1] = 1;
  return tensor(w, [m, 1], dtype);
}

function writeComplex(out: TypedArray, base: number, re: Float64Array, im: Float64Array, count: number): void {
  for (let k = 0; k < count; k++) {
    out[base + 2 * k] = re[k]!;
    out[base + 2 * k + 1] = im[k]!;
  }
}

/** The FFT primitives by name (for the backends' kernel tables). */
export const SIGNAL_OPS = { fft: fftOp, rfft: rfftOp, irfft: irfftOp };
