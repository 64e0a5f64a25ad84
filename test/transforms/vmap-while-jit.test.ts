// nb.whileLoop under nb.vmap inside nb.jit: JAX's batching rule. One loop node over the whole batch
// that runs while any example's condition holds, each example's variables updated through a select
// (finished examples keep theirs). Checked against stacking the per-example eager results, in
// jit(vmap), vmap(jit), nested vmaps, with a grad inside the body, and with vmap of grad.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';

type T = nb.Tensor;
const f64 = (v: number[] | number[][] | number) => nb.tensor(v, 'float64');
const flat = (t: T) => Array.from(t.dataSync() as Float64Array);

/** Stack f over the rows of xs (one eager call per example). */
function stacked(f: (x: T) => T, xs: T): number[] {
  return Array.from({ length: xs.shape[0]! }, (_, i) => flat(f(nb.squeeze(nb.slice(xs, [i], [1]), [0])))).flat();
}

function expectNear(actual: number[], expected: number[], tol = 1e-9): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    if (!(Math.abs(a - expected[i]!) <= tol * (1 + Math.abs(expected[i]!)))) throw new Error(`element ${i}: got ${a}, expected ${expected[i]}`);
  });
}

const loopNodes = (dump: string) => dump.split('\n').filter((l) => /= whileLoop\(/.test(l)).length;

// Collatz-like per-example trip counts: halve while above 1, counting the steps.
const halve = (x: T) => {
  const [, v, n] = nb.whileLoop((_i, v) => nb.greater(v, 1), (i, v, n) => [nb.add(i, 1), nb.div(v, 2), nb.add(n, 1)], [nb.tensor(0, 'int32'), x, nb.tensor(0, 'int32')]);
  return nb.stack([v!, nb.cast(n!, 'float64')]);
};

describe('whileLoop under vmap inside jit', () => {
  const xs = f64([10, 100, 0.5, 3]);

  it('jit(vmap): each example stops at its own step (per-example trip counts), one loop node', () => {
    const jf = nb.jit((a: T) => nb.vmap(halve)(a));
    const got = jf(xs);
    expectNear(flat(got), stacked(halve, xs));
    // The trip counts really differ: 4, 7, 0 and 2 halvings.
    expect(flat(got).filter((_, i) => i % 2 === 1)).toEqual([4, 7, 0, 2]);
    expect(loopNodes(jf.graph(xs))).toBe(1);
    // Replays with other values (the trip count is decided at run time, not trace time).
    const ys = f64([1000, 2, 1, 64]);
    expectNear(flat(jf(ys)), stacked(halve, ys));
    expect(jf.traceCount).toBe(1);
  });

  it('vmap(jit) and jit(vmap) agree with the stacked eager results, with the batch on another axis', () => {
    const scalarHalve = (x: T) => halve(nb.reshape(x, []));
    const cols = f64([[10, 0.5, 7, 40]]);
    const want = stacked(halve, f64([10, 0.5, 7, 40]));
    const viaJitVmap = nb.jit((a: T) => nb.vmap(scalarHalve, { inAxes: 1 })(a))(cols);
    const viaVmapJit = nb.vmap(nb.jit(scalarHalve), { inAxes: 1 })(cols);
    expect(viaJitVmap.shape).toEqual([4, 2]);
    expectNear(flat(viaJitVmap), want);
    expectNear(flat(viaVmapJit), want);
  });

  it('a shared condition (a step counter) with batched variables, and an unbatched loop under vmap, run as nodes', () => {
    const steps = (x: T) => nb.whileLoop((i, _v) => nb.less(i, 3), (i, v) => [nb.add(i, 1), nb.mul(v, 2)], [nb.tensor(0), x])[1]!;
    const xs2 = f64([1, 2]);
    const jf = nb.jit((a: T) => nb.vmap(steps)(a));
    expect(flat(jf(xs2))).toEqual([8, 16]);
    expect(loopNodes(jf.graph(xs2))).toBe(1);
    // The loop does not touch the batch at all: it runs once, shared, and the result is broadcast.
    const shared = (x: T) => nb.add(x, nb.whileLoop((i) => nb.less(i, 5), (i) => [nb.add(i, 2)], [f64(0)])[0]!);
    expect(flat(nb.jit((a: T) => nb.vmap(shared)(a))(xs2))).toEqual([7, 8]);
  });

  it('nested vmaps inside jit: the loop runs while any example of either batch goes on', () => {
    const grid = f64([[10, 3], [0.5, 100]]);
    const got = nb.jit((a: T) => nb.vmap(nb.vmap(halve))(a))(grid);
    const want = [[10, 3], [0.5, 100]].flat().flatMap((v) => flat(halve(f64(v))));
    expectNear(flat(got), want);
  });

  it('a body that takes a gradient: per-example gradient descent until each example converges', () => {
    // Minimise (w - t)^2 per example t, stepping until |grad| < 1e-3; the trip counts differ by target.
    const loss = (w: T, t: T) => nb.square(nb.sub(w, t));
    // The target rides along as a loop variable (the closure form is tested below).
    const descend = (target: T) => {
      const [w, n] = nb.whileLoop(
        (w, _n, t) => nb.greater(nb.abs(nb.grad((u: T) => loss(u, t!))(w) as T), 1e-3),
        (w, n, t) => [nb.sub(w, nb.mul(0.25, nb.grad((u: T) => loss(u, t!))(w) as T)), nb.add(n, 1), t!],
        [f64(0), f64(0), target],
      );
      return nb.stack([w!, n!]);
    };
    const targets = f64([1, -8, 0.0001, 40]);
    const got = nb.jit((a: T) => nb.vmap(descend)(a))(targets);
    expectNear(flat(got), stacked(descend, targets));
    const counts = flat(got).filter((_, i) => i % 2 === 1);
    expect(new Set(counts).size).toBeGreaterThan(1);
  });

  it('vmap(grad) with a loop that decides a per-example scale (the loop output is not differentiated)', () => {
    // f(x) = x^2 * s(x), where s counts halvings of |x| until below 1: per-example gradient 2 x s.
    const scaleOf = (x: T) => nb.whileLoop((v, _s) => nb.greater(v, 1), (v, s) => [nb.div(v, 2), nb.add(s, 1)], [nb.stopGradient(nb.abs(x)), f64(0)])[1]!;
    const f = (x: T) => nb.mul(nb.square(x), scaleOf(x));
    const xs3 = f64([3, 0.5, 9, -20]);
    const got = nb.jit((a: T) => nb.vmap(nb.grad(f))(a))(xs3);
    expectNear(flat(got as T), [3, 0.5, 9, -20].map((x) => 2 * x * Math.max(0, Math.ceil(Math.log2(Math.abs(x))))));
  });

  it('maximumIterations caps the batched loop as it caps each example', () => {
    const capped = (x: T) => nb.whileLoop((v) => nb.greater(v, 1), (v) => [nb.div(v, 2)], [x], { maximumIterations: 2 })[0]!;
    expectNear(flat(nb.jit((a: T) => nb.vmap(capped)(a))(xs)), stacked(capped, xs));
  });
});

describe('whileLoop inside jit reads traced tensors it closes over', () => {
  it('plain jit: a bound from the jitted function\'s arguments, replayed with other values', () => {
    const f = (t: T) => nb.whileLoop((w) => nb.less(w, t), (w) => [nb.add(w, 1)], [f64(0)])[0]!;
    const jf = nb.jit(f);
    expect(flat(jf(f64(3.5)))).toEqual([4]);
    expect(flat(jf(f64(6)))).toEqual([6]);
    expect(jf.traceCount).toBe(1);
    expect(loopNodes(jf.graph(f64(1)))).toBe(1);
  });

  it('jit(vmap): per-example targets closed over by the condition and body', () => {
    const loss = (w: T, t: T) => nb.square(nb.sub(w, t));
    const descend = (t: T) => {
      const [w, n] = nb.whileLoop(
        (w) => nb.greater(nb.abs(nb.grad((u: T) => loss(u, t))(w) as T), 1e-3),
        (w, n) => [nb.sub(w, nb.mul(0.25, nb.grad((u: T) => loss(u, t))(w) as T)), nb.add(n, 1)],
        [f64(0), f64(0)],
      );
      return nb.stack([w!, n!]);
    };
    const targets = f64([1, -8, 0.0001, 40]);
    expectNear(flat(nb.jit((a: T) => nb.vmap(descend)(a))(targets)), stacked(descend, targets));
  });

  it('a body that assigns a variable is refused inside nb.jit, naming whileLoop', () => {
    const v = new nb.Variable(f64(0));
    const f = (x: T) => nb.whileLoop((w) => nb.less(w, 3), (w) => (v.assign(w), [nb.add(w, 1)]), [x])[0]!;
    expect(() => nb.jit(f)(f64(0))).toThrow(/whileLoop: the body assigned .*; a whileLoop body cannot assign variables/);
  });
});
