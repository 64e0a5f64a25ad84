import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { backendsUnderTest, checkGrad, expectClose, expectExact, gradInput, on, sample, widestFloat } from './harness.js';
import { Rng, operand, randomShape, sizeOf, unravel } from './random-cases.js';

const T = true;
const F = false;
const A = [[1, 2, 3], [4, 5, 6]];

type Reducer = (x: nb.Tensor, axis?: nb.ReduceOptions | number | number[], keepDims?: boolean) => nb.Tensor;
type Method = (axis?: nb.ReduceOptions | number | number[], keepDims?: boolean) => nb.Tensor;
const fn = (name: string) => (nb as unknown as Record<string, Reducer>)[name]!;

// name, all, axis 0, axis 1 (hand-derived for A)
const valueCases: [string, number, number[], number[]][] = [
  ['sum', 21, [5, 7, 9], [6, 15]],
  ['prod', 720, [4, 10, 18], [6, 120]],
  ['max', 6, [4, 5, 6], [3, 6]],
  ['min', 1, [1, 2, 3], [1, 4]],
  ['mean', 3.5, [2.5, 3.5, 4.5], [2, 5]],
  ['variance', 35 / 12, [2.25, 2.25, 2.25], [2 / 3, 2 / 3]],
  ['std', Math.sqrt(35 / 12), [1.5, 1.5, 1.5], [Math.sqrt(2 / 3), Math.sqrt(2 / 3)]],
  ['logSumExp', Math.log(A.flat().reduce((s, v) => s + Math.exp(v), 0)), [1, 2, 3].map((v) => v + 3 + Math.log1p(Math.exp(-3))), [
    3 + Math.log(1 + Math.exp(-1) + Math.exp(-2)),
    6 + Math.log(1 + Math.exp(-1) + Math.exp(-2)),
  ]],
];

// axis configurations for gradient checks on a [2, 3, 4] input
const axisCases: [number | number[] | undefined, boolean][] = [
  [undefined, false],
  [0, false],
  [[0, 2], false],
  [-1, true],
  [[1], true],
];

