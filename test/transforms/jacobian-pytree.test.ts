// jacfwd / jacrev / hessian on pytree arguments and outputs with argnums: the nested structure JAX
// returns (output structure outside, argument structure inside, blocks [...out, ...in]), each block
// checked against central finite differences and the two modes against each other.
import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose } from '../conformance/harness.js';

const f64 = (v: number | number[] | number[][]) => nb.tensor(v, 'float64');
const values = (t: nb.Tensor) => Array.from(t.dataSync() as Float64Array);

interface Params { w: nb.Tensor; b: [nb.Tensor, nb.Tensor] }
const params = (): Params => ({ w: f64([[0.3, -0.2], [0.5, 0.1], [0.4, -0.6]]), b: [f64([0.2, -0.1]), f64(0.7)] });
const x0 = f64([0.5, -1, 2]);

/** A pytree-valued model of pytree parameters and a data argument. */
function model(p: Params, x: nb.Tensor): { h: nb.Tensor; s: nb.Tensor } {
  const h = nb.tanh(nb.add(nb.matmul(nb.reshape(x, [1, 3]), p.w), p.b[0]));
  return { h: nb.reshape(h, [2]), s: nb.mul(nb.sum(nb.square(h)), p.b[1]) };
}

/** The leaf `get` of `tree` (a fresh copy, so the others stay) replaced by `leaf`. */
function replaceLeaf(tree: Params, which: string, leaf: nb.Tensor): Params {
  return { w: which === 'w' ? leaf : tree.w, b: [which === 'b0' ? leaf : tree.b[0], which === 'b1' ? leaf : tree.b[1]] };
}
const leafOf = (p: Params, which: string) => (which === 'w' ? p.w : which === 'b0' ? p.b[0] : p.b[1]);

/** Central-difference Jacobian of an output leaf with respect to a parameter leaf: [...out, ...in] flattened row-major. */
function fdBlock(out: (p: Params) => nb.Tensor, which: string, eps = 1e-6): number[] {
  const p = params();
  const leaf = leafOf(p, which);
  const base = values(leaf);
  const cols = base.map((_, j) => {
    const bump = (d: number) => values(out(replaceLeaf(p, which, nb.reshape(f64(base.map((v, i) => (i === j ? v + d : v))), leaf.shape))));
    const plus = bump(eps);
    const minus = bump(-eps);
    return plus.map((v, i) => (v - minus[i]!) / (2 * eps));
  });
  const nOut = cols[0]!.length;
  return Array.from({ length: nOut * base.length }, (_, k) => cols[k % base.length]![Math.floor(k / base.length)]!);
}

function expectNear(actual: number[], expected: number[], tol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    if (!(Math.abs(a - expected[i]!) <= tol * (1 + Math.abs(expected[i]!)))) throw new Error(`element ${i}: got ${a}, expected ${expected[i]}`);
  });
}

describe('Jacobians of pytrees', () => {
  const leaves = ['w', 'b0', 'b1'] as const;
  const outputs = { h: (p: Params) => model(p, x0).h, s: (p: Params) => model(p, x0).s };

  const modes: [string, (f: typeof model) => (...a: unknown[]) => unknown][] = [['jacfwd', (f) => nb.jacfwd(f)], ['jacrev', (f) => nb.jacrev(f)]];
  for (const [name, jac] of modes) {
    it(`${name}: output structure outside, parameter structure inside, blocks [...out, ...in] equal to finite differences`, () => {
      const J = jac(model)(params(), x0) as { h: Params; s: Params };
      expect(Object.keys(J)).toEqual(['h', 's']);
      expect(J.h.w.shape).toEqual([2, 3, 2]);
      expect(J.h.b[0].shape).toEqual([2, 2]);
      expect(J.h.b[1].shape).toEqual([2]);
      expect(J.s.w.shape).toEqual([3, 2]);
      expect(J.s.b[1].shape).toEqual([]);
      for (const out of ['h', 's'] as const) {
        for (const which of leaves) expectNear(values(leafOf(J[out], which)), fdBlock(outputs[out], which));
      }
    });
  }

  it('argnums as a list gives each output leaf a list with one structure per argument', () => {
    const J = nb.jacfwd(model, { argnums: [0, 1] })(params(), x0) as { h: [Params, nb.Tensor]; s: [Params, nb.Tensor] };
    const R = nb.jacrev(model, { argnums: [0, 1] })(params(), x0) as typeof J;
    expect(J.h).toHaveLength(2);
    expect(J.h[1].shape).toEqual([2, 3]);
    expect(J.s[1].shape).toEqual([3]);
    for (const out of ['h', 's'] as const) {
      expectNear(values(J[out][1]), values(R[out][1]), 1e-12);
      for (const which of leaves) expectNear(values(leafOf(J[out][0], which)), values(leafOf(R[out][0], which)), 1e-12);
    }
    // ∂s/∂x by central differences along each coordinate of x.
    const eps = 1e-6;
    const fdX = [0, 1, 2].map((j) => {
      const at = (d: number) => values(model(params(), f64(values(x0).map((v, i) => (i === j ? v + d : v)))).s)[0]!;
      return (at(eps) - at(-eps)) / (2 * eps);
    });
    expectNear(values(J.s[1]), fdX);
  });

  it('arguments not named by argnums pass through as given (a config object, a JS number)', () => {
    const f = (cfg: { scale: number }, p: { a: nb.Tensor }) => nb.mul(nb.square(p.a), cfg.scale);
    const J = nb.jacfwd(f, { argnums: 1 })({ scale: 3 }, { a: f64([1, 2]) }) as { a: nb.Tensor };
    expectClose(J.a, [[6, 0], [0, 12]]);
    const R = nb.jacrev(f, { argnums: 1 })({ scale: 3 }, { a: f64([1, 2]) }) as { a: nb.Tensor };
    expectClose(R.a, [[6, 0], [0, 12]]);
  });

  it('mixed float32 and float64 leaves keep their dtypes', () => {
    const f = (p: { a: nb.Tensor; b: nb.Tensor }) => nb.add(nb.cast(nb.mul(p.a, 2), 'float64'), nb.square(p.b));
    const J = nb.jacfwd(f)({ a: nb.tensor([1, 2], 'float32'), b: f64([3, 4]) }) as { a: nb.Tensor; b: nb.Tensor };
    expectClose(J.a, [[2, 0], [0, 2]]);
    expectClose(J.b, [[6, 0], [0, 8]]);
    const R = nb.jacrev(f)({ a: nb.tensor([1, 2], 'float32'), b: f64([3, 4]) }) as { a: nb.Tensor; b: nb.Tensor };
    expectClose(R.a, [[2, 0], [0, 2]]);
    expectClose(R.b, [[6, 0], [0, 8]]);
  });
});

