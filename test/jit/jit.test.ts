import { afterEach, describe, expect, it, vi } from 'vitest';
import * as nb from '../../src/index.js';
import { hostScalar } from '../../src/jit/jit.js';
import { backendsUnderTest, expectClose, on, sample } from '../conformance/harness.js';

afterEach(() => vi.restoreAllMocks());

/** Values of `fn` and of its gradient (by a tape inside the function), as plain arrays. */
function valueAndGrads(fn: (...xs: nb.Tensor[]) => nb.Tensor, xs: nb.Tensor[]) {
  const tape = new nb.GradientTape();
  xs.forEach((x) => tape.watch(x));
  const y = fn(...xs);
  const grads = tape.gradient(nb.sum(y), xs, { unconnectedGradients: 'zero' });
  return [y, ...grads];
}

const cases: [string, (...xs: nb.Tensor[]) => nb.Tensor, number[][]][] = [
  ['unary chain', (x) => nb.tanh(x).mul(nb.exp(x.neg())).add(nb.sigmoid(x)), [[3, 4]]],
  ['binary with broadcasting', (x, y) => nb.div(x, nb.add(nb.square(y), 1)).sub(nb.maximum(x, y)), [[3, 4], [4]]],
  ['reductions', (x) => nb.add(nb.sum(x, 0), nb.mean(x, 0)).mul(nb.max(x)).add(nb.logSumExp(x, 0)), [[3, 4]]],
  ['matmul + bias + relu', (x, w, b) => nb.relu(nb.matmul(x, w).add(b)), [[5, 3], [3, 4], [4]]],
  ['views', (x) => x.transpose().reshape([2, 6]).index('1, ::2').mul(x.slice([1, 1], [2, 2]).sum()), [[3, 4]]],
  ['structure', (x, y) => nb.concat([x, y.reshape([1, 4])], 0).pad([[1, 0], [0, 2]]).mul(2), [[3, 4], [4]]],
  ['softmax-like', (x) => nb.exp(x.sub(nb.logSumExp(x, { axis: -1, keepDims: true }))), [[3, 4]]],
  ['where/compare', (x, y) => nb.where(nb.greater(x, y), x.mul(y), x.sub(y)), [[3, 4], [3, 4]]],
];

