// The Cholesky factor as a primitive: a reference kernel over typed arrays (float64 accumulation)
// and a reverse-mode rule in nabla ops (Murray 2016, "Differentiation of the Cholesky decomposition":
// Ā = L⁻ᵀ Φ(Lᵀ L̄) L⁻¹ with Φ the lower triangle with its diagonal halved, then symmetrized).
import { allocArray, type TypedArray } from '../tensor/dtype.js';
import { defineOp } from '../ops/define-op.js';
import { batchAsLeadingAxis } from '../ops/batch-rules.js';
import { add, div, mul } from '../ops/primitives/binary.js';
import { matmul } from '../ops/primitives/matmul.js';
import { batchCount, checkSquareMeta } from './matrix-args.js';
import { diagOnly, matrixTranspose, tril } from './structure.js';
import { triangularSolve } from './triangular-solve.js';

/**
 * L with A = L Lᵀ for each matrix, reading only the lower triangle. A matrix that is not positive
 * definite (a pivot <= 0 or NaN) gives a factor of NaNs, so the failure survives the jit and async reads.
 */
export const choleskyOp = defineOp({
  name: 'cholesky',
  batch(inputs, axes, attrs) {
    return batchAsLeadingAxis(this, inputs, axes, attrs);
  },
  infer: ([a]) => {
    checkSquareMeta(a!, 'cholesky');
    return [{ shape: a!.shape, dtype: a!.dtype }];
  },
  ref: ([a], _attrs, [o]) => {
    const n = a!.shape[a!.shape.length - 1]!;
    const out = allocArray(o!.dtype, a!.data.length);
    const L = new Float64Array(n * n);
    for (let b = 0, count = batchCount(a!.shape); b < count; b++) {
      const off = b * n * n;
      if (choleskyInto(a!.data, off, n, L)) for (let i = 0; i < n * n; i++) out[off + i] = L[i]!;
      else out.fill(NaN, off, off + n * n);
    }
    return [out];
  },
  grad: ([dl], { outputs: [l] }) => {
    const L = l!;
    const phi = tril(matmul(L, tril(dl!), { transposeA: true }));
    const halved = add(tril(phi, -1), mul(diagOnly(phi), 0.5));
    // S = L⁻ᵀ Φ L⁻¹, as two solves with Lᵀ.
    const left = triangularSolve(L, halved, { lower: true, transposeA: true });
    const s = matrixTranspose(triangularSolve(L, matrixTranspose(left), { lower: true, transposeA: true }));
    return [div(add(s, matrixTranspose(s)), 2)];
  },
});

/** The factor of the n x n matrix at `off` into L (row-major, zero above the diagonal); false if not positive definite. */
function choleskyInto(a: TypedArray, off: number, n: number, L: Float64Array): boolean {
  L.fill(0);
  for (let j = 0; j < n; j++) {
    let d = a[off + j * n + j] as number;
    for (let k = 0; k < j; k++) d -= L[j * n + k]! * L[j * n + k]!;
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    L[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[off + i * n + j] as number;
      for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
      L[i * n + j] = s / ljj;
    }
  }
  return true;
}
