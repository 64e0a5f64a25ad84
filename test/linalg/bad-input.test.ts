// What nb.linalg does with input it cannot factor: shape and dtype errors name the op and the shape;
// non-positive-definite and singular matrices give NaN/Inf values (documented) rather than errors.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { backendsUnderTest, expectClose, on } from '../conformance/harness.js';

const la = nb.linalg;

describe('linalg argument errors', () => {
  it('non-square matrices to the square-only ops: a ShapeError naming the op and the shape', () => {
    const rect = nb.zeros([2, 3]);
    for (const [name, f] of [['cholesky', la.cholesky], ['inv', la.inv], ['det', la.det], ['slogdet', la.slogdet], ['eigh', la.eigh]] as const) {
      expect(() => f(rect), name).toThrow(nb.ShapeError);
      expect(() => f(rect), name).toThrow(new RegExp(`linalg\\.${name}: expected square matrices.*\\[2, 3\\]`));
    }
    expect(() => la.solve(rect, nb.zeros([2]))).toThrow(/linalg\.solve: expected square matrices, got shape \[2, 3\]/);
  });

  it('vectors, scalars and bool tensors are refused; int32 is computed in float32', () => {
    expect(() => la.qr(nb.zeros([3]))).toThrow(/linalg\.qr: expected a matrix or a batch of matrices \(rank >= 2\), got shape \[3\]/);
    expect(() => la.svd(nb.tensor([[true]]))).toThrow(nb.DTypeError);
    expect(() => la.matrixTranspose(nb.zeros([3]))).toThrow(nb.ShapeError);
    expect(() => la.diag(nb.tensor(1))).toThrow(nb.ShapeError);
    const d = la.det(nb.tensor([[2, 0], [0, 3]], 'int32'));
    expect(d.dtype).toBe('float32');
    expect(d.item()).toBe(6);
  });

  it('mismatched right-hand sides and triangular systems', () => {
    expect(() => la.solve(nb.eye(3), nb.zeros([2, 1]))).toThrow(/linalg\.solve: b must be \[3\] or \[\.\.\., 3, k\] to match a \[3, 3\], got \[2, 1\]/);
    expect(() => la.triangularSolve(nb.eye(3), nb.zeros([2, 1]))).toThrow(/linalg\.triangularSolve: b must be \[\.\.\., 3, k\]/);
    expect(() => la.lstsq(nb.zeros([4, 2]), nb.zeros([3]))).toThrow(nb.ShapeError);
    expect(() => la.triangularSolve(nb.zeros([2, 3]), nb.zeros([2, 1]))).toThrow(/expected square matrices/);
  });

  it('norm orders that do not exist, repeated axes, and non-integer bands are ValueErrors', () => {
    expect(() => la.norm(nb.ones([3]), { ord: 'nuc' })).toThrow(/ord nuc is not a vector norm/);
    expect(() => la.norm(nb.ones([2, 2]), { ord: 3 })).toThrow(/ord 3 is not a matrix norm/);
    expect(() => la.norm(nb.ones([2, 2]), { axis: [1, -1] })).toThrow(nb.ValueError);
    expect(() => la.bandPart(nb.ones([2, 2]), 0.5, 0)).toThrow(/numLower must be an integer/);
  });
});

for (const backend of backendsUnderTest().filter((b) => b !== 'webgpu')) {
  describe(`linalg on matrices it cannot factor, on ${backend}`, () => {
    it('a matrix that is not positive definite gives a Cholesky factor of NaNs (only that matrix of the batch)', () =>
      on(backend, () => {
        const l = la.cholesky(nb.tensor([[[4, 2], [2, 5]], [[1, 2], [2, 1]]], 'float64'));
        expectClose(l, [[[2, 0], [1, 2]], [[NaN, NaN], [NaN, NaN]]]);
      }));

    it('singular matrices: det 0, slogdet (0, -Infinity), inv and solve non-finite', () =>
      on(backend, () => {
        const s = nb.tensor([[1, 2], [2, 4]], 'float64');
        expectClose(la.det(s), 0);
        expectClose(la.slogdet(s).sign, 0);
        expectClose(la.slogdet(s).logAbsDet, -Infinity);
        for (const x of [la.inv(s), la.solve(s, nb.tensor([1, 1], 'float64'))]) {
          expect(Array.from(x.dataSync()).some((v) => !Number.isFinite(v))).toBe(true);
        }
        expectClose(la.det(nb.zeros([3, 3], 'float64')), 0);
      }));

    it('NaN input ends the iterative kernels (a bounded number of sweeps) with NaN results', () =>
      on(backend, () => {
        const a = nb.tensor([[1, NaN], [NaN, 2]], 'float64');
        for (const x of [la.eigh(a).values, la.svd(a).s, la.qr(a).r, la.det(a), la.cholesky(a)]) {
          expect(Array.from(x.dataSync()).some(Number.isNaN)).toBe(true);
        }
      }));

    it('dtypes are kept: float32 in, float32 out, for every op', () =>
      on(backend, () => {
        const a = nb.tensor([[4, 1], [1, 3]]);
        const outs = [la.cholesky(a), la.qr(a).q, la.qr(a).r, la.svd(a).u, la.svd(a).s, la.eigh(a).values, la.solve(a, a), la.inv(a), la.det(a), la.lstsq(a, a), la.norm(a, { ord: 2 }), la.triangularSolve(a, a)];
        for (const o of outs) expect(o.dtype).toBe('float32');
        expect(la.cholesky(nb.cast(a, 'float64')).dtype).toBe('float64');
      }));

    it('empty batches and 0 x 0 matrices', () =>
      on(backend, () => {
        expect(la.cholesky(nb.zeros([0, 3, 3])).shape).toEqual([0, 3, 3]);
        expect(la.svd(nb.zeros([0, 3, 2])).s.shape).toEqual([0, 2]);
        expect(la.det(nb.zeros([2, 0, 0])).arraySync()).toEqual([1, 1]);
      }));
  });
}
