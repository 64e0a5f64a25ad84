// Forward mode through a scan inside nb.jit: the scan node's forward rule makes one scan whose
// carries hold the tangents too, so jit(jvp(scan)) stays one scan node. Values against central
// finite differences (float64), tangents of carries, xs and closed-over tensors, reverse scans,
// pytree carries, and composition with vmap and grad.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose, sample } from '../conformance/harness.js';

type T = nb.Tensor;
const scanNodes = (dump: string) => dump.split('\n').filter((l) => /= scan\(/.test(l)).length;
const values = (t: T) => Array.from(t.dataSync() as Float64Array);

/** Central difference of `f` (all outputs concatenated) at `args` along `dirs`. */
function directional(f: (...a: T[]) => T[], args: T[], dirs: T[], eps = 1e-6): number[] {
  const at = (s: number) => f(...args.map((a, i) => nb.add(a, nb.mul(dirs[i]!, s * eps)))).flatMap(values);
  const plus = at(1);
  const minus = at(-1);
  return plus.map((p, i) => (p - minus[i]!) / (2 * eps));
}

function expectNear(actual: number[], expected: number[], tol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    if (!(Math.abs(a - expected[i]!) <= tol * (1 + Math.abs(expected[i]!)))) throw new Error(`element ${i}: got ${a}, expected ${expected[i]}`);
  });
}

// A recurrence reading a closed-over weight: carry h [3], slices x [3], ys h·x.
const recurrence = (w: T, reverse = false) => (h: T, xs: T): T[] => {
  const [c, ys] = nb.scan((a: T, x: T): [T, T] => {
    const next = nb.tanh(nb.add(nb.mul(a, w), nb.sin(x)));
    return [next, nb.mul(next, x)];
  }, h, xs, { reverse });
  return [c, ys];
};

describe('jvp of a scan inside nb.jit', () => {
  const h = sample([3], -1, 1, 1);
  const xs = sample([5, 3], -1, 1, 2);
  const w = sample([3], -1, 1, 3);
  const dh = sample([3], -1, 1, 4);
  const dxs = sample([5, 3], -1, 1, 5);
  const dw = sample([3], -1, 1, 6);

  for (const reverse of [false, true]) {
    it(`carries, xs and a closed-over tensor: tangents equal finite differences, one scan node${reverse ? ' (reverse)' : ''}`, () => {
      const g = (hh: T, xx: T, ww: T) => recurrence(ww, reverse)(hh, xx);
      const jf = nb.jit((a: T, b: T, c: T, da: T, db: T, dc: T) => nb.jvp(g, [a, b, c], [da, db, dc]));
      const [[c, ys], [tc, tys]] = jf(h, xs, w, dh, dxs, dw) as [T[], T[]];
      const [c0, ys0] = g(h, xs, w);
      expectNear(values(c!), values(c0!), 1e-12);
      expectNear(values(ys!), values(ys0!), 1e-12);
      expectNear([...values(tc!), ...values(tys!)], directional(g, [h, xs, w], [dh, dxs, dw]));
      expect(scanNodes(jf.graph(h, xs, w, dh, dxs, dw))).toBe(1);
    });
  }

  it('tangents on some inputs only (the others constant), and an integer carry passing through', () => {
    const g = (xx: T) => {
      const [[c, n], ys] = nb.scan(([a, k]: T[], x: T): [T[], T] => [[nb.add(nb.mul(a!, x), 1), nb.add(k!, 1)], nb.exp(a!)], [h, nb.tensor(0, 'int32')], xx);
      return [c!, n!, ys];
    };
    const jf = nb.jit((b: T, db: T) => nb.jvp(g, [b], [db]));
    const [[, n], [tc, tn, tys]] = jf(xs, dxs) as [T[], T[]];
    expect(n!.arraySync()).toBe(5);
    expect(tn!.dtype).toBe('int32');
    expectNear([...values(tc!), ...values(tys!)], directional((b: T) => { const r = g(b); return [r[0]!, r[2]!]; }, [xs], [dxs]));
    expect(scanNodes(jf.graph(xs, dxs))).toBe(1);
  });

  it('pytree carries keep their structure; jvp outside jit of a jitted scan agrees', () => {
    const g = (p: { a: T; b: T }) => nb.scan((c: { a: T; b: T }, x: T): [{ a: T; b: T }, T] => [{ a: nb.mul(c.a, nb.cos(x)), b: nb.add(c.b, nb.square(c.a)) }, c.b], p, xs);
    const p = { a: h, b: w };
    const t = { a: dh, b: dw };
    const jf = nb.jit((q: { a: T; b: T }, dq: { a: T; b: T }) => nb.jvp(g, [q], [dq])[1]);
    const [tc, tys] = jf(p, t);
    const [, [ec, eys]] = nb.jvp(g, [p], [t]);
    expectNear([...values(tc.a), ...values(tc.b), ...values(tys)], [...values(ec.a), ...values(ec.b), ...values(eys)], 1e-12);
    expect(scanNodes(jf.graph(p, t))).toBe(1);
  });

  it('jacfwd of a scan in nb.jit (vmap over jvp) stays one scan node and matches jacrev', () => {
    const g = (hh: T) => recurrence(w)(hh, xs)[0]!;
    const jf = nb.jit((a: T) => nb.jacfwd(g)(a) as T);
    expectClose(jf(h), nb.jacrev(g)(h).arraySync() as number[][], { rtol: 1e-9, atol: 1e-12 });
    expect(scanNodes(jf.graph(h))).toBe(1);
  });

  it('jvp of a vmapped scan in nb.jit (jvp over vmap) is one scan node and equals the per-example jvps', () => {
    const g = (hh: T) => recurrence(w)(hh, xs)[0]!;
    const hs = sample([4, 3], -1, 1, 8);
    const dhs = sample([4, 3], -1, 1, 9);
    const jf = nb.jit((a: T, da: T) => nb.jvp(nb.vmap(g), [a], [da])[1]);
    const want = [0, 1, 2, 3].flatMap((i) => {
      const row = (t: T) => nb.reshape(nb.slice(t, [i, 0], [1, 3]), [3]);
      return values(nb.jvp(g, [row(hs)], [row(dhs)])[1]);
    });
    expectNear(values(jf(hs, dhs)), want, 1e-10);
    expect(scanNodes(jf.graph(hs, dhs))).toBe(1);
  });

  it('under a recording tape (grad of jvp in nb.jit) the values stay on the primal node and gradients are right', () => {
    // d/dh of <J·dh, 1>: a second derivative through the scan, against finite differences of the jvp.
    const body = (a: T, x: T): [T, T] => [nb.sin(nb.add(nb.mul(a, w), x)), a];
    const tangentSum = (a: T) => nb.sum(nb.jvp((hh: T) => nb.scan(body, hh, xs)[0], [a], [dh])[1]);
    const jg = nb.jit((a: T) => nb.grad(tangentSum)(a));
    const eps = 1e-6;
    const fd = [0, 1, 2].map((i) => {
      const e = nb.tensor([0, 1, 2].map((j) => (j === i ? eps : 0)), 'float64');
      return (values(tangentSum(nb.add(h, e)))[0]! - values(tangentSum(nb.sub(h, e)))[0]!) / (2 * eps);
    });
    expectNear(values(jg(h) as T), fd, 1e-5);
  });
});
