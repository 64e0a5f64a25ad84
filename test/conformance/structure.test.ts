import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { backendsUnderTest, checkGrad, expectClose, expectExact, on, sample, widestFloat } from './harness.js';
import { Rng, operand, randomShape, sizeOf, unravel } from './random-cases.js';

const M = [[1, 2, 3], [4, 5, 6]];

/** Source index along an axis of size n for output index i of a pad, or -1 for the constant. */
function padSource(mode: 'constant' | 'reflect' | 'symmetric', i: number, before: number, n: number): number {
  const j = i - before;
  if (j >= 0 && j < n) return j;
  if (mode === 'constant') return -1;
  if (mode === 'reflect') return j < 0 ? -j : 2 * (n - 1) - j;
  return j < 0 ? -j - 1 : 2 * n - 1 - j;
}

for (const backend of backendsUnderTest()) {
  describe(`structure ops on ${backend}`, () => {
    it('pad: constant (0 or a value), per-axis amounts, int32, empty, scalar', () =>
      on(backend, () => {
        const a = nb.tensor(M);
        expectClose(nb.pad(a, [[1, 0], [0, 2]]), [[0, 0, 0, 0, 0], [1, 2, 3, 0, 0], [4, 5, 6, 0, 0]]);
        expectClose(nb.pad(a, [[0, 1], [1, 0]], 9), [[9, 1, 2, 3], [9, 4, 5, 6], [9, 9, 9, 9]]);
        expectClose(nb.pad(a, [[0, 0], [1, 1]], { constantValue: -1 }), [[-1, 1, 2, 3, -1], [-1, 4, 5, 6, -1]]);
        expectClose(a.pad([[1, 1], [0, 0]]), [[0, 0, 0], [1, 2, 3], [4, 5, 6], [0, 0, 0]]);
        expectExact(nb.pad(nb.tensor([1, 2], 'int32'), [[2, 1]], 7), [7, 7, 1, 2, 7], 'int32');
        expectClose(nb.pad(nb.zeros([0]), [[1, 1]], 5), [5, 5]);
        expect(nb.pad(nb.zeros([2, 0]), [[0, 0], [0, 0]]).shape).toEqual([2, 0]);
        expectClose(nb.pad(nb.tensor(3), []), 3, { shape: [] });
        expectClose(nb.pad(a.T, [[0, 1], [0, 0]]), [[1, 4], [2, 5], [3, 6], [0, 0]]);
      }));

    it("pad: 'reflect' and 'symmetric' mirror like TensorFlow", () =>
      on(backend, () => {
        const a = nb.tensor(M);
        expectClose(nb.pad(nb.tensor([1, 2, 3, 4]), [[2, 2]], { mode: 'reflect' }), [3, 2, 1, 2, 3, 4, 3, 2]);
        expectClose(nb.pad(nb.tensor([1, 2, 3, 4]), [[2, 3]], { mode: 'symmetric' }), [2, 1, 1, 2, 3, 4, 4, 3, 2]);
        expectClose(nb.pad(a, [[1, 1], [2, 2]], { mode: 'reflect' }), [
          [6, 5, 4, 5, 6, 5, 4],
          [3, 2, 1, 2, 3, 2, 1],
          [6, 5, 4, 5, 6, 5, 4],
          [3, 2, 1, 2, 3, 2, 1],
        ]);
        expectClose(nb.pad(a, [[1, 1], [2, 2]], { mode: 'symmetric' }), [
          [2, 1, 1, 2, 3, 3, 2],
          [2, 1, 1, 2, 3, 3, 2],
          [5, 4, 4, 5, 6, 6, 5],
          [5, 4, 4, 5, 6, 6, 5],
        ]);
        expectClose(nb.pad(a, [[0, 0], [0, 0]], { mode: 'reflect' }), M);
      }));

    it('pad errors', () =>
      on(backend, () => {
        const a = nb.tensor(M);
        expect(() => nb.pad(a, [[1, 1]])).toThrow(/pad: expected 2 pairs/);
        expect(() => nb.pad(a, [[1, 1], [-1, 0]])).toThrow(nb.ShapeError);
        expect(() => nb.pad(a, [[2, 0], [0, 0]], { mode: 'reflect' })).toThrow(/reflect padding 2,0 is too large for axis 0 of size 2/);
        expect(() => nb.pad(a, [[3, 0], [0, 0]], { mode: 'symmetric' })).toThrow(nb.ShapeError);
        expect(nb.pad(a, [[2, 2], [0, 0]], { mode: 'symmetric' }).shape).toEqual([6, 3]);
      }));

    it('concat: axis 0, 1, -1; dtype promotion; empty parts; one part', () =>
      on(backend, () => {
        const a = nb.tensor(M);
        const b = nb.tensor([[7, 8, 9]]);
        expectClose(nb.concat([a, b], 0), [[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
        expectClose(nb.concat([a, nb.tensor([[0], [1]])], 1), [[1, 2, 3, 0], [4, 5, 6, 1]]);
        expectClose(nb.concat([nb.tensor([[0], [1]]), a, a.index(':, :1')], -1), [[0, 1, 2, 3, 1], [1, 4, 5, 6, 4]]);
        expectClose(nb.concat([a, nb.zeros([0, 3]), b]), [[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
        expectClose(nb.concat([a]), M);
        const mixed = nb.concat([nb.tensor([1, 2], 'int32'), nb.tensor([0.5])]);
        expect(mixed.dtype).toBe('float32');
        expectClose(mixed, [1, 2, 0.5]);
        expectExact(nb.concat([nb.tensor([true]), nb.tensor([false, true])]), [true, false, true], 'bool');
        expectClose(nb.concat([a.T, a.T.flip(0)], 1), [[1, 4, 3, 6], [2, 5, 2, 5], [3, 6, 1, 4]]);
      }));

    it('concat errors', () =>
      on(backend, () => {
        const a = nb.tensor(M);
        expect(() => nb.concat([])).toThrow(nb.ValueError);
        expect(() => nb.concat([a, nb.zeros([2, 2])], 0)).toThrow(/concat: shapes \[2, 3\], \[2, 2\] differ outside axis 0/);
        expect(() => nb.concat([a, nb.zeros([3])])).toThrow(nb.ShapeError);
        expect(() => nb.concat([nb.tensor(1), nb.tensor(2)])).toThrow(/use stack/);
        expect(() => nb.concat([a, a], 2)).toThrow(nb.ShapeError);
      }));

    it('stack and unstack', () =>
      on(backend, () => {
        const a = nb.tensor([1, 2, 3]);
        const b = nb.tensor([4, 5, 6]);
        expectClose(nb.stack([a, b]), M);
        expectClose(nb.stack([a, b], 1), [[1, 4], [2, 5], [3, 6]]);
        expectClose(nb.stack([a, b], -1), [[1, 4], [2, 5], [3, 6]]);
        expectClose(nb.stack([nb.tensor(1), nb.tensor(2)]), [1, 2]);
        expect(nb.stack([nb.tensor(M), nb.tensor(M)], 2).shape).toEqual([2, 3, 2]);
        expect(() => nb.stack([a, nb.zeros([2])])).toThrow(/stack: all tensors must have one shape/);
        expect(() => nb.stack([a, b], 2)).toThrow(nb.ShapeError);
        const rows = nb.unstack(nb.tensor(M));
        expect(rows).toHaveLength(2);
        expectClose(rows[1]!, [4, 5, 6]);
        const cols = nb.tensor(M).unstack(1);
        expect(cols).toHaveLength(3);
        expectClose(cols[2]!, [3, 6]);
        expectClose(nb.unstack(nb.tensor(M), -1)[0]!, [1, 4]);
        expect(nb.unstack(nb.zeros([0, 2]))).toEqual([]);
        expect(nb.unstack(nb.zeros([2, 0]), 1)).toEqual([]);
      }));

    it('split: equal parts and sizes with -1', () =>
      on(backend, () => {
        const a = nb.tensor(M);
        const [r0, r1] = nb.split(a, 2);
        expectClose(r0!, [[1, 2, 3]]);
        expectClose(r1!, [[4, 5, 6]]);
        const cols = nb.split(a, 3, 1);
        expect(cols.map((c) => c.shape)).toEqual([[2, 1], [2, 1], [2, 1]]);
        expectClose(cols[1]!, [[2], [5]]);
        const [p, q] = nb.split(a, [1, -1], 1);
        expectClose(p!, [[1], [4]]);
        expectClose(q!, [[2, 3], [5, 6]]);
        const parts = a.split([2, 0, 1], -1);
        expect(parts.map((c) => c.shape)).toEqual([[2, 2], [2, 0], [2, 1]]);
        expectClose(parts[2]!, [[3], [6]]);
        expect(() => nb.split(a, 2, 1)).toThrow(/split: axis 1 of size 3 cannot be split into 2 equal parts/);
        expect(() => nb.split(a, [1, 1], 1)).toThrow(/split: sizes \[1,1\] must be non-negative integers \(one may be -1\) adding up to axis 1 of size 3/);
        expect(() => nb.split(a, [1.5, 1.5], 1)).toThrow(nb.ShapeError);
        expect(() => nb.split(a, [-1, -1], 1)).toThrow(nb.ShapeError);
        expect(() => nb.split(a, [4, -1], 1)).toThrow(nb.ShapeError);
        expect(() => nb.split(a, 0)).toThrow(nb.ShapeError);
      }));

    it('tile', () =>
      on(backend, () => {
        const a = nb.tensor(M);
        expectClose(nb.tile(a, [2, 1]), [[1, 2, 3], [4, 5, 6], [1, 2, 3], [4, 5, 6]]);
        expectClose(a.tile([1, 2]), [[1, 2, 3, 1, 2, 3], [4, 5, 6, 4, 5, 6]]);
        expectClose(nb.tile(nb.tensor([1, 2]), [3]), [1, 2, 1, 2, 1, 2]);
        expect(nb.tile(a, [1, 0]).shape).toEqual([2, 0]);
        expectExact(nb.tile(nb.tensor([[true, false]]), [2, 1]), [[true, false], [true, false]], 'bool');
        expectClose(nb.tile(a.T, [1, 2]), [[1, 4, 1, 4], [2, 5, 2, 5], [3, 6, 3, 6]]);
        expect(() => nb.tile(a, [2])).toThrow(/tile: reps \[2\] must be 2 non-negative integers/);
        expect(() => nb.tile(a, [1, -1])).toThrow(nb.ShapeError);
      }));

    it('pad (every mode), tile and concat match nested-loop references on random shapes', () =>
      on(backend, () => {
        const rng = new Rng(31);
        const dtype = widestFloat(backend);
        // Moved elements are exact in either width: the operand's values rounded to it.
        const round = dtype === 'float32' ? Math.fround : (v: number) => v;
        const exactly = { rtol: 0, atol: 0 };
        for (let trial = 0; trial < 60; trial++) {
          const shape = randomShape(rng, 3, 4).map((d) => Math.max(d, 1));
          const x = operand(rng, shape, dtype);
          const mode = (['constant', 'reflect', 'symmetric'] as const)[trial % 3]!;
          const limit = (d: number) => (mode === 'constant' ? 3 : mode === 'reflect' ? d - 1 : d);
          const paddings = shape.map((d) => [rng.int(0, limit(d)), rng.int(0, limit(d))] as [number, number]);
          const padded = nb.pad(x.tensor, paddings, { mode, constantValue: 9 });
          const outShape = shape.map((d, i) => d + paddings[i]![0] + paddings[i]![1]);
          const what = `${mode} pad of ${JSON.stringify(shape)} by ${JSON.stringify(paddings)}`;
          expect(padded.shape, what).toEqual(outShape);
          const expectedPad = Array.from({ length: sizeOf(outShape) }, (_, o) => {
            const src = unravel(o, outShape).map((i, ax) => padSource(mode, i, paddings[ax]![0], shape[ax]!));
            return src.includes(-1) ? 9 : round(x.at(src));
          });
          expectClose(padded, expectedPad, { shape: outShape, ...exactly });

          const reps = shape.map(() => rng.int(0, 3));
          const tiled = nb.tile(x.tensor, reps);
          const tiledShape = shape.map((d, i) => d * reps[i]!);
          expect(tiled.shape).toEqual(tiledShape);
          const expectedTile = Array.from({ length: sizeOf(tiledShape) }, (_, o) => round(x.at(unravel(o, tiledShape).map((i, ax) => i % shape[ax]!))));
          expectClose(tiled, expectedTile, { shape: tiledShape, ...exactly });

          if (shape.length === 0) continue;
          const axis = rng.int(0, shape.length - 1);
          const y = operand(rng, shape.map((d, i) => (i === axis ? rng.int(0, 3) : d)), dtype);
          const joined = nb.concat([x.tensor, y.tensor], axis - (rng.bool() ? shape.length : 0));
          const joinedShape = shape.map((d, i) => (i === axis ? d + y.tensor.shape[i]! : d));
          const expectedConcat = Array.from({ length: sizeOf(joinedShape) }, (_, o) => {
            const idx = unravel(o, joinedShape);
            const i = idx[axis]!;
            return round(i < shape[axis]! ? x.at(idx) : y.at(idx.map((v, ax) => (ax === axis ? i - shape[axis]! : v))));
          });
          expect(joined.shape).toEqual(joinedShape);
          expectClose(joined, expectedConcat, { shape: joinedShape, ...exactly });
        }
      }));

    it('gradients: pad (all modes), concat, stack, unstack, split, tile', () =>
      on(backend, () => {
        const x = sample([3, 4], -1, 1, 61);
        const y = sample([2, 4], -1, 1, 62);
        checkGrad((t) => nb.pad(t, [[1, 2], [0, 3]], 0.5), [x]);
        checkGrad((t) => nb.pad(t, [[2, 1], [3, 1]], { mode: 'reflect' }), [x]);
        checkGrad((t) => nb.pad(t, [[3, 1], [2, 4]], { mode: 'symmetric' }), [x]);
        checkGrad((s, t) => nb.concat([s, t, s], 0), [x, y]);
        checkGrad((s, t) => nb.concat([s.T, t.T], -1), [x, y]);
        checkGrad((s, t) => nb.stack([s.index('1:'), t], 1), [x, y]);
        checkGrad((t) => nb.mul(nb.unstack(t, 1)[2]!, nb.unstack(t)[0]!.index(':3')), [x]);
        checkGrad((t) => {
          const [p, q] = nb.split(t, [1, -1], 1);
          return nb.concat([nb.mul(q!, 2), p!], 1);
        }, [x]);
        checkGrad((t) => nb.tile(t, [2, 3]), [x]);
        checkGrad((t) => nb.tile(t.index('::-1'), [1, 2]), [x]);
      }));
  });
}
