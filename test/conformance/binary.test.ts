import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { backendsUnderTest, checkGrad, expectClose, expectExact, on, sample, widestFloat } from './harness.js';
import { Rng, broadcastPartner, operand, randomShape, sizeOf, unravel } from './random-cases.js';

type Binary = (a: nb.TensorLike, b: nb.TensorLike) => nb.Tensor;
const fn = (name: string) => (nb as unknown as Record<string, Binary>)[name]!;

/** d/d(a,b) of sum(op(a, b)), as a function of (a, b): its gradient is the op's second derivative. */
function firstDerivative(op: Binary, which: 0 | 1) {
  return (a: nb.Tensor, b: nb.Tensor) => {
    const tape = new nb.GradientTape();
    tape.watch(a, b);
    const y = nb.sum(op(a, b));
    return tape.gradient(y, [a, b], { unconnectedGradients: 'zero' })[which]!;
  };
}

// Gradient domains [aLo, aHi, bLo, bHi] keep away from kinks and poles.
const gradCases: [string, [number, number, number, number]][] = [
  ['add', [-2, 2, -2, 2]],
  ['sub', [-2, 2, -2, 2]],
  ['mul', [-2, 2, -2, 2]],
  ['div', [-2, 2, 0.5, 2]],
  ['mod', [0.1, 2.9, 1.05, 1.3]],
  ['pow', [0.5, 2, -1.5, 2]],
  ['maximum', [-2, 2, -2, 2]],
  ['minimum', [-2, 2, -2, 2]],
  ['atan2', [-2, 2, 0.5, 2]],
  ['squaredDifference', [-2, 2, -2, 2]],
  ['divNoNan', [-2, 2, 0.5, 2]],
  ['logaddexp', [-2, 2, -2, 2]],
  ['xlogy', [-2, 2, 0.5, 2]],
  ['hypot', [0.5, 2, -2, -0.5]],
];

// Broadcast pairs of shapes: same, row, column, scalar, rank-3 vs rank-2.
const shapePairs: [number[], number[]][] = [
  [[2, 3], [2, 3]],
  [[2, 3], [3]],
  [[2, 3], [2, 1]],
  [[], [2, 3]],
  [[2, 1, 3], [4, 1]],
];