for (const backend of backendsUnderTest()) {
  describe(`reductions on ${backend}`, () => {
    for (const [name, all, ax0, ax1] of valueCases) {
      it(`${name}: all, axis number/array/negative, keepDims, positional and options forms`, () =>
        on(backend, () => {
          const a = nb.tensor(A);
          const f = fn(name);
          expectClose(f(a), all, { shape: [] });
          expectClose(f(a, 0), ax0);
          expectClose(f(a, { axis: 0 }), ax0);
          expectClose(f(a, 1), ax1);
          expectClose(f(a, -1), ax1);
          expectClose(f(a, [-1]), ax1);
          expectClose(f(a, [0, 1]), all, { shape: [] });
          expectClose(f(a, 1, true), ax1.map((v) => [v]));
          expectClose(f(a, { axis: 1, keepDims: true }), ax1.map((v) => [v]));
          expectClose(f(a, { keepDims: true }), [[all]]);
          expectClose(f(a, undefined, true), [[all]]);
          expectClose(f(a, null as unknown as undefined), all, { shape: [] });
          // methods take the same arguments
          const m = (a as unknown as Record<string, Method>)[name]!.bind(a);
          expectClose(m(0), ax0);
          expectClose(m({ axis: -1, keepDims: true }), ax1.map((v) => [v]));
        }));
      // Apart, so that a backend without float64 (webgpu) runs the case above and skips only this one.
      it(`${name}: float64 in, float64 out`, () =>
        on(backend, () => {
          const f = fn(name);
          expect(f(nb.tensor(A, 'float64'), 0).dtype).toBe('float64');
          expectClose(f(nb.tensor(A, 'float64'), 1), ax1);
        }));
    }

    it('sum/prod/max/min/argmax match a nested-loop reference on random shapes and axes', () =>
      on(backend, () => {
        const rng = new Rng(77);
        const refs: [string, number, (a: number, v: number) => number][] = [
          ['sum', 0, (a, v) => a + v],
          ['prod', 1, (a, v) => a * v],
          ['max', -Infinity, (a, v) => Math.max(a, v)],
          ['min', Infinity, (a, v) => Math.min(a, v)],
        ];
        for (let trial = 0; trial < 60; trial++) {
          const shape = randomShape(rng);
          const x = operand(rng, shape, widestFloat(backend));
          const axes = shape.map((_, i) => i).filter(() => rng.bool());
          const axisArg = axes.map((a) => (rng.bool() ? a - shape.length : a));
          const keepDims = rng.bool();
          const [name, init, step] = refs[trial % refs.length]!;
          const outShape = shape.flatMap((d, i) => (axes.includes(i) ? (keepDims ? [1] : []) : [d]));
          const keptShape = shape.filter((_, i) => !axes.includes(i));
          const redShape = axes.map((a) => shape[a]!);
          const expected = Array.from({ length: sizeOf(keptShape) }, (_, o) => {
            const kept = unravel(o, keptShape);
            let acc = init;
            for (let r = 0; r < sizeOf(redShape); r++) {
              const red = unravel(r, redShape);
              let k = 0;
              let j = 0;
              const idx = shape.map((_, i) => (axes.includes(i) ? red[j++]! : kept[k++]!));
              acc = step(acc, x.at(idx));
            }
            return acc;
          });
          const got = fn(name)(x.tensor, { axis: axisArg, keepDims });
          const what = `${name} of ${JSON.stringify(shape)} over ${JSON.stringify(axisArg)}`;
          expect(got.shape, what).toEqual(outShape);
          // float32 operands are the float64 values rounded, and up to 81 of them meet in one result.
          expectClose(got, expected, { shape: outShape, ...(got.dtype === 'float32' ? { rtol: 1e-4, atol: 1e-4 } : {}) });
          if (shape.length > 0 && shape.every((d) => d > 0)) {
            const ax = rng.int(0, shape.length - 1);
            const kept = shape.filter((_, i) => i !== ax);
            const best = Array.from({ length: sizeOf(kept) }, (_, o) => {
              const base = unravel(o, kept);
              const at = (j: number) => x.at([...base.slice(0, ax), j, ...base.slice(ax)]);
              let b = 0;
              for (let j = 1; j < shape[ax]!; j++) if (at(j) > at(b)) b = j;
              return b;
            });
            expectClose(nb.argmax(x.tensor, ax), best, { shape: kept, rtol: 0, atol: 0 });
          }
        }
      }));

    it('rank-3 reductions over several axes', () =>
      on(backend, () => {
        const x = nb.reshape(nb.range(0, 24, 1, 'float32'), [2, 3, 4]);
        expectClose(nb.sum(x, [0, 2]), [60, 92, 124]);
        expectClose(nb.max(x, [2, 0], true), [[[15], [19], [23]]]);
        expectClose(nb.min(x, -2), [[0, 1, 2, 3], [12, 13, 14, 15]]);
        expectClose(nb.sum(x.transpose([2, 0, 1]), 0), [[6, 22, 38], [54, 70, 86]]);
        expectClose(nb.mean(x.index(':, ::2, ::-1'), 1), [[7, 6, 5, 4], [19, 18, 17, 16]]);
      }));

    it('argmax and argmin: axis, negative axis, ties pick the first, NaN wins', () =>
      on(backend, () => {
        const a = nb.tensor(A);
        expectExact(nb.argmax(a, 0), [1, 1, 1], 'int32');
        expectExact(nb.argmax(a, 1), [2, 2], 'int32');
        expectExact(nb.argmax(a, -1), [2, 2], 'int32');
        expectExact(nb.argmin(a, { axis: 1 }), [0, 0], 'int32');
        expectExact(a.argmax(-1), [2, 2], 'int32');
        expectExact(a.argmin(), [0, 0, 0], 'int32');
        expectExact(nb.argmax(nb.tensor([1, 3, 3, 2])), 1);
        expectExact(nb.argmin(nb.tensor([2, 1, 1, 3])), 1);
        expectExact(nb.argmax(nb.tensor([1, NaN, 3, NaN])), 1);
        expectExact(nb.argmin(nb.tensor([1, NaN, -3])), 1);
        expectExact(nb.argmax(nb.tensor([[-1, 5], [7, 2]], 'int32'), 1), [1, 0]);
        expect(() => nb.argmax(nb.zeros([0]))).toThrow(nb.ShapeError);
        expect(() => nb.argmax(nb.tensor(1))).toThrow(nb.ShapeError);
        expect(() => nb.argmax(a, 2)).toThrow(nb.ShapeError);
      }));

    it('all and any', () =>
      on(backend, () => {
        const b = nb.tensor([[T, F], [T, T]]);
        expectExact(nb.all(b), F, 'bool');
        expectExact(nb.any(b), T, 'bool');
        expectExact(nb.all(b, 0), [T, F], 'bool');
        expectExact(nb.any(b, 1), [T, T], 'bool');
        expectExact(nb.any(nb.tensor([[F, F], [T, F]]), 1, true), [[F], [T]], 'bool');
        expectExact(b.all(-1), [F, T]);
        expectExact(nb.all(nb.tensor([1, 2, 0])), F, 'bool');
        expectExact(nb.any(nb.tensor([0, 0, NaN])), T, 'bool');
        expectExact(nb.all(nb.zeros([0], 'bool')), T, 'bool');
        expectExact(nb.any(nb.zeros([0], 'bool')), F, 'bool');
      }));

    it('empty tensors: identities of each reduction', () =>
      on(backend, () => {
        const e = nb.zeros([0]);
        expectClose(nb.sum(e), 0);
        expectClose(nb.prod(e), 1);
        expectClose(nb.max(e), -Infinity);
        expectClose(nb.min(e), Infinity);
        expectClose(nb.mean(e), NaN);
        expectClose(nb.logSumExp(e), -Infinity);
        expectClose(nb.sum(nb.zeros([0, 3]), 0), [0, 0, 0]);
        expectClose(nb.max(nb.zeros([2, 0]), 1), [-Infinity, -Infinity]);
        expect(nb.sum(nb.zeros([0, 3]), 1).shape).toEqual([0]);
        expect(nb.sum(nb.zeros([0, 3]), 1, true).shape).toEqual([0, 1]);
        expectExact(nb.max(nb.zeros([0], 'int32')), -2147483648, 'int32');
        expectExact(nb.min(nb.zeros([0], 'int32')), 2147483647, 'int32');
        expectExact(nb.sum(nb.zeros([0], 'int32')), 0, 'int32');
      }));

    it('NaN propagates through every float reduction', () =>
      on(backend, () => {
        const x = nb.tensor([[1, NaN, 3], [4, 5, 6]]);
        expectClose(nb.sum(x, 1), [NaN, 15]);
        expectClose(nb.prod(x, 1), [NaN, 120]);
        expectClose(nb.max(x, 1), [NaN, 6]);
        expectClose(nb.min(x, 1), [NaN, 4]);
        expectClose(nb.max(nb.tensor([NaN, 1])), NaN);
        expectClose(nb.min(nb.tensor([1, NaN])), NaN);
        expectClose(nb.mean(x, 1), [NaN, 5]);
        expectClose(nb.variance(x, 1), [NaN, 2 / 3]);
        expectClose(nb.logSumExp(x, 1), [NaN, 6 + Math.log(1 + Math.exp(-1) + Math.exp(-2))]);
      }));

    it('dtypes: int32 sums stay int32, bool sums count, means are float', () =>
      on(backend, () => {
        const i = nb.tensor(A, 'int32');
        expectExact(nb.sum(i, 1), [6, 15], 'int32');
        expectExact(nb.prod(i, 0), [4, 10, 18], 'int32');
        expectExact(nb.max(i), 6, 'int32');
        expectExact(nb.sum(nb.tensor([[T, F], [T, T]]), 0), [2, 1], 'int32');
        expect(nb.mean(i).dtype).toBe('float32');
        expectClose(nb.mean(i, 1), [2, 5]);
        expectClose(nb.mean(nb.tensor([T, F, F, F])), 0.25);
        expect(() => nb.max(nb.tensor([T, F]))).toThrow(nb.DTypeError);
      }));

    it('numerically stable logSumExp and its infinities', () =>
      on(backend, () => {
        expectClose(nb.logSumExp(nb.tensor([1000, 1000])), 1000 + Math.LN2);
        expectClose(nb.logSumExp(nb.tensor([-1000, -1000])), -1000 + Math.LN2);
        expectClose(nb.logSumExp(nb.tensor([0, Math.log(2), Math.log(3)])), Math.log(6));
        expectClose(nb.logSumExp(nb.tensor([-Infinity, -Infinity])), -Infinity);
        expectClose(nb.logSumExp(nb.tensor([Infinity, 1])), Infinity);
        expectClose(nb.logSumExp(nb.tensor([-Infinity, 0])), 0);
      }));

    it('logSumExp keeps float64 magnitudes', () =>
      on(backend, () => {
        expectClose(nb.logSumExp(nb.tensor([-1e300, -1e300], 'float64')), -1e300);
      }));

    it('norm: euclidean, 1, inf, p; over axes with keepDims', () =>
      on(backend, () => {
        const v = nb.tensor([3, -4]);
        expectClose(nb.norm(v), 5);
        expectClose(nb.norm(v, { ord: 'euclidean' }), 5);
        expectClose(nb.norm(v, 1), 7);
        expectClose(nb.norm(v, { ord: 'inf' }), 4);
        expectClose(nb.norm(v, Infinity), 4);
        expectClose(nb.norm(v, 3), Math.cbrt(27 + 64));
        const m = nb.tensor([[3, 4], [6, 8]]);
        expectClose(nb.norm(m, { axis: 1 }), [5, 10]);
        expectClose(nb.norm(m, 2, 1), [5, 10]);
        expectClose(nb.norm(m, { axis: 0, keepDims: true }), [[Math.sqrt(45), Math.sqrt(80)]]);
        expectClose(m.norm({ ord: 1, axis: -1 }), [7, 14]);
        expectClose(nb.norm(m, { ord: 'fro' }), Math.sqrt(125));
        expect(() => nb.norm(v, -1)).toThrow(nb.ValueError);
      }));

    it('bad axes raise ShapeError', () =>
      on(backend, () => {
        const a = nb.tensor(A);
        expect(() => nb.sum(a, 2)).toThrow(nb.ShapeError);
        expect(() => nb.sum(a, -3)).toThrow(/sum.*axis -3.*rank 2/);
        expect(() => nb.max(a, [0, -2])).toThrow(/repeated axis/);
        expect(() => nb.mean(a, 1.5)).toThrow(nb.ShapeError);
        expect(() => nb.sum(nb.tensor(5), 0)).toThrow(/sum: axis 0 is out of range for a tensor of rank 0/);
        expect(() => nb.max(nb.tensor(5), -1)).toThrow(nb.ShapeError);
      }));

    it('scalars reduce to themselves; an empty axis list reduces nothing', () =>
      on(backend, () => {
        expectClose(nb.sum(nb.tensor(5)), 5, { shape: [] });
        expectClose(nb.max(nb.tensor(5), { keepDims: true }), 5, { shape: [] });
        expectClose(nb.mean(nb.tensor(5)), 5, { shape: [] });
        expectClose(nb.sum(nb.tensor(A), []), A);
        expectClose(nb.prod(nb.tensor(A), [], true), A);
      }));

    for (const name of ['sum', 'prod', 'max', 'min', 'mean', 'variance', 'std', 'logSumExp']) {
      it(`${name}: gradients vs finite differences over axis configurations`, () =>
        on(backend, () => {
          const lo = name === 'prod' ? 0.5 : -2;
          axisCases.forEach(([axis, keepDims], k) => {
            const x = sample([2, 3, 4], lo, 2, 31 + k);
            checkGrad((t) => fn(name)(t, axis === undefined ? { keepDims } : { axis, keepDims }), [x]);
          });
        }));
    }

    it('second derivatives of variance, std, logSumExp and norm vs finite differences', () =>
      on(backend, () => {
        const opts = { eps: 1e-5, rtol: 1e-4, atol: 1e-6 };
        const hessianRow = (f: (t: nb.Tensor) => nb.Tensor) => (t: nb.Tensor) => {
          const tape = new nb.GradientTape();
          tape.watch(t);
          return tape.gradient(nb.sum(nb.mul(f(t), nb.tensor([1, -2], t.dtype))), t);
        };
        const x = sample([2, 3], 0.3, 2, 44);
        checkGrad(hessianRow((t) => nb.variance(t, 1)), [x], opts);
        checkGrad(hessianRow((t) => nb.std(t, 1)), [x], opts);
        checkGrad(hessianRow((t) => nb.logSumExp(t, -1)), [x], opts);
        checkGrad(hessianRow((t) => nb.norm(t, { axis: 1 })), [x], opts);
        checkGrad(hessianRow((t) => nb.norm(t, { ord: 3, axis: 1 })), [x], opts);
        checkGrad(hessianRow((t) => nb.mean(nb.square(t), 1)), [x], opts);
      }));

    it('norm: gradients vs finite differences', () =>
      on(backend, () => {
        const x = sample([3, 4], 0.2, 2, 41);
        for (const ord of [2, 1, Infinity, 3] as const) {
          checkGrad((t) => nb.norm(t, { ord, axis: 1 }), [x]);
          checkGrad((t) => nb.norm(t, { ord }), [x]);
        }
      }));

    it('prod: gradient at zeros is the product of the other elements', () =>
      on(backend, () => {
        const values = [[0, 2, 3], [0, 0, 1], [1, 2, 3]];
        const x = nb.tensor(values, widestFloat(backend));
        const tape = new nb.GradientTape();
        tape.watch(x);
        const g = tape.gradient(nb.sum(nb.prod(x, 1)), x);
        expectExact(g, [[6, 0, 0], [0, 0, 0], [6, 3, 2]]);
        checkGrad((t) => nb.prod(t, 1), [gradInput(values)]);
        checkGrad((t) => nb.prod(t, 0, true), [gradInput(values)]);
      }));

    it('prod: second derivative through the zero-safe gradient', () =>
      on(backend, () => {
        const first = (t: nb.Tensor) => {
          const tape = new nb.GradientTape();
          tape.watch(t);
          return tape.gradient(nb.sum(nb.prod(t, 1)), t);
        };
        checkGrad(first, [sample([2, 3], 0.5, 2, 43)], { eps: 1e-5, rtol: 1e-4, atol: 1e-6 });
        checkGrad(first, [gradInput([[0, 2, 3], [1, 0.5, 2]])], { eps: 1e-5, rtol: 1e-4, atol: 1e-6 });
      }));

    it('max/min with ties split the gradient evenly between the tied elements', () =>
      on(backend, () => {
        const x = nb.tensor([[1, 3, 3], [2, 2, 2]], widestFloat(backend));
        const tape = new nb.GradientTape({ persistent: true });
        tape.watch(x);
        expectClose(tape.gradient(nb.sum(nb.max(x, 1)), x), [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]]);
        expectClose(tape.gradient(nb.min(x), x), [[1, 0, 0], [0, 0, 0]]);
        expectClose(tape.gradient(nb.max(x), x), [[0, 0.5, 0.5], [0, 0, 0]]);
        tape.dispose();
      }));

    it('argmax, all and any have no gradient', () =>
      on(backend, () => {
        const x = nb.tensor([1, 2], widestFloat(backend));
        const tape = new nb.GradientTape({ persistent: true });
        tape.watch(x);
        expect(tape.gradient(nb.sum(nb.cast(nb.argmax(x), x.dtype)), x)).toBeNull();
        expect(tape.gradient(nb.sum(nb.cast(nb.any(x), x.dtype)), x)).toBeNull();
        tape.dispose();
      }));
  });
}
