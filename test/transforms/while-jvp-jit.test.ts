// Forward mode through a whileLoop inside nb.jit: the loop node's forward rule makes one loop whose
// variables hold the tangents too (the condition reads the primal values). Tangents against central
// finite differences (float64) and against jvp outside nb.jit (where the loop runs step by step).
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { sample } from '../conformance/harness.js';

type T = nb.Tensor;
const values = (t: T) => Array.from(t.dataSync() as Float64Array);
const loopNodes = (dump: string) => dump.split('\n').filter((l) => /= whileLoop\(/.test(l)).length;

// Iterate x ← tanh(x * w + 0.5) + x / 2 while a counter is below `steps`, reading a closed-over w.
const iterate = (w: T, steps: number) => (x: T): T => {
  const [, out] = nb.whileLoop(
    (i: T) => nb.less(i, steps),
    (i: T, v: T) => [nb.add(i, 1), nb.add(nb.tanh(nb.add(nb.mul(v, w), 0.5)), nb.div(v, 2))],
    [nb.tensor(0, [], 'int32'), x],
  );
  return out!;
};

function expectNear(actual: number[], expected: number[], tol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i]!), `element ${i}: ${a} vs ${expected[i]}`).toBeLessThanOrEqual(tol * (1 + Math.abs(expected[i]!))));
}

describe('jvp of a whileLoop inside nb.jit', () => {
  const x = sample([4], -1, 1, 1);
  const w = sample([4], -1, 1, 2);
  const dx = sample([4], -1, 1, 3);
  const dw = sample([4], -1, 1, 4);

  it('is one loop node, and its tangent matches finite differences and eager jvp', () => {
    const f = (a: T, b: T) => iterate(b, 5)(a);
    const jitted = nb.jit((a: T, b: T, ta: T, tb: T) => nb.jvp(f, [a, b], [ta, tb]));
    const [value, tangent] = jitted(x, w, dx, dw) as [T, T];
    const [eagerValue, eagerTangent] = nb.jvp(f, [x, w], [dx, dw]) as [T, T];
    expectNear(values(value), values(eagerValue), 1e-12);
    expectNear(values(tangent), values(eagerTangent), 1e-12);
    const eps = 1e-6;
    const at = (s: number) => values(f(nb.add(x, nb.mul(dx, s * eps)), nb.add(w, nb.mul(dw, s * eps))));
    const fd = at(1).map((p, i) => (p - at(-1)[i]!) / (2 * eps));
    expectNear(values(tangent), fd, 1e-6);
    expect(loopNodes(jitted.graph(x, w, dx, dw))).toBe(1);
  });

  it('stops when the condition on the primal values says so, whatever the tangents', () => {
    // Halve until below 0.1: the trip count depends on x, and the tangent is dx / 2^trips.
    const halve = (a: T) => nb.whileLoop((v: T) => nb.greater(nb.max(nb.abs(v)), 0.1), (v: T) => [nb.div(v, 2)], [a])[0]!;
    const jitted = nb.jit((a: T, ta: T) => nb.jvp(halve, [a], [ta]));
    const start = nb.tensor([0.8, -0.3], [2], 'float64');
    const [value, tangent] = jitted(start, nb.tensor([1, 1], [2], 'float64')) as [T, T];
    expectNear(values(value), [0.1, -0.0375], 1e-12);
    expectNear(values(tangent), [0.125, 0.125], 1e-12);
  });

  it('composes with jacfwd inside nb.jit', () => {
    const jac = nb.jit((a: T) => nb.jacfwd((v: T) => iterate(w, 3)(v))(a));
    const eager = nb.jacfwd((v: T) => iterate(w, 3)(v))(x);
    expectNear(values(jac(x) as T), values(eager as T), 1e-12);
  });
});
