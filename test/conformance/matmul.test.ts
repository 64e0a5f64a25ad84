import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { backendsUnderTest, checkGrad, expectClose, expectExact, on, sample, widestFloat } from './harness.js';
import { Rng, broadcastPartner, operand, randomShape, sizeOf, unravel } from './random-cases.js';

const A = [[1, 2, 3], [4, 5, 6]];
const B = [[7, 8], [9, 10], [11, 12]];
const AB = [[58, 64], [139, 154]];
const scale = (m: number[][], k: number) => m.map((r) => r.map((v) => v * k));

for (const backend of backendsUnderTest()) {
  describe(`matmul on ${backend}`, () => {
    it('2-D products', () =>
      on(backend, () => {
        expectClose(nb.matmul(nb.tensor([[1, 2], [3, 4]]), nb.tensor([[5, 6], [7, 8]])), [[19, 22], [43, 50]]);
        expectClose(nb.matmul(nb.tensor(A), nb.tensor(B)), AB);
        expectClose(nb.matmul(nb.tensor(B), nb.tensor(A)), [[39, 54, 69], [49, 68, 87], [59, 82, 105]]);
        expectClose(nb.tensor(A).matmul(nb.tensor(B)), AB);
        expectClose(nb.matmul(nb.tensor(A), B), AB);
      }));

    it('transposeA / transposeB: all four combinations, on copies and on views', () =>
      on(backend, () => {
        const a = nb.tensor(A);
        const b = nb.tensor(B);
        const at = nb.tensor([[1, 4], [2, 5], [3, 6]]);
        const bt = nb.tensor([[7, 9, 11], [8, 10, 12]]);
        expectClose(nb.matmul(a, b, { transposeA: false, transposeB: false }), AB);
        expectClose(nb.matmul(at, b, { transposeA: true }), AB);
        expectClose(nb.matmul(a, bt, { transposeB: true }), AB);
        expectClose(nb.matmul(at, bt, { transposeA: true, transposeB: true }), AB);
        expectClose(nb.matmul(a.T, b, { transposeA: true }), AB);
        expectClose(nb.matmul(a, b.T, { transposeB: true }), AB);
        expectClose(nb.matmul(b.T, a.T), [[58, 139], [64, 154]]);
        expectClose(a.matmul(bt, { transposeB: true }), AB);
      }));

    it('batched products broadcast their batch dimensions', () =>
      on(backend, () => {
        const a2 = nb.stack([nb.tensor(A), nb.tensor(scale(A, 2))]); // [2, 2, 3]
        const b2 = nb.stack([nb.tensor(B), nb.tensor(scale(B, -1))]); // [2, 3, 2]
        expectClose(nb.matmul(a2, nb.tensor(B)), [AB, scale(AB, 2)]);
        expectClose(nb.matmul(nb.tensor(A), b2), [AB, scale(AB, -1)]);
        expectClose(nb.matmul(a2, b2), [AB, scale(AB, -2)]);
        // [2, 1, 2, 3] @ [3, 3, 2] -> [2, 3, 2, 2]: out[i, j] = (i + 1)(j + 1) AB
        const a4 = nb.reshape(a2, [2, 1, 2, 3]);
        const b3 = nb.stack([1, 2, 3].map((k) => nb.tensor(scale(B, k))));
        const out = nb.matmul(a4, b3);
        expect(out.shape).toEqual([2, 3, 2, 2]);
        expectClose(out, [1, 2].map((i) => [1, 2, 3].map((j) => scale(AB, i * j))));
        expectClose(nb.matmul(a2, b2.transpose([0, 2, 1]), { transposeB: true }), [AB, scale(AB, -2)]);
        expect(() => nb.matmul(nb.zeros([2, 2, 3]), nb.zeros([3, 3, 2]))).toThrow(nb.ShapeError);
      }));

    it('vector operands are promoted and the added axis removed', () =>
      on(backend, () => {
        const v = nb.tensor([1, 2, 3]);
        expectClose(nb.matmul(v, nb.tensor(B)), [58, 64]);
        expectClose(nb.matmul(nb.tensor(A), nb.tensor([1, 1, 1])), [6, 15]);
        expectClose(nb.matmul(v, nb.tensor([4, 5, 6])), 32, { shape: [] });
        const a2 = nb.stack([nb.tensor(A), nb.tensor(scale(A, 2))]);
        expectClose(nb.matmul(a2, nb.tensor([1, 1, 1])), [[6, 15], [12, 30]]);
        expectClose(nb.matmul(nb.tensor([1, -1]), a2), [[-3, -3, -3], [-6, -6, -6]]);
        expect(() => nb.matmul(v, nb.tensor([1, 2]))).toThrow(nb.ShapeError);
      }));

    it('matches a nested-loop reference on random batch shapes, sizes and transposes', () =>
      on(backend, () => {
        const rng = new Rng(5);
        for (let trial = 0; trial < 50; trial++) {
          const batchA = randomShape(rng, 2);
          let batchB = broadcastPartner(rng, batchA);
          let ba = batchA;
          if (rng.bool()) [ba, batchB] = [batchB, ba];
          const [m, k, n] = [rng.int(0, 3), rng.int(0, 3), rng.int(0, 3)];
          const transposeA = rng.bool();
          const transposeB = rng.bool();
          const a = operand(rng, [...ba, ...(transposeA ? [k, m] : [m, k])], widestFloat(backend));
          const b = operand(rng, [...batchB, ...(transposeB ? [n, k] : [k, n])], widestFloat(backend));
          const rank = Math.max(ba.length, batchB.length);
          const dimOf = (s: number[], i: number) => s[i - rank + s.length] ?? 1;
          const batch = Array.from({ length: rank }, (_, i) => (dimOf(ba, i) === 1 ? dimOf(batchB, i) : dimOf(ba, i)));
          const outShape = [...batch, m, n];
          const expected = Array.from({ length: sizeOf(outShape) }, (_, o) => {
            const idx = unravel(o, outShape);
            const bi = idx.slice(0, rank);
            const pick = (s: number[]) => bi.slice(rank - s.length).map((v, j) => (s[j] === 1 ? 0 : v));
            const [i, j] = [idx[rank]!, idx[rank + 1]!];
            let acc = 0;
            for (let p = 0; p < k; p++) {
              acc += a.at([...pick(ba), ...(transposeA ? [p, i] : [i, p])]) * b.at([...pick(batchB), ...(transposeB ? [j, p] : [p, j])]);
            }
            return acc;
          });
          const got = nb.matmul(a.tensor, b.tensor, { transposeA, transposeB });
          const what = `${JSON.stringify(a.tensor.shape)}${transposeA ? 'T' : ''} @ ${JSON.stringify(b.tensor.shape)}${transposeB ? 'T' : ''}`;
          expect(got.shape, what).toEqual(outShape);
          // float32 operands are the float64 values rounded: their products are off by ~1e-7 relative.
          expectClose(got, expected, { shape: outShape, ...(got.dtype === 'float32' ? { rtol: 1e-5, atol: 1e-5 } : {}) });
        }
      }));

    it('dot and outer', () =>
      on(backend, () => {
        expectClose(nb.dot(nb.tensor([1, 2, 3]), nb.tensor([4, 5, 6])), 32, { shape: [] });
        expectClose(nb.tensor([1, 2, 3]).dot([4, 5, 6]), 32, { shape: [] });
        expectClose(nb.dot(nb.tensor(A), nb.tensor(B)), AB);
        expectClose(nb.outer(nb.tensor([1, 2]), nb.tensor([3, 4, 5])), [[3, 4, 5], [6, 8, 10]]);
        expectClose(nb.outer([1, 2], [3]), [[3], [6]]);
      }));

    it('int32 products stay int32; mixed dtypes promote', () =>
      on(backend, () => {
        expectExact(nb.matmul(nb.tensor(A, 'int32'), nb.tensor(B, 'int32')), AB, 'int32');
        expectExact(nb.matmul(nb.tensor([[-3, 1]], 'int32'), nb.tensor([[2], [7]], 'int32')), [[1]], 'int32');
        const mixed = nb.matmul(nb.tensor(A, 'int32'), nb.tensor(B));
        expect(mixed.dtype).toBe('float32');
        expectClose(mixed, AB);
      }));

    it('float64 products keep float64 precision', () =>
      on(backend, () => {
        const d = nb.matmul(nb.tensor([[1, 1e-12]], 'float64'), nb.tensor([[1], [1]], 'float64'));
        expect(d.dtype).toBe('float64');
        expect(d.dataSync()[0]).toBe(1 + 1e-12);
      }));

    it('empty operands', () =>
      on(backend, () => {
        expect(nb.matmul(nb.zeros([0, 3]), nb.zeros([3, 2])).shape).toEqual([0, 2]);
        expectClose(nb.matmul(nb.ones([2, 0]), nb.ones([0, 3])), [[0, 0, 0], [0, 0, 0]]);
        expect(nb.matmul(nb.zeros([0, 2, 3]), nb.zeros([3, 4])).shape).toEqual([0, 2, 4]);
      }));

    it('NaN and infinity propagate', () =>
      on(backend, () => {
        expectClose(nb.matmul(nb.tensor([[NaN, 1], [0, 1]]), nb.tensor([[1], [2]])), [[NaN], [2]]);
        expectClose(nb.matmul(nb.tensor([[0, 1]]), nb.tensor([[Infinity], [2]])), [[NaN]]);
        expectClose(nb.matmul(nb.tensor([[1, 1]]), nb.tensor([[Infinity], [2]])), [[Infinity]]);
      }));

    it('errors name the op, the shapes and the dtypes', () =>
      on(backend, () => {
        expect(() => nb.matmul(nb.tensor(A), nb.tensor(A))).toThrow(/matmul: inner dimensions differ: \[2, 3\] @ \[2, 3\]/);
        expect(() => nb.matmul(nb.tensor(A), nb.tensor(A), { transposeB: true })).not.toThrow();
        expect(() => nb.matmul(nb.tensor(1), nb.tensor(A))).toThrow(nb.ShapeError);
        expect(() => nb.matmul(nb.tensor([[true]]), nb.tensor([[false]]))).toThrow(nb.DTypeError);
      }));

    it('gradients for all transpose combinations', () =>
      on(backend, () => {
        for (const transposeA of [false, true]) {
          for (const transposeB of [false, true]) {
            const a = sample(transposeA ? [3, 2] : [2, 3], -1, 1, 71);
            const b = sample(transposeB ? [4, 3] : [3, 4], -1, 1, 72);
            checkGrad((x, y) => nb.matmul(x, y, { transposeA, transposeB }), [a, b]);
          }
        }
      }));

    it('gradients with broadcast batch dims, vectors, and strided views', () =>
      on(backend, () => {
        checkGrad((x, y) => nb.matmul(x, y), [sample([2, 1, 2, 3], -1, 1, 73), sample([3, 3, 4], -1, 1, 74)]);
        checkGrad((x, y) => nb.matmul(x, y, { transposeA: true, transposeB: true }), [sample([2, 3, 2], -1, 1, 75), sample([4, 3], -1, 1, 76)]);
        checkGrad((x, y) => nb.matmul(x, y, { transposeB: true }), [sample([1, 2, 3], -1, 1, 77), sample([5, 4, 3], -1, 1, 78)]);
        checkGrad((x, y) => nb.matmul(x, y), [sample([3], -1, 1, 79), sample([3, 4], -1, 1, 80)]);
        checkGrad((x, y) => nb.matmul(x, y), [sample([2, 2, 3], -1, 1, 81), sample([3], -1, 1, 82)]);
        checkGrad((x, y) => nb.dot(x, y), [sample([3], -1, 1, 83), sample([3], -1, 1, 84)]);
        checkGrad((x, y) => nb.outer(x, y), [sample([3], -1, 1, 85), sample([2], -1, 1, 86)]);
        checkGrad((x, y) => nb.matmul(x.T, y.index('::-1')), [sample([3, 2], -1, 1, 87), sample([3, 2], -1, 1, 88)]);
      }));

    it('second derivatives (d²/da db) vs finite differences', () =>
      on(backend, () => {
        const first = (which: 0 | 1) => (a: nb.Tensor, b: nb.Tensor) => {
          const tape = new nb.GradientTape();
          tape.watch(a, b);
          const y = nb.sum(nb.square(nb.matmul(a, b, { transposeB: true })));
          return tape.gradient(y, [a, b])[which]!;
        };
        const a = sample([2, 3], -1, 1, 89);
        const b = sample([4, 3], -1, 1, 90);
        checkGrad(first(0), [a, b], { eps: 1e-5, rtol: 1e-4, atol: 1e-6 });
        checkGrad(first(1), [a, b], { eps: 1e-5, rtol: 1e-4, atol: 1e-6 });
      }));
  });
}
