// The thin SVD as a primitive (one-sided Jacobi, float64). Reverse mode after Townsend 2016,
// "Differentiating the singular value decomposition", with F[i][j] = 1 / (s[j]² - s[i]²):
// Ā = U [ (F∘(UᵀŪ - ŪᵀU)) S + diag(s̄) + S (F∘(VᵀV̄ - V̄ᵀV)) ] Vᵀ
//     + (I - UUᵀ) Ū S⁻¹ Vᵀ + U S⁻¹ V̄ᵀ (I - VVᵀ)   (the last two only for non-square A).
import { allocArray } from '../tensor/dtype.js';
import { defineOp } from '../ops/define-op.js';
import { batchAsLeadingAxis } from '../ops/batch-rules.js';
import { add, div, mul, sub } from '../ops/primitives/binary.js';
import { matmul } from '../ops/primitives/matmul.js';
import { expandDims } from '../ops/primitives/shape.js';
import { square } from '../ops/primitives/unary.js';
import type { Tensor } from '../tensor/tensor.js';
import { batchCount, checkFloatMeta } from './matrix-args.js';
import { diag, matrixTranspose } from './structure.js';
import { gapReciprocals } from './eigh.js';
import { jacobiSvd } from './jacobi.js';

/** Outputs U [..., m, k], s [..., k] descending and V [..., n, k], k = min(m, n), with A = U diag(s) Vᵀ. */
export const svdOp = defineOp({
  name: 'svd',
  batch(inputs, axes, attrs) {
    return batchAsLeadingAxis(this, inputs, axes, attrs);
  },
  infer: ([a]) => {
    checkFloatMeta(a!, 'svd');
    const [m, n] = a!.shape.slice(-2) as [number, number];
    const batch = a!.shape.slice(0, -2);
    const k = Math.min(m, n);
    return [
      { shape: [...batch, m, k], dtype: a!.dtype },
      { shape: [...batch, k], dtype: a!.dtype },
      { shape: [...batch, n, k], dtype: a!.dtype },
    ];
  },
  ref: ([a], _attrs, [ou, os, ov]) => {
    const [m, n] = a!.shape.slice(-2) as [number, number];
    const k = Math.min(m, n);
    const count = batchCount(a!.shape);
    const u = allocArray(ou!.dtype, count * m * k);
    const s = allocArray(os!.dtype, count * k);
    const v = allocArray(ov!.dtype, count * n * k);
    // Work on A (m >= n) or Aᵀ (m < n): rows x k with rows >= k; the roles of U and V swap for Aᵀ.
    const rows = Math.max(m, n);
    const work = new Float64Array(rows * k);
    const sm = new Float64Array(k);
    const right = new Float64Array(k * k);
    for (let b = 0; b < count; b++) {
      const off = b * m * n;
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) work[m >= n ? i * n + j : j * m + i] = a!.data[off + i * n + j] as number;
      jacobiSvd(work, rows, k, sm, right);
      s.set(sm, b * k);
      const [left, other] = m >= n ? [u, v] : [v, u];
      const [leftRows, otherRows] = m >= n ? [m, n] : [n, m];
      left.set(work.subarray(0, leftRows * k), b * leftRows * k);
      other.set(right, b * otherRows * k);
    }
    return [u, s, v];
  },
  grad: ([du, ds, dv], { inputs: [a], outputs: [u, s, v] }) => {
    const [m, n] = a!.shape.slice(-2) as [number, number];
    const k = Math.min(m, n);
    const U = u!;
    const V = v!;
    const f = gapReciprocals(square(s!));
    const skew = (x: Tensor, dx: Tensor) => {
      const p = matmul(x, dx, { transposeA: true });
      return mul(f, sub(p, matrixTranspose(p)));
    };
    const sRow = expandDims(s!, -2);
    const sCol = expandDims(s!, -1);
    const inner = add(add(mul(skew(U, du!), sRow), diag(ds!)), mul(sCol, skew(V, dv!)));
    let da = matmul(matmul(U, inner), V, { transposeB: true });
    if (m > k) {
      const duScaled = div(du!, sRow);
      const projected = sub(duScaled, matmul(U, matmul(U, duScaled, { transposeA: true })));
      da = add(da, matmul(projected, V, { transposeB: true }));
    }
    if (n > k) {
      const dvScaled = div(dv!, sRow);
      const projected = sub(dvScaled, matmul(V, matmul(V, dvScaled, { transposeA: true })));
      da = add(da, matmul(U, projected, { transposeB: true }));
    }
    return [da];
  },
});
