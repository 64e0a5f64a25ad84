import { describe, expect, it, vi } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import { Plan } from '../../src/jit/executor.js';
import { backendsUnderTest, checkGrad, expectClose, onExcept, sample } from '../conformance/harness.js';

type T = nb.Tensor;

/** An RNN-like step: carry h, slice x; y = h². */
const rnnStep = (w: T) => (h: T, x: T): [T, T] => {
  const h2 = nb.tanh(nb.add(nb.mul(h, w), x));
  return [h2, nb.square(h2)];
};

/** The same recurrence written as a JS loop (what scan must equal). */
function unrolled(step: (h: T, x: T) => [T, T], h: T, xs: T, reverse = false): [T, T] {
  const n = xs.shape[0]!;
  const ys: T[] = new Array(n);
  for (let s = 0; s < n; s++) {
    const i = reverse ? n - 1 - s : s;
    [h, ys[i]] = step(h, nb.squeeze(nb.slice(xs, [i], [1]), 0));
  }
  return [h, nb.stack(ys)];
}

const close = (got: T, want: T, tol = 1e-9) => expectClose(got, want.arraySync() as number[], { rtol: tol, atol: tol * 1e-3 });

/** Loss and its gradients with respect to the sources, by a tape. */
function lossAndGrads(run: (h: T, xs: T) => [T, T], h: T, xs: T, extra: T[] = []): T[] {
  const tape = new nb.GradientTape();
  tape.watch([h, xs]);
  const [c, ys] = run(h, xs);
  const loss = nb.add(nb.sum(nb.mul(ys, nb.cos(ys))), nb.sum(nb.square(c)));
  return [loss, ...tape.gradient(loss, [h, xs, ...extra], { unconnectedGradients: 'zero' })];
}

/** These tests read values synchronously (arraySync) to compare tensors. */
const SYNC_READS = { webgpu: 'the comparisons read values synchronously' };

