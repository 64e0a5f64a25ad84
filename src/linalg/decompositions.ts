// The public decompositions: argument checks around the primitives, and the blocked Cholesky that
// hands its O(n³) work to the current backend's matmul.
import type { TensorLike } from '../ops/creation.js';
import { zeros } from '../ops/creation.js';
import { add, div, sub } from '../ops/primitives/binary.js';
import { matmul } from '../ops/primitives/matmul.js';
import { slice } from '../ops/primitives/shape.js';
import { concat } from '../ops/primitives/structure.js';
import { NO_ATTRS, run, run1 } from '../ops/run.js';
import { engine } from '../engine/engine.js';
import type { Tensor } from '../tensor/tensor.js';
import { choleskyOp } from './cholesky.js';
import { eighOp } from './eigh.js';
import { matrixArg, squareArg } from './matrix-args.js';
import { qrOp } from './qr.js';
import { svdOp } from './svd.js';
import { matrixTranspose } from './structure.js';
import { triangularSolve } from './triangular-solve.js';

/** The block size of the blocked Cholesky (see {@link cholesky}). */
export const CHOLESKY_BLOCK = 64;
/**
 * Matrices larger than this are factored by blocks: below it the extra ops cost more than the
 * matmul saves (bench/linalg.ts: at 512 the blocks are 2-3x faster on native, at 256 slower).
 */
export const CHOLESKY_BLOCKED_ABOVE = 256;

/** (A + Aᵀ) / 2: the symmetric input cholesky and eigh work on. */
function symmetrize(a: Tensor): Tensor {
  return div(add(a, matrixTranspose(a)), 2);
}

/**
 * The lower Cholesky factor L (A = L Lᵀ) of each symmetric positive definite matrix of
 * `a` [..., n, n], float32 or float64; differentiable. It factors the symmetric part (A + Aᵀ)/2,
 * like JAX, so its gradient is symmetric. A matrix that is not positive definite gives a factor
 * of NaNs (like JAX; numpy raises LinAlgError instead): no error, because detecting it needs the
 * values on the host, which a jitted or GPU computation does not have. Non-square input is a ShapeError.
 * The native and wasm backends factor blocks in C++ (native/src/linalg/cholesky.cc). Elsewhere,
 * above 256 x 256 it works by blocks of 64: the diagonal blocks with the host kernel, the panels
 * with triangularSolve and the trailing updates with matmul (the backend's GEMM).
 */
export function cholesky(a: TensorLike): Tensor {
  const t = symmetrize(squareArg(a, 'cholesky'));
  const n = t.shape[t.rank - 1]!;
  return n > CHOLESKY_BLOCKED_ABOVE && !hasOwnCholesky() ? blockedCholesky(t, CHOLESKY_BLOCK) : run1(choleskyOp, [t], NO_ATTRS);
}

/**
 * Marks a backend's Cholesky kernel that blocks by itself (the native/wasm C++ one), so large
 * matrices go to it whole rather than through the blocks of {@link blockedCholesky}.
 */
export const FACTORS_BY_BLOCKS = 'factorsByBlocks';

/** Whether the current backend's Cholesky kernel blocks by itself. */
function hasOwnCholesky(): boolean {
  const own = engine.backend.kernels[choleskyOp.name] as { [FACTORS_BY_BLOCKS]?: boolean } | undefined;
  return own?.[FACTORS_BY_BLOCKS] === true;
}

/** Right-looking blocked Cholesky of a symmetric [..., n, n]. */
export function blockedCholesky(a: Tensor, block: number): Tensor {
  const batch = a.shape.slice(0, -2);
  const zero = batch.map(() => 0);
  const n = a.shape[a.rank - 1]!;
  const part = (t: Tensor, r0: number, c0: number, rows: number, cols: number) => slice(t, [...zero, r0, c0], [...batch, rows, cols]);
  const columns: Tensor[] = [];
  let trailing = a;
  for (let j = 0; j < n; j += block) {
    const size = Math.min(block, n - j);
    const rest = n - j - size;
    const l11 = run1(choleskyOp, [part(trailing, 0, 0, size, size)], NO_ATTRS);
    const pieces = j > 0 ? [zeros([...batch, j, size], a.dtype), l11] : [l11];
    if (rest > 0) {
      // L21 = A21 L11⁻ᵀ, then the trailing matrix loses L21 L21ᵀ.
      const l21 = matrixTranspose(triangularSolve(l11, matrixTranspose(part(trailing, size, 0, rest, size)), { lower: true }));
      trailing = sub(part(trailing, size, size, rest, rest), matmul(l21, l21, { transposeB: true }));
      pieces.push(l21);
    }
    columns.push(pieces.length > 1 ? concat(pieces, -2) : l11);
  }
  return columns.length > 1 ? concat(columns, -1) : columns[0]!;
}

/** The result of {@link qr}: A = Q R. */
export interface QrResult {
  q: Tensor;
  r: Tensor;
}

/**
 * The reduced QR decomposition of `a` [..., m, n]: Q [..., m, k] with orthonormal columns and upper
 * triangular R [..., k, n], k = min(m, n) (numpy's mode 'reduced'; the signs of R's diagonal are
 * those of Householder reflections, as in LAPACK). Differentiable when m >= n, or m < n with the
 * leading m x m block of full rank.
 */
export function qr(a: TensorLike): QrResult {
  const [q, r] = run(qrOp, [matrixArg(a, 'qr')], NO_ATTRS);
  return { q: q!, r: r! };
}

/** The result of {@link svd}: A = U diag(s) Vᵀ. */
export interface SvdResult {
  u: Tensor;
  s: Tensor;
  v: Tensor;
}

/**
 * The thin singular value decomposition of `a` [..., m, n]: U [..., m, k], s [..., k] (descending,
 * non-negative) and V [..., n, k] (V, not Vᵀ as numpy returns), k = min(m, n). Differentiable; the
 * gradient is defined for distinct non-zero singular values (repeated ones give Inf/NaN).
 */
export function svd(a: TensorLike): SvdResult {
  const [u, s, v] = run(svdOp, [matrixArg(a, 'svd')], NO_ATTRS);
  return { u: u!, s: s!, v: v! };
}

/** The result of {@link eigh}. */
export interface EighResult {
  /** Eigenvalues [..., n], ascending. */
  values: Tensor;
  /** Eigenvectors [..., n, n] as columns. */
  vectors: Tensor;
}

/**
 * Eigenvalues (ascending) and eigenvectors of each symmetric matrix of `a` [..., n, n]. It
 * decomposes the symmetric part (A + Aᵀ)/2 (numpy reads only the lower triangle: the same for
 * symmetric input). Differentiable for distinct eigenvalues.
 */
export function eigh(a: TensorLike): EighResult {
  const [values, vectors] = run(eighOp, [symmetrize(squareArg(a, 'eigh'))], NO_ATTRS);
  return { values: values!, vectors: vectors! };
}
