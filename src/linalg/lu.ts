// LU with partial pivoting as a primitive (the base of solve, inv, det and slogdet): A[perm] = L U,
// packed as one matrix (L's unit diagonal implied). Reverse mode (from the forward rule
// L⁻¹ dA' U⁻¹ = L⁻¹dL + dU U⁻¹, strictly lower plus upper): Ā' = L⁻ᵀ (tril(Lᵀ L̄, -1) + triu(Ū Uᵀ)) U⁻ᵀ.
import { allocArray } from '../tensor/dtype.js';
import { defineOp } from '../ops/define-op.js';
import { batchAsLeadingAxis } from '../ops/batch-rules.js';
import { add } from '../ops/primitives/binary.js';
import { matmul } from '../ops/primitives/matmul.js';
import { oneHot } from '../ops/composite/one-hot.js';
import type { Tensor } from '../tensor/tensor.js';
import { batchCount, checkSquareMeta } from './matrix-args.js';
import { identityLike, matrixTranspose, tril, triu } from './structure.js';
import { triangularSolve } from './triangular-solve.js';

/**
 * Outputs: the packed factors [..., n, n] (U on and above the diagonal, L below), the row order
 * perm [..., n] (int32: row i of L U is row perm[i] of A) and the permutation's sign [...] (+1/-1).
 * A zero pivot (a singular matrix) is left in U, as LAPACK's getrf does, and its column of L is not scaled.
 */
export const luOp = defineOp({
  name: 'lu',
  batch(inputs, axes, attrs) {
    return batchAsLeadingAxis(this, inputs, axes, attrs);
  },
  infer: ([a]) => {
    const n = checkSquareMeta(a!, 'lu');
    const batch = a!.shape.slice(0, -2);
    return [
      { shape: a!.shape, dtype: a!.dtype },
      { shape: [...batch, n], dtype: 'int32' },
      { shape: batch, dtype: a!.dtype },
    ];
  },
  ref: ([a], _attrs, [o]) => {
    const n = a!.shape[a!.shape.length - 1]!;
    const count = batchCount(a!.shape);
    const lu = allocArray(o!.dtype, a!.data.length);
    const perm = new Int32Array(count * n);
    const sign = allocArray(o!.dtype, count);
    const w = new Float64Array(n * n);
    const p = new Int32Array(n);
    for (let m = 0; m < count; m++) {
      const off = m * n * n;
      for (let i = 0; i < n * n; i++) w[i] = a!.data[off + i] as number;
      sign[m] = factorInPlace(w, n, p);
      for (let i = 0; i < n * n; i++) lu[off + i] = w[i]!;
      perm.set(p, m * n);
    }
    return [lu, perm, sign];
  },
  grad: ([dlu], { outputs: [lu, perm] }) => {
    const { l, u } = unpackLU(lu!);
    const f = add(tril(matmul(l, dlu!, { transposeA: true }), -1), triu(matmul(dlu!, u, { transposeB: true })));
    const left = triangularSolve(l, f, { lower: true, transposeA: true });
    const daPermuted = matrixTranspose(triangularSolve(u, matrixTranspose(left), { lower: false }));
    // A' = P A with P[i, j] = (perm[i] == j), so Ā = Pᵀ Ā'.
    return [matmul(permutationMatrix(perm!, lu!.dtype), daPermuted, { transposeA: true })];
  },
});

/** Doolittle elimination with row pivoting on w (row-major n x n), in place; returns the sign of the row order in p. */
function factorInPlace(w: Float64Array, n: number, p: Int32Array): number {
  let sign = 1;
  for (let i = 0; i < n; i++) p[i] = i;
  for (let j = 0; j < n; j++) {
    let best = j;
    for (let i = j + 1; i < n; i++) if (Math.abs(w[i * n + j]!) > Math.abs(w[best * n + j]!)) best = i;
    if (best !== j) {
      for (let c = 0; c < n; c++) {
        const t = w[j * n + c]!;
        w[j * n + c] = w[best * n + c]!;
        w[best * n + c] = t;
      }
      const t = p[j]!;
      p[j] = p[best]!;
      p[best] = t;
      sign = -sign;
    }
    const pivot = w[j * n + j]!;
    if (pivot === 0) continue;
    for (let i = j + 1; i < n; i++) {
      const f = (w[i * n + j]! /= pivot);
      for (let c = j + 1; c < n; c++) w[i * n + c]! -= f * w[j * n + c]!;
    }
  }
  return sign;
}

/** The unit lower factor and the upper factor of a packed LU. */
export function unpackLU(lu: Tensor): { l: Tensor; u: Tensor } {
  return { l: add(tril(lu, -1), identityLike(lu)), u: triu(lu) };
}

/** P [..., n, n] with P[i, j] = 1 where perm[i] == j: P A = A[perm]. */
export function permutationMatrix(perm: Tensor, dtype: Tensor['dtype']): Tensor {
  const n = perm.shape[perm.rank - 1]!;
  return oneHot(perm, n, { dtype });
}
