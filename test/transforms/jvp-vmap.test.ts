// jvp and vmap composed both ways, including per-example control flow (nb.cond / nb.whileLoop with a
// predicate that differs between examples): each against a loop of jvps over the examples.
import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { sample } from '../conformance/harness.js';

const values = (t: nb.Tensor) => Array.from(t.dataSync() as Float64Array);

function expectSame(a: nb.Tensor, b: nb.Tensor, tol = 1e-12): void {
  expect(a.shape).toEqual(b.shape);
  const bv = values(b);
  values(a).forEach((v, i) => {
    if (!(Math.abs(v - bv[i]!) <= tol * (1 + Math.abs(bv[i]!)))) throw new Error(`element ${i}: ${v}, expected ${bv[i]}`);
  });
}

/** Per example: [f(x_i), J_f(x_i)·v_i] by plain jvp, stacked. */
function loop(f: (x: nb.Tensor) => nb.Tensor, xs: nb.Tensor, vs: nb.Tensor): [nb.Tensor, nb.Tensor] {
  const ys: nb.Tensor[] = [];
  const ts: nb.Tensor[] = [];
  for (let i = 0; i < xs.shape[0]!; i++) {
    const [y, t] = nb.jvp(f, [nb.gather(xs, i)], [nb.gather(vs, i)]);
    ys.push(y);
    ts.push(t);
  }
  return [nb.stack(ys, 0), nb.stack(ts, 0)];
}

const w = sample([3, 3], -1, 1, 21);
// Each example takes the branch its own sum picks: square on one side, a matmul + sin on the other.
const branchy = (x: nb.Tensor) =>
  nb.cond(
    nb.greater(nb.sum(x), 0),
    () => nb.square(x),
    () => nb.sin(nb.reshape(nb.matmul(nb.reshape(x, [1, 3]), w), [3])),
  );
const xs = nb.tensor([[1, 2, 3], [-1, -2, 0.5], [0.3, -0.1, 0.2], [-2, 1, -0.5]], 'float64');
const vs = sample([4, 3], -1, 1, 22);

describe('vmap(jvp(f)) and jvp(vmap(f))', () => {
  it('the examples really take different branches (the test would catch a shared branch)', () => {
    const sums = values(nb.sum(xs, 1));
    expect(sums.some((s) => s > 0) && sums.some((s) => s <= 0)).toBe(true);
  });

  it('vmap(jvp) with a per-example nb.cond equals the loop of jvps', () => {
    const [y, t] = nb.vmap((x: nb.Tensor, v: nb.Tensor) => nb.jvp(branchy, [x], [v]))(xs, vs);
    const [ly, lt] = loop(branchy, xs, vs);
    expectSame(y, ly);
    expectSame(t, lt);
  });

  it('jvp(vmap) with a per-example nb.cond equals the loop of jvps', () => {
    const [y, t] = nb.jvp(nb.vmap(branchy), [xs], [vs]);
    const [ly, lt] = loop(branchy, xs, vs);
    expectSame(y, ly);
    expectSame(t, lt);
  });

  it('vmap(jvp) with a shared tangent (inAxes null) and a per-example whileLoop', () => {
    // Halve until below 1: the tangent is scaled by 1/2 per step, and each example takes its own count.
    const halve = (x: nb.Tensor) => nb.whileLoop((a) => nb.greater(nb.sum(a), 1), (a) => [nb.mul(a, 0.5)], [x])[0]!;
    const x2 = nb.tensor([[0.2, 0.3], [3, 1], [10, 7]], 'float64');
    const v = nb.tensor([1, 1], 'float64');
    const [y, t] = nb.vmap((x: nb.Tensor, u: nb.Tensor) => nb.jvp(halve, [x], [u]), { inAxes: [0, null] })(x2, v);
    const [ly, lt] = loop(halve, x2, nb.stack([v, v, v], 0));
    expectSame(y, ly);
    expectSame(t, lt);
    expect(values(t)).toEqual([1, 1, 0.25, 0.25, 0.03125, 0.03125]);
  });

  it('jacfwd inside vmap (per-example Jacobians through a per-example cond) equals the loop', () => {
    const j = nb.vmap(nb.jacfwd(branchy) as (x: nb.Tensor) => nb.Tensor)(xs);
    const rows = Array.from({ length: 4 }, (_, i) => nb.jacfwd(branchy)(nb.gather(xs, i)) as nb.Tensor);
    expectSame(j, nb.stack(rows, 0));
  });

  it('inside the branches of a per-example cond under jvp, assignments are refused as under plain vmap', () => {
    const v = new nb.Variable(nb.tensor(0, 'float64'));
    const f = (x: nb.Tensor) => nb.cond(nb.greater(nb.sum(x), 0), () => (v.assign(1), x), () => x);
    expect(() => nb.vmap((x: nb.Tensor) => nb.jvp(f, [x], [x]))(xs)).toThrow(/cannot assign variable .* inside nb.cond with a per-example predicate/);
  });
});
