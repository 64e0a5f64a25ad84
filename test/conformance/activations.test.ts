import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { backendsUnderTest, checkGrad, checkSecondDerivative, expectClose, on, sample, sampleFloat, onExcept } from './harness.js';

const X = [-3, -0.5, 0.25, 1, 4];
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const softplus = (v: number) => Math.log(1 + Math.exp(v));
const SELU_A = 1.6732632423543772;
const SELU_S = 1.0507009873554805;
// erf(v / sqrt 2) at the points of X, from tables of the normal distribution: 2 Phi(v) - 1.
const ERF_X_OVER_SQRT2 = [-0.9973002039367398, -0.38292492254802624, 0.19741265136584748, 0.6826894921370859, 0.9999366575163338];

type Act = (x: nb.Tensor) => nb.Tensor;

// name, function, expected at X (from the defining formula), whether the second derivative exists at X
const cases: [string, Act, number[]][] = [
  ['relu6', (x) => nb.relu6(x), [0, 0, 0.25, 1, 4]],
  ['leakyRelu (alpha 0.2)', (x) => nb.leakyRelu(x), [-0.6, -0.1, 0.25, 1, 4]],
  ['leakyRelu (alpha 0.1)', (x) => nb.leakyRelu(x, { alpha: 0.1 }), [-0.3, -0.05, 0.25, 1, 4]],
  ['elu', (x) => nb.elu(x), X.map((v) => (v > 0 ? v : Math.expm1(v)))],
  ['elu (alpha 2)', (x) => nb.elu(x, { alpha: 2 }), X.map((v) => (v > 0 ? v : 2 * Math.expm1(v)))],
  ['selu', (x) => nb.selu(x), X.map((v) => SELU_S * (v > 0 ? v : SELU_A * Math.expm1(v)))],
  ['gelu (exact, erf)', (x) => nb.gelu(x), X.map((v, i) => 0.5 * v * (1 + ERF_X_OVER_SQRT2[i]!))],
  [
    'gelu (tanh approximation)',
    (x) => nb.gelu(x, { approximate: true }),
    X.map((v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))),
  ],
  ['softplus', (x) => nb.softplus(x), X.map(softplus)],
  ['softsign', (x) => nb.softsign(x), X.map((v) => v / (1 + Math.abs(v)))],
  ['swish', (x) => nb.swish(x), X.map((v) => v * sigmoid(v))],
  ['swish (beta 2)', (x) => nb.swish(x, { beta: 2 }), X.map((v) => v * sigmoid(2 * v))],
  ['silu', (x) => nb.silu(x), X.map((v) => v * sigmoid(v))],
  ['hardSigmoid', (x) => nb.hardSigmoid(x), [0, 5 / 12, 0.5 + 0.25 / 6, 0.5 + 1 / 6, 1]],
  ['hardSwish', (x) => nb.hardSwish(x), X.map((v) => v * Math.min(Math.max(v / 6 + 0.5, 0), 1))],
  ['mish', (x) => nb.mish(x), X.map((v) => v * Math.tanh(softplus(v)))],
];

// Gradient sample domains that avoid the kinks (0 for relu-like, +-3 for hardSigmoid, 6 for relu6).
const GRAD_DOMAINS: [number, number][] = [
  [-2.5, -0.1],
  [0.1, 2.5],
];

