import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { backendsUnderTest, expectClose, expectExact, on } from '../conformance/harness.js';

for (const backend of backendsUnderTest()) {
  describe(`tensor creation on ${backend}`, () => {
    it('nested arrays: shape, float32 by default, explicit dtype', () =>
      on(backend, () => {
        const a = nb.tensor([[1, 2, 3], [4, 5, 6]]);
        expect(a.shape).toEqual([2, 3]);
        expect(a.dtype).toBe('float32');
        expect(a.rank).toBe(2);
        expect(a.size).toBe(6);
        expect(a.backend).toBe(backend);
        expectExact(a, [[1, 2, 3], [4, 5, 6]]);
        expectExact(nb.tensor([1.7, -1.7, 2], 'int32'), [1, -1, 2], 'int32');
        expectExact(nb.tensor([[0.5]], 'float64'), [[0.5]], 'float64');
        expectExact(nb.tensor([0, 2, 0], 'bool'), [false, true, false], 'bool');
        expect(nb.tensor([[[1], [2]]]).shape).toEqual([1, 2, 1]);
        expect(nb.constant).toBe(nb.tensor);
      }));

    it('scalars and booleans', () =>
      on(backend, () => {
        const s = nb.tensor(5);
        expect(s.shape).toEqual([]);
        expect(s.rank).toBe(0);
        expect(s.size).toBe(1);
        expect(s.item()).toBe(5);
        expectExact(nb.tensor(true), true, 'bool');
        expectExact(nb.tensor(3.9, 'int32'), 3, 'int32');
        expectExact(nb.tensor([true, false]), [true, false], 'bool');
        expectExact(nb.tensor([[true], [false]]), [[true], [false]], 'bool');
        // a mix of booleans and numbers is numeric
        expectExact(nb.tensor([true, 2]), [1, 2], 'float32');
        expectExact(nb.tensor([nb.tensor(1), nb.tensor(2)]), [1, 2], 'float32');
        expectExact(nb.tensor([nb.tensor(true), false]), [true, false], 'bool');
      }));

    it('empty nested arrays', () =>
      on(backend, () => {
        const e = nb.tensor([]);
        expect(e.shape).toEqual([0]);
        expect(e.dtype).toBe('float32');
        expect(nb.tensor([[], []]).shape).toEqual([2, 0]);
        expect(nb.tensor([], 'int32').dtype).toBe('int32');
      }));

    it('every typed-array kind, with and without a shape', () =>
      on(backend, () => {
        const cases: [ArrayLike<number> & ArrayBufferView, nb.DType][] = [
          [new Float32Array([1.5, 2, 3, 4, 5, 6]), 'float32'],
          [new Float64Array([1.5, 2, 3, 4, 5, 6]), 'float64'],
          [new Int32Array([-1, 2, 3, 4, 5, 6]), 'int32'],
          [new Int16Array([-1, 2, 3, 4, 5, 6]), 'int32'],
          [new Int8Array([-1, 2, 3, 4, 5, 6]), 'int32'],
          [new Uint8Array([255, 2, 3, 4, 5, 6]), 'int32'],
          [new Uint8ClampedArray([255, 2, 3, 4, 5, 6]), 'int32'],
          [new Uint16Array([65535, 2, 3, 4, 5, 6]), 'int32'],
          [new Uint32Array([7, 2, 3, 4, 5, 6]), 'int32'],
        ];
        for (const [arr, dtype] of cases) {
          const t = nb.tensor(arr as never, [2, 3]);
          expect(t.dtype, arr.constructor.name).toBe(dtype);
          expect(t.shape).toEqual([2, 3]);
          expect(Array.from(t.dataSync())).toEqual(Array.from(arr));
          expect(nb.tensor(arr as never).shape).toEqual([6]);
        }
        const big = nb.tensor(new BigInt64Array([1n, -2n]));
        expectExact(big, [1, -2], 'float64');
        expectExact(nb.tensor(new BigUint64Array([3n]), 'int32'), [3], 'int32');
        expectExact(nb.tensor(new Float32Array([1.5, -2.5]), [2], 'int32'), [1, -2], 'int32');
        expectExact(nb.tensor(new Uint8Array([0, 7]), 'bool'), [false, true], 'bool');
        expectExact(nb.tensor(new Float32Array(6), [2, 3]), [[0, 0, 0], [0, 0, 0]], 'float32');
        // nested arrays of typed arrays
        expectExact(nb.tensor([new Float32Array([1, 2]), new Float32Array([3, 4])]), [[1, 2], [3, 4]], 'float32');
        expectExact(nb.tensor([[new Int32Array([1])], [new Int32Array([2])]], 'int32'), [[[1]], [[2]]], 'int32');
        expect(() => nb.tensor([new Float32Array(2), new Float32Array(3)])).toThrow(/ragged nested array/);
        expect(() => nb.tensor([new Float32Array(1), [[1]]] as never)).toThrow(nb.ShapeError);
      }));

    it('the typed array is copied, so later writes do not change the tensor', () =>
      on(backend, () => {
        const src = new Float32Array([1, 2]);
        const t = nb.tensor(src);
        src[0] = 99;
        expectExact(t, [1, 2]);
        const out = t.dataSync();
        out[1] = 99;
        expectExact(t, [1, 2]);
      }));

    it('bad input raises: ragged arrays, wrong sizes, unknown dtypes, non-numbers', () =>
      on(backend, () => {
        expect(() => nb.tensor([[1, 2], [3]])).toThrow(/ragged nested array: expected length 2 at depth 1, got 1/);
        expect(() => nb.tensor([1, [2]] as never)).toThrow(nb.ShapeError);
        expect(() => nb.tensor([[1], 2] as never)).toThrow(nb.ShapeError);
        expect(() => nb.tensor(new Float32Array(5), [2, 3])).toThrow(/5 values do not fit shape \[2, 3\]/);
        expect(() => nb.tensor([1, 2], 'int64' as nb.DType)).toThrow(nb.DTypeError);
        expect(() => nb.tensor(['a'] as never)).toThrow(nb.DTypeError);
        expect(() => nb.tensor(null as never)).toThrow(nb.DTypeError);
        expect(() => nb.tensor([1, 2], [2, -1])).toThrow(nb.ShapeError);
        expect(() => nb.tensor([nb.tensor([1, 2])] as never)).toThrow(nb.ShapeError);
      }));

    it('tensor(aTensor) keeps it, converts its dtype, or gives it a shape', () =>
      on(backend, () => {
        const a = nb.tensor([[1.5, 2], [3, 4]]);
        expect(nb.tensor(a)).toBe(a);
        expectExact(nb.tensor(a, 'int32'), [[1, 2], [3, 4]], 'int32');
        expectExact(nb.tensor(a, [4]), [1.5, 2, 3, 4]);
        expectExact(nb.tensor(a.T, [4]), [1.5, 3, 2, 4]);
      }));

    it('zeros, ones, full and the *Like forms', () =>
      on(backend, () => {
        expectExact(nb.zeros([2, 3]), [[0, 0, 0], [0, 0, 0]], 'float32');
        expectExact(nb.ones([3]), [1, 1, 1], 'float32');
        expectExact(nb.ones([2], 'int32'), [1, 1], 'int32');
        expectExact(nb.zeros([2], 'bool'), [false, false], 'bool');
        expectExact(nb.full([2], 7), [7, 7], 'float32');
        expectExact(nb.full([2, 1], 7.5, 'int32'), [[7], [7]], 'int32');
        expectExact(nb.full([2], true), [true, true], 'bool');
        expectExact(nb.full([], 3, 'float64'), 3, 'float64');
        expect(nb.zeros([0, 4]).shape).toEqual([0, 4]);
        const a = nb.tensor([[1, 2]], 'int32');
        expectExact(nb.zerosLike(a), [[0, 0]], 'int32');
        expectExact(nb.onesLike(a), [[1, 1]], 'int32');
        expectExact(nb.onesLike(a, 'float64'), [[1, 1]], 'float64');
        expectExact(nb.fullLike(a, 4), [[4, 4]], 'int32');
        expectExact(nb.fullLike(a, 1, 'bool'), [[true, true]], 'bool');
        expectExact(nb.zerosLike([[1, 2, 3]]), [[0, 0, 0]], 'float32');
        expectExact(nb.onesLike(nb.tensor([true])), [true], 'bool');
        expect(() => nb.zeros([-1])).toThrow(nb.ShapeError);
        expect(() => nb.ones([1.5])).toThrow(nb.ShapeError);
        expect(() => nb.full([2], 1, 'uint8' as nb.DType)).toThrow(nb.DTypeError);
      }));

    it('range: int32 for integer arguments, floats otherwise, negative steps, empty', () =>
      on(backend, () => {
        expectExact(nb.range(5), [0, 1, 2, 3, 4], 'int32');
        expectExact(nb.range(0, 10, 2), [0, 2, 4, 6, 8], 'int32');
        expectExact(nb.range(2, 5), [2, 3, 4], 'int32');
        expectExact(nb.range(5, 0, -2), [5, 3, 1], 'int32');
        expectExact(nb.range(0, 1, 0.25), [0, 0.25, 0.5, 0.75], 'float32');
        expect(nb.range(0, 0.3, 0.1).shape).toEqual([3]);
        expectClose(nb.range(0, 0.3, 0.1), [0, 0.1, 0.2]);
        expectExact(nb.range(0, 3, 1, 'float64'), [0, 1, 2], 'float64');
        expect(nb.range(3, 1).shape).toEqual([0]);
        expect(nb.range(0).shape).toEqual([0]);
        expect(() => nb.range(0, 5, 0)).toThrow(nb.ValueError);
        expect(() => nb.range(0, 5, NaN)).toThrow(/range: step must be a finite non-zero number/);
      }));

    it('linspace and eye', () =>
      on(backend, () => {
        expectExact(nb.linspace(0, 1, 5), [0, 0.25, 0.5, 0.75, 1], 'float32');
        expectExact(nb.linspace(2, -2, 3), [2, 0, -2]);
        expectExact(nb.linspace(3, 9, 1), [3]);
        expect(nb.linspace(0.1, 0.7, 7, 'float64').dataSync()[6]).toBe(0.7);
        expect(nb.linspace(-0.3, 0.9, 4, 'float64').dataSync()[3]).toBe(0.9);
        expect(nb.linspace(0, 1, 0).shape).toEqual([0]);
        expectExact(nb.linspace(0, 1, 3, 'float64'), [0, 0.5, 1], 'float64');
        expect(() => nb.linspace(0, 1, -1)).toThrow(nb.ValueError);
        expect(() => nb.linspace(0, 1, 2.5)).toThrow(nb.ValueError);
        expectExact(nb.eye(3), [[1, 0, 0], [0, 1, 0], [0, 0, 1]], 'float32');
        expectExact(nb.eye(2, 3), [[1, 0, 0], [0, 1, 0]]);
        expectExact(nb.eye(3, 2, 'int32'), [[1, 0], [0, 1], [0, 0]], 'int32');
        expect(nb.eye(0).shape).toEqual([0, 0]);
        expect(() => nb.eye(-1)).toThrow(nb.ValueError);
      }));
  });
}