for (const backend of backendsUnderTest()) {
  describe(`binary ops on ${backend}`, () => {
    it('logaddexp, xlogy and hypot: values, with their edge cases', () =>
      on(backend, () => {
        expectClose(nb.logaddexp([0, 1, -Infinity, Infinity, 1000], [0, 2, -Infinity, Infinity, 1000]), [
          Math.LN2, 2 + Math.log1p(Math.exp(-1)), -Infinity, Infinity, 1000 + Math.LN2,
        ]);
        expectClose(nb.xlogy([0, 0, 2, 3], [0, 5, Math.E, 1]), [0, 0, 2, 0]);
        expectClose(nb.hypot([3, 0, -5, 1e30], [4, 0, 12, 1e30]), [5, 0, 13, 1e30 * Math.SQRT2]);
        expectClose(nb.tensor([3]).hypot(4), [5]);
      }));

    /** For the gradient cases below, whose values are exact in float32 too: they run on webgpu as well. */
    const F = widestFloat(backend);
    it('add broadcasts like numpy: row, column, scalar, rank-3 vs rank-1', () =>
      on(backend, () => {
        const a = nb.tensor([[1, 2, 3], [4, 5, 6]]);
        expectClose(nb.add(a, [10, 20, 30]), [[11, 22, 33], [14, 25, 36]]);
        expectClose(nb.add(a, nb.tensor([[100], [200]])), [[101, 102, 103], [204, 205, 206]]);
        expectClose(nb.add(a, 1), [[2, 3, 4], [5, 6, 7]]);
        expectClose(nb.add(1, a), [[2, 3, 4], [5, 6, 7]]);
        const r3 = nb.tensor([[[1, 2, 3]], [[4, 5, 6]]]); // [2, 1, 3]
        expectClose(nb.add(r3, nb.tensor([10, 20, 30])), [[[11, 22, 33]], [[14, 25, 36]]]);
        expectClose(nb.add(r3, nb.tensor([[0], [100]])), [
          [[1, 2, 3], [101, 102, 103]],
          [[4, 5, 6], [104, 105, 106]],
        ]);
        expectClose(nb.add(nb.tensor([[1], [2]]), nb.tensor([10, 20, 30])), [[11, 21, 31], [12, 22, 32]]);
      }));

    it('size-0 operands broadcast to size-0 results', () =>
      on(backend, () => {
        expect(nb.add(nb.zeros([0, 3]), nb.tensor([1, 2, 3])).shape).toEqual([0, 3]);
        expect(nb.mul(nb.zeros([2, 0]), nb.ones([1, 1])).shape).toEqual([2, 0]);
        expect(nb.sub(nb.zeros([0]), 5).shape).toEqual([0]);
        expect(nb.add(nb.zeros([3, 1, 0]), nb.zeros([4, 1])).shape).toEqual([3, 4, 0]);
      }));

    it('non-broadcastable shapes raise a ShapeError naming the op and shapes', () =>
      on(backend, () => {
        expect(() => nb.add(nb.zeros([2, 3]), nb.zeros([2]))).toThrow(nb.ShapeError);
        expect(() => nb.mul(nb.zeros([2, 3]), nb.zeros([4, 3]))).toThrow(/mul.*\[2, 3\].*\[4, 3\]/);
      }));

    it('sub, mul, div, squaredDifference, atan2: values', () =>
      on(backend, () => {
        const a = nb.tensor([1, -2, 3.5, 0]);
        const b = nb.tensor([4, 2, -0.5, 3]);
        expectClose(nb.sub(a, b), [-3, -4, 4, -3]);
        expectClose(nb.mul(a, b), [4, -4, -1.75, 0]);
        expectClose(nb.div(a, b), [0.25, -1, -7, 0]);
        expectClose(nb.squaredDifference(a, b), [9, 16, 16, 9]);
        expectClose(nb.atan2(nb.tensor([1, 1, -1, 0, 1]), nb.tensor([1, -1, -1, 1, 0])), [
          Math.PI / 4,
          (3 * Math.PI) / 4,
          (-3 * Math.PI) / 4,
          0,
          Math.PI / 2,
        ]);
      }));

    it('float division by zero gives ±inf and NaN; divNoNan gives 0', () =>
      on(backend, () => {
        expectClose(nb.div(nb.tensor([1, -1, 0]), 0), [Infinity, -Infinity, NaN]);
        expectClose(nb.divNoNan(nb.tensor([1, 2, 0, -3]), nb.tensor([0, 4, 0, 2])), [0, 0.5, 0, -1.5]);
        expect(nb.divNoNan(nb.tensor([1, 2]), nb.tensor([0, 4])).dtype).toBe('float32');
      }));

    it('floorDiv and mod follow floor semantics (Python/TensorFlow) for int32 and floats', () =>
      on(backend, () => {
        const a = nb.tensor([7, -7, 7, -7, 6, 0], 'int32');
        const b = nb.tensor([2, 2, -2, -2, 3, 5], 'int32');
        expectExact(nb.floorDiv(a, b), [3, -4, -4, 3, 2, 0], 'int32');
        expectExact(nb.mod(a, b), [1, 1, -1, -1, 0, 0], 'int32');
        const fa = nb.tensor([7.5, -7.5, 7.5, -7.5, 1, -1, 0]);
        const fb = nb.tensor([2, 2, -2, -2, 0, 0, 0]);
        expectClose(nb.floorDiv(fa, fb), [3, -4, -4, 3, Infinity, -Infinity, NaN]);
        expectClose(nb.mod(nb.tensor([7.5, -7.5, 7.5, -7.5, 1]), nb.tensor([2, 2, -2, -2, 0])), [1.5, 0.5, -0.5, -1.5, NaN]);
        // a == floorDiv(a, b) * b + mod(a, b) for every sign combination
        const back = nb.add(nb.mul(nb.floorDiv(a, b), b), nb.mod(a, b));
        expectExact(back, [7, -7, 7, -7, 6, 0], 'int32');
      }));

    it('int32 division by zero gives 0 (as numpy) rather than a garbage value', () =>
      on(backend, () => {
        const a = nb.tensor([5, -5, 0], 'int32');
        expectExact(nb.floorDiv(a, nb.tensor([0, 0, 0], 'int32')), [0, 0, 0], 'int32');
        expectExact(nb.mod(a, nb.tensor([0, 0, 0], 'int32')), [0, 0, 0], 'int32');
        // true division always gives floats
        expectClose(nb.div(a, nb.tensor([0, 2, 0], 'int32')), [Infinity, -2.5, NaN]);
        expect(nb.div(a, a).dtype).toBe('float32');
      }));

    it('int32 arithmetic wraps like C int32', () =>
      on(backend, () => {
        expectExact(nb.add(nb.tensor([2147483647], 'int32'), 1), [-2147483648], 'int32');
        expectExact(nb.mul(nb.tensor([65536, 3], 'int32'), nb.tensor([65536, -4], 'int32')), [0, -12], 'int32');
        expectExact(nb.sub(nb.tensor([-2147483648], 'int32'), 1), [2147483647], 'int32');
      }));

    it('pow: integer powers stay int32, negative int exponents, floats', () =>
      on(backend, () => {
        const a = nb.tensor([2, 3, -2, 5, 0], 'int32');
        expectExact(nb.pow(a, nb.tensor([3, 2, 3, 0, 0], 'int32')), [8, 9, -8, 1, 1], 'int32');
        expectExact(nb.pow(nb.tensor([2, 1, -1, -1], 'int32'), nb.tensor([-1, -2, -3, -2], 'int32')), [0, 1, -1, 1], 'int32');
        expectClose(nb.pow(nb.tensor([4, 2, -8, 0, 9]), nb.tensor([0.5, -1, 1 / 3, 0, 1.5])), [2, 0.5, NaN, 1, 27]);
        expectClose(nb.pow(nb.tensor([-2, -3]), 2), [4, 9]);
        expect(nb.pow(a, 0.5).dtype).toBe('float32');
      }));

    it('maximum and minimum propagate NaN and keep int32', () =>
      on(backend, () => {
        const a = nb.tensor([1, NaN, 3, -1]);
        const b = nb.tensor([2, 2, NaN, -1]);
        expectClose(nb.maximum(a, b), [2, NaN, NaN, -1]);
        expectClose(nb.minimum(a, b), [1, NaN, NaN, -1]);
        expectExact(nb.maximum(nb.tensor([1, 5, -3], 'int32'), 2), [2, 5, 2], 'int32');
        expectExact(nb.minimum(nb.tensor([1, 5, -3], 'int32'), 2), [1, 2, -3], 'int32');
      }));

    it('NaN and infinities propagate through arithmetic', () =>
      on(backend, () => {
        const a = nb.tensor([NaN, Infinity, Infinity, -Infinity]);
        const b = nb.tensor([1, 1, -Infinity, 2]);
        expectClose(nb.add(a, b), [NaN, Infinity, NaN, -Infinity]);
        expectClose(nb.mul(a, nb.tensor([1, 0, -2, -1])), [NaN, NaN, -Infinity, Infinity]);
        expectClose(nb.sub(a, a), [NaN, NaN, NaN, NaN]);
        expectClose(nb.mod(nb.tensor([NaN, 1]), nb.tensor([1, NaN])), [NaN, NaN]);
        expectClose(nb.pow(nb.tensor([NaN, 1]), nb.tensor([0, NaN])), [1, 1]);
      }));

    it('dtype promotion: bool < int32 < float32 < float64', () =>
      on(backend, () => {
        const bo = nb.tensor([true, false]);
        const i = nb.tensor([1, 2], 'int32');
        const f = nb.tensor([0.5, 0.25]);
        const d = nb.tensor([0.5, 0.25], 'float64');
        expect(nb.add(bo, i).dtype).toBe('int32');
        expect(nb.add(i, f).dtype).toBe('float32');
        expect(nb.add(f, d).dtype).toBe('float64');
        expect(nb.mul(bo, f).dtype).toBe('float32');
        expect(nb.sub(d, i).dtype).toBe('float64');
        expectExact(nb.add(bo, i), [2, 2], 'int32');
        expectClose(nb.add(i, f), [1.5, 2.25]);
        expect(() => nb.add(bo, bo)).toThrow(nb.DTypeError);
        expect(nb.atan2(i, i).dtype).toBe('float32');
        expect(nb.atan2(d, i).dtype).toBe('float64');
      }));

    it('JS numbers are weakly typed: they take the tensor operand dtype', () =>
      on(backend, () => {
        const i = nb.tensor([1, 2], 'int32');
        expectExact(nb.add(i, 2), [3, 4], 'int32');
        expectExact(nb.mul(3, i), [3, 6], 'int32');
        // a non-integer number cannot be int32: the result is float32
        expect(nb.add(i, 0.5).dtype).toBe('float32');
        expectClose(nb.add(i, 0.5), [1.5, 2.5]);
        expect(nb.mul(nb.tensor([1, 2]), 2).dtype).toBe('float32');
        // bool tensors with an integer number count in int32, as in PyTorch/JAX
        expectExact(nb.add(nb.tensor([true, false]), 1), [2, 1], 'int32');
        expectClose(nb.mul(nb.tensor([true, false]), 1.5), [1.5, 0]);
        // typed and nested arrays count like tensors of their dtype
        expectExact(nb.add(new Int32Array([1, 2]), 1), [2, 3], 'int32');
        expectExact(nb.mul(2, new Int32Array([1, 2])), [2, 4], 'int32');
        expect(nb.add([1, 2], 1).dtype).toBe('float32');
        // two numbers: float32
        expect(nb.add(1, 2).dtype).toBe('float32');
        expectClose(nb.add(1, 2), 3);
      }));

    it('a number with a float64 tensor or Float64Array gives float64', () =>
      on(backend, () => {
        expect(nb.add(nb.tensor([1, 2], 'float64'), 1).dtype).toBe('float64');
        expect(nb.add(new Float64Array([1]), 1).dtype).toBe('float64');
      }));

    it('float64 keeps its precision', () =>
      on(backend, () => {
        const a = nb.tensor([1], 'float64');
        expect(nb.add(a, 1e-12).dataSync()[0]).toBe(1 + 1e-12);
        // float32 cannot hold 1 + 1e-12
        expect(nb.add(nb.tensor([1]), 1e-12).dataSync()[0]).toBe(1);
      }));

    it('matches a nested-loop reference on random broadcast shape pairs (contiguous and strided)', () =>
      on(backend, () => {
        const rng = new Rng(2024);
        const round = widestFloat(backend) === 'float32' ? Math.fround : (v: number) => v;
        const ops: [Binary, (x: number, y: number) => number][] = [
          [nb.add, (x, y) => x + y],
          [nb.mul, (x, y) => x * y],
          [nb.sub, (x, y) => x - y],
          [nb.maximum, (x, y) => Math.max(x, y)],
        ];
        for (let trial = 0; trial < 60; trial++) {
          let sa = randomShape(rng);
          let sb = broadcastPartner(rng, sa);
          if (rng.bool()) [sa, sb] = [sb, sa];
          const a = operand(rng, sa, widestFloat(backend));
          const b = operand(rng, sb, widestFloat(backend));
          const rank = Math.max(sa.length, sb.length);
          const dimOf = (s: number[], i: number) => s[i - rank + s.length] ?? 1;
          const shape = Array.from({ length: rank }, (_, i) => (dimOf(sa, i) === 1 ? dimOf(sb, i) : dimOf(sa, i)));
          const [op, f] = ops[trial % ops.length]!;
          const expected = Array.from({ length: sizeOf(shape) }, (_, i) => {
            const idx = unravel(i, shape);
            const pick = (s: number[]) => idx.slice(idx.length - s.length).map((v, j) => (s[j] === 1 ? 0 : v));
            return round(f(round(a.at(pick(sa))), round(b.at(pick(sb)))));
          });
          const got = op(a.tensor, b.tensor);
          expect(got.shape, `${JSON.stringify(sa)} with ${JSON.stringify(sb)}`).toEqual(shape);
          // IEEE results are exact in either width: the operands and the result rounded to it.
          expectClose(got, expected, { shape, rtol: 0, atol: 0 });
        }
      }));

    it('methods mirror the functions', () =>
      on(backend, () => {
        const a = nb.tensor([[1, 2], [3, 4]]);
        expectClose(a.add(1).mul(2).sub(a).div(2), [[1.5, 2], [2.5, 3]]);
        expectClose(a.pow(2).squaredDifference(a), [[0, 4], [36, 144]]);
        expectClose(a.maximum(2.5).minimum(3.5), [[2.5, 2.5], [3, 3.5]]);
        expectClose(a.mod(3).floorDiv(2), [[0, 1], [0, 0]]);
        expectClose(a.atan2(a), [[Math.PI / 4, Math.PI / 4], [Math.PI / 4, Math.PI / 4]]);
      }));

    it('works on strided views', () =>
      on(backend, () => {
        const a = nb.tensor([[1, 2, 3], [4, 5, 6]]);
        expectClose(nb.add(a.transpose(), a.index('::-1, :').transpose()), [[5, 5], [7, 7], [9, 9]]);
        expectClose(nb.mul(a.index(':, ::2'), nb.tensor([10, 100]).broadcastTo([2, 2])), [[10, 300], [40, 600]]);
      }));

    for (const [name, [aLo, aHi, bLo, bHi]] of gradCases) {
      it(`${name}: gradients with broadcasting vs finite differences`, () =>
        on(backend, () => {
          shapePairs.forEach(([sa, sb], k) => {
            const a = sample(sa, aLo, aHi, 3 + k);
            const b = sample(sb, bLo, bHi, 11 + k);
            checkGrad(fn(name), [a, b]);
            checkGrad(fn(name), [sample(sb, aLo, aHi, 5 + k), sample(sa, bLo, bHi, 17 + k)]);
          });
        }));
    }

    for (const name of ['mul', 'div', 'pow']) {
      it(`${name}: second derivatives (d²/da², d²/da db, d²/db²) vs finite differences`, () =>
        on(backend, () => {
          const [aLo, aHi, bLo, bHi] = gradCases.find(([n]) => n === name)![1];
          const a = sample([2, 3], aLo, aHi, 21);
          const b = sample([2, 3], bLo, bHi, 22);
          const opts = { eps: 1e-5, rtol: 1e-4, atol: 1e-6 };
          checkGrad(firstDerivative(fn(name), 0), [a, b], opts);
          checkGrad(firstDerivative(fn(name), 1), [a, b], opts);
          // and with a broadcast operand
          checkGrad(firstDerivative(fn(name), 0), [a, sample([3], bLo, bHi, 23)], opts);
          checkGrad(firstDerivative(fn(name), 1), [a, sample([3], bLo, bHi, 23)], opts);
        }));
    }

    it('maximum/minimum send the gradient of ties to the first operand', () =>
      on(backend, () => {
        const a = nb.tensor([1, 2, 3], F);
        const b = nb.tensor([1, 1, 4], F);
        for (const [op, da, db] of [
          [nb.maximum, [1, 1, 0], [0, 0, 1]],
          [nb.minimum, [1, 0, 1], [0, 1, 0]],
        ] as const) {
          const tape = new nb.GradientTape();
          tape.watch(a, b);
          const [ga, gb] = tape.gradient(nb.sum(op(a, b)), [a, b]);
          expectExact(ga!, [...da]);
          expectExact(gb!, [...db]);
        }
      }));

    it('divNoNan has zero (not NaN) gradients where the divisor is zero', () =>
      on(backend, () => {
        const a = nb.tensor([1, 2], F);
        const b = nb.tensor([0, 4], F);
        const tape = new nb.GradientTape();
        tape.watch(a, b);
        const [ga, gb] = tape.gradient(nb.sum(nb.divNoNan(a, b)), [a, b]);
        expectClose(ga!, [0, 0.25]);
        expectClose(gb!, [0, -2 / 16]);
      }));

    it('pow: gradient wrt the exponent is 0 where the base is <= 0', () =>
      on(backend, () => {
        const a = nb.tensor([-2, 0, 2], F);
        const b = nb.tensor([2, 2, 2], F);
        const tape = new nb.GradientTape();
        tape.watch(a, b);
        const [ga, gb] = tape.gradient(nb.sum(nb.pow(a, b)), [a, b]);
        expectClose(ga!, [-4, 0, 4]);
        expectClose(gb!, [0, 0, 4 * Math.log(2)]);
      }));

    it('int32 operands get no gradient; floorDiv is not differentiable', () =>
      on(backend, () => {
        const x = nb.tensor([1.5, 2.5], F);
        const tape = new nb.GradientTape({ persistent: true });
        tape.watch(x);
        const y = nb.floorDiv(x, 2);
        expect(tape.gradient(nb.sum(y), x)).toBeNull();
        const z = nb.mul(x, nb.tensor([2, 3], 'int32'));
        expectClose(tape.gradient(nb.sum(z), x), [2, 3]);
        tape.dispose();
      }));
  });
}
