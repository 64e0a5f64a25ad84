import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { backendsUnderTest, checkGrad, checkSecondDerivative, expectClose, expectExact, on, sample } from './harness.js';

const A = [[1, 2], [3, 4]];
const B = [[5, 6], [7, 8]];
/** 0, 1, 2, ... in the given shape (float32). */
const iota = (shape: number[]) => nb.reshape(nb.range(0, shape.reduce((a, b) => a * b, 1), 1, 'float32'), shape);

for (const backend of backendsUnderTest()) {
  describe(`einsum on ${backend}`, () => {
    it('matrix products: matmul, transposed operand, batched, implicit output', () =>
      on(backend, () => {
        const a = nb.tensor(A);
        const b = nb.tensor(B);
        expectClose(nb.einsum('ij,jk->ik', a, b), [[19, 22], [43, 50]]);
        expectClose(nb.einsum('ij,kj->ik', a, b), [[17, 23], [39, 53]]);
        expectClose(nb.einsum('ij,jk', a, b), [[19, 22], [43, 50]]);
        expectClose(nb.einsum(' ij , jk -> ki ', a, b), [[19, 43], [22, 50]]);
        const ba = nb.tensor([[[1, 2]], [[3, 4]]]);
        const bb = nb.tensor([[[1], [1]], [[2], [0]]]);
        expectClose(nb.einsum('bij,bjk->bik', ba, bb), [[[3]], [[6]]]);
      }));

    it('vectors: dot, outer, elementwise and partial sums of products', () =>
      on(backend, () => {
        expectClose(nb.einsum('i,i->', nb.tensor([1, 2, 3]), nb.tensor([4, 5, 6])), 32);
        expectClose(nb.einsum('i,i', nb.tensor([1, 2, 3]), nb.tensor([4, 5, 6])), 32);
        expectClose(nb.einsum('i,j->ij', nb.tensor([1, 2]), nb.tensor([3, 4, 5])), [[3, 4, 5], [6, 8, 10]]);
        expectClose(nb.einsum('ij,ij->ij', nb.tensor(A), nb.tensor(B)), [[5, 12], [21, 32]]);
        expectClose(nb.einsum('ij,ij->', nb.tensor(A), nb.tensor(B)), 70);
        expectClose(nb.einsum('ij,ij->i', nb.tensor(A), nb.tensor(B)), [17, 53]);
        expectClose(nb.einsum('bi,bj->bij', nb.tensor(A), nb.tensor([[1, 0], [0, 2]])), [[[1, 0], [2, 0]], [[0, 6], [0, 8]]]);
        expectClose(nb.einsum('ij,j->', nb.tensor(A), nb.tensor([1, 1])), 10);
        expectClose(nb.einsum('ij,k->jk', nb.tensor(A), nb.tensor([1, 2])), [[4, 8], [6, 12]]);
      }));

    it('one operand: transpose, sums, diagonal and trace', () =>
      on(backend, () => {
        const a = nb.tensor(A);
        expectClose(nb.einsum('ij->ji', a), [[1, 3], [2, 4]]);
        expectClose(nb.einsum('ji', a), [[1, 3], [2, 4]]);
        expectClose(nb.einsum('ij->i', a), [3, 7]);
        expectClose(nb.einsum('ij->j', a), [4, 6]);
        expectClose(nb.einsum('ij->', a), 10);
        expectClose(nb.einsum('ii->i', a), [1, 4]);
        expectClose(nb.einsum('ii->', a), 5);
        expectClose(nb.einsum('ii', a), 5);
        expectClose(nb.einsum('ii,i->i', a, nb.tensor([2, 3])), [2, 12]);
      }));

    it('general contraction with reordered output', () =>
      on(backend, () => {
        // out[l, i, k] = sum_j x[i, j, k] w[j, l] with x[i, j, k] = 4i + 2j + k.
        const w = nb.tensor([[1, 2], [3, -1]]);
        expectClose(nb.einsum('ijk,jl->lik', iota([2, 2, 2]), w), [[[6, 10], [22, 26]], [[-2, -1], [2, 3]]]);
      }));

    it('ellipsis: batch axes broadcast, batched diagonal, sums', () =>
      on(backend, () => {
        const a = nb.tensor([[[1, 2]], [[3, 4]]]);
        const expected = [[[19, 22]], [[43, 50]]];
        expectClose(nb.einsum('...ij,...jk->...ik', a, nb.tensor(B)), expected);
        expectClose(nb.einsum('...ij,...jk->...ik', a, nb.tensor([B])), expected);
        expectClose(nb.einsum('...ii->...i', nb.tensor([A, B])), [[1, 4], [5, 8]]);
        expectClose(nb.einsum('i...->...', nb.tensor(A)), [4, 6]);
        expectClose(nb.einsum('...ij', nb.tensor([A])), [A]);
      }));

    it('int32 and empty operands', () =>
      on(backend, () => {
        expectExact(nb.einsum('ij,jk->ik', nb.tensor(A, 'int32'), nb.tensor(B, 'int32')), [[19, 22], [43, 50]], 'int32');
        expectClose(nb.einsum('ij,jk->ik', nb.zeros([2, 0]), nb.zeros([0, 3])), [[0, 0, 0], [0, 0, 0]]);
        expectClose(nb.einsum('ij->', nb.zeros([0, 3])), 0);
        expect(nb.einsum('ij->ji', nb.zeros([0, 3])).shape).toEqual([3, 0]);
      }));

    it('a float64 operand promotes the result to float64', () =>
      on(backend, () => {
        expect(nb.einsum('ij,jk->ik', nb.tensor(A, 'float64'), nb.tensor(B)).dtype).toBe('float64');
      }));

    it('malformed equations and mismatched operands raise', () =>
      on(backend, () => {
        const a = nb.tensor(A);
        expect(() => nb.einsum('ij,jk->ik', a)).toThrow(/1 operand/);
        expect(() => nb.einsum('i,i,i->', a, a, a)).toThrow(/one or two operands/);
        expect(() => nb.einsum('ij->ik', a)).toThrow(/'k'.*does not appear/);
        expect(() => nb.einsum('ij->ii', a)).toThrow(/more than once/);
        expect(() => nb.einsum('i1->i', a)).toThrow(/invalid character '1'/);
        expect(() => nb.einsum('ij->i->j', a)).toThrow(nb.ValueError);
        expect(() => nb.einsum('...i...', a)).toThrow(/more than one '...'/);
        expect(() => nb.einsum('ijk->i', a)).toThrow(nb.ShapeError);
        expect(() => nb.einsum('...ijk->i', a)).toThrow(nb.ShapeError);
        expect(() => nb.einsum('ij,jk->ik', a, nb.zeros([3, 2]))).toThrow(/'j'.*size 2.*3/);
        expect(() => nb.einsum('ij->i', nb.tensor([[true]]))).toThrow(nb.DTypeError);
      }));

    it('gradients vs finite differences for every form', () =>
      on(backend, () => {
        const [m23, m34, m33] = [sample([2, 3]), sample([3, 4], -1, 1, 2), sample([3, 3], -1, 1, 3)];
        checkGrad((a, b) => nb.einsum('ij,jk->ik', a, b), [m23, m34]);
        checkGrad((a, b) => nb.einsum('bij,bjk->bik', a, b), [sample([2, 2, 3]), sample([2, 3, 2], -1, 1, 4)]);
        checkGrad((a, b) => nb.einsum('i,i->', a, b), [sample([4]), sample([4], -1, 1, 5)]);
        checkGrad((a, b) => nb.einsum('i,j->ij', a, b), [sample([2]), sample([3], -1, 1, 6)]);
        checkGrad((a) => nb.einsum('ij->ji', a), [m23]);
        checkGrad((a) => nb.einsum('ij->i', a), [m23]);
        checkGrad((a) => nb.einsum('ii->i', a), [m33]);
        checkGrad((a) => nb.einsum('ii->', a), [m33]);
        checkGrad((a, b) => nb.einsum('ii,i->i', a, b), [m33, sample([3], -1, 1, 8)]);
        checkGrad((a, b) => nb.einsum('ijk,jl->lik', a, b), [sample([2, 3, 2]), sample([3, 2], -1, 1, 9)]);
        checkGrad((a, b) => nb.einsum('...ij,...jk->...ik', a, b), [sample([2, 2, 3]), sample([1, 3, 2], -1, 1, 10)]);
        checkGrad((a, b) => nb.einsum('bi,bj->bij', a, b), [sample([2, 3]), sample([2, 2], -1, 1, 11)]);
        checkSecondDerivative((a) => nb.einsum('ij,jk->ik', a, a), m33);
      }));
  });
}
