import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { backendsUnderTest, checkGrad, checkSecondDerivative, expectClose, expectExact, on, sample } from './harness.js';

const X = [-2, -0.5, 0, 0.5, 3];
const POS = [0.25, 0.5, 1, 2, 4];
const UNIT = [-0.9, -0.3, 0, 0.4, 0.8];

// name, input, expected (hand-derived or from the defining formula), gradient domain [lo, hi]
const cases: [string, number[], number[], [number, number] | null][] = [
  ['neg', X, [2, 0.5, -0, -0.5, -3], [-2, 2]],
  ['abs', X, [2, 0.5, 0, 0.5, 3], [0.1, 2]],
  ['sign', X, [-1, -1, 0, 1, 1], null],
  ['exp', X, X.map(Math.exp), [-2, 2]],
  ['expm1', X, X.map(Math.expm1), [-2, 2]],
  ['log', POS, [-1.3862943611198906, -0.6931471805599453, 0, 0.6931471805599453, 1.3862943611198906], [0.2, 3]],
  ['log1p', POS, POS.map(Math.log1p), [0, 3]],
  ['log2', POS, [-2, -1, 0, 1, 2], [0.2, 3]],
  ['sqrt', POS, [0.5, Math.SQRT1_2, 1, Math.SQRT2, 2], [0.2, 3]],
  ['rsqrt', POS, [2, Math.SQRT2, 1, Math.SQRT1_2, 0.5], [0.2, 3]],
  ['square', X, [4, 0.25, 0, 0.25, 9], [-2, 2]],
  ['reciprocal', POS, [4, 2, 1, 0.5, 0.25], [0.2, 3]],
  ['sin', X, X.map(Math.sin), [-2, 2]],
  ['cos', X, X.map(Math.cos), [-2, 2]],
  ['tan', UNIT, UNIT.map(Math.tan), [-1, 1]],
  ['asin', UNIT, UNIT.map(Math.asin), [-0.9, 0.9]],
  ['acos', UNIT, UNIT.map(Math.acos), [-0.9, 0.9]],
  ['atan', X, X.map(Math.atan), [-2, 2]],
  ['sinh', X, X.map(Math.sinh), [-2, 2]],
  ['cosh', X, X.map(Math.cosh), [-2, 2]],
  ['tanh', X, X.map(Math.tanh), [-2, 2]],
  ['sigmoid', X, X.map((v) => 1 / (1 + Math.exp(-v))), [-3, 3]],
  ['relu', X, [0, 0, 0, 0.5, 3], [0.1, 2]],
  ['erf', [-1, 0, 0.5, 1, 2], [-0.8427007929497149, 0, 0.5204998778130465, 0.8427007929497149, 0.9953222650189527], [-2, 2]],
  ['floor', [-1.5, -0.5, 0, 0.5, 2.7], [-2, -1, 0, 0, 2], null],
  ['ceil', [-1.5, -0.5, 0, 0.5, 2.7], [-1, -0, 0, 1, 3], null],
  ['round', [-1.5, -0.5, 0.5, 1.5, 2.5], [-2, -0, 0, 2, 2], null],
];

const fn = (name: string) => (nb as unknown as Record<string, (x: nb.Tensor) => nb.Tensor>)[name]!;

for (const backend of backendsUnderTest()) {
  describe(`unary ops on ${backend}`, () => {
    for (const [name, input, expected, domain] of cases) {
      // Two cases, so that a backend without float64 (webgpu) runs the float32 one and skips only the other.
      it(`${name}: values in float32`, () =>
        on(backend, () => {
          const y = fn(name)(nb.tensor(input));
          expect(y.dtype).toBe('float32');
          expectClose(y, expected);
        }));
      it(`${name}: values in float64`, () =>
        on(backend, () => {
          expectClose(fn(name)(nb.tensor(input, 'float64')), expected);
        }));
      if (domain) {
        it(`${name}: gradient and second derivative vs finite differences`, () =>
          on(backend, () => {
            const x = sample([2, 3], domain[0], domain[1], name.length);
            checkGrad(fn(name), [x]);
            checkSecondDerivative(fn(name), x);
          }));
      }
    }

    it('sin, cos and tan keep float32 accuracy over several periods (inputs exact in float32)', () =>
      on(backend, () => {
        const xs = Array.from({ length: 81 }, (_, i) => Math.fround(-20 + i * 0.5 + 0.1));
        expectClose(nb.sin(nb.tensor(xs)), xs.map(Math.sin), { atol: 2e-6 });
        expectClose(nb.cos(nb.tensor(xs)), xs.map(Math.cos), { atol: 2e-6 });
        const ts = xs.filter((v) => Math.abs(Math.cos(v)) > 0.1);
        expectClose(nb.tan(nb.tensor(ts)), ts.map(Math.tan), { rtol: 1e-5, atol: 2e-6 });
        expectClose(nb.sin(nb.tensor([NaN, Infinity, -Infinity])), [NaN, NaN, NaN]);
        expectClose(nb.cos(nb.tensor([NaN, Infinity, -Infinity])), [NaN, NaN, NaN]);
      }));

    it('NaN and infinities propagate', () =>
      on(backend, () => {
        expectClose(nb.exp(nb.tensor([NaN, Infinity, -Infinity])), [NaN, Infinity, 0]);
        expectClose(nb.log(nb.tensor([0, -1])), [-Infinity, NaN]);
        expectClose(nb.log2(nb.tensor([0, -1, Infinity, NaN])), [-Infinity, NaN, Infinity, NaN]);
        expectClose(nb.relu(nb.tensor([NaN])), [NaN]);
        expectExact(nb.isNaN(nb.tensor([NaN, 1, Infinity])), [true, false, false], 'bool');
        expectExact(nb.isFinite(nb.tensor([NaN, 1, Infinity])), [false, true, false], 'bool');
      }));

    it('empty and scalar tensors keep their shapes', () =>
      on(backend, () => {
        expect(nb.exp(nb.zeros([0, 3])).shape).toEqual([0, 3]);
        expectClose(nb.exp(nb.tensor(0)), 1);
      }));

    it('integer inputs: exp promotes to float32, abs/neg/square keep int32', () =>
      on(backend, () => {
        const i = nb.tensor([-2, 3], 'int32');
        expect(nb.exp(i).dtype).toBe('float32');
        expectExact(nb.abs(i), [2, 3], 'int32');
        expectExact(nb.neg(i), [2, -3], 'int32');
        expectExact(nb.square(i), [4, 9], 'int32');
        expectExact(nb.logicalNot(nb.tensor([true, false])), [false, true], 'bool');
      }));

    it('works on strided views (transpose, slice with steps)', () =>
      on(backend, () => {
        const a = nb.tensor([[1, 2, 3], [4, 5, 6]]);
        expectClose(nb.square(a.transpose()), [[1, 16], [4, 25], [9, 36]]);
        expectClose(nb.neg(a.index(':, ::2')), [[-1, -3], [-4, -6]]);
      }));
  });
}
