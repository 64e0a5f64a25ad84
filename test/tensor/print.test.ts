import { describe, it, expect } from 'vitest';
import { inspect } from 'node:util';
import * as nb from '../../src/index.js';
import { backendsUnderTest, on } from '../conformance/harness.js';

for (const backend of backendsUnderTest()) {
  describe(`toString on ${backend}`, () => {
    it('the format of API.md for small tensors', () =>
      on(backend, () => {
        expect(nb.tensor([[1, 2], [3, 4]]).toString()).toBe('tensor([[1, 2], [3, 4]], shape=[2, 2], dtype=float32)');
        expect(nb.tensor([[1, 2, 3], [4, 5, 6]], 'int32').toString()).toBe('tensor([[1, 2, 3], [4, 5, 6]], shape=[2, 3], dtype=int32)');
        expect(nb.tensor(5).toString()).toBe('tensor(5, shape=[], dtype=float32)');
        expect(nb.tensor(3.5, 'float64').toString()).toBe('tensor(3.5, shape=[], dtype=float64)');
        expect(nb.tensor([true, false]).toString()).toBe('tensor([true, false], shape=[2], dtype=bool)');
        expect(nb.tensor([-1, 2], 'int32').toString()).toBe('tensor([-1, 2], shape=[2], dtype=int32)');
        expect(String(nb.tensor([1]))).toBe('tensor([1], shape=[1], dtype=float32)');
        expect(`${nb.tensor([1, 2]).transpose()}`).toBe('tensor([1, 2], shape=[2], dtype=float32)');
      }));

    it('float values: significant digits by dtype, exponent for tiny and huge, nan and inf', () =>
      on(backend, () => {
        expect(nb.tensor([0.1, 1 / 3, 0.5]).toString()).toBe('tensor([0.1, 0.333333, 0.5], shape=[3], dtype=float32)');
        expect(nb.tensor([0.1, 1 / 3], 'float64').toString()).toBe('tensor([0.1, 0.33333333], shape=[2], dtype=float64)');
        expect(nb.tensor([1e-5, 2.5e-7, 1.2345e20, 1e10]).toString()).toBe('tensor([1e-5, 2.5e-7, 1.2345e+20, 10000000000], shape=[4], dtype=float32)');
        expect(nb.tensor([NaN, Infinity, -Infinity]).toString()).toBe('tensor([nan, inf, -inf], shape=[3], dtype=float32)');
        expect(nb.tensor([0, -2.25]).toString()).toBe('tensor([0, -2.25], shape=[2], dtype=float32)');
      }));

    it('empty tensors', () =>
      on(backend, () => {
        expect(nb.zeros([0]).toString()).toBe('tensor([], shape=[0], dtype=float32)');
        expect(nb.zeros([2, 0], 'int32').toString()).toBe('tensor([[], []], shape=[2, 0], dtype=int32)');
      }));

    it('larger matrices go one row per line, right-aligned', () =>
      on(backend, () => {
        expect(nb.tensor([[1.5, -2, 100], [3, 4, 5], [6, 7, 8]]).toString()).toBe(
          'tensor([[1.5,  -2, 100],\n' + '        [  3,   4,   5],\n' + '        [  6,   7,   8]], shape=[3, 3], dtype=float32)',
        );
        expect(nb.range(12).reshape([2, 2, 3]).toString()).toBe(
          'tensor([[[ 0,  1,  2],\n' +
            '         [ 3,  4,  5]],\n' +
            '\n' +
            '        [[ 6,  7,  8],\n' +
            '         [ 9, 10, 11]]], shape=[2, 2, 3], dtype=int32)',
        );
      }));

    it('long tensors are elided with ... (first and last three along each axis)', () =>
      on(backend, () => {
        expect(nb.range(2000).toString()).toBe('tensor([0, 1, 2, ..., 1997, 1998, 1999], shape=[2000], dtype=int32)');
        const m = nb.range(2000).reshape([100, 20]).toString();
        expect(m).toBe(
          'tensor([[   0,    1,    2, ...,   17,   18,   19],\n' +
            '        [  20,   21,   22, ...,   37,   38,   39],\n' +
            '        [  40,   41,   42, ...,   57,   58,   59],\n' +
            '        ...,\n' +
            '        [1940, 1941, 1942, ..., 1957, 1958, 1959],\n' +
            '        [1960, 1961, 1962, ..., 1977, 1978, 1979],\n' +
            '        [1980, 1981, 1982, ..., 1997, 1998, 1999]], shape=[100, 20], dtype=int32)',
        );
        // up to 1000 elements print in full
        expect(nb.range(1000).toString().includes('...')).toBe(false);
        expect(nb.range(1000).toString().split(', ')).toHaveLength(1000 + 2);
      }));

    it('console.log / util.inspect use the same format; disposed tensors say so', () =>
      on(backend, () => {
        const a = nb.tensor([1, 2]);
        expect(inspect(a)).toBe('tensor([1, 2], shape=[2], dtype=float32)');
        a.dispose();
        expect(a.toString()).toBe('tensor(<disposed>, shape=[2], dtype=float32)');
      }));
  });
}
