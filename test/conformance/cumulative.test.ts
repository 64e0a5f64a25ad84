import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { backendsUnderTest, checkGrad, checkSecondDerivative, expectClose, expectExact, on, sample } from './harness.js';

const MODES = [
  { exclusive: false, reverse: false },
  { exclusive: true, reverse: false },
  { exclusive: false, reverse: true },
  { exclusive: true, reverse: true },
];

for (const backend of backendsUnderTest()) {
  describe(`cumsum / cumprod on ${backend}`, () => {
    it('cumsum: inclusive, exclusive, reverse and both', () =>
      on(backend, () => {
        const x = nb.tensor([1, 2, 3, 4]);
        const expected = [[1, 3, 6, 10], [0, 1, 3, 6], [10, 9, 7, 4], [9, 7, 4, 0]];
        MODES.forEach((m, i) => expectClose(nb.cumsum(x, 0, m), expected[i]!));
        expectClose(nb.cumsum(x, { axis: 0, exclusive: true }), [0, 1, 3, 6]);
      }));

    it('cumprod: inclusive, exclusive, reverse and both', () =>
      on(backend, () => {
        const x = nb.tensor([1, 2, 3, 4]);
        const expected = [[1, 2, 6, 24], [1, 1, 2, 6], [24, 24, 12, 4], [24, 12, 4, 1]];
        MODES.forEach((m, i) => expectClose(nb.cumprod(x, 0, m), expected[i]!));
      }));

    it('axes (negative too), dtypes, methods and empty tensors', () =>
      on(backend, () => {
        const x = nb.tensor([[1, 2], [3, 4]]);
        expectClose(nb.cumsum(x), [[1, 2], [4, 6]]);
        expectClose(x.cumsum(1), [[1, 3], [3, 7]]);
        expectClose(nb.cumsum(x, -1, { reverse: true }), [[3, 2], [7, 4]]);
        expectClose(x.cumprod(-1), [[1, 2], [3, 12]]);
        expectExact(nb.cumsum(nb.tensor([5, -2, 7], 'int32')), [5, 3, 10], 'int32');
        expectExact(nb.cumsum(nb.tensor([true, false, true])), [1, 1, 2], 'int32');
        expectClose(nb.cumsum(nb.tensor([1, NaN, 2])), [1, NaN, NaN]);
        expect(nb.cumsum(nb.zeros([0, 3]), 1).shape).toEqual([0, 3]);
        expect(nb.cumprod(nb.zeros([2, 0]), 1).shape).toEqual([2, 0]);
      }));

    it('bad input raises', () =>
      on(backend, () => {
        expect(() => nb.cumsum(nb.tensor(1))).toThrow(nb.ShapeError);
        expect(() => nb.cumsum(nb.zeros([2, 2]), 2)).toThrow(/cumsum: axis 2/);
        expect(() => nb.cumprod(nb.tensor([true]))).toThrow(nb.DTypeError);
      }));

    it('gradients in every mode and second order vs finite differences', () =>
      on(backend, () => {
        for (const m of MODES) {
          checkGrad((t) => nb.cumsum(t, 1, m), [sample([2, 4])]);
          checkGrad((t) => nb.cumsum(t, 0, m), [sample([3, 2])]);
          // cumprod's gradient divides by x: keep x away from zero.
          checkGrad((t) => nb.cumprod(t, 1, m), [sample([2, 4], 0.5, 2)]);
        }
        checkSecondDerivative((t) => nb.square(nb.cumsum(t, 0, { reverse: true })), sample([4]));
        checkSecondDerivative((t) => nb.cumprod(t, 0, { exclusive: true }), sample([4], 0.5, 2));
      }));
  });
}