for (const backend of backendsUnderTest()) {
  describe(`nb.scan on ${backend}`, () => {
    it('equals the unrolled loop, forwards and in reverse', (ctx) =>
      onExcept(ctx, backend, SYNC_READS, () => {
        const w = sample([3], -1, 1, 1);
        const xs = sample([5, 3], -1, 1, 2);
        const h = sample([3], -1, 1, 3);
        for (const reverse of [false, true]) {
          const [c, ys] = nb.scan(rnnStep(w), h, xs, { reverse });
          const [c2, ys2] = unrolled(rnnStep(w), h, xs, reverse);
          close(c, c2);
          close(ys, ys2);
        }
      }));

    it('takes nested carries, xs and ys, and { length } without xs', (ctx) =>
      onExcept(ctx, backend, SYNC_READS, () => {
        const xs = { a: nb.tensor([[1, 2], [3, 4], [5, 6]], 'float64'), b: [nb.tensor([10, 20, 30], 'float64')] };
        const [carry, ys] = nb.scan(
          (c: { sum: T; n: T[] }, x: { a: T; b: T[] }) => {
            const sum = nb.add(c.sum, nb.mul(x.a, x.b[0]!));
            return [{ sum, n: [nb.add(c.n[0]!, 1)] }, { twice: nb.mul(sum, 2), b: x.b[0]! }];
          },
          { sum: nb.zeros([2], 'float64'), n: [nb.tensor(0, 'int32')] },
          xs,
        );
        expectClose(carry.sum, [1 * 10 + 3 * 20 + 5 * 30, 2 * 10 + 4 * 20 + 6 * 30]);
        expect(carry.n[0]!.arraySync()).toBe(3);
        expectClose(ys.twice, [[20, 40], [140, 200], [440, 560]]);
        expectClose(ys.b, [10, 20, 30]);
        const [count, powers] = nb.scan((c: T) => [nb.mul(c, 2), c], nb.tensor(1), undefined, { length: 4 });
        expectClose(count, 16);
        expectClose(powers, [1, 2, 4, 8]);
        const [same, none] = nb.scan((c: T, x: T): [T, T] => [c, nb.stack([x, x])], nb.tensor(1), nb.zeros([0, 3]));
        expectClose(same, 1);
        expect(none.shape).toEqual([0, 2, 3]);
      }));

    it('gradients equal the unrolled loop and finite differences, for init, xs and variables', (ctx) =>
      onExcept(ctx, backend, SYNC_READS, () => {
        const w = new nb.Variable(sample([3], -1, 1, 4));
        const xs = sample([4, 3], -1, 1, 5);
        const h = sample([3], -1, 1, 6);
        const got = lossAndGrads((a, b) => nb.scan(rnnStep(w), a, b), h, xs, [w]);
        const want = lossAndGrads((a, b) => unrolled(rnnStep(w), a, b), h, xs, [w]);
        got.forEach((g, i) => close(g, want[i]!));
        checkGrad((a, b, ww) => nb.scan(rnnStep(ww!), a!, b!)[1], [h, xs, sample([3], -1, 1, 7)]);
        checkGrad((a, b, ww) => nb.scan(rnnStep(ww!), a!, b!, { reverse: true })[0], [h, xs, sample([3], -1, 1, 7)]);
      }));

    it('an eager scan under a tape reads xs with one op, so the backward pass never scatters per step', (ctx) =>
      onExcept(ctx, backend, SYNC_READS, () => {
        const w = new nb.Variable(sample([3], -1, 1, 8));
        const xs = sample([40, 3], -1, 1, 9);
        const h = sample([3], -1, 1, 10);
        const names: string[] = [];
        const runOp = engine.runOp.bind(engine);
        const spy = vi.spyOn(engine, 'runOp').mockImplementation((op, inputs, attrs) => (names.push(op.name), runOp(op, inputs, attrs)));
        let got: T[];
        try {
          got = lossAndGrads((a, b) => nb.scan(rnnStep(w), a, b, { reverse: true }), h, xs, [w]);
        } finally {
          spy.mockRestore();
        }
        // One pad per step would scatter each slice's gradient into zeros of all 40 steps.
        expect(names.filter((n) => n === 'pad')).toEqual([]);
        expect(names.filter((n) => n === 'scanSlices')).toHaveLength(1);
        const want = lossAndGrads((a, b) => unrolled(rnnStep(w), a, b, true), h, xs, [w]);
        got.forEach((g, i) => close(g, want[i]!));
        // Only some steps' ys reach the loss: the others' slices get zero gradients.
        const tape = new nb.GradientTape();
        tape.watch(xs);
        const [, ys] = nb.scan(rnnStep(w), h, xs);
        const dxs = tape.gradient(nb.sum(nb.slice(ys, [5], [2])), xs);
        const tape2 = new nb.GradientTape();
        tape2.watch(xs);
        const [, ys2] = unrolled(rnnStep(w), h, xs);
        close(dxs, tape2.gradient(nb.sum(nb.slice(ys2, [5], [2])), xs));
      }));

    it('a jitted scan releases each carry once the next step has read it (memory flat in the length)', (ctx) =>
      onExcept(ctx, backend, SYNC_READS, () => {
        const f = nb.jit((h: T, xs: T) => nb.scan((c: T, x: T): [T, T] => [nb.tanh(nb.add(c, x)), nb.sum(c)], h, xs));
        const h = sample([64, 64], -1, 1, 11);
        const xs = sample([30, 64, 64], -1, 1, 12);
        f(h, xs);
        const bytes: number[] = [];
        const planRun = Plan.prototype.run;
        const spy = vi.spyOn(Plan.prototype, 'run').mockImplementation(function (this: Plan, inputs) {
          bytes.push(nb.memory()[backend]!.numBytes);
          return planRun.call(this, inputs);
        });
        let out: [T, T];
        try {
          out = f(h, xs);
        } finally {
          spy.mockRestore();
        }
        // The first call is the whole jitted graph, the others the body's steps: 30 carries of
        // 16 KiB kept alive would add 480 KiB by the last step.
        const steps = bytes.slice(1);
        expect(steps).toHaveLength(30);
        expect(Math.max(...steps) - steps[1]!).toBeLessThan(3 * 64 * 64 * 8);
        const [c, ys] = nb.scan((c: T, x: T): [T, T] => [nb.tanh(nb.add(c, x)), nb.sum(c)], h, xs);
        close(out[0], c);
        close(out[1], ys);
      }));

    it('explains a carry of another shape and xs of different lengths', (ctx) =>
      onExcept(ctx, backend, SYNC_READS, () => {
        const xs = nb.zeros([3, 2]);
        expect(() => nb.scan((c: T, x: T) => [nb.stack([c, c]), x], nb.zeros([2]), xs)).toThrow(
          /scan: f must return a carry of the same structure, shapes and dtypes as init: init is float32\[2\], f returned float32\[2, 2\]/,
        );
        expect(() => nb.scan(((c: { a: T }) => [{ b: c.a }, null]) as never, { a: nb.zeros([2]) }, xs)).toThrow(/init is \{a: float32\[2\]\}, f returned \{b: float32\[2\]\}/);
        expect(() => nb.scan((c: T, x: T[]) => [c, x], nb.zeros([2]), [xs, nb.zeros([4])])).toThrow(/leading length; got shapes \[3, 2\], \[4\]/);
        expect(() => nb.scan((c: T, x: T) => [c, x], nb.zeros([2]), xs, { length: 5 })).toThrow(/length 5 does not match the leading length 3/);
        expect(() => nb.scan((c: T) => [c, c], nb.zeros([2]))).toThrow(/pass \{ length \}/);
        expect(() => nb.scan((c: T, x: T) => [c, x], nb.zeros([2]), nb.tensor(1))).toThrow(/needs a leading axis/);
        expect(() => nb.scan(((c: T) => c) as never, nb.zeros([2]), xs)).toThrow(/f must return \[carry, y\]/);
      }));
  });

  describe(`nb.scan inside nb.jit on ${backend}`, () => {
    it('is one scan node whatever the length, with the eager values', (ctx) =>
      onExcept(ctx, backend, SYNC_READS, () => {
        const w = sample([3], -1, 1, 8);
        const h = sample([3], -1, 1, 9);
        const f = nb.jit((a: T, b: T) => nb.scan(rnnStep(w), a, b));
        for (const n of [2, 7, 40]) {
          const xs = sample([n, 3], -1, 1, n);
          const [c, ys] = f(h, xs);
          const [c2, ys2] = nb.scan(rnnStep(w), h, xs);
          close(c, c2);
          close(ys, ys2);
          const dump = f.graph(h, xs);
          expect(dump.split('\n').filter((l) => /= scan\(/.test(l)).length).toBe(1);
          expect(dump).not.toMatch(/= tanh\(/); // the body is inside the node, not unrolled
        }
      }));

    it('gradients for init, xs, variables and closed-over arguments equal eager ones', (ctx) =>
      onExcept(ctx, backend, SYNC_READS, () => {
        const w = new nb.Variable(sample([3], -1, 1, 10));
        const u = sample([3], -1, 1, 11);
        const xs = sample([6, 3], -1, 1, 12);
        const h = sample([3], -1, 1, 13);
        // The step reads a variable (w) and a tensor argument of the jitted function (k).
        const step = (k: T) => (c: T, x: T): [T, T] => {
          const c2 = nb.tanh(nb.add(nb.mul(c, w), nb.mul(x, k)));
          return [c2, nb.mul(c2, nb.sin(x))];
        };
        const grads = (a: T, b: T, k: T) => {
          const tape = new nb.GradientTape();
          tape.watch([a, b, k]);
          const [c, ys] = nb.scan(step(k), a, b);
          const [c3] = nb.scan(step(k), c, b, { reverse: true });
          const loss = nb.add(nb.sum(nb.mul(ys, ys)), nb.sum(c3));
          return [loss, ...tape.gradient(loss, [a, b, k, w])];
        };
        const want = grads(h, xs, u);
        const jitted = nb.jit(grads);
        const got = jitted(h, xs, u);
        got.forEach((g, i) => close(g, want[i]!));
        const dump = jitted.graph(h, xs, u);
        expect(dump).not.toMatch(/= tanh\(/);
      }));

    it('second derivatives through a jitted scan', (ctx) =>
      onExcept(ctx, backend, SYNC_READS, () => {
        const xs = sample([4, 2], -1, 1, 14);
        const secondOf = (h: T, b: T) => {
          const outer = new nb.GradientTape();
          outer.watch(h);
          const inner = new nb.GradientTape();
          inner.watch(h);
          const [c] = nb.scan((a: T, x: T): [T, T] => [nb.sin(nb.mul(a, x)), a], h, b);
          const g = inner.gradient(nb.sum(c), h);
          return outer.gradient(nb.sum(nb.square(g)), h);
        };
        const h = sample([2], -1, 1, 15);
        close(nb.jit(secondOf)(h, xs), secondOf(h, xs));
      }));

    it('nested scans and scans in a compiled train step', (ctx) =>
      onExcept(ctx, backend, SYNC_READS, () => {
        const xs = sample([3, 4, 2], -1, 1, 16);
        const inner = (c: T, row: T): [T, T] => [nb.add(nb.mul(c, 0.5), row), c];
        const outer = (c: T, block: T): [T, T] => {
          const [ci, ys] = nb.scan(inner, c, block);
          return [ci, nb.sum(ys, 0)];
        };
        const [c, ys] = nb.jit((a: T, b: T) => nb.scan(outer, a, b))(nb.zeros([2], 'float64'), xs);
        const [c2, ys2] = nb.scan(outer, nb.zeros([2], 'float64'), xs);
        close(c, c2);
        close(ys, ys2);

        const w = new nb.Variable(nb.tensor([0.5, -0.5], 'float64'));
        const opt = new nb.optimizers.SGD(0.1);
        const train = nb.jit((b: T) => {
          const tape = new nb.GradientTape();
          const [last] = nb.scan((h: T, x: T): [T, T] => [nb.tanh(nb.add(nb.mul(h, w), x)), h], nb.zeros([2], 'float64'), b);
          const loss = nb.sum(nb.square(nb.sub(last, 0.3)));
          opt.applyGradients([[tape.gradient(loss, w), w]]);
          return loss;
        });
        const data = sample([5, 2], -1, 1, 17);
        const first = train(data).item();
        for (let i = 0; i < 30; i++) train(data);
        expect(train(data).item()).toBeLessThan(first);
        expect(train.traceCount).toBe(1);
      }));

    it('gradients through nested scans with a checkpointed body, and { length } without xs', (ctx) =>
      onExcept(ctx, backend, SYNC_READS, () => {
        const w = new nb.Variable(sample([2], -1, 1, 18));
        const cellFn = nb.checkpoint((c: T, row: T) => nb.sin(nb.add(nb.mul(c, w), row)));
        const inner = (c: T, row: T): [T, T] => {
          const c2 = cellFn(c, row);
          return [c2, nb.square(c2)];
        };
        const outer = (c: T, block: T): [T, T] => {
          const [ci, ys] = nb.scan(inner, c, block);
          return [ci, nb.sum(ys, 0)];
        };
        const grads = (h: T, b: T) => {
          const tape = new nb.GradientTape();
          tape.watch([h, b]);
          const [c, ys] = nb.scan(outer, h, b);
          const [powers] = nb.scan((p: T): [T, null] => [nb.mul(p, c), null], nb.onesLike(c), undefined, { length: 3 });
          const loss = nb.add(nb.sum(ys), nb.sum(powers));
          return [loss, ...tape.gradient(loss, [h, b, w])];
        };
        const h = sample([2], -1, 1, 19);
        const xs = sample([3, 4, 2], -1, 1, 20);
        const want = grads(h, xs);
        const jitted = nb.jit(grads);
        jitted(h, xs).forEach((g, i) => close(g, want[i]!));
        expect(jitted.graph(h, xs).split('\n').filter((l) => /= scan\(/.test(l)).length).toBeGreaterThanOrEqual(2);
      }));

    it('a body that assigns a variable is refused with a reason', (ctx) =>
      onExcept(ctx, backend, SYNC_READS, () => {
        const v = new nb.Variable(nb.zeros([2]));
        const f = nb.jit((b: T) =>
          nb.scan((c: T, x: T): [T, T] => {
            v.assign(x);
            return [c, x];
          }, nb.zeros([2]), b),
        );
        expect(() => f(nb.zeros([3, 2]))).toThrow(/scan: the body assigned variable/);
      }));
  });
}
