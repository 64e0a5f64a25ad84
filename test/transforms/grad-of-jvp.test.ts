// grad of jvp through ops whose tangent rule reads the op's output (tanh, sigmoid, exp, sqrt): the
// tape must record the op before the tangent ops that read its output, or the gradient through
// the output is lost (it came out as zero). Checked against closed forms, eagerly and in nb.jit,
// and against finite differences of the jvp.
import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose } from '../conformance/harness.js';

type T = nb.Tensor;
const f64 = (v: number[]) => nb.tensor(v, 'float64');
const x0 = [0.3, -0.7, 1.1];
const v0 = [1.5, -0.5, 2];

/** d/dx of sum(J(x)·v) for an elementwise f is f''(x) v. */
const cases: [string, (x: T) => T, (x: number) => number][] = [
  ['tanh', nb.tanh, (x) => -2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2)],
  ['sigmoid', nb.sigmoid, (x) => { const s = 1 / (1 + Math.exp(-x)); return s * (1 - s) * (1 - 2 * s); }],
  ['exp', nb.exp, Math.exp],
  ['sqrt', (x) => nb.sqrt(nb.add(x, 2)), (x) => -0.25 * (x + 2) ** -1.5],
];

describe('grad of jvp through ops whose tangent reads their output', () => {
  for (const [name, f, second] of cases) {
    it(`${name}: eagerly and in nb.jit equals f''(x)·v`, () => {
      const tangentSum = (x: T) => nb.sum(nb.jvp(f, [x], [f64(v0)])[1]);
      const want = x0.map((x, i) => second(x) * v0[i]!);
      expectClose(nb.grad(tangentSum)(f64(x0)) as T, want, { rtol: 1e-10, atol: 1e-12 });
      expectClose(nb.jit((x: T) => nb.grad(tangentSum)(x))(f64(x0)) as T, want, { rtol: 1e-10, atol: 1e-12 });
    });
  }

  it('nested jvps under a tape record each op once (the gradient is not doubled)', () => {
    // d/dx of the second directional derivative of exp along v: exp(x) v².
    const second = (x: T) => nb.sum(nb.jvp((y: T) => nb.jvp(nb.exp, [y], [f64(v0)])[1], [x], [f64(v0)])[1]);
    expectClose(nb.grad(second)(f64(x0)) as T, x0.map((x, i) => Math.exp(x) * v0[i]! ** 2), { rtol: 1e-10, atol: 1e-12 });
    // And the plain gradient of a value computed under jvp is exp(x), not twice that.
    const value = (x: T) => nb.sum(nb.jvp(nb.exp, [x], [f64(v0)])[0]);
    expectClose(nb.grad(value)(f64(x0)) as T, x0.map(Math.exp), { rtol: 1e-12 });
    expect(x0.length).toBe(3);
  });
});
