import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { backendsUnderTest, expectClose, expectExact, on } from '../conformance/harness.js';

for (const backend of backendsUnderTest()) {
  describe(`reading tensors on ${backend}`, () => {
    it('arraySync and array give nested JS arrays (booleans for bool)', async () => {
      const [a, b, s, v] = on(backend, () => [
        nb.tensor([[1, 2], [3, 4]]),
        nb.tensor([[true], [false]]),
        nb.tensor(7, 'int32'),
        nb.tensor([[1, 2, 3], [4, 5, 6]]).T,
      ]);
      expect(a.arraySync()).toEqual([[1, 2], [3, 4]]);
      expect(await a.array()).toEqual([[1, 2], [3, 4]]);
      expect(b.arraySync()).toEqual([[true], [false]]);
      expect(await b.array()).toEqual([[true], [false]]);
      expect(s.arraySync()).toBe(7);
      expect(await v.array()).toEqual([[1, 4], [2, 5], [3, 6]]);
      expect(nb.zeros([2, 0]).arraySync()).toEqual([[], []]);
    });

    it('dataSync and data give a fresh row-major typed array of the dtype', async () => {
      const [f, d, i, b, view] = on(backend, () => [
        nb.tensor([1.5, 2]),
        nb.tensor([1.5, 2], 'float64'),
        nb.tensor([1, 2], 'int32'),
        nb.tensor([true, false]),
        nb.tensor([[1, 2, 3], [4, 5, 6]]).index(':, ::-2'),
      ]);
      expect(f.dataSync()).toBeInstanceOf(Float32Array);
      expect(d.dataSync()).toBeInstanceOf(Float64Array);
      expect(i.dataSync()).toBeInstanceOf(Int32Array);
      expect(b.dataSync()).toBeInstanceOf(Uint8Array);
      expect(Array.from(await f.data())).toEqual([1.5, 2]);
      expect(Array.from(b.dataSync())).toEqual([1, 0]);
      expect(Array.from(await view.data())).toEqual([3, 1, 6, 4]);
      expect(Array.from(view.dataSync())).toEqual([3, 1, 6, 4]);
      // a slice in the middle of a buffer reads only its own elements
      const mid = on(backend, () => nb.range(10).slice([3], [2]));
      expect(Array.from(mid.dataSync())).toEqual([3, 4]);
      const copy = f.dataSync();
      copy[0] = 100;
      expect(Array.from(f.dataSync())).toEqual([1.5, 2]);
    });

    it('item reads a one-element tensor', () =>
      on(backend, () => {
        expect(nb.tensor(2.5).item()).toBe(2.5);
        expect(nb.tensor([[3]], 'int32').item()).toBe(3);
        expect(nb.sum(nb.tensor([1, 2, 3])).item()).toBe(6);
        expect(nb.tensor(true).item()).toBe(1);
        expect(() => nb.tensor([1, 2]).item()).toThrow(/item: expected a tensor with one element, got shape \[2\]/);
        expect(() => nb.zeros([0]).item()).toThrow(nb.ValueError);
      }));

    it('at(i) takes a row along axis 0; negative i counts from the end', () =>
      on(backend, () => {
        const a = nb.tensor([[1, 2], [3, 4], [5, 6]]);
        expectClose(a.at(0), [1, 2]);
        expectClose(a.at(-1), [5, 6]);
        expectClose(a.at(-3), [1, 2]);
        expectClose(a.at(1).at(0), 3, { shape: [] });
        expectClose(a.T.at(1), [2, 4, 6]);
        expect(() => a.at(3)).toThrow(/at: index 3 is out of range for axis 0 of size 3/);
        expect(() => a.at(-4)).toThrow(nb.ShapeError);
        expect(() => a.at(0.5)).toThrow(nb.ShapeError);
        expect(() => nb.tensor(1).at(0)).toThrow(nb.ShapeError);
        expectClose(nb.exp(a).at(0), [Math.E, Math.E ** 2]);
      }));

    it('a.sub(a.at(0)) broadcasts the first row', () =>
      on(backend, () => {
        const a = nb.tensor([[1, 2], [3, 4], [5, 6]]);
        expectClose(a.sub(a.at(0)), [[0, 0], [2, 2], [4, 4]]);
      }));

    it('iterating yields the rows along axis 0', () =>
      on(backend, () => {
        const a = nb.tensor([[1, 2], [3, 4], [5, 6]], 'int32');
        const rows = [...a];
        expect(rows).toHaveLength(3);
        rows.forEach((r, i) => expectExact(r, [2 * i + 1, 2 * i + 2], 'int32'));
        const seen: number[] = [];
        for (const x of nb.tensor([7, 8, 9])) seen.push(x.item());
        expect(seen).toEqual([7, 8, 9]);
        expect([...nb.zeros([0, 2])]).toEqual([]);
        expect(() => [...nb.tensor(1)]).toThrow(nb.ShapeError);
      }));

    it('gradients flow through at() and iteration', () =>
      on(backend, () => {
        const a = nb.tensor([[1, 2], [3, 4]], 'float64');
        const tape = new nb.GradientTape();
        tape.watch(a);
        let total = nb.tensor(0, 'float64');
        for (const row of a) total = nb.add(total, nb.sum(nb.mul(row, a.at(-1))));
        // d/da of sum_i <a_i, a_1> = a_1 for every row, plus sum_i a_i for row 1
        expectClose(tape.gradient(total, a), [[3, 4], [3 + 4, 4 + 6]]);
      }));
  });
}
