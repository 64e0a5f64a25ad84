// Nested tapes give higher-order derivatives; jacobian for small cases. Expected values are
// derived by hand from the closed forms.
import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { checkGrad, expectClose, sample } from '../conformance/harness.js';

const f64 = (v: number | number[] | number[][]) => nb.tensor(v, 'float64');

/** d/dx of `f` at `x` with one tape (so an enclosing tape sees the ops). */
function derivative(f: (x: nb.Tensor) => nb.Tensor, x: nb.Tensor): nb.Tensor {
  const tape = new nb.GradientTape();
  tape.watch(x);
  return tape.gradient(nb.sum(f(x)), x)!;
}

describe('nested tapes', () => {
  it('x^3: first, second and third derivatives are 3x^2, 6x, 6', () => {
    const x = f64([-1.5, 0.5, 2]);
    const t3 = new nb.GradientTape();
    t3.watch(x);
    const t2 = new nb.GradientTape();
    t2.watch(x);
    const t1 = new nb.GradientTape();
    t1.watch(x);
    const y = nb.mul(nb.mul(x, x), x);
    const d1 = t1.gradient(y, x)!;
    const d2 = t2.gradient(d1, x)!;
    const d3 = t3.gradient(d2, x)!;
    expectClose(d1, [6.75, 0.75, 12]);
    expectClose(d2, [-9, 3, 12]);
    expectClose(d3, [6, 6, 6]);
  });

  it('x^3 through pow: second derivative 6x', () => {
    const x = f64([0.5, 2]);
    const d2 = derivative((t) => derivative((u) => nb.pow(u, 3), t), x);
    expectClose(d2, [3, 12], { rtol: 1e-9 });
  });

  it('sin: derivatives cycle cos, -sin, -cos', () => {
    const xs = [-1, 0.3, 2];
    const x = f64(xs);
    const d1 = derivative(nb.sin, x);
    const d2 = derivative((t) => derivative(nb.sin, t), x);
    const d3 = derivative((t) => derivative((u) => derivative(nb.sin, u), t), x);
    expectClose(d1, xs.map(Math.cos));
    expectClose(d2, xs.map((v) => -Math.sin(v)));
    expectClose(d3, xs.map((v) => -Math.cos(v)));
  });

  it('mixed partials of f(x, y) = x^2 y^3: d2f/dxdy = d2f/dydx = 6 x y^2', () => {
    const x = f64(1.5);
    const y = f64(-2);
    const outer = new nb.GradientTape({ persistent: true });
    outer.watch([x, y]);
    const inner = new nb.GradientTape();
    inner.watch([x, y]);
    const f = nb.mul(nb.square(x), nb.pow(y, 3));
    const [dfdx, dfdy] = inner.gradient(f, [x, y]);
    expectClose(dfdx!, 2 * 1.5 * -8); // 2 x y^3
    expectClose(dfdy!, 3 * 2.25 * 4); // 3 x^2 y^2
    const dxy = outer.gradient(dfdx!, y)!;
    const dyx = outer.gradient(dfdy!, x)!;
    expectClose(dxy, 6 * 1.5 * 4, { rtol: 1e-9 });
    expectClose(dyx, 6 * 1.5 * 4, { rtol: 1e-9 });
    expectClose(outer.gradient(dfdx!, x)!, 2 * -8); // d2f/dx2 = 2 y^3
  });

  it('second derivative of a trainable variable, watched automatically by both tapes', () => {
    const v = new nb.Variable(f64(3));
    const outer = new nb.GradientTape();
    const inner = new nb.GradientTape();
    const y = nb.mul(nb.exp(v), v); // y' = e^v (v + 1), y'' = e^v (v + 2)
    const dy = inner.gradient(y, v)!;
    const d2y = outer.gradient(dy, v)!;
    expectClose(dy, Math.exp(3) * 4, { rtol: 1e-9 });
    expectClose(d2y, Math.exp(3) * 5, { rtol: 1e-9 });
  });

  it('a gradient computed on an inner tape is itself differentiable (checked against finite differences)', () => {
    const x = sample([2, 3], -1, 1, 3);
    const w = sample([3, 2], -1, 1, 4);
    // d/dx sum(tanh(x @ w)) as a function of x and w
    const inner = (a: nb.Tensor, b: nb.Tensor) => {
      const tape = new nb.GradientTape();
      tape.watch(a);
      return tape.gradient(nb.sum(nb.tanh(nb.matmul(a, b))), a)!;
    };
    checkGrad(inner, [x, w], { eps: 1e-5, rtol: 1e-4, atol: 1e-6 });
  });
});

describe('jacobian', () => {
  it('of an elementwise square is diag(2x)', () => {
    const x = f64([1, 2, 3]);
    const tape = new nb.GradientTape({ persistent: true });
    tape.watch(x);
    const y = nb.square(x);
    const j = tape.jacobian(y, x);
    expect(j.shape).toEqual([3, 3]);
    expectClose(j, [[2, 0, 0], [0, 4, 0], [0, 0, 6]]);
  });

  it('of a matrix-vector product A x is A; shape is [...target, ...source]', () => {
    const a = f64([[1, 2], [3, 4], [5, 6]]);
    const x = f64([[0.5], [-1]]);
    const tape = new nb.GradientTape();
    tape.watch(x);
    const y = nb.matmul(a, x); // [3, 1]
    const j = tape.jacobian(y, x);
    expect(j.shape).toEqual([3, 1, 2, 1]);
    expectClose(j.reshape([3, 2]), [[1, 2], [3, 4], [5, 6]]);
  });

  it('of f(x) = [x0 * x1, sin(x0)] by hand', () => {
    const x = f64([2, 3]);
    const tape = new nb.GradientTape();
    tape.watch(x);
    const [x0, x1] = nb.unstack(x);
    const y = nb.stack([nb.mul(x0!, x1!), nb.sin(x0!)]);
    expectClose(tape.jacobian(y, x), [[3, 2], [Math.cos(2), 0]]);
  });

  it('a non-persistent tape gives one jacobian, then raises', () => {
    const x = f64([1, 2]);
    const tape = new nb.GradientTape();
    tape.watch(x);
    const y = nb.mul(x, 3);
    expectClose(tape.jacobian(y, x), [[3, 0], [0, 3]]);
    expect(() => tape.jacobian(y, x)).toThrow(/only once/);
  });

  it('of an unconnected source is zeros', () => {
    const x = f64([1, 2]);
    const other = f64([5]);
    const tape = new nb.GradientTape();
    tape.watch([x, other]);
    expectClose(tape.jacobian(nb.square(x), other), [[0], [0]]);
  });
});
