// The op the jit's weight-prepacking pass (passes/prepack-weights.ts) adds to inference graphs:
// a weight packed once into the GEMM's panel layout. Its result is opaque (a buffer with the
// pack's geometry in a header, native/src/gemm/gemm.h) and only the native and wasm kernels of
// fusedLinear read it, next to the unpacked weight; the pass adds it only where the backend
// says those kernels would use it (Backend.prepack).
import type { DType } from '../tensor/dtype.js';
import { defineOp, type OpDef } from '../ops/define-op.js';
import { run } from '../ops/run.js';
import { ValueError } from '../errors.js';

export interface PackGemmBAttrs {
  /** The GEMM's inner dimension (rows of B). */
  readonly k: number;
  /** Columns of B per group. */
  readonly n: number;
  /** Independent k x n matrices side by side (a grouped conv's filter). */
  readonly groups: number;
  /** Element (i, j) of group g lies at i * rowStride + (g * n + j) * colStride of the weight. */
  readonly rowStride: number;
  readonly colStride: number;
  readonly dtype: DType;
  /**
   * A 3x3 conv filter ([3, 3, k, n]) transformed for Winograd F(4x4, 3x3) instead: its 36
   * planes of k x n, each packed as above, behind a header (native/src/conv-winograd.h), read by
   * the conv's GEMMs.
   */
  readonly winograd?: boolean;
}

// Mirrors native/src/gemm/gemm.h: a header, then per group k rows of n columns rounded up to 32.
const HEADER = 32;
const COLUMN_ALIGN = 32;
const WINOGRAD_POINTS = 36;

/** Elements of a packed weight: it depends on the geometry only, never on the CPU. */
export function packedLength(k: number, n: number, groups: number, winograd = false): number {
  if (winograd) return HEADER + WINOGRAD_POINTS * packedLength(k, n, 1);
  return HEADER + groups * k * Math.ceil(n / COLUMN_ALIGN) * COLUMN_ALIGN;
}

export const packGemmBOp: OpDef<PackGemmBAttrs> = defineOp<PackGemmBAttrs>({
  name: 'packGemmB',
  infer: (_inputs, a) => [{ shape: [packedLength(a.k, a.n, a.groups, a.winograd)], dtype: a.dtype }],
  ref: () => {
    throw new Error('packGemmB: a weight packed for the native GEMM has no reference kernel; the jit adds it only on the native and wasm backends');
  },
  // The pass packs weights of compiled inference graphs only, which vmap never batches.
  batch: (inputs, axes, attrs) => {
    if (axes[0] !== null && axes[0] !== undefined) {
      throw new ValueError(`packGemmB: cannot pack a batch of ${attrs.k} x ${attrs.n} weights (vmap over a weight the jit prepacks); expected one weight`);
    }
    return { outputs: run(packGemmBOp, inputs, attrs), axes: [null] };
  },
});

/** Ops of the prepacking pass, by name (backends look kernels up by these). */
export const PREPACKED_OPS = { packGemmB: packGemmBOp };
