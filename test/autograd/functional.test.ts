// grad / valueAndGrad / stopGradient / customGradient: thin layers over GradientTape.
import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { checkGrad, expectClose, sample } from '../conformance/harness.js';

const f64 = (v: number | number[]) => nb.tensor(v, 'float64');

describe('grad', () => {
  it('grad(f)(x) of a scalar function', () => {
    const f = (x: nb.Tensor) => nb.mul(nb.square(x), x); // 3x^2
    expectClose(nb.grad(f)(f64(2)) as nb.Tensor, 12);
  });

  it('a non-scalar result is summed, like TensorFlow', () => {
    const g = nb.grad((x) => nb.square(x))(f64([1, -2, 3])) as nb.Tensor;
    expectClose(g, [2, -4, 6]);
  });

  it('argnums picks the argument (default 0); a list returns a list', () => {
    const f = (x: nb.Tensor, y: nb.Tensor) => nb.mul(nb.square(x), y); // d/dx = 2xy, d/dy = x^2
    expectClose(nb.grad(f)(f64(3), f64(5)) as nb.Tensor, 30);
    expectClose(nb.grad(f, { argnums: 1 })(f64(3), f64(5)) as nb.Tensor, 9);
    const both = nb.grad(f, { argnums: [1, 0] })(f64(3), f64(5)) as nb.Tensor[];
    expect(both).toHaveLength(2);
    expectClose(both[0]!, 9);
    expectClose(both[1]!, 30);
  });

  it('accepts plain JS numbers and arrays as arguments', () => {
    expectClose(nb.grad((x) => nb.sum(nb.square(x)))([1, 2]) as nb.Tensor, [2, 4]);
  });

  it('an argument the function ignores gets zeros', () => {
    const g = nb.grad((_x: nb.Tensor, y: nb.Tensor) => nb.square(y), { argnums: 0 })(f64([1, 2]), f64(3)) as nb.Tensor;
    expect(g.arraySync()).toEqual([0, 0]);
  });

  it('argnums out of range raises a ValueError naming it', () => {
    expect(() => nb.grad((x) => x, { argnums: 2 })(f64(1))).toThrow(/argnums 2 is out of range for 1 arguments/);
  });

  it('a function that does not return a tensor raises a ValueError', () => {
    expect(() => nb.grad((() => 3) as unknown as (x: nb.Tensor) => nb.Tensor)(f64(1))).toThrow(nb.ValueError);
  });

  it('grad of grad gives the second derivative (sin -> -sin)', () => {
    const d1 = (x: nb.Tensor) => nb.grad(nb.sin)(x) as nb.Tensor;
    expectClose(nb.grad(d1)(f64([0.5, 2])) as nb.Tensor, [-Math.sin(0.5), -Math.sin(2)]);
  });

  it('variables the function reads are treated as constants', () => {
    const w = new nb.Variable(f64([2, -3]));
    expectClose(nb.grad((x) => nb.sum(nb.mul(nb.square(x), w)))(f64([1, 1])) as nb.Tensor, [4, -6]);
  });

  it('a variable argument is differentiated too', () => {
    const v = new nb.Variable(f64([1, 2]));
    expectClose(nb.grad((x) => nb.sum(nb.exp(x)))(v) as nb.Tensor, [Math.E, Math.exp(2)]);
  });
});

describe('valueAndGrad', () => {
  it('returns the value and the gradient from one forward pass', () => {
    let calls = 0;
    const f = (x: nb.Tensor, y: nb.Tensor) => {
      calls++;
      return nb.sum(nb.mul(x, y));
    };
    const { value, grad } = nb.valueAndGrad(f, { argnums: [0, 1] })(f64([1, 2]), f64([3, 4]));
    expect(calls).toBe(1);
    expectClose(value, 11);
    const [dx, dy] = grad as nb.Tensor[];
    expectClose(dx!, [3, 4]);
    expectClose(dy!, [1, 2]);
  });

  it('with the default argnums the gradient is one tensor', () => {
    const { value, grad } = nb.valueAndGrad((x) => nb.exp(x))(f64(1));
    expectClose(value, Math.E);
    expectClose(grad as nb.Tensor, Math.E);
  });
});

