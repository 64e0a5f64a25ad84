// Native kernels of the linear-algebra primitives (cholesky, triangularSolve, qr, lu) and the FFT
// primitives (native/src/linalg/, native/src/fft.cc): blocked, calling the packed GEMM for their
// O(n³) part. The TypeScript reference kernels stay the js backend's and the tests' truth.
import type { TriangularSolveAttrs } from '../../linalg/triangular-solve.js';
import { FACTORS_BY_BLOCKS } from '../../linalg/decompositions.js';
import type { FftAttrs, IrfftAttrs } from '../../signal/fft-ops.js';
import { sizeOf } from '../../tensor/shape.js';
import { bytesPerElement, type DType, type TypedArray } from '../../tensor/dtype.js';
import { hostArrays, type ArrayStore } from './array-store.js';
import type { NativeAddon } from './load-addon.js';
import { kernel, opCode, requireEntries, type AnyKernel, type ArgWriter } from './kernel-table.js';

export type LinalgOpName = 'cholesky' | 'triangularSolve' | 'qr' | 'lu' | 'fft' | 'rfft' | 'irfft';

type NoAttrs = Record<string, never>;

/** How many matrices (or rows) a tensor holds before its last `rank` axes. */
const leading = (shape: readonly number[], rank: number) => sizeOf(shape.slice(0, shape.length - rank));

/** The linalg and FFT kernels; throws if the addon predates them. */
export function linalgKernels(addon: NativeAddon, args: ArgWriter, store: ArrayStore = hostArrays): Record<LinalgOpName, AnyKernel> {
  const allocOutput = store.alloc;
  const part = (a: TypedArray, dtype: DType, from: number, to: number) => store.viewOf(a, from * bytesPerElement(dtype), to - from, dtype);
  requireEntries(addon, ['linalg', 'fft']);
  const linalgCode = (name: 'cholesky' | 'triangularSolve' | 'qr' | 'lu') => opCode(addon, 'linalg', name);
  const fftCode = (name: 'fft' | 'rfft' | 'irfft') => opCode(addon, 'fft', name);

  const choleskyCode = linalgCode('cholesky');
  const cholesky = kernel<NoAttrs>(([a], _attrs, [o]) => {
    const n = a!.shape[a!.shape.length - 1]!;
    const out = allocOutput(o!.dtype, a!.data.length, true);
    args.begin().int(leading(a!.shape, 2)).int(n);
    addon.linalg(choleskyCode, a!.data, out);
    return [out];
  });
  // It blocks by itself: nb.linalg.cholesky hands it large matrices whole (src/linalg/decompositions.ts).
  Object.assign(cholesky, { [FACTORS_BY_BLOCKS]: true });

  const solveCode = linalgCode('triangularSolve');
  const triangularSolve = kernel<TriangularSolveAttrs>(([a, b], { lower, transposeA }, [o]) => {
    const n = a!.shape[a!.shape.length - 1]!;
    const k = b!.shape[b!.shape.length - 1]!;
    const out = allocOutput(o!.dtype, b!.data.length, true);
    args.begin().int(leading(a!.shape, 2)).int(n).int(k).int(lower ? 1 : 0).int(transposeA ? 1 : 0);
    addon.linalg(solveCode, a!.data, b!.data, out);
    return [out];
  });

  // Q and R come back in one array (Q first) and are handed out as views of it.
  const qrCode = linalgCode('qr');
  const qr = kernel<NoAttrs>(([a], _attrs, [oq, or]) => {
    const [m, n] = a!.shape.slice(-2) as [number, number];
    const qSize = sizeOf(oq!.shape);
    const packed = allocOutput(oq!.dtype, qSize + sizeOf(or!.shape), true);
    args.begin().int(leading(a!.shape, 2)).int(m).int(n);
    addon.linalg(qrCode, a!.data, packed);
    return [part(packed, oq!.dtype, 0, qSize), part(packed, or!.dtype, qSize, packed.length)];
  });

  // The factors, the signs and the row orders come back in one array of the input's dtype; the
  // row orders are then cast to int32 by the addon (a call the jit's plans record like any other).
  const luCode = linalgCode('lu');
  const lu = kernel<NoAttrs>(([a], _attrs, [o]) => {
    const n = a!.shape[a!.shape.length - 1]!;
    const count = leading(a!.shape, 2);
    const factors = count * n * n;
    const packed = allocOutput(o!.dtype, factors + count + count * n, true);
    args.begin().int(count).int(n);
    addon.linalg(luCode, a!.data, packed);
    const perm = allocOutput('int32', count * n, true);
    args.begin();
    addon.cast(part(packed, o!.dtype, factors + count, packed.length), perm);
    return [part(packed, o!.dtype, 0, factors), perm, part(packed, o!.dtype, factors, factors + count)];
  });

  const fftOpCode = fftCode('fft');
  const fft = kernel<FftAttrs>(([z], { inverse }, [o]) => {
    const n = z!.shape[z!.shape.length - 2]!;
    const out = allocOutput(o!.dtype, z!.data.length, true);
    args.begin().int(leading(z!.shape, 2)).int(n).int(inverse ? 1 : 0);
    addon.fft(fftOpCode, z!.data, out);
    return [out];
  });

  const rfftCode = fftCode('rfft');
  const rfft = kernel<NoAttrs>(([x], _attrs, [o]) => {
    const n = x!.shape[x!.shape.length - 1]!;
    const out = allocOutput(o!.dtype, sizeOf(o!.shape), true);
    args.begin().int(leading(x!.shape, 1)).int(n);
    addon.fft(rfftCode, x!.data, out);
    return [out];
  });

  const irfftCode = fftCode('irfft');
  const irfft = kernel<IrfftAttrs>(([z], { n, hermitian }, [o]) => {
    const out = allocOutput(o!.dtype, sizeOf(o!.shape), true);
    args.begin().int(leading(z!.shape, 2)).int(n).int(hermitian ? 1 : 0);
    addon.fft(irfftCode, z!.data, out);
    return [out];
  });

  return { cholesky, triangularSolve, qr, lu, fft, rfft, irfft };
}
