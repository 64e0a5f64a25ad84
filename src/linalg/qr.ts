// The reduced QR decomposition as a primitive: Householder reflections per matrix (float64
// accumulation). Reverse mode for m >= n: M = R R̄ᵀ - Q̄ᵀ Q, Ā = (Q̄ + Q copyltu(M)) R⁻ᵀ, with
// copyltu(M) the lower triangle mirrored upward; for m < n, A = [X | Y] is split so that X is square
// (R = [R_X | Qᵀ Y]) and the square rule applies to X.
import { allocArray } from '../tensor/dtype.js';
import { defineOp } from '../ops/define-op.js';
import { batchAsLeadingAxis } from '../ops/batch-rules.js';
import { add, sub } from '../ops/primitives/binary.js';
import { matmul } from '../ops/primitives/matmul.js';
import { slice } from '../ops/primitives/shape.js';
import { concat } from '../ops/primitives/structure.js';
import type { Tensor } from '../tensor/tensor.js';
import { batchCount, checkFloatMeta } from './matrix-args.js';
import { matrixTranspose, tril } from './structure.js';
import { triangularSolve } from './triangular-solve.js';

/** Outputs Q [..., m, k] with orthonormal columns and upper triangular R [..., k, n], k = min(m, n). */
export const qrOp = defineOp({
  name: 'qr',
  batch(inputs, axes, attrs) {
    return batchAsLeadingAxis(this, inputs, axes, attrs);
  },
  infer: ([a]) => {
    checkFloatMeta(a!, 'qr');
    const [m, n] = a!.shape.slice(-2) as [number, number];
    const batch = a!.shape.slice(0, -2);
    const k = Math.min(m, n);
    return [
      { shape: [...batch, m, k], dtype: a!.dtype },
      { shape: [...batch, k, n], dtype: a!.dtype },
    ];
  },
  ref: ([a], _attrs, [oq, or]) => {
    const [m, n] = a!.shape.slice(-2) as [number, number];
    const k = Math.min(m, n);
    const count = batchCount(a!.shape);
    const q = allocArray(oq!.dtype, count * m * k);
    const r = allocArray(or!.dtype, count * k * n);
    const w = new Float64Array(m * n);
    const qm = new Float64Array(m * k);
    const vs = new Float64Array(k * m);
    for (let b = 0; b < count; b++) {
      for (let i = 0; i < m * n; i++) w[i] = a!.data[b * m * n + i] as number;
      householder(w, m, n, qm, vs);
      q.set(qm, b * m * k);
      for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) r[b * k * n + i * n + j] = j < i ? 0 : w[i * n + j]!;
    }
    return [q, r];
  },
  grad: ([dq, dr], { inputs: [a], outputs: [q, r] }) => {
    const [m, n] = a!.shape.slice(-2) as [number, number];
    if (m >= n) return [squareRuleGrad(q!, r!, dq!, dr!)];
    // A = [X | Y]: R = [R_X | Qᵀ Y], so Ȳ = Q R̄_Y and X sees Q̄ + Y R̄_Yᵀ.
    const batch = a!.shape.slice(0, -2);
    const zeros = batch.map(() => 0);
    const part = (t: Tensor, col: number, width: number) => slice(t, [...zeros, 0, col], [...batch, t.shape[t.rank - 2]!, width]);
    const y = part(a!, m, n - m);
    const rx = part(r!, 0, m);
    const drx = part(dr!, 0, m);
    const dry = part(dr!, m, n - m);
    const dx = squareRuleGrad(q!, rx, add(dq!, matmul(y, dry, { transposeB: true })), drx);
    return [concat([dx, matmul(q!, dry)], -1)];
  },
});

/** Ā for A = Q R with R square (m >= n). */
function squareRuleGrad(q: Tensor, r: Tensor, dq: Tensor, dr: Tensor): Tensor {
  const m = sub(matmul(r, dr, { transposeB: true }), matmul(dq, q, { transposeA: true }));
  const copyltu = add(tril(m), matrixTranspose(tril(m, -1)));
  const b = add(dq, matmul(q, copyltu));
  // B R⁻ᵀ = (R⁻¹ Bᵀ)ᵀ.
  return matrixTranspose(triangularSolve(r, matrixTranspose(b), { lower: false }));
}

/**
 * Householder QR of w (row-major m x n, overwritten with R in its upper triangle); Q's first k
 * columns into q (m x k); vs holds the reflectors.
 */
function householder(w: Float64Array, m: number, n: number, q: Float64Array, vs: Float64Array): void {
  const k = Math.min(m, n);
  const vnorm2 = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    let norm2 = 0;
    for (let i = j; i < m; i++) norm2 += w[i * n + j]! * w[i * n + j]!;
    const x0 = w[j * n + j]!;
    const alpha = x0 >= 0 ? -Math.sqrt(norm2) : Math.sqrt(norm2);
    // v = x - alpha e1, stored in vs[j * m + i] for i >= j.
    let vv = 0;
    for (let i = j; i < m; i++) {
      const v = i === j ? x0 - alpha : w[i * n + j]!;
      vs[j * m + i] = v;
      vv += v * v;
    }
    vnorm2[j] = vv;
    if (vv === 0) continue;
    for (let c = j; c < n; c++) {
      let dot = 0;
      for (let i = j; i < m; i++) dot += vs[j * m + i]! * w[i * n + c]!;
      const f = (2 * dot) / vv;
      for (let i = j; i < m; i++) w[i * n + c]! -= f * vs[j * m + i]!;
    }
  }
  q.fill(0);
  for (let i = 0; i < k; i++) q[i * k + i] = 1;
  for (let j = k - 1; j >= 0; j--) {
    const vv = vnorm2[j]!;
    if (vv === 0) continue;
    for (let c = 0; c < k; c++) {
      let dot = 0;
      for (let i = j; i < m; i++) dot += vs[j * m + i]! * q[i * k + c]!;
      const f = (2 * dot) / vv;
      for (let i = j; i < m; i++) q[i * k + c]! -= f * vs[j * m + i]!;
    }
  }
}
