// nb.linalg on every backend: hand-derived values and gradients against finite differences. The
// numpy-derived fixtures and the edge cases are in test/linalg/.
import { describe, it } from 'vitest';
import * as nb from '../../src/index.js';
import { backendsUnderTest, checkGrad, expectClose, on, sample } from './harness.js';

const la = nb.linalg;

/** x xᵀ + n I: symmetric positive definite for any x [..., n, n]. */
function spd(x: nb.Tensor): nb.Tensor {
  const n = x.shape[x.rank - 1]!;
  return nb.add(nb.matmul(x, x, { transposeB: true }), nb.mul(nb.eye(n, n, x.dtype), n));
}

/** x + n I: well conditioned for x in [-1, 1). */
function shifted(x: nb.Tensor): nb.Tensor {
  const n = x.shape[x.rank - 1]!;
  return nb.add(x, nb.mul(nb.eye(n, n, x.dtype), n));
}

for (const backend of backendsUnderTest()) {
  describe(`linalg structure on ${backend}`, () => {
    it('matrixTranspose, diagPart, diag, trace and bandPart over the last two axes', () =>
      on(backend, () => {
        const x = nb.tensor([[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]]);
        expectClose(la.matrixTranspose(x), [[[1, 4], [2, 5], [3, 6]], [[7, 10], [8, 11], [9, 12]]]);
        expectClose(la.diagPart(x), [[1, 5], [7, 11]]);
        expectClose(la.trace(x), [6, 18]);
        expectClose(la.diag(nb.tensor([1, 2])), [[1, 0], [0, 2]]);
        const m = nb.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
        expectClose(la.bandPart(m, 0, 0), [[1, 0, 0], [0, 5, 0], [0, 0, 9]]);
        expectClose(la.bandPart(m, -1, 0), [[1, 0, 0], [4, 5, 0], [7, 8, 9]]);
        expectClose(la.bandPart(m, 0, 1), [[1, 2, 0], [0, 5, 6], [0, 0, 9]]);
        expectClose(la.bandPart(m, 1, -1), [[1, 2, 3], [4, 5, 6], [0, 8, 9]]);
      }));

    it('vector and matrix norms that need no SVD', () =>
      on(backend, () => {
        const v = nb.tensor([3, -4]);
        expectClose(la.norm(v), 5);
        expectClose(la.norm(v, { ord: 1 }), 7);
        expectClose(la.norm(v, { ord: Infinity }), 4);
        expectClose(la.norm(v, { ord: -Infinity }), 3);
        const m = nb.tensor([[1, -2], [3, 4]]);
        expectClose(la.norm(m), Math.sqrt(30));
        expectClose(la.norm(m, { ord: 1 }), 6);
        expectClose(la.norm(m, { ord: -1 }), 4);
        expectClose(la.norm(m, { ord: Infinity }), 7);
        expectClose(la.norm(m, { ord: -Infinity }), 3);
        expectClose(la.norm(m, { ord: 1, axis: 0, keepDims: true }), [[4, 6]]);
      }));

    it('gradients of the structural ops', () =>
      on(backend, () => {
        checkGrad((x) => la.matrixTranspose(x), [sample([2, 2, 3])]);
        checkGrad((x) => la.diagPart(x), [sample([2, 3, 4])]);
        checkGrad((x) => la.diag(x), [sample([2, 3])]);
        checkGrad((x) => la.trace(x), [sample([3, 3])]);
        checkGrad((x) => la.bandPart(x, 1, 0), [sample([3, 3])]);
        checkGrad((x) => la.norm(x, { ord: 3 }), [sample([4], 0.5, 1)]);
        checkGrad((x) => la.norm(x, { ord: Infinity }), [sample([2, 3], 0.1, 1)]);
      }));
  });

  describe(`linalg decompositions on ${backend}`, () => {
    it('cholesky, solve, inv, det and slogdet of small known matrices', () =>
      on(backend, () => {
        const a = nb.tensor([[4, 2], [2, 5]]);
        expectClose(la.cholesky(a), [[2, 0], [1, 2]]);
        expectClose(la.det(a), 16);
        expectClose(la.inv(a), [[5 / 16, -2 / 16], [-2 / 16, 4 / 16]]);
        expectClose(la.solve(a, nb.tensor([8, 9])), [22 / 16, 20 / 16]);
        // A row swap: det [[0, 1], [1, 0]] = -1.
        expectClose(la.det(nb.tensor([[0, 1], [1, 0]])), -1);
        const s = la.slogdet(nb.tensor([[0, 2], [3, 0]]));
        expectClose(s.sign, -1);
        expectClose(s.logAbsDet, Math.log(6), { rtol: 1e-5 });
        expectClose(la.triangularSolve(nb.tensor([[2, 0], [1, 4]]), nb.tensor([[2], [9]])), [[1], [2]]);
        expectClose(la.triangularSolve(nb.tensor([[2, 0], [1, 4]]), nb.tensor([[4], [8]]), { transposeA: true }), [[1], [2]]);
        expectClose(la.triangularSolve(nb.tensor([[2, 1], [0, 4]]), nb.tensor([[4], [8]]), { lower: false }), [[1], [2]]);
        // Not positive definite: that matrix's factor is all NaN; singular: det 0, slogdet (0, -Infinity).
        expectClose(la.cholesky(nb.tensor([[[4, 2], [2, 5]], [[1, 2], [2, 1]]])), [[[2, 0], [1, 2]], [[NaN, NaN], [NaN, NaN]]]);
        expectClose(la.det(nb.tensor([[1, 2], [2, 4]])), 0);
        expectClose(la.slogdet(nb.tensor([[1, 2], [2, 4]])).logAbsDet, -Infinity);
        // A batch of 3, broadcast against one right-hand side.
        expectClose(la.solve(nb.tensor([[[2, 0], [0, 2]], [[1, 0], [0, 4]], [[0, 1], [1, 0]]]), nb.tensor([[2], [4]])), [[[1], [2]], [[2], [1]], [[4], [2]]]);
      }));

    it('eigh, svd, qr and lstsq of small known matrices', () =>
      on(backend, () => {
        const e = la.eigh(nb.tensor([[2, 1], [1, 2]]));
        expectClose(e.values, [1, 3]);
        expectClose(nb.abs(e.vectors), [[Math.SQRT1_2, Math.SQRT1_2], [Math.SQRT1_2, Math.SQRT1_2]]);
        // AᵀA = [[25, 20], [20, 25]]: eigenvalues 45 and 5.
        const { u, s, v } = la.svd(nb.tensor([[3, 0], [4, 5]]));
        expectClose(s, [Math.sqrt(45), Math.sqrt(5)]);
        expectClose(nb.matmul(nb.mul(u, s), v, { transposeB: true }), [[3, 0], [4, 5]], { atol: 1e-5 });
        const a = nb.tensor([[1, 1], [1, 2], [1, 3]]);
        const { q, r } = la.qr(a);
        expectClose(nb.matmul(q, r), [[1, 1], [1, 2], [1, 3]], { atol: 1e-5 });
        expectClose(nb.matmul(q, q, { transposeA: true }), [[1, 0], [0, 1]], { atol: 1e-6 });
        expectClose(nb.abs(la.diagPart(r)), [Math.sqrt(3), Math.sqrt(2)], { rtol: 1e-5 });
        // The line through (1, 1), (2, 2), (3, 2): intercept 2/3, slope 1/2.
        expectClose(la.lstsq(a, nb.tensor([1, 2, 2])), [2 / 3, 1 / 2], { rtol: 1e-5, atol: 1e-6 });
        expectClose(la.norm(nb.tensor([[3, 0], [4, 5]]), { ord: 'nuc' }), Math.sqrt(45) + Math.sqrt(5), { rtol: 1e-5 });
        expectClose(la.norm(nb.tensor([[3, 0], [4, 5]]), { ord: 2 }), Math.sqrt(45), { rtol: 1e-5 });
      }));

    it('rank-deficient and repeated cases: zero singular values get orthonormal columns, repeated eigenvalues too', () =>
      on(backend, () => {
        // Rank 1: u vᵀ with u = [1, 2, 2] / 3 and v = [0, 3, 4] / 5, scaled by 6.
        const a = nb.tensor([[0, 6 / 5, 8 / 5], [0, 12 / 5, 16 / 5], [0, 12 / 5, 16 / 5], [0, 0, 0]]);
        const { u, s, v } = la.svd(a);
        expectClose(s, [6, 0, 0], { atol: 1e-5 });
        expectClose(nb.matmul(u, u, { transposeA: true }), [[1, 0, 0], [0, 1, 0], [0, 0, 1]], { atol: 1e-5 });
        expectClose(nb.matmul(v, v, { transposeA: true }), [[1, 0, 0], [0, 1, 0], [0, 0, 1]], { atol: 1e-5 });
        expectClose(nb.matmul(nb.mul(u, s), v, { transposeB: true }), [[0, 6 / 5, 8 / 5], [0, 12 / 5, 16 / 5], [0, 12 / 5, 16 / 5], [0, 0, 0]], { atol: 1e-5 });
        expectClose(la.svd(nb.zeros([2, 3])).s, [0, 0]);
        const e = la.eigh(nb.tensor([[2, 0, 0], [0, 1, 0], [0, 0, 2]]));
        expectClose(e.values, [1, 2, 2]);
        expectClose(nb.matmul(e.vectors, e.vectors, { transposeA: true }), [[1, 0, 0], [0, 1, 0], [0, 0, 1]], { atol: 1e-6 });
      }));

    it('gradients of cholesky, triangularSolve, solve, inv, det and slogdet (batched)', () =>
      on(backend, () => {
        checkGrad((x) => la.cholesky(spd(x)), [sample([2, 3, 3])], { rtol: 1e-4, atol: 1e-6 });
        for (const lower of [true, false]) {
          for (const transposeA of [false, true]) {
            checkGrad((a, b) => la.triangularSolve(shifted(a), b, { lower, transposeA }), [sample([2, 3, 3], -1, 1, 2), sample([2, 3, 2], -1, 1, 3)], { rtol: 1e-4 });
          }
        }
        checkGrad((a, b) => la.solve(shifted(a), b), [sample([2, 3, 3], -1, 1, 4), sample([2, 3, 2], -1, 1, 5)], { rtol: 1e-4 });
        checkGrad((a) => la.inv(shifted(a)), [sample([2, 3, 3], -1, 1, 6)], { rtol: 1e-4 });
        checkGrad((a) => la.det(a), [sample([2, 3, 3], -1, 1, 7)], { rtol: 1e-4 });
        checkGrad((a) => la.slogdet(shifted(a)).logAbsDet, [sample([3, 3], -1, 1, 8)], { rtol: 1e-4 });
      }));

    it('gradients of qr, eigh, svd (through sign-invariant functions), lstsq and the SVD norms', () =>
      on(backend, () => {
        const tall = sample([2, 4, 3], -1, 1, 9);
        const wide = sample([3, 4], -1, 1, 10);
        checkGrad((a) => la.qr(a).q, [tall], { rtol: 1e-4, atol: 1e-6 });
        checkGrad((a) => la.qr(a).r, [tall], { rtol: 1e-4, atol: 1e-6 });
        checkGrad((a) => la.qr(a).r, [wide], { rtol: 1e-4, atol: 1e-6 });
        checkGrad((a) => la.qr(a).q, [wide], { rtol: 1e-4, atol: 1e-6 });
        const sym = sample([2, 3, 3], -1, 1, 11);
        checkGrad((a) => la.eigh(a).values, [sym], { rtol: 1e-4, atol: 1e-6 });
        checkGrad((a) => nb.square(la.eigh(a).vectors), [sym], { rtol: 1e-4, atol: 1e-6 });
        for (const a of [tall, wide]) {
          checkGrad((x) => la.svd(x).s, [a], { rtol: 1e-4, atol: 1e-6 });
          checkGrad((x) => nb.square(la.svd(x).u), [a], { rtol: 1e-4, atol: 1e-6 });
          checkGrad((x) => nb.square(la.svd(x).v), [a], { rtol: 1e-4, atol: 1e-6 });
          checkGrad((x) => la.norm(x, { ord: 'nuc' }), [a], { rtol: 1e-4, atol: 1e-6 });
        }
        checkGrad((a, b) => la.lstsq(a, b), [tall, sample([2, 4, 2], -1, 1, 12)], { rtol: 1e-4, atol: 1e-6 });
        checkGrad((a, b) => la.lstsq(a, b), [wide, sample([3, 1], -1, 1, 13)], { rtol: 1e-4, atol: 1e-6 });
      }));
  });
}