for (const backend of backendsUnderTest()) {
  describe(`activations on ${backend}`, () => {
    for (const [name, f, expected] of cases) {
      // Two cases, so that a backend without float64 (webgpu) runs the float32 one and skips only the other.
      it(`${name}: values in float32`, () =>
        on(backend, () => {
          const y32 = f(nb.tensor(X));
          expect(y32.dtype).toBe('float32');
          expectClose(y32, expected);
        }));
      it(`${name}: values in float64`, () =>
        on(backend, () => {
          expectClose(f(nb.tensor(X, 'float64')), expected, { rtol: 1e-12 });
        }));
      it(`${name}: gradient and second derivative vs finite differences`, () =>
        on(backend, () => {
          for (const [lo, hi] of GRAD_DOMAINS) {
            const x = sample([2, 3], lo, hi, name.length);
            checkGrad(f, [x]);
            checkSecondDerivative(f, x);
          }
        }));
    }

    it('softplus: gradient is sigmoid, 0.5 at 0; huge inputs stay finite', () =>
      on(backend, () => {
        const x = nb.tensor([-1000, 0, 1000, 3e38]);
        const tape = new nb.GradientTape();
        tape.watch(x);
        const y = nb.softplus(x);
        expectClose(y, [0, Math.LN2, 1000, 3e38], { rtol: 1e-6 });
        expectClose(tape.gradient(nb.sum(y), x), [0, 0.5, 1, 1]);
      }));

    it('elu, selu, mish, swish: huge inputs give finite values and gradients', (ctx) =>
      onExcept(ctx, backend, { webgpu: 'it reads with dataSync()' }, () => {
        for (const f of [nb.elu, nb.selu, nb.mish, nb.swish, nb.gelu] as Act[]) {
          const x = nb.tensor([-1000, 1000]);
          const tape = new nb.GradientTape();
          tape.watch(x);
          const y = f(x);
          const g = tape.gradient(nb.sum(y), x);
          for (const v of [...y.dataSync(), ...g.dataSync()]) expect(Number.isFinite(v)).toBe(true);
        }
      }));

    it('are Tensor methods too', () =>
      on(backend, () => {
        expectClose(nb.tensor([0, Math.log(3)]).softmax(), [0.25, 0.75]);
        expectClose(nb.tensor([[0, Math.log(3)]]).logSoftmax(0), [[0, 0]]);
        expectClose(nb.tensor([-1, 8]).leakyRelu({ alpha: 0.5 }), [-0.5, 8]);
        expectClose(nb.tensor([-1, 8]).relu6(), [0, 6]);
        expectClose(nb.tensor([-6, 6]).hardSigmoid(), [0, 1]);
        expectClose(nb.tensor([0]).softplus(), [Math.LN2]);
      }));

    it('integer inputs become float32', () =>
      on(backend, () => {
        expect(nb.elu(nb.tensor([-1, 2], 'int32')).dtype).toBe('float32');
        expectClose(nb.relu6(nb.tensor([-1, 3, 9], 'int32')), [0, 3, 6]);
      }));
  });

  describe(`softmax and logSoftmax on ${backend}`, () => {
    it('hand values along the last axis and along axis 0', () =>
      on(backend, () => {
        const e = Math.E;
        const x = nb.tensor([[0, 1], [0, Math.log(3)]]);
        expectClose(nb.softmax(x), [[1 / (1 + e), e / (1 + e)], [0.25, 0.75]]);
        expectClose(nb.softmax(x, 0), [[0.5, e / (e + 3)], [0.5, 3 / (e + 3)]]);
        expectClose(nb.nn.softmax(x, { axis: -1 }), [[1 / (1 + e), e / (1 + e)], [0.25, 0.75]]);
        expectClose(nb.logSoftmax(x), [[-Math.log(1 + e), 1 - Math.log(1 + e)], [Math.log(0.25), Math.log(0.75)]]);
      }));

    it('huge logits stay finite; -Infinity entries get probability 0', () =>
      on(backend, () => {
        expectClose(nb.softmax(nb.tensor([1000, 0, -1000])), [1, 0, 0]);
        expectClose(nb.logSoftmax(nb.tensor([1000, 0])), [0, -1000]);
        expectClose(nb.softmax(nb.tensor([1e30, 1e30])), [0.5, 0.5]);
        expectClose(nb.softmax(nb.tensor([0, -Infinity])), [1, 0]);
        expectClose(nb.logSoftmax(nb.tensor([0, -Infinity])), [0, -Infinity]);
        expectClose(nb.softmax(nb.tensor([-Infinity, -Infinity])), [NaN, NaN]);
      }));

    it('rows sum to one for rank 3 along a middle axis', () =>
      on(backend, () => {
        const y = nb.softmax(sampleFloat([2, 4, 3], -5, 5), 1);
        expectClose(nb.sum(y, 1), [[1, 1, 1], [1, 1, 1]]);
      }));

    it('gradients and second derivatives vs finite differences', () =>
      on(backend, () => {
        const x = sample([3, 4], -2, 2, 3);
        checkGrad((t) => nb.softmax(t), [x]);
        checkGrad((t) => nb.softmax(t, 0), [x]);
        checkGrad((t) => nb.logSoftmax(t), [x]);
        checkGrad((t) => nb.logSoftmax(nb.mul(t, 1000)), [x], { rtol: 1e-4 });
        const hessianPath = (t: nb.Tensor) => {
          const tape = new nb.GradientTape();
          tape.watch(t);
          return tape.gradient(nb.sum(nb.square(nb.softmax(t))), t);
        };
        checkGrad(hessianPath, [x], { eps: 1e-5, rtol: 1e-4, atol: 1e-6 });
      }));

    it('a scalar or a bad axis raises', () =>
      on(backend, () => {
        expect(() => nb.softmax(nb.tensor(1))).toThrow(/softmax: expected a tensor of rank >= 1/);
        expect(() => nb.logSoftmax(nb.zeros([2, 3]), 2)).toThrow(nb.ShapeError);
      }));
  });
}
