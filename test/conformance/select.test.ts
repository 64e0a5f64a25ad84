import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { backendsUnderTest, checkGrad, expectClose, expectExact, gradInput, on, sample, onExcept, widestFloat } from './harness.js';

const T = true;
const F = false;

for (const backend of backendsUnderTest()) {
  describe(`where on ${backend}`, () => {
    it('selects elementwise and broadcasts all three operands', () =>
      on(backend, () => {
        const c = nb.tensor([[T], [F]]); // [2, 1]
        const x = nb.tensor([1, 2, 3]); // [3]
        const y = nb.tensor([[10, 20, 30], [40, 50, 60]]);
        expectClose(nb.where(c, x, y), [[1, 2, 3], [40, 50, 60]]);
        expectClose(nb.where(nb.tensor([T, F, T]), x, -1), [1, -1, 3]);
        expectClose(nb.where(c, 7, x), [[7, 7, 7], [1, 2, 3]]);
        expectClose(nb.where(nb.tensor([T, F]), 1, 0), [1, 0]);
        expect(nb.where(nb.zeros([0], 'bool'), 1, 0).shape).toEqual([0]);
        expect(() => nb.where(nb.tensor([T, F]), nb.zeros([3]), 0)).toThrow(nb.ShapeError);
      }));

    it('non-bool conditions count non-zero as true; x and y dtypes promote', () =>
      on(backend, () => {
        expectClose(nb.where(nb.tensor([0, 2, -1]), 1, 0), [0, 1, 1]);
        const r = nb.where(nb.tensor([T, F]), nb.tensor([1, 2], 'int32'), nb.tensor([0.5, 0.5]));
        expect(r.dtype).toBe('float32');
        expectClose(r, [1, 0.5]);
        expectExact(nb.where(nb.tensor([T, F]), nb.tensor([1, 2], 'int32'), 0), [1, 0], 'int32');
        expectExact(nb.where(nb.tensor([T, F]), nb.tensor([F, F]), nb.tensor([T, T])), [F, T], 'bool');
        // a number takes the dtype of the other branch, tensor or typed array
        expectExact(nb.where(nb.tensor([T, F]), 7, new Int32Array([1, 2])), [7, 2], 'int32');
      }));

    it('float64 branches, tensor or typed array, give float64', () =>
      on(backend, () => {
        expect(nb.where(nb.tensor([T, F]), nb.tensor([1, 2], 'float64'), 0).dtype).toBe('float64');
        expect(nb.where(nb.tensor([T, F]), new Float64Array([1, 2]), 0).dtype).toBe('float64');
      }));

    it('x.where(cond, other) is where(cond, x, other)', () =>
      on(backend, () => {
        expectClose(nb.tensor([1, 2, 3]).where(nb.tensor([T, F, T]), 0), [1, 0, 3]);
      }));

    it('gradient flows to the chosen operand, summed over broadcasts', (ctx) =>
      onExcept(ctx, backend, { webgpu: 'checkGrad\'s js reference cannot read the webgpu tensors the function closes over' }, () => {
        const c = nb.tensor([[T, F, T], [F, F, T]]);
        checkGrad((x, y) => nb.where(c, x, y), [sample([2, 3], -1, 1, 1), sample([2, 3], -1, 1, 2)]);
        checkGrad((x, y) => nb.where(c, x, y), [sample([3], -1, 1, 3), sample([2, 1], -1, 1, 4)]);
        checkGrad((x) => nb.where(nb.tensor([T, F]), x, 0), [sample([2, 2], -1, 1, 5)]);
        const x = nb.tensor([1, 2, 3], 'float64');
        const y = nb.tensor([4, 5, 6], 'float64');
        const tape = new nb.GradientTape();
        tape.watch(x, y);
        const [gx, gy] = tape.gradient(nb.sum(nb.where(nb.tensor([T, F, T]), x, y)), [x, y]);
        expectExact(gx!, [1, 0, 1]);
        expectExact(gy!, [0, 1, 0]);
      }));

    it('NaN in the unselected branch does not leak into the gradient', () =>
      on(backend, () => {
        const x = nb.tensor([-1, 4], widestFloat(backend));
        const tape = new nb.GradientTape();
        tape.watch(x);
        const y = nb.where(nb.greater(x, 0), nb.sqrt(nb.where(nb.greater(x, 0), x, 1)), 0);
        expectClose(tape.gradient(nb.sum(y), x), [0, 0.25]);
      }));
  });

  describe(`cast on ${backend}`, () => {
    it('float -> int32 truncates toward zero and saturates', () =>
      on(backend, () => {
        expectExact(nb.cast(nb.tensor([1.7, -1.7, 2.5, -0.5, 0]), 'int32'), [1, -1, 2, 0, 0], 'int32');
        expectExact(nb.cast(nb.tensor([3e9, -3e9, Infinity, -Infinity, NaN], widestFloat(backend)), 'int32'), [
          2147483647, -2147483648, 2147483647, -2147483648, 0,
        ], 'int32');
      }));

    it('-> bool: non-zero (NaN included) is true', () =>
      on(backend, () => {
        expectExact(nb.cast(nb.tensor([0, 0.5, -1, NaN, -0]), 'bool'), [F, T, T, T, F], 'bool');
        expectExact(nb.cast(nb.tensor([0, 3], 'int32'), 'bool'), [F, T], 'bool');
      }));

    it('bool -> float32 and int32', () =>
      on(backend, () => {
        expectExact(nb.cast(nb.tensor([T, F]), 'float32'), [1, 0], 'float32');
        expectExact(nb.cast(nb.tensor([T, F]), 'int32'), [1, 0], 'int32');
      }));

    it('int32 -> float64; float64 -> float32 rounds', () =>
      on(backend, () => {
        expectExact(nb.cast(nb.tensor([-3, 7], 'int32'), 'float64'), [-3, 7], 'float64');
        const r = nb.cast(nb.tensor([0.1, 1 + 1e-12], 'float64'), 'float32');
        expect(Array.from(r.dataSync())).toEqual([Math.fround(0.1), 1]);
        expect(Array.from(nb.cast(nb.tensor([0.1]), 'float64').dataSync())).toEqual([Math.fround(0.1)]);
      }));

    it('same dtype returns the input; unknown dtypes raise', () =>
      on(backend, () => {
        const a = nb.tensor([1, 2]);
        expect(nb.cast(a, 'float32')).toBe(a);
        expect(() => nb.cast(a, 'int64' as nb.DType)).toThrow(nb.DTypeError);
        expect(nb.cast(nb.zeros([2, 0]), 'int32').shape).toEqual([2, 0]);
        expectExact(a.toInt(), [1, 2], 'int32');
        expectExact(a.toBool(), [T, T], 'bool');
        expect(nb.tensor([1], 'int32').toFloat().dtype).toBe('float32');
        expectExact(nb.cast(a.index('::-1'), 'int32'), [2, 1], 'int32');
      }));

    it('gradients do not flow through int32 or bool', () =>
      on(backend, () => {
        const wide = widestFloat(backend);
        const x = nb.tensor([0.5, -1.5, 2], wide);
        const tape = new nb.GradientTape({ persistent: true });
        tape.watch(x);
        expectExact(tape.gradient(nb.sum(nb.mul(nb.cast(x, 'float32'), nb.tensor([1, 2, 3]))), x), [1, 2, 3], wide);
        expect(tape.gradient(nb.sum(nb.cast(nb.cast(x, 'int32'), wide)), x)).toBeNull();
        expect(tape.gradient(nb.sum(nb.cast(nb.cast(x, 'bool'), wide)), x)).toBeNull();
        tape.dispose();
      }));

    it('gradients flow between float64 and float32', () =>
      on(backend, () => {
        const x = nb.tensor([0.5, -1.5, 2], 'float64');
        const tape = new nb.GradientTape();
        tape.watch(x);
        const g = tape.gradient(nb.sum(nb.mul(nb.cast(x, 'float32'), nb.tensor([1, 2, 3]))), x);
        expect(g.dtype).toBe('float64');
        expectClose(g, [1, 2, 3]);
        checkGrad((t) => nb.cast(nb.mul(nb.cast(t, 'float32'), 3), 'float64'), [sample([4], -1, 1, 9)], { eps: 1e-2, rtol: 1e-3, atol: 1e-4 });
      }));
  });

  describe(`clip on ${backend}`, () => {
    it('clamps into [lo, hi], keeps dtype, propagates NaN', () =>
      on(backend, () => {
        expectClose(nb.clip(nb.tensor([-2, 0.5, 3, NaN]), 0, 1), [0, 0.5, 1, NaN]);
        expectExact(nb.clip(nb.tensor([-2, 1, 5], 'int32'), 0, 3), [0, 1, 3], 'int32');
        expectClose(nb.clip(nb.tensor([[1, 5], [-1, 9]]), nb.tensor([0, 2]), nb.tensor([[2], [3]])), [[1, 2], [0, 3]]);
        expectClose(nb.tensor([-1, 0.25, 2]).clip(0, 1), [0, 0.25, 1]);
        expectClose(nb.clipByValue(nb.tensor([-1, 2]), -0.5, 0.5), [-0.5, 0.5]);
        expect(() => nb.clip(nb.tensor([1]), 2, 1)).toThrow(nb.ValueError);
      }));

    it('gradient is 1 inside the range and 0 outside', () =>
      on(backend, () => {
        const x = nb.tensor([-2, 0.5, 3], widestFloat(backend));
        const tape = new nb.GradientTape();
        tape.watch(x);
        expectExact(tape.gradient(nb.sum(nb.clip(x, 0, 1)), x), [0, 1, 0]);
        checkGrad((t) => nb.clip(t, -0.5, 0.5), [gradInput([-0.9, -0.2, 0.1, 0.7])]);
        checkGrad((t, lo, hi) => nb.clip(t, lo, hi), [gradInput([-0.9, -0.2, 0.1, 0.7]), gradInput([-0.5]), gradInput([0.5])]);
      }));

    it('clipByNorm scales down only tensors whose norm exceeds the limit', () =>
      on(backend, () => {
        expectClose(nb.clipByNorm(nb.tensor([3, 4]), 1), [0.6, 0.8]);
        expectClose(nb.clipByNorm(nb.tensor([0.3, 0.4]), 1), [0.3, 0.4]);
        expectClose(nb.clipByNorm(nb.tensor([[3, 4], [0.3, 0.4]]), 1, 1), [[0.6, 0.8], [0.3, 0.4]]);
      }));
  });
}