describe('Hessians of pytrees', () => {
  // f(p) = Σ a_i² b + a_0 c³ with p = { a: [2], bc: [b, c] }
  const f = (p: { a: nb.Tensor; bc: [nb.Tensor, nb.Tensor] }) =>
    nb.add(nb.mul(nb.sum(nb.square(p.a)), p.bc[0]), nb.mul(nb.slice(p.a, [0], [1]).reshape([]), nb.pow(p.bc[1], 3)));
  const p = () => ({ a: f64([1.5, -2]), bc: [f64(0.5), f64(1.2)] as [nb.Tensor, nb.Tensor] });

  it('the argument structure nested in itself, each block the closed form', () => {
    type H = { a: { a: nb.Tensor; bc: [nb.Tensor, nb.Tensor] }; bc: [{ a: nb.Tensor; bc: [nb.Tensor, nb.Tensor] }, { a: nb.Tensor; bc: [nb.Tensor, nb.Tensor] }] };
    const h = nb.hessian(f)(p()) as H;
    const [a0, a1, b, c] = [1.5, -2, 0.5, 1.2];
    expectClose(h.a.a, [[2 * b, 0], [0, 2 * b]]);
    expectClose(h.a.bc[0], [2 * a0, 2 * a1]);
    expectClose(h.a.bc[1], [3 * c * c, 0]);
    expectClose(h.bc[0].a, [2 * a0, 2 * a1]);
    expectClose(h.bc[0].bc[0], 0);
    expectClose(h.bc[1].bc[1], 6 * a0 * c);
    expectClose(h.bc[1].a, [3 * c * c, 0]);
    expect(h.a.a.shape).toEqual([2, 2]);
    expect(h.bc[1].bc[0].shape).toEqual([]);
  });

  it('with argnums [0, 1] over a pytree and a tensor, each leaf of the gradient gets a list per argument (as JAX)', () => {
    const g = (q: { a: nb.Tensor }, y: nb.Tensor) => nb.sum(nb.mul(nb.square(q.a), nb.exp(y)));
    type H = [{ a: [{ a: nb.Tensor }, nb.Tensor] }, [{ a: nb.Tensor }, nb.Tensor]];
    const H = nb.hessian(g, { argnums: [0, 1] })({ a: f64([1, 2]) }, f64([0, 0.5])) as H;
    const e = [1, Math.exp(0.5)];
    expectClose(H[0].a[0].a, [[2 * e[0]!, 0], [0, 2 * e[1]!]]);
    expectClose(H[0].a[1], [[2 * e[0]!, 0], [0, 4 * e[1]!]]);
    expectClose(H[1][0].a, [[2 * e[0]!, 0], [0, 4 * e[1]!]]);
    expectClose(H[1][1], [[e[0]!, 0], [0, 4 * e[1]!]]);
  });

  it('works inside nb.jit on pytrees', () => {
    const jh = nb.jit((q: { a: nb.Tensor; bc: [nb.Tensor, nb.Tensor] }) => nb.hessian(f)(q) as { a: { a: nb.Tensor } });
    expectClose(jh(p()).a.a, [[1, 0], [0, 1]]);
  });
});
