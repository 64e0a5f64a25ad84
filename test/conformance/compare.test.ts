import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { backendsUnderTest, expectExact, on, onExcept, widestFloat } from './harness.js';
import { Rng, broadcastPartner, operand, randomShape, sizeOf, unravel } from './random-cases.js';

const T = true;
const F = false;

for (const backend of backendsUnderTest()) {
  describe(`compare and logical ops on ${backend}`, () => {
    it('comparisons give bool tensors', () =>
      on(backend, () => {
        const a = nb.tensor([1, 2, 3, -1]);
        const b = nb.tensor([1, 3, 2, -1]);
        expectExact(nb.equal(a, b), [T, F, F, T], 'bool');
        expectExact(nb.notEqual(a, b), [F, T, T, F], 'bool');
        expectExact(nb.less(a, b), [F, T, F, F], 'bool');
        expectExact(nb.lessEqual(a, b), [T, T, F, T], 'bool');
        expectExact(nb.greater(a, b), [F, F, T, F], 'bool');
        expectExact(nb.greaterEqual(a, b), [T, F, T, T], 'bool');
      }));

    it('comparisons broadcast (column vs row, scalar number)', () =>
      on(backend, () => {
        const col = nb.tensor([[1], [3]]);
        const row = nb.tensor([1, 2, 3]);
        expectExact(nb.less(col, row), [[F, T, T], [F, F, F]], 'bool');
        expectExact(nb.greaterEqual(col, row), [[T, F, F], [T, T, T]], 'bool');
        expectExact(nb.greater(row, 1.5), [F, T, T], 'bool');
        expectExact(nb.less(2, row), [F, F, T], 'bool');
        expect(nb.equal(nb.zeros([0, 3]), row).shape).toEqual([0, 3]);
        expect(() => nb.equal(nb.zeros([2]), nb.zeros([3]))).toThrow(nb.ShapeError);
      }));

    it('NaN compares unequal to everything, itself included', () =>
      on(backend, () => {
        const a = nb.tensor([NaN, NaN, 1]);
        const b = nb.tensor([NaN, 1, NaN]);
        expectExact(nb.equal(a, b), [F, F, F]);
        expectExact(nb.notEqual(a, b), [T, T, T]);
        expectExact(nb.less(a, b), [F, F, F]);
        expectExact(nb.lessEqual(a, b), [F, F, F]);
        expectExact(nb.greater(a, b), [F, F, F]);
        expectExact(nb.greaterEqual(a, b), [F, F, F]);
      }));

    it('mixed dtypes compare by value; a number takes the tensor dtype', () =>
      on(backend, () => {
        const i = nb.tensor([0, 1, 2], 'int32');
        expectExact(nb.greater(i, 0.5), [F, T, T]);
        expectExact(nb.equal(i, nb.tensor([0, 1.5, 2])), [T, F, T]);
        // 0.1 is rounded to float32 like the tensor's element, so they are equal
        expectExact(nb.equal(nb.tensor([0.1]), 0.1), [T]);
        expectExact(nb.equal(nb.tensor([T, F]), nb.tensor([T, T])), [T, F]);
        expectExact(nb.equal(nb.tensor([T, F]), true), [T, F]);
        expectExact(nb.equal(nb.round(nb.tensor([0.4, 1.6])), nb.round(nb.tensor([0.1, 2.4]))), [T, T]);
      }));

    it('a number compared with a float64 tensor stays a float64', () =>
      on(backend, () => {
        expectExact(nb.equal(nb.tensor([0.1], 'float64'), 0.1), [T]);
        expectExact(nb.equal(nb.tensor([Math.fround(0.1)], 'float64'), 0.1), [F]);
      }));

    it('logicalAnd, logicalOr, logicalXor: truth tables with broadcasting; logicalNot', () =>
      on(backend, () => {
        const a = nb.tensor([[T], [F]]);
        const b = nb.tensor([T, F]);
        expectExact(nb.logicalAnd(a, b), [[T, F], [F, F]], 'bool');
        expectExact(nb.logicalOr(a, b), [[T, T], [T, F]], 'bool');
        expectExact(nb.logicalXor(a, b), [[F, T], [T, F]], 'bool');
        expectExact(nb.logicalNot(b), [F, T], 'bool');
        expectExact(nb.logicalAnd(b, true), [T, F], 'bool');
        // non-bool inputs count non-zero as true
        expectExact(nb.logicalOr(nb.tensor([0, 2, 0]), nb.tensor([0, 0, -1])), [F, T, T], 'bool');
      }));

    it('match a nested-loop reference on random broadcast shape pairs (contiguous and strided)', (ctx) =>
      onExcept(ctx, backend, { webgpu: 'it reads with dataSync()' }, () => {
        const rng = new Rng(13);
        const ops: [(a: nb.Tensor, b: nb.Tensor) => nb.Tensor, (x: number, y: number) => boolean][] = [
          [nb.less, (x, y) => x < y],
          [nb.greaterEqual, (x, y) => x >= y],
          [nb.equal, (x, y) => x === y],
          [nb.logicalXor, (x, y) => (x !== 0) !== (y !== 0)],
        ];
        for (let trial = 0; trial < 40; trial++) {
          let sa = randomShape(rng);
          let sb = broadcastPartner(rng, sa);
          if (rng.bool()) [sa, sb] = [sb, sa];
          const a = operand(rng, sa, 'int32');
          const b = operand(rng, sb, 'int32');
          const rank = Math.max(sa.length, sb.length);
          const dimOf = (s: number[], i: number) => s[i - rank + s.length] ?? 1;
          const shape = Array.from({ length: rank }, (_, i) => (dimOf(sa, i) === 1 ? dimOf(sb, i) : dimOf(sa, i)));
          const [op, f] = ops[trial % ops.length]!;
          const pickFrom = (idx: number[], s: number[]) => idx.slice(idx.length - s.length).map((v, j) => (s[j] === 1 ? 0 : v));
          const expected = Array.from({ length: sizeOf(shape) }, (_, i) => {
            const idx = unravel(i, shape);
            return f(Math.trunc(a.at(pickFrom(idx, sa))), Math.trunc(b.at(pickFrom(idx, sb)))) ? 1 : 0;
          });
          const got = op(a.tensor, b.tensor);
          expect(got.dtype).toBe('bool');
          expect(got.shape).toEqual(shape);
          expect(Array.from(got.dataSync()), `${JSON.stringify(sa)} with ${JSON.stringify(sb)}`).toEqual(expected);
        }
      }));

    it('methods mirror the functions', () =>
      on(backend, () => {
        const a = nb.tensor([1, 2, 3]);
        expectExact(a.greater(1), [F, T, T]);
        expectExact(a.lessEqual(2).logicalAnd(a.notEqual(1)), [F, T, F]);
        expectExact(a.equal(2).logicalOr(a.greaterEqual(3)).logicalXor(a.less(2)), [T, T, T]);
        expectExact(a.equal(2).logicalNot(), [T, F, T]);
      }));

    it('works on strided views', () =>
      on(backend, () => {
        const a = nb.tensor([[1, 2, 3], [4, 5, 6]]);
        expectExact(nb.greater(a.transpose(), nb.tensor([2, 4]).broadcastTo([3, 2])), [[F, F], [F, T], [T, T]]);
        expectExact(nb.equal(a.index(':, ::-1'), a.flip(1)), [[T, T, T], [T, T, T]]);
      }));

    it('comparisons have no gradient', () =>
      on(backend, () => {
        const x = nb.tensor([1, 2], widestFloat(backend));
        const tape = new nb.GradientTape();
        tape.watch(x);
        const y = nb.cast(nb.greater(x, 1.5), widestFloat(backend));
        expect(tape.gradient(nb.sum(y), x)).toBeNull();
      }));
  });
}
