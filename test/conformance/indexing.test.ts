import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { backendsUnderTest, checkGrad, checkSecondDerivative, expectClose, expectExact, on, sample, onExcept } from './harness.js';

const int = (v: number[] | number[][] | number[][][]) => nb.tensor(v, 'int32');
/** 0, 1, 2, ... in the given shape (float32). */
const iota = (shape: number[]) => nb.reshape(nb.range(0, shape.reduce((a, b) => a * b, 1), 1, 'float32'), shape);

for (const backend of backendsUnderTest()) {
  describe(`gather on ${backend}`, () => {
    const x = () => nb.tensor([[1, 2], [3, 4], [5, 6]]);

    it('picks rows along axis 0, repeating and reordering', () =>
      on(backend, () => {
        expectClose(nb.gather(x(), [2, 0, 2]), [[5, 6], [1, 2], [5, 6]]);
        expectClose(x().gather(int([1])), [[3, 4]]);
      }));

    it('negative axis, indices of any rank, scalar index drops the axis', () =>
      on(backend, () => {
        expectClose(nb.gather(x(), [1, 0], { axis: -1 }), [[2, 1], [4, 3], [6, 5]]);
        expectClose(nb.gather(nb.tensor([10, 20, 30]), [[0, 1], [2, 2]]), [[10, 20], [30, 30]]);
        expectClose(nb.gather(x(), 1), [3, 4]);
        expectClose(nb.gather(x(), 0, 1), [1, 3, 5]);
      }));

    it('middle axis of a rank-3 tensor', () =>
      on(backend, () => {
        // x[b, j, k] = 6b + 2j + k; picking j = 2 then j = 0.
        expectClose(nb.gather(iota([2, 3, 2]), [2, 0], { axis: 1 }), [[[4, 5], [0, 1]], [[10, 11], [6, 7]]]);
      }));

    it('batchDims: one gather per batch element', () =>
      on(backend, () => {
        expectClose(nb.gather(nb.tensor([[1, 2, 3], [4, 5, 6]]), [[2, 0], [1, 1]], { axis: 1, batchDims: 1 }), [[3, 1], [5, 5]]);
        // axis 2 after one batch dim: out[b, i, j] = x[b, i, idx[b, j]] with x = iota([2, 2, 3]).
        const expected = [[[2, 0], [5, 3]], [[7, 7], [10, 10]]];
        expectClose(nb.gather(iota([2, 2, 3]), [[2, 0], [1, 1]], { axis: 2, batchDims: 1 }), expected);
        expectClose(nb.gather(iota([2, 2, 3]), [[2, 0], [1, 1]], { axis: 2, batchDims: -1 }), expected);
      }));

    it('empty indices and empty tensors', () =>
      on(backend, () => {
        expect(nb.gather(x(), nb.zeros([0], 'int32')).shape).toEqual([0, 2]);
        expect(nb.gather(nb.zeros([0, 3]), nb.zeros([0], 'int32')).shape).toEqual([0, 3]);
        expect(nb.gather(nb.zeros([2, 0]), [1, 0]).shape).toEqual([2, 0]);
        expect(nb.gather(x(), nb.zeros([2, 0], 'int32'), { axis: 1 }).shape).toEqual([3, 2, 0]);
      }));

    it('keeps int32 and bool dtypes and works on strided views', () =>
      on(backend, () => {
        expectExact(nb.gather(int([7, 8, 9]), [2, 0]), [9, 7], 'int32');
        expectExact(nb.gather(nb.tensor([true, false]), [1, 1, 0]), [false, false, true], 'bool');
        expectClose(nb.gather(x().transpose(), [1]), [[2, 4, 6]]);
      }));

    it('out-of-range and malformed indices raise', (ctx) =>
      onExcept(ctx, backend, { webgpu: 'index range errors need a host read (a GPU kernel gives 0 for an out-of-range index)' }, () => {
        expect(() => nb.gather(x(), [0, 3])).toThrow(nb.ValueError);
        expect(() => nb.gather(x(), [0, 3])).toThrow(/gather: index 3 at indices\[1\].*axis 0.*\[0, 2\]/);
        expect(() => nb.gather(x(), [[0], [-1]])).toThrow(/gather: index -1 at indices\[1, 0\]/);
        expect(() => nb.gather(nb.zeros([0, 2]), [0])).toThrow(/empty/);
        expect(() => nb.gather(x(), [0.5])).toThrow(nb.DTypeError);
        expect(() => nb.gather(x(), nb.tensor([0, 1]))).toThrow(/int32/);
        expect(() => nb.gather(x(), [0], { axis: 2 })).toThrow(nb.ShapeError);
        expect(() => nb.gather(nb.tensor(1), [0])).toThrow(nb.ShapeError);
        expect(() => nb.gather(x(), [[0], [1]], { axis: 1, batchDims: 1 })).toThrow(/batchDims/);
        expect(() => nb.gather(x(), [[0]], { axis: 0, batchDims: 1 })).toThrow(nb.ShapeError);
      }));

    it('embedding lookup: the gradient of a Variable counts each row once per use', () =>
      on(backend, () => {
        const table = new nb.Variable(nb.tensor([[1, 2], [3, 4], [5, 6]]));
        const tape = new nb.GradientTape();
        const loss = nb.sum(nb.gather(table, [[0, 2], [0, 0]]));
        expectClose(tape.gradient(loss, table), [[3, 3], [0, 0], [1, 1]]);
      }));

    it('gradient (duplicate indices sum) and second order vs finite differences', () =>
      on(backend, () => {
        checkGrad((t) => nb.gather(t, [2, 0, 2]), [sample([3, 2])]);
        checkGrad((t) => nb.gather(t, [[1, 1], [0, 2]], { axis: -1 }), [sample([2, 3])]);
        checkGrad((t) => nb.gather(t, [[2, 0], [1, 1]], { axis: 2, batchDims: 1 }), [sample([2, 2, 3])]);
        checkSecondDerivative((t) => nb.square(nb.gather(t, [1, 1, 0])), sample([3, 2]));
      }));
  });

  describe(`unsortedSegmentSum on ${backend}`, () => {
    it('sums slices per segment; empty segments are zero, negative ids dropped', () =>
      on(backend, () => {
        expectClose(nb.unsortedSegmentSum(nb.tensor([1, 2, 3, 4]), [0, 1, 0, -1], 3), [4, 2, 0]);
        expectClose(nb.unsortedSegmentSum(nb.tensor([[1, 2], [3, 4], [5, 6]]), [1, 1, 0], 2), [[5, 6], [4, 6]]);
        expectClose(nb.unsortedSegmentSum(nb.tensor([[1, 2], [3, 4]]), [[0, 1], [1, 1]], 2), [1, 9]);
        expectExact(nb.unsortedSegmentSum(int([1, 2, 3]), [2, 2, 2], 3), [0, 0, 6], 'int32');
        expectClose(nb.unsortedSegmentSum(nb.zeros([0, 2]), nb.zeros([0], 'int32'), 2), [[0, 0], [0, 0]]);
      }));

    it('bad ids and shapes raise', (ctx) =>
      onExcept(ctx, backend, { webgpu: 'index range errors need a host read (a GPU kernel gives 0 for an out-of-range index)' }, () => {
        expect(() => nb.unsortedSegmentSum(nb.tensor([1, 2]), [0, 2], 2)).toThrow(/unsortedSegmentSum: index 2 at indices\[1\]/);
        expect(() => nb.unsortedSegmentSum(nb.tensor([1, 2]), [0, 1, 1], 2)).toThrow(nb.ShapeError);
        expect(() => nb.unsortedSegmentSum(nb.tensor([1, 2]), [0, 1], -1)).toThrow(nb.ValueError);
      }));

    it('gradient and second order vs finite differences', () =>
      on(backend, () => {
        checkGrad((t) => nb.unsortedSegmentSum(t, [1, -1, 1, 0], 3), [sample([4, 2])]);
        checkSecondDerivative((t) => nb.square(nb.unsortedSegmentSum(t, [1, 0, 1, -1], 2)), sample([4]));
      }));
  });

  describe(`gatherND / scatterND on ${backend}`, () => {
    const x = () => nb.tensor([[1, 2], [3, 4]]);

    it('gatherND: elements, rows, nested index shapes and K = 0', () =>
      on(backend, () => {
        expectClose(nb.gatherND(x(), [[0, 0], [1, 1]]), [1, 4]);
        expectClose(nb.gatherND(x(), [[1], [0]]), [[3, 4], [1, 2]]);
        expectClose(nb.gatherND(x(), [[[0, 1]], [[1, 0]]]), [[2], [3]]);
        expectClose(nb.gatherND(iota([2, 2, 2]), [[1, 0]]), [[4, 5]]);
        expectClose(nb.gatherND(x(), nb.zeros([2, 0], 'int32')), [[[1, 2], [3, 4]], [[1, 2], [3, 4]]]);
        expect(nb.gatherND(x(), nb.zeros([0, 2], 'int32')).shape).toEqual([0]);
        expectExact(nb.gatherND(int([[5, 6], [7, 8]]), [[1, 0]]), [7], 'int32');
      }));

    it('scatterND: duplicates sum, slices, int32', () =>
      on(backend, () => {
        expectClose(nb.scatterND([[0], [2], [0]], nb.tensor([1, 2, 3]), [4]), [4, 0, 2, 0]);
        expectClose(nb.scatterND([[1]], nb.tensor([[5, 6]]), [2, 2]), [[0, 0], [5, 6]]);
        expectClose(nb.scatterND([[0, 1], [1, 0], [0, 1]], nb.tensor([1, 2, 3]), [2, 2]), [[0, 4], [2, 0]]);
        expectExact(nb.scatterND([[1]], int([7]), [3]), [0, 7, 0], 'int32');
        expectClose(nb.scatterND(nb.zeros([0, 1], 'int32'), nb.zeros([0]), [2]), [0, 0]);
      }));

    it('out-of-range indices and bad shapes raise', (ctx) =>
      onExcept(ctx, backend, { webgpu: 'index range errors need a host read (a GPU kernel gives 0 for an out-of-range index)' }, () => {
        expect(() => nb.gatherND(x(), [[0, 2]])).toThrow(/gatherND: index 2 at indices\[0, 1\].*dim 1.*\[0, 1\]/);
        expect(() => nb.gatherND(x(), [[-1, 0]])).toThrow(nb.ValueError);
        expect(() => nb.gatherND(x(), [[0, 0, 0]])).toThrow(nb.ShapeError);
        expect(() => nb.gatherND(x(), 0)).toThrow(nb.ShapeError);
        expect(() => nb.gatherND(x(), nb.tensor([[0, 0]]))).toThrow(nb.DTypeError);
        expect(() => nb.scatterND([[4]], nb.tensor([1]), [4])).toThrow(/scatterND: index 4/);
        expect(() => nb.scatterND([[0]], nb.tensor([1, 2]), [4])).toThrow(/updates must have shape \[1\]/);
      }));

    it('gradients (and second order) vs finite differences', () =>
      on(backend, () => {
        checkGrad((t) => nb.gatherND(t, [[0, 1], [0, 1], [1, 0]]), [sample([2, 2])]);
        checkGrad((t) => nb.gatherND(t, [[1], [1]]), [sample([2, 3])]);
        checkGrad((u) => nb.scatterND([[0], [2], [0]], u, [4]), [sample([3])]);
        checkSecondDerivative((t) => nb.square(nb.gatherND(t, [[1, 1], [0, 1], [1, 1]])), sample([2, 2]));
        checkSecondDerivative((u) => nb.square(nb.scatterND([[1], [1], [0]], u, [3])), sample([3]));
      }));
  });

  describe(`tensorScatterAdd / tensorScatterUpdate on ${backend}`, () => {
    it('add sums duplicates; update replaces and the last duplicate wins', () =>
      on(backend, () => {
        expectClose(nb.tensorScatterAdd(nb.tensor([1, 1, 1, 1]), [[1], [3], [1]], [10, 20, 30]), [1, 41, 1, 21]);
        expectClose(nb.tensorScatterUpdate(nb.tensor([1, 2, 3, 4]), [[1], [3]], [10, 20]), [1, 10, 3, 20]);
        expectClose(nb.tensorScatterUpdate(nb.tensor([1, 2, 3, 4]), [[0], [0]], [5, 6]), [6, 2, 3, 4]);
        expectClose(nb.tensorScatterUpdate(nb.tensor([[1, 2], [3, 4]]), [[1]], [[7, 8]]), [[1, 2], [7, 8]]);
        expectExact(nb.tensorScatterUpdate(int([1, 2]), [[0]], [9]), [9, 2], 'int32');
      }));

    it('bad input raises', (ctx) =>
      onExcept(ctx, backend, { webgpu: 'index range errors need a host read (a GPU kernel gives 0 for an out-of-range index)' }, () => {
        expect(() => nb.tensorScatterUpdate(nb.tensor([1, 2]), [[2]], [5])).toThrow(/tensorScatterUpdate: index 2/);
        expect(() => nb.tensorScatterUpdate(nb.tensor([1, 2]), [[0]], nb.tensor([5], 'float64'))).toThrow(nb.DTypeError);
        expect(() => nb.tensorScatterAdd(nb.tensor([1, 2]), [[0]], [5, 6])).toThrow(nb.ShapeError);
      }));

    it('gradients vs finite differences', () =>
      on(backend, () => {
        checkGrad((t, u) => nb.tensorScatterAdd(t, [[1], [3], [1]], u), [sample([4]), sample([3], -1, 1, 2)]);
        checkGrad((t, u) => nb.tensorScatterUpdate(t, [[2], [0]], u), [sample([3, 2]), sample([2, 2], -1, 1, 3)]);
      }));
  });

  describe(`oneHot on ${backend}`, () => {
    it('rows of offValue with onValue at the index; out-of-range gives all off', () =>
      on(backend, () => {
        expectClose(nb.oneHot([0, 2, -1, 5], 3), [[1, 0, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0]]);
        expect(nb.oneHot([1], 2).dtype).toBe('float32');
        expectExact(nb.oneHot(int([1, 0]), 3, { onValue: 5, offValue: -1, dtype: 'int32' }), [[-1, 5, -1], [5, -1, -1]], 'int32');
        expectClose(nb.oneHot([[0], [1]], 2), [[[1, 0]], [[0, 1]]]);
        expectClose(nb.oneHot([0, 2], 3, { axis: 0 }), [[1, 0], [0, 0], [0, 1]]);
        expect(nb.oneHot(nb.zeros([0], 'int32'), 4).shape).toEqual([0, 4]);
        expect(nb.oneHot([1, 2], 0).shape).toEqual([2, 0]);
      }));

    it('bad depth or indices raise', () =>
      on(backend, () => {
        expect(() => nb.oneHot([0], -1)).toThrow(/oneHot: depth/);
        expect(() => nb.oneHot(nb.tensor([0]), 2)).toThrow(nb.DTypeError);
      }));
  });

  describe(`random.shuffle on ${backend}`, () => {
    // Row i is [i, i + 10], so a row that stays intact keeps that difference.
    const rows = () => nb.stack([nb.range(0, 20, 1, 'float32'), nb.range(10, 30, 1, 'float32')], 1);

    it('permutes whole rows along axis 0, reproducibly for a seed', (ctx) =>
      onExcept(ctx, backend, { webgpu: 'it reads with dataSync()' }, () => {
        const s = nb.random.shuffle(rows(), { seed: 3 });
        const v = s.arraySync() as number[][];
        expect(v.every(([a, b]) => b! - a! === 10)).toBe(true);
        expect(v.map(([a]) => a!).sort((p, q) => p - q)).toEqual([...Array(20).keys()]);
        expect(v.map(([a]) => a)).not.toEqual([...Array(20).keys()]);
        expect(nb.random.shuffle(rows(), { seed: 3 }).arraySync()).toEqual(v);
        nb.random.seed(5);
        const first = nb.random.shuffle(rows()).arraySync();
        nb.random.seed(5);
        expect(nb.random.shuffle(rows()).arraySync()).toEqual(first);
        expect(nb.random.shuffle(nb.zeros([0, 2])).shape).toEqual([0, 2]);
        expect(() => nb.random.shuffle(nb.tensor(1))).toThrow(nb.ShapeError);
      }));

    it('gradient flows back to the original rows', () =>
      on(backend, () => {
        checkGrad((t) => nb.random.shuffle(t, { seed: 1 }), [sample([4, 2])]);
      }));
  });
}
