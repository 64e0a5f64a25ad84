// Forward mode and the Jacobian/Hessian transforms: against finite differences, against reverse
// mode, on functions with known derivatives, composed with grad and jit, on pytrees, and on bad input.
import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose, sample } from '../conformance/harness.js';

const f64 = (v: number | number[] | number[][]) => nb.tensor(v, 'float64');
const values = (t: nb.Tensor) => Array.from(t.dataSync() as Float64Array);

/** Central difference of `f` at `x` along `v` (float64). */
function directional(f: (x: nb.Tensor) => nb.Tensor, x: nb.Tensor, v: nb.Tensor, eps = 1e-6): number[] {
  const plus = values(f(nb.add(x, nb.mul(v, eps))));
  const minus = values(f(nb.sub(x, nb.mul(v, eps))));
  return plus.map((p, i) => (p - minus[i]!) / (2 * eps));
}

function expectNear(actual: number[], expected: number[], tol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    if (!(Math.abs(a - expected[i]!) <= tol * (1 + Math.abs(expected[i]!)))) throw new Error(`element ${i}: got ${a}, expected ${expected[i]}`);
  });
}

const mlp = (x: nb.Tensor) => {
  const w = nb.tensor([[0.3, -0.2, 0.5], [0.1, 0.4, -0.6]], 'float64');
  return nb.sum(nb.tanh(nb.matmul(x, w)), 1);
};

describe('jvp', () => {
  it('returns [value, J·v] and matches central differences on a small network', () => {
    const x = sample([4, 2], -1, 1, 3);
    const v = sample([4, 2], -1, 1, 4);
    const [y, ty] = nb.jvp(mlp, [x], [v]);
    expectNear(values(y), values(mlp(x)), 1e-12);
    expectNear(values(ty), directional(mlp, x, v));
  });

  it('sin(x) * exp(x): tangent is (cos x + sin x) e^x · v', () => {
    const x = f64([-1, 0, 0.5, 2]);
    const v = f64([1, 2, -1, 0.5]);
    const [, ty] = nb.jvp((a: nb.Tensor) => nb.mul(nb.sin(a), nb.exp(a)), [x], [v]);
    expectClose(ty, [-1, 0, 0.5, 2].map((a, i) => (Math.cos(a) + Math.sin(a)) * Math.exp(a) * [1, 2, -1, 0.5][i]!));
  });

  it('matches reverse mode: J·v from jvp equals jacrev(f) · v', () => {
    const f = (x: nb.Tensor) => nb.concat([nb.softmax(x), nb.expandDims(nb.logSumExp(x), 0)], 0);
    const x = f64([0.2, -1, 0.7]);
    const v = f64([1, 0.5, -2]);
    const [, ty] = nb.jvp(f, [x], [v]);
    const j = nb.jacrev(f)(x) as nb.Tensor;
    expectNear(values(ty), values(nb.matmul(j, nb.reshape(v, [3, 1]))), 1e-12);
  });

  it('several arguments and pytrees: tangents mirror the primals, outputs keep their structure', () => {
    const f = (p: { w: nb.Tensor; b: nb.Tensor }, xs: nb.Tensor[]) => ({ y: nb.add(nb.matmul(xs[0]!, p.w), p.b), n: [nb.sum(nb.square(xs[1]!))] });
    const p = { w: f64([[1, 2], [3, 4]]), b: f64([0.5, -0.5]) };
    const xs = [f64([[1, -1]]), f64([1, 2, 3])];
    const tp = { w: f64([[0, 1], [0, 0]]), b: f64([1, 0]) };
    const txs = [f64([[1, 0]]), f64([1, 0, -1])];
    const [out, tan] = nb.jvp(f, [p, xs], [tp, txs]);
    expectClose(out.y, [[-1.5, -2.5]]);
    // d(xW + b) = dx W + x dW + db = [1, 2] + [0, 1] + [1, 0]
    expectClose(tan.y, [[2, 3]]);
    // d(sum x^2) = 2 x · dx = 2 (1 - 3)
    expectClose(tan.n[0]!, -4);
  });

  it('outputs that do not depend on the primals get zero tangents; closed-over tensors are constants', () => {
    const c = f64([1, 2]);
    const [, [t1, t2]] = nb.jvp((x: nb.Tensor) => [nb.mul(x, c), nb.mul(c, 3)], [f64([5, 6])], [f64([1, 1])]);
    expectClose(t1!, [1, 2]);
    expectClose(t2!, [0, 0]);
  });

  it('runs data-dependent JS control flow eagerly', () => {
    const f = (x: nb.Tensor) => (nb.sum(x).item() > 0 ? nb.square(x) : nb.neg(x));
    expectClose(nb.jvp(f, [f64([1, 2])], [f64([1, 1])])[1], [2, 4]);
    expectClose(nb.jvp(f, [f64([-1, -2])], [f64([1, 1])])[1], [-1, -1]);
  });

  it('reductions, cumprod, maxPool (rule derived from the VJP) and sort (gathers) match central differences', () => {
    const cases: [string, (x: nb.Tensor) => nb.Tensor, number[]][] = [
      ['max', (x) => nb.max(x, 1), [2, 3]],
      ['prod', (x) => nb.prod(x, 0), [2, 3]],
      ['cumprod', (x) => nb.cumprod(x, 1), [2, 3]],
      ['maxPool', (x) => nb.maxPool(x, 2), [1, 4, 4, 2]],
      ['sort', (x) => nb.sort(x), [2, 5]],
    ];
    for (const [name, f, shape] of cases) {
      const x = sample(shape, 0.5, 2, name.length);
      const v = sample(shape, -1, 1, 11);
      expectNear(values(nb.jvp(f, [x], [v])[1]), directional(f, x, v), 1e-6);
    }
  });

  it('a customGradient op gets the tangent its gradient function implies (derived from the VJP)', () => {
    // A straight-through floor: the value is floor(x), the declared derivative 1.5.
    const ste = nb.customGradient((x: nb.Tensor) => ({ value: nb.floor(x), gradFunc: (dy: nb.Tensor) => nb.mul(dy, 1.5) }));
    const [y, t] = nb.jvp((x: nb.Tensor) => ste(x), [f64([0.5, 2.7])], [f64([1, -2])]);
    expectClose(y, [0, 2]);
    expectClose(t, [1.5, -3]);
  });

  it('reductions: prod with a zero, max with a tie (the tangent splits like the gradient)', () => {
    const [, tp] = nb.jvp((x: nb.Tensor) => nb.prod(x), [f64([0, 2, 3])], [f64([1, 1, 1])]);
    expectClose(tp, 6);
    const [, tm] = nb.jvp((x: nb.Tensor) => nb.max(x), [f64([3, 1, 3])], [f64([1, 5, 2])]);
    expectClose(tm, 1.5);
  });

  it('inside a tidy the tangents survive until jvp returns them', () => {
    const f = (x: nb.Tensor) => nb.tidy(() => nb.exp(nb.mul(x, 2)));
    const [, t] = nb.jvp(f, [f64([0, 1])], [f64([1, 1])]);
    expectClose(t, [2, 2 * Math.exp(2)]);
  });
});