describe('stopGradient', () => {
  it('passes values through unchanged', () => {
    expectClose(nb.stopGradient(f64([1, -2])), [1, -2]);
  });

  it('cuts the gradient: d/dx [x * stop(x)] = x, not 2x', () => {
    const x = f64([3, -1]);
    const tape = new nb.GradientTape();
    tape.watch(x);
    const y = nb.sum(nb.mul(x, nb.stopGradient(x)));
    expectClose(tape.gradient(y, x)!, [3, -1]);
  });

  it('a source reached only through stopGradient gets null (or zeros)', () => {
    const x = f64(2);
    const tape = new nb.GradientTape({ persistent: true });
    tape.watch(x);
    const y = nb.square(nb.stopGradient(x));
    expect(tape.gradient(y, x)).toBeNull();
    expectClose(tape.gradient(y, x, { unconnectedGradients: 'zero' })!, 0);
  });
});

describe('customGradient', () => {
  it('a clipped-gradient identity: value unchanged, gradient clipped to [-1, 1]; gradFunc gets dy', () => {
    const seen: number[][] = [];
    const clipGrad = nb.customGradient((x) => ({
      value: nb.identity(x),
      gradFunc: (dy) => {
        seen.push(Array.from(dy.dataSync()));
        return nb.clipByValue(dy, -1, 1);
      },
    }));
    const x = f64([1, 2, 3]);
    const tape = new nb.GradientTape();
    tape.watch(x);
    const y = clipGrad(x);
    expectClose(y, [1, 2, 3]);
    const g = tape.gradient(nb.sum(nb.mul(y, f64([0.5, -4, 10]))), x)!;
    expect(seen).toEqual([[0.5, -4, 10]]);
    expectClose(g, [0.5, -1, 1]);
  });

  it('the function body is not differentiated: only gradFunc counts', () => {
    const fakeSquare = nb.customGradient((x) => ({ value: nb.square(x), gradFunc: (dy) => nb.mul(dy, 100) }));
    const x = f64(3);
    const tape = new nb.GradientTape();
    tape.watch(x);
    const y = fakeSquare(x);
    expectClose(y, 9);
    expectClose(tape.gradient(y, x)!, 100);
  });

  it('several inputs: gradFunc returns one gradient per input (null for none)', () => {
    // f(a, b) = a * b with the true gradient for a and none for b.
    const f = nb.customGradient((a, b) => ({
      value: nb.mul(a, b),
      gradFunc: (dy) => [nb.mul(dy, b), null],
    }));
    const a = f64([2, 3]);
    const b = f64([5, 7]);
    const tape = new nb.GradientTape();
    tape.watch([a, b]);
    const [da, db] = tape.gradient(nb.sum(f(a, b)), [a, b]);
    expectClose(da!, [5, 7]);
    expect(db).toBeNull();
  });

  it('a stable log(1 + e^x) with its own gradient sigmoid(x) matches finite differences', () => {
    const softplus = nb.customGradient((x) => ({
      value: nb.log1p(nb.exp(x)),
      gradFunc: (dy) => nb.mul(dy, nb.sigmoid(x)),
    }));
    checkGrad((x) => softplus(x), [sample([4], -3, 3, 11)]);
  });

  it('gradFunc returning the wrong number of gradients raises a ValueError', () => {
    const bad = nb.customGradient((a, b) => ({ value: nb.add(a, b), gradFunc: (dy) => [dy] }));
    const a = f64(1);
    const b = f64(2);
    const tape = new nb.GradientTape();
    tape.watch([a, b]);
    const y = bad(a, b);
    expect(() => tape.gradient(y, a)).toThrow(/gradFunc returned 1 gradients for 2 inputs/);
  });
});