for (const backend of backendsUnderTest()) {
  describe(`nb.jit on ${backend}`, () => {
    for (const [name, fn, shapes] of cases) {
      it(`${name}: same values and gradients jitted as eager`, () =>
        on(backend, () => {
          const xs = shapes.map((s, i) => sample(s, -1, 1, i + 3));
          const eager = valueAndGrads(fn, xs);
          const jitted = nb.jit((...a: nb.Tensor[]) => valueAndGrads(fn, a));
          const got = jitted(...xs);
          expect(got.length).toBe(eager.length);
          got.forEach((t, i) => expectClose(t, eager[i]!.arraySync() as number[], { rtol: 1e-9, atol: 1e-12 }));
          // A second call replays without tracing again.
          jitted(...xs);
          expect(jitted.traceCount).toBe(1);
        }));
    }

    it('retraces for a new signature (rank, dtype, JS argument), not for new values', () =>
      on(backend, () => {
        const f = nb.jit((x: nb.Tensor, k: number) => x.mul(k));
        expectClose(f(nb.tensor([1, 2]), 3), [3, 6]);
        expectClose(f(nb.tensor([4, 5]), 3), [12, 15]);
        expect(f.traceCount).toBe(1);
        expectClose(f(nb.tensor([[1, 2]]), 3), [[3, 6]]);
        expect(f.traceCount).toBe(2);
        expectClose(f(nb.tensor([1, 2]), 4), [4, 8]);
        expect(f.traceCount).toBe(3);
        f(nb.tensor([1, 2], 'float64'), 4);
        expect(f.traceCount).toBe(4);
      }));

    it('warns once when a function keeps retracing', () =>
      on(backend, () => {
        const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
        const f = nb.jit((x: nb.Tensor) => x.add(1), { name: 'grows' });
        for (let n = 1; n <= 8; n++) f(nb.zeros([n]));
        expect(f.traceCount).toBe(8);
        expect(warn.mock.calls.filter((c) => String(c[0]).includes("jit 'grows'"))).toHaveLength(1);
      }));

    it('JS side effects happen at trace time only', () =>
      on(backend, () => {
        const log: string[] = [];
        const f = nb.jit((x: nb.Tensor) => {
          log.push('traced');
          return x.mul(2);
        });
        f(nb.tensor([1]));
        f(nb.tensor([2]));
        f(nb.tensor([3]));
        expect(log).toEqual(['traced']);
      }));

    it('reading a traced value raises a clear error pointing to nb.cond', () =>
      on(backend, () => {
        const f = nb.jit((x: nb.Tensor) => (x.sum().item() > 0 ? x : x.neg()));
        expect(() => f(nb.tensor([1, 2]))).toThrow(/nb\.cond/);
      }));

    it('variables: reads, assign/assignAdd/assignSub, and updates visible after the call', () =>
      on(backend, () => {
        const v = new nb.Variable(nb.tensor([1, 2]));
        const counter = new nb.Variable(0, { trainable: false });
        const f = nb.jit((x: nb.Tensor) => {
          v.assignAdd(x);
          counter.assignAdd(1);
          const before = v.mul(10);
          v.assignSub(nb.tensor([0.5, 0.5]));
          return before;
        });
        expectClose(f(nb.tensor([1, 1])), [20, 30]);
        expectClose(v, [1.5, 2.5]);
        expectClose(f(nb.tensor([1, 1])), [25, 35]);
        expectClose(v, [2, 3]);
        expect(counter.item()).toBe(2);
        expect(f.traceCount).toBe(1);
      }));

    it('random ops draw new numbers each call, exactly as eager mode does', () =>
      on(backend, () => {
        const f = (x: nb.Tensor) => x.add(nb.random.normal([3]));
        nb.random.seed(7);
        const e1 = f(nb.zeros([3])).arraySync();
        const e2 = f(nb.zeros([3])).arraySync();
        nb.random.seed(7);
        const jf = nb.jit(f);
        const j1 = jf(nb.zeros([3])).arraySync();
        const j2 = jf(nb.zeros([3])).arraySync();
        expect(j1).toEqual(e1);
        expect(j2).toEqual(e2);
        expect(j1).not.toEqual(j2);
      }));

    it('hostScalar feeds a value computed on the host before every call', () =>
      on(backend, () => {
        let step = 0;
        const f = nb.jit((x: nb.Tensor) => x.mul(hostScalar(() => ++step)));
        expectClose(f(nb.tensor([1, 2])), [1, 2]);
        expectClose(f(nb.tensor([1, 2])), [2, 4]);
        expectClose(f(nb.tensor([1, 2])), [3, 6]);
        expect(f.traceCount).toBe(1);
        expectClose(hostScalar(() => 7), 7);
      }));

    it('nested jitted functions are inlined', () =>
      on(backend, () => {
        const inner = nb.jit((x: nb.Tensor) => x.mul(3));
        const outer = nb.jit((x: nb.Tensor) => inner(x).add(1));
        expectClose(outer(nb.tensor([1, 2])), [4, 7]);
        expect(outer.graph(nb.tensor([1, 2]))).toContain('fusedElementwise');
      }));

    it('returns arrays and records of tensors and passes non-tensor leaves through', () =>
      on(backend, () => {
        const f = nb.jit((p: { a: nb.Tensor; b: nb.Tensor }) => ({ sum: p.a.add(p.b), parts: [p.a, 'label'] as const }));
        const r = f({ a: nb.tensor([1]), b: nb.tensor([2]) });
        expectClose(r.sum, [3]);
        expectClose(r.parts[0], [1]);
        expect(r.parts[1]).toBe('label');
      }));

    it('graph() dumps the optimised graph', () =>
      on(backend, () => {
        const f = nb.jit((x: nb.Tensor, w: nb.Tensor) => nb.relu(nb.matmul(x, w).add(1)).mul(1), { name: 'layer' });
        const dump = f.graph(nb.zeros([2, 3]), nb.zeros([3, 4]));
        expect(dump).toMatch(/^graph layer\(%in0: float32\[2, 3\], %in1: float32\[3, 4\]\)/);
        expect(dump).not.toMatch(/= mul\(/);
      }));

    it('equal scalar constants are one graph value, so arithmetic on them merges', () =>
      on(backend, () => {
        const f = nb.jit((x: nb.Tensor) => nb.exp(x.mul(2)).add(nb.exp(x.mul(2))).add(nb.exp(x.mul(-0))));
        const dump = f.graph(nb.zeros([4]));
        expect(dump).toMatch(/cse: [1-9]/);
        expectClose(f(nb.tensor([0, 1, 2, 3])), [0, 1, 2, 3].map((v) => 2 * Math.exp(2 * v) + 1), { rtol: 1e-6 });
      }));

    it('under an outer GradientTape the function runs eagerly so the tape sees it', () =>
      on(backend, () => {
        const f = nb.jit((x: nb.Tensor) => x.square().sum());
        const x = nb.tensor([1, 2, 3]);
        const tape = new nb.GradientTape();
        tape.watch(x);
        const y = f(x);
        expectClose(tape.gradient(y, x), [2, 4, 6]);
      }));

    it('nb.cond and nb.whileLoop work eagerly and jitted', () =>
      on(backend, () => {
        const branchy = (x: nb.Tensor) => nb.cond(x.sum().greater(0), () => x.mul(2), () => x.neg());
        expectClose(branchy(nb.tensor([1, 2])), [2, 4]);
        expectClose(branchy(nb.tensor([-1, -2])), [1, 2]);
        const jb = nb.jit(branchy);
        expectClose(jb(nb.tensor([1, 2])), [2, 4]);
        expectClose(jb(nb.tensor([-1, -2])), [1, 2]);
        expect(jb.traceCount).toBe(1);

        const halve = (x: nb.Tensor) => nb.whileLoop((v) => v.greater(1), (v) => [v.div(2)], [x])[0]!;
        expectClose(halve(nb.tensor(10)), 0.625);
        const jh = nb.jit(halve);
        expectClose(jh(nb.tensor(10)), 0.625);
        expectClose(jh(nb.tensor(100)), 0.78125);
        expect(jh.traceCount).toBe(1);
      }));

    it('nb.cond selects variable assignments made in either branch', () =>
      on(backend, () => {
        const v = new nb.Variable(nb.tensor([0, 0]));
        const f = nb.jit((x: nb.Tensor) => {
          nb.cond(x.greater(0), () => v.assign(nb.tensor([1, 1])), () => v.assignSub(nb.tensor([1, 1])));
          return v.value();
        });
        expectClose(f(nb.tensor(1)), [1, 1]);
        expectClose(f(nb.tensor(-1)), [0, 0]);
        expectClose(v, [0, 0]);
      }));

    it('constants folded while tracing inside a tidy survive it', () =>
      on(backend, () => {
        const c = nb.tensor([1, 2]);
        const f = nb.jit((x: nb.Tensor) => nb.add(x, nb.mul(c, 2)));
        for (let i = 0; i < 2; i++) nb.tidy(() => expectClose(f(nb.tensor([1, 1])), [3, 5]));
      }));
  });
}
