import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { backendsUnderTest, checkGrad, checkSecondDerivative, expectClose, expectExact, on, sample, onExcept } from './harness.js';

for (const backend of backendsUnderTest()) {
  describe(`sort / argsort on ${backend}`, () => {
    it('sorts along the last axis by default, ascending or descending', () =>
      on(backend, () => {
        expectClose(nb.sort(nb.tensor([3, 1, 2])), [1, 2, 3]);
        expectClose(nb.sort(nb.tensor([3, 1, 2]), { descending: true }), [3, 2, 1]);
        const x = nb.tensor([[3, 1, 2], [0, -1, 5]]);
        expectClose(x.sort(), [[1, 2, 3], [-1, 0, 5]]);
        expectClose(nb.sort(x, 0), [[0, -1, 2], [3, 1, 5]]);
        expectClose(nb.sort(x, { axis: -2, descending: true }), [[3, 1, 5], [0, -1, 2]]);
      }));

    it('middle axis of a rank-3 tensor', () =>
      on(backend, () => {
        const x = nb.tensor([[[3, 1], [1, 2]], [[0, 0], [-1, 5]]]);
        expectClose(nb.sort(x, 1), [[[1, 1], [3, 2]], [[-1, 0], [0, 5]]]);
        expectExact(nb.argsort(x, 1), [[[1, 0], [0, 1]], [[1, 0], [0, 1]]], 'int32');
      }));

    it('NaN sorts last (first when descending); infinities in place', () =>
      on(backend, () => {
        expectClose(nb.sort(nb.tensor([2, NaN, -Infinity, 1])), [-Infinity, 1, 2, NaN]);
        expectClose(nb.sort(nb.tensor([2, NaN, -Infinity, 1]), { descending: true }), [NaN, 2, 1, -Infinity]);
      }));

    it('argsort is stable: ties keep their order in both directions', () =>
      on(backend, () => {
        expectExact(nb.argsort(nb.tensor([1, 0, 1, 0])), [1, 3, 0, 2], 'int32');
        expectExact(nb.argsort(nb.tensor([1, 0, 1, 0]), { descending: true }), [0, 2, 1, 3], 'int32');
        expectExact(nb.tensor([[3, 1], [2, 5], [3, 0]]).argsort(0), [[1, 2], [0, 0], [2, 1]], 'int32');
      }));

    it('keeps int32, handles empty tensors and strided views', () =>
      on(backend, () => {
        expectExact(nb.sort(nb.tensor([5, -2, 7], 'int32')), [-2, 5, 7], 'int32');
        expect(nb.sort(nb.zeros([2, 0])).shape).toEqual([2, 0]);
        expect(nb.argsort(nb.zeros([0, 3])).shape).toEqual([0, 3]);
        expectClose(nb.sort(nb.tensor([[3, 1], [2, 4]]).transpose()), [[2, 3], [1, 4]]);
      }));

    it('bad input raises', () =>
      on(backend, () => {
        expect(() => nb.sort(nb.tensor(1))).toThrow(nb.ShapeError);
        expect(() => nb.sort(nb.tensor([1, 2]), 1)).toThrow(/sort: axis 1/);
        expect(() => nb.argsort(nb.tensor([true, false]))).toThrow(nb.DTypeError);
      }));

    it('gradient of sorted values flows to the source positions', () =>
      on(backend, () => {
        checkGrad((t) => nb.sort(t), [sample([3, 4])]);
        checkGrad((t) => nb.sort(t, { axis: 0, descending: true }), [sample([4, 3])]);
        checkSecondDerivative((t) => nb.square(nb.sort(t)), sample([5]));
      }));
  });

  describe(`topk on ${backend}`, () => {
    it('k largest along the last axis, descending, ties by lower index', () =>
      on(backend, () => {
        const r = nb.topk(nb.tensor([1, 5, 3, 5]), 2);
        expectClose(r.values, [5, 5]);
        expectExact(r.indices, [1, 3], 'int32');
        const m = nb.tensor([[1, 3, 2], [4, 0, 6]]).topk(2);
        expectClose(m.values, [[3, 2], [6, 4]]);
        expectExact(m.indices, [[1, 2], [2, 0]], 'int32');
        expectExact(nb.topk(nb.tensor([2, 9, 4])).indices, [1], 'int32');
        expectClose(nb.topk(nb.tensor([2, 9, 4]), 3).values, [9, 4, 2]);
        expect(nb.topk(nb.tensor([[1, 2]]), 0).values.shape).toEqual([1, 0]);
        expectExact(nb.topk(nb.tensor([3, 1, 2], 'int32'), 2).values, [3, 2], 'int32');
      }));

    it('bad k or rank raises', () =>
      on(backend, () => {
        expect(() => nb.topk(nb.tensor([1, 2]), 3)).toThrow(/topk: k must be an integer in \[0, 2\]/);
        expect(() => nb.topk(nb.tensor([1, 2]), -1)).toThrow(nb.ValueError);
        expect(() => nb.topk(nb.tensor(1))).toThrow(nb.ShapeError);
      }));

    it('gradient of the values vs finite differences', () =>
      on(backend, () => {
        checkGrad((t) => nb.topk(t, 2).values, [sample([3, 4])]);
      }));
  });

  describe(`takeAlongAxis on ${backend}`, () => {
    const x = () => nb.tensor([[10, 20, 30], [40, 50, 60]]);

    it('picks per position along an axis', () =>
      on(backend, () => {
        expectClose(nb.takeAlongAxis(x(), [[2, 0], [1, 1]], 1), [[30, 10], [50, 50]]);
        expectClose(nb.takeAlongAxis(x(), [[1, 0, 1]], 0), [[40, 20, 60]]);
        expectClose(nb.takeAlongAxis(x(), nb.argsort(nb.neg(x()))), [[30, 20, 10], [60, 50, 40]]);
      }));

    it('mismatched shapes and bad indices raise', (ctx) =>
      onExcept(ctx, backend, { webgpu: 'index range errors need a host read (a GPU kernel gives 0 for an out-of-range index)' }, () => {
        expect(() => nb.takeAlongAxis(x(), [[0], [1], [0]], 1)).toThrow(nb.ShapeError);
        expect(() => nb.takeAlongAxis(x(), [[3], [0]], 1)).toThrow(/index 3/);
      }));

    it('gradient vs finite differences', () =>
      on(backend, () => {
        checkGrad((t) => nb.takeAlongAxis(t, [[1, 1, 0]], 0), [sample([2, 3])]);
      }));
  });
}