describe('linearize', () => {
  it('gives the value and a function of the tangent, equal to jvp', () => {
    const x = sample([4, 2], -1, 1, 5);
    const [y, fJvp] = nb.linearize(mlp, [x]);
    expectNear(values(y), values(mlp(x)), 1e-12);
    for (const seed of [6, 7]) {
      const v = sample([4, 2], -1, 1, seed);
      expectNear(values(fJvp(v) as nb.Tensor), values(nb.jvp(mlp, [x], [v])[1]), 1e-12);
    }
  });
});

describe('linearize replays the recorded tangent computation', () => {
  it('runs f once: later calls of fJvp do not call f, and match jvp (ops with direct and derived rules, pytrees)', () => {
    let calls = 0;
    const f = (p: { a: nb.Tensor; b: nb.Tensor }) => {
      calls++;
      return [nb.max(nb.mul(p.a, nb.exp(p.b)), 1), nb.maxPool(nb.reshape(nb.concat([p.a, p.b], 1), [1, 2, 4, 1]), 2)];
    };
    const p = { a: sample([2, 2], -1, 1, 21), b: sample([2, 2], -1, 1, 22) };
    const [value, fJvp] = nb.linearize(f, [p]);
    expect(calls).toBe(1);
    expectNear(values(value[0]!), values(f(p)[0]!), 1e-12);
    calls = 0;
    for (const seed of [23, 24]) {
      const v = { a: sample([2, 2], -1, 1, seed), b: sample([2, 2], -1, 1, seed + 10) };
      const [t0, t1] = fJvp(v);
      const [, [r0, r1]] = nb.jvp(f, [p], [v]);
      expectNear(values(t0!), values(r0!), 1e-12);
      expectNear(values(t1!), values(r1!), 1e-12);
    }
    expect(calls).toBe(2); // the two reference jvp calls only
  });

  it('checks tangents like jvp', () => {
    const [, fJvp] = nb.linearize((x: nb.Tensor) => nb.exp(x), [f64([1, 2])]);
    expect(() => fJvp(f64([1, 2, 3]))).toThrow(/linearize: tangent \[0\] has shape \[3\] but its primal has shape \[2\]/);
  });

  it('under a tape fJvp runs f in forward mode, so the tape differentiates it', () => {
    const x = f64([0.5, 1]);
    const [, fJvp] = nb.linearize((a: nb.Tensor) => nb.mul(nb.sin(a), a), [x]);
    const v = f64([1, 1]);
    const tape = new nb.GradientTape();
    tape.watch(v);
    const t = fJvp(v);
    // d/dv (J v) = J's diagonal = sin x + x cos x
    expectClose(tape.gradient(nb.sum(t), v)!, [0.5, 1].map((a) => Math.sin(a) + a * Math.cos(a)));
  });
});

