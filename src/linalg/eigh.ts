// The symmetric eigendecomposition as a primitive (tridiagonal QR, float64; symmetric-eigen.ts). Reverse mode:
// Ā = V (diag(w̄) + F ∘ (Vᵀ V̄)) Vᵀ with F[i][j] = 1 / (w[j] - w[i]) off the diagonal, symmetrized
// (the op sees a symmetric matrix). Repeated eigenvalues make F infinite, as in every framework.
import { allocArray } from '../tensor/dtype.js';
import { defineOp } from '../ops/define-op.js';
import { batchAsLeadingAxis } from '../ops/batch-rules.js';
import { add, div, mul, sub } from '../ops/primitives/binary.js';
import { matmul } from '../ops/primitives/matmul.js';
import { where } from '../ops/primitives/select.js';
import { expandDims } from '../ops/primitives/shape.js';
import { eye } from '../ops/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { batchCount, checkSquareMeta } from './matrix-args.js';
import { diag, matrixTranspose } from './structure.js';
import { symmetricEigen } from './symmetric-eigen.js';

/** Outputs: eigenvalues w [..., n] ascending and eigenvectors V [..., n, n] (columns) of the symmetric input. */
export const eighOp = defineOp({
  name: 'eigh',
  batch(inputs, axes, attrs) {
    return batchAsLeadingAxis(this, inputs, axes, attrs);
  },
  infer: ([a]) => {
    const n = checkSquareMeta(a!, 'eigh');
    return [
      { shape: [...a!.shape.slice(0, -2), n], dtype: a!.dtype },
      { shape: a!.shape, dtype: a!.dtype },
    ];
  },
  ref: ([a], _attrs, [ow, ov]) => {
    const n = a!.shape[a!.shape.length - 1]!;
    const count = batchCount(a!.shape);
    const w = allocArray(ow!.dtype, count * n);
    const v = allocArray(ov!.dtype, count * n * n);
    const work = new Float64Array(n * n);
    const wm = new Float64Array(n);
    const vm = new Float64Array(n * n);
    for (let b = 0; b < count; b++) {
      // The lower triangle, mirrored: the input is symmetric up to rounding.
      const off = b * n * n;
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) work[i * n + j] = work[j * n + i] = a!.data[off + i * n + j] as number;
      symmetricEigen(work, n, wm, vm);
      w.set(wm, b * n);
      v.set(vm, off);
    }
    return [w, v];
  },
  grad: ([dw, dv], { outputs: [w, v] }) => {
    const inner = add(diag(dw!), mul(gapReciprocals(w!), matmul(v!, dv!, { transposeA: true })));
    const da = matmul(matmul(v!, inner), v!, { transposeB: true });
    return [div(add(da, matrixTranspose(da)), 2)];
  },
});

/** F[..., i, j] = 1 / (x[j] - x[i]) off the diagonal, 0 on it. */
export function gapReciprocals(x: Tensor): Tensor {
  const n = x.shape[x.rank - 1]!;
  const onDiagonal = eye(n, n, 'bool');
  const gaps = sub(expandDims(x, -2), expandDims(x, -1));
  return where(onDiagonal, 0, div(1, where(onDiagonal, 1, gaps)));
}