describe('jacfwd, jacrev, hessian, hvp', () => {
  it('jacfwd equals jacrev and the closed form of an elementwise map times a matrix', () => {
    const a = f64([[1, 2, 0], [0, -1, 3]]);
    const f = (x: nb.Tensor) => nb.matmul(a, nb.sin(x));
    const x = f64([0.1, 0.2, 0.3]);
    const expected = [[1, 2, 0], [0, -1, 3]].map((row) => row.map((aij, j) => aij * Math.cos([0.1, 0.2, 0.3][j]!)));
    expectClose(nb.jacfwd(f)(x), expected);
    expectClose(nb.jacrev(f)(x), expected);
  });

  it('Jacobian shapes are [...out, ...in]; argnums picks arguments', () => {
    const f = (x: nb.Tensor, y: nb.Tensor) => nb.mul(nb.reshape(x, [2, 1]), y);
    const x = f64([[1, 2]]);
    const y = f64([3, 4, 5]);
    const [jx, jy] = nb.jacfwd(f, { argnums: [0, 1] })(x, y) as nb.Tensor[];
    expect(jx!.shape).toEqual([2, 3, 1, 2]);
    expect(jy!.shape).toEqual([2, 3, 3]);
    const [rx, ry] = nb.jacrev(f, { argnums: [0, 1] })(x, y) as nb.Tensor[];
    expectNear(values(jx!), values(rx!), 1e-12);
    expectNear(values(jy!), values(ry!), 1e-12);
    // d(x_i y_j)/dy_k = x_i δ_jk
    expectClose(jy!, [[[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[2, 0, 0], [0, 2, 0], [0, 0, 2]]]);
  });

  it('hessian of xᵀAx is A + Aᵀ', () => {
    const A = f64([[1, 2, 0], [-1, 3, 4], [0.5, 0, 2]]);
    const f = (x: nb.Tensor) => nb.sum(nb.mul(x, nb.matmul(A, x)));
    const h = nb.hessian(f)(f64([0.3, -0.7, 1.1])) as nb.Tensor;
    expectClose(h, [[2, 1, 0.5], [1, 6, 4], [0.5, 4, 4]]);
  });

  const rosenbrock = (p: nb.Tensor) => {
    const x = nb.slice(p, [0], [1]);
    const y = nb.slice(p, [1], [1]);
    return nb.sum(nb.add(nb.square(nb.sub(1, x)), nb.mul(100, nb.square(nb.sub(y, nb.square(x))))));
  };

  it('hessian of Rosenbrock at (1, 1) is [[802, -400], [-400, 200]] and at (0, 0) [[2, 0], [0, 200]]', () => {
    expectClose(nb.hessian(rosenbrock)(f64([1, 1])), [[802, -400], [-400, 200]]);
    expectClose(nb.hessian(rosenbrock)(f64([0, 0])), [[2, 0], [0, 200]]);
  });

  it('hvp equals hessian · v without forming the Hessian', () => {
    const p = f64([0.3, -0.4]);
    const v = f64([1.5, -2]);
    const h = nb.hessian(rosenbrock)(p) as nb.Tensor;
    expectNear(values(nb.hvp(rosenbrock, p, v)), values(nb.matmul(h, nb.reshape(v, [2, 1]))), 1e-12);
  });

  it('hessian with two arguments gives the blocks H[i][j]; hvp with arrays matches them', () => {
    const f = (x: nb.Tensor, y: nb.Tensor) => nb.sum(nb.mul(nb.square(x), nb.exp(y)));
    const x = f64([1, 2]);
    const y = f64([0, 0.5]);
    const h = nb.hessian(f, { argnums: [0, 1] })(x, y) as nb.Tensor[][];
    // f = Σ x_i² e^{y_i}: Hxx = diag(2e^y), Hxy = diag(2x e^y), Hyy = diag(x² e^y)
    const e = [1, Math.exp(0.5)];
    expectClose(h[0]![0]!, [[2 * e[0]!, 0], [0, 2 * e[1]!]]);
    expectClose(h[0]![1]!, [[2 * e[0]!, 0], [0, 4 * e[1]!]]);
    expectClose(h[1]![1]!, [[e[0]!, 0], [0, 4 * e[1]!]]);
    const [hx, hy] = nb.hvp(f, [x, y], [f64([1, 0]), f64([0, 1])]) as nb.Tensor[];
    expectClose(hx!, [2 * e[0]!, 4 * e[1]!]);
    expectClose(hy!, [2 * e[0]!, 4 * e[1]!]);
  });
});

describe('composition', () => {
  const f = (x: nb.Tensor) => nb.sum(nb.mul(nb.sin(x), x));
  // f' = sin x + x cos x, f'' = 2 cos x - x sin x, f''' = -3 sin x - x cos x
  const d1 = (x: number) => Math.sin(x) + x * Math.cos(x);
  const d2 = (x: number) => 2 * Math.cos(x) - x * Math.sin(x);
  const d3 = (x: number) => -3 * Math.sin(x) - x * Math.cos(x);
  const xs = [0.3, -1.2, 2];

  it('jvp of grad (forward over reverse) gives f″ · v', () => {
    const [g, tg] = nb.jvp(nb.grad(f) as (x: nb.Tensor) => nb.Tensor, [f64(xs)], [f64([1, 1, 1])]);
    expectClose(g, xs.map(d1));
    expectClose(tg, xs.map(d2));
  });

  it('grad of jvp (reverse over forward) gives f″ · v', () => {
    const x = f64(xs);
    const g = nb.grad((a: nb.Tensor) => nb.sum(nb.jvp(nb.grad(f) as (x: nb.Tensor) => nb.Tensor, [a], [f64([1, 1, 1])])[1]))(x);
    expectClose(g as nb.Tensor, xs.map(d3));
    const tape = new nb.GradientTape();
    tape.watch(x);
    const [, t] = nb.jvp((a: nb.Tensor) => nb.mul(nb.sin(a), a), [x], [f64([1, 1, 1])]);
    expectClose(tape.gradient(nb.sum(t), x)!, xs.map(d2));
  });

  it('a tape differentiates the tangent with respect to a trainable variable f reads', () => {
    const w = new nb.Variable(f64([2, -1]));
    const x = f64([3, 0.5]);
    const v = f64([1, 4]);
    const tape = new nb.GradientTape();
    const [, t] = nb.jvp((a: nb.Tensor) => nb.mul(w, nb.square(a)), [x], [v]);
    // tangent = 2 w x v, so d(sum tangent)/dw = 2 x v
    expectClose(tape.gradient(nb.sum(t), w)!, [6, 4]);
  });

  it('jvp of jvp gives second derivatives and keeps the levels apart', () => {
    const inner = (a: nb.Tensor) => nb.jvp((b: nb.Tensor) => nb.mul(nb.sin(b), b), [a], [f64([1, 1, 1])])[1];
    expectClose(nb.jvp(inner, [f64(xs)], [f64([1, 1, 1])])[1], xs.map(d2));
    // d/dx of (d/dy x·y) = d/dx x = 1: the inner tangent must not leak into the outer level.
    const nested = (x: nb.Tensor) => nb.jvp((y: nb.Tensor) => nb.mul(x, y), [f64(2)], [f64(1)])[1];
    expectClose(nb.jvp(nested, [f64(3)], [f64(1)])[1], 1);
  });

  it('jit of jvp traces once and replays; jvp inside a jitted function works with closed-over traced tensors', () => {
    const jf = nb.jit((x: nb.Tensor, v: nb.Tensor) => nb.jvp((a: nb.Tensor) => nb.mul(nb.sin(a), a), [x], [v]));
    for (const scale of [1, 2]) {
      const [y, t] = jf(f64(xs), f64([scale, scale, scale]));
      expectClose(y, xs.map((a) => a * Math.sin(a)));
      expectClose(t, xs.map((a) => scale * d1(a)));
    }
    expect(jf.traceCount).toBe(1);
    const closure = nb.jit((w: nb.Tensor, x: nb.Tensor) => nb.jvp((a: nb.Tensor) => nb.mul(w, nb.exp(a)), [x], [nb.onesLike(x)])[1]);
    expectClose(closure(f64([2, 3]), f64([0, 1])), [2, 3 * Math.E]);
  });

  it('nb.cond on a traced predicate inside jvp inside jit selects the branch and its tangent', () => {
    const f = (a: nb.Tensor) => nb.cond(nb.greater(nb.sum(a), 0), () => nb.square(a), () => nb.mul(a, -3));
    const jf = nb.jit((x: nb.Tensor) => nb.jvp(f, [x], [nb.onesLike(x)])[1]);
    expectClose(jf(f64([1, 2])), [2, 4]);
    expectClose(jf(f64([-1, -2])), [-3, -3]);
    expect(jf.traceCount).toBe(1);
  });

  it('jvp of a jitted function sees its ops (the jit runs inline under the transform)', () => {
    const g = nb.jit((a: nb.Tensor) => nb.mul(nb.sin(a), a));
    expectClose(nb.jvp(g, [f64(xs)], [f64([1, 1, 1])])[1], xs.map(d1));
  });

  it('hessian inside jit equals the eager one', () => {
    const h = nb.jit((x: nb.Tensor) => nb.hessian(f)(x) as nb.Tensor);
    expectClose(h(f64(xs)), [0, 1, 2].map((i) => [0, 1, 2].map((j) => (i === j ? d2(xs[i]!) : 0))));
  });

  it('variables read inside f are constants; an assignment inside f happens', () => {
    const w = new nb.Variable(f64([2, 3]));
    const counter = new nb.Variable(f64(0));
    const [, t] = nb.jvp((x: nb.Tensor) => {
      counter.assign(nb.add(counter, 1));
      return nb.mul(w, x);
    }, [f64([1, 1])], [f64([1, -1])]);
    expectClose(t, [2, -3]);
    expectClose(counter, 1);
  });
});

describe('bad input', () => {
  const f = (x: nb.Tensor) => nb.exp(x);
  it('a tangent of another shape names both shapes', () => {
    expect(() => nb.jvp(f, [f64([1, 2])], [f64([1, 2, 3])])).toThrow(/tangent \[0\] has shape \[3\] but its primal has shape \[2\]/);
  });
  it('a tangent of another dtype names both dtypes', () => {
    expect(() => nb.jvp(f, [f64([1, 2])], [nb.tensor([1, 2])])).toThrow(/tangent \[0\] has dtype float32 but its primal has dtype float64/);
  });
  it('a non-float primal is refused', () => {
    expect(() => nb.jvp(f, [nb.tensor([1, 2], 'int32')], [nb.tensor([1, 2], 'int32')])).toThrow(/primal \[0\] has dtype int32; forward-mode differentiation needs float tensors/);
  });
  it('structures must match, and counts must match', () => {
    expect(() => nb.jvp((p: { a: nb.Tensor }) => p.a, [{ a: f64(1) }], [{ b: f64(1) }])).toThrow(/expected an object with keys \{a\}/);
    expect(() => nb.jvp(f, [f64(1)], [])).toThrow(/1 primals but 0 tangents/);
    expect(() => nb.jvp(f, [2], [1])).toThrow(/JS number 2; pass a float tensor/);
  });
  it('a whileLoop over traced tensors gives the same tangent in jvp inside jit as eagerly', () => {
    const f = (a: nb.Tensor) => nb.whileLoop((y: nb.Tensor) => nb.less(nb.sum(y), 10), (y: nb.Tensor) => nb.mul(y, 2), [a])[0]!;
    expectClose(nb.jvp(f, [f64([1, 2])], [f64([1, 1])])[1], [4, 4]);
    const jf = nb.jit((x: nb.Tensor) => nb.jvp(f, [x], [nb.onesLike(x)])[1]);
    expectClose(jf(f64([1, 2])), [4, 4]);
  });

  it('argnums out of range or repeated, outputs without tensors and integer leaves are refused', () => {
    expect(() => nb.jacfwd(f, { argnums: 1 })(f64(1))).toThrow(/jacfwd: argnums 1 is out of range for 1 arguments/);
    expect(() => nb.jacrev(f, { argnums: [0, 0] })(f64(1))).toThrow(/jacrev: argnums \[0,0\] names an argument twice/);
    expect(() => nb.jacrev((x: nb.Tensor) => 'no tensor' as unknown as nb.Tensor)(f64(1))).toThrow(/jacrev: the function must return a tensor or a pytree/);
    expect(() => nb.jacfwd((p: { a: nb.Tensor }) => p.a)({ a: nb.tensor([1, 2], 'int32') })).toThrow(/jacfwd: a differentiated argument holds a int32 tensor/);
    expect(() => nb.jacrev((x: nb.Tensor) => nb.cast(x, 'int32'))(f64([1]))).toThrow(/jacrev: an output of the function is a int32 tensor/);
  });
});
