import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { backendsUnderTest, checkGrad, checkSecondDerivative, expectClose, onExcept, sample } from '../conformance/harness.js';
import { peakLiveBytes } from './graph-liveness.js';

/** A block with several intermediates: two tanh layers. */
const block = (h: nb.Tensor, w1: nb.Tensor, w2: nb.Tensor) => nb.tanh(nb.matmul(nb.tanh(nb.matmul(h, w1)), w2));

/** Value and gradients (with respect to every input) of sum(f(xs)^2) by a tape. */
function valueAndGrads(f: (...xs: nb.Tensor[]) => nb.Tensor, xs: nb.Tensor[]): nb.Tensor[] {
  const tape = new nb.GradientTape();
  tape.watch(xs);
  const y = nb.sum(nb.square(f(...xs)));
  return [y, ...tape.gradient(y, xs, { unconnectedGradients: 'zero' })];
}

function expectAllClose(got: nb.Tensor[], want: nb.Tensor[]): void {
  expect(got.length).toBe(want.length);
  got.forEach((t, i) => expectClose(t, want[i]!.arraySync() as number[], { rtol: 1e-9, atol: 1e-12 }));
}

/** These tests read values synchronously (arraySync) to compare tensors. */
const SYNC_READS = { webgpu: 'the comparisons read values synchronously' };

for (const backend of backendsUnderTest()) {
  describe(`nb.checkpoint on ${backend}`, () => {
    it('gives the values and gradients of the function itself', (ctx) =>
      onExcept(ctx, backend, SYNC_READS, () => {
        const xs = [sample([3, 4], -1, 1, 1), sample([4, 5], -1, 1, 2), sample([5, 2], -1, 1, 3)];
        const plain = valueAndGrads(block, xs);
        const checked = valueAndGrads(nb.checkpoint(block), xs);
        expectAllClose(checked, plain);
      }));

    it('gradients match finite differences, and second derivatives too', (ctx) =>
      onExcept(ctx, backend, SYNC_READS, () => {
        const f = nb.checkpoint(block);
        checkGrad(f, [sample([2, 3], -1, 1, 4), sample([3, 3], -1, 1, 5), sample([3, 2], -1, 1, 6)]);
        const g = nb.checkpoint((x: nb.Tensor) => nb.mul(nb.sin(x), nb.exp(nb.mul(x, 0.5))));
        checkSecondDerivative(g, sample([5], -1, 1, 7));
      }));

    it('works under nb.grad and with nested arrays and objects in and out', (ctx) =>
      onExcept(ctx, backend, SYNC_READS, () => {
        const f = ({ a, b }: { a: nb.Tensor; b: nb.Tensor }, [c]: [nb.Tensor]) => ({ s: nb.mul(nb.sin(a), c), t: [nb.exp(nb.add(b, c))] });
        const fc = nb.checkpoint(f);
        const loss = (g: typeof f) => (a: nb.Tensor, b: nb.Tensor, c: nb.Tensor) => {
          const r = g({ a, b }, [c]);
          return nb.add(nb.sum(nb.square(r.s)), nb.sum(r.t[0]!));
        };
        const xs = [sample([4], -1, 1, 8), sample([4], -1, 1, 9), sample([4], -1, 1, 10)];
        const want = nb.grad(loss(f), { argnums: [0, 1, 2] })(...xs) as nb.Tensor[];
        const got = nb.grad(loss(fc), { argnums: [0, 1, 2] })(...xs) as nb.Tensor[];
        expectAllClose(got, want);
        checkGrad(loss(fc), xs);
      }));

    it('variables the function reads get their gradients', (ctx) =>
      onExcept(ctx, backend, SYNC_READS, () => {
        const w = new nb.Variable(sample([4, 3], -1, 1, 11));
        const x = sample([2, 4], -1, 1, 12);
        const f = (h: nb.Tensor) => nb.tanh(nb.matmul(nb.sin(h), w));
        const gradsOf = (g: (h: nb.Tensor) => nb.Tensor) => {
          const tape = new nb.GradientTape();
          tape.watch(x);
          const y = nb.sum(nb.square(g(x)));
          return tape.gradient(y, [x, w]);
        };
        expectAllClose(gradsOf(nb.checkpoint(f)), gradsOf(f));
      }));

    it('without a recording tape it only calls the function', (ctx) =>
      onExcept(ctx, backend, SYNC_READS, () => {
        let calls = 0;
        const f = nb.checkpoint((x: nb.Tensor) => {
          calls++;
          return nb.exp(x);
        });
        expectClose(f(nb.tensor([0, 1], 'float64')), [1, Math.E]);
        expect(calls).toBe(1);
        const tape = new nb.GradientTape();
        const x = nb.tensor([0, 1], 'float64');
        tape.watch(x);
        const y = f(x);
        expect(calls).toBe(2);
        expectClose(tape.gradient(y, x), [1, Math.E]);
        expect(calls).toBe(3); // recomputed once in the backward pass
      }));

    it('the tape keeps fewer bytes: only the inputs and outputs of each checkpointed block', (ctx) =>
      onExcept(ctx, backend, SYNC_READS, () => {
        const w1 = new nb.Variable(nb.mul(sample([64, 64], -1, 1, 13), 0.1));
        const w2 = new nb.Variable(nb.mul(sample([64, 64], -1, 1, 14), 0.1));
        const x = sample([32, 64], -1, 1, 15);
        const heldByTape = (f: typeof block) => {
          const bytes = () => nb.memory()[backend]!.numBytes;
          const tape = new nb.GradientTape();
          const before = bytes();
          let h = x;
          for (let i = 0; i < 6; i++) h = nb.tidy(() => f(h, w1, w2));
          const held = bytes() - before;
          const g = tape.gradient(nb.sum(h), [w1, w2]);
          return { held, g };
        };
        const plain = heldByTape(block);
        const checked = heldByTape(nb.checkpoint(block));
        expectAllClose(checked.g, plain.g);
        // Plain: per block, its input, two matmul outputs and two tanh outputs (5 activations of
        // 32x64); checkpointed: the output only (the input is the previous block's output).
        const activation = 32 * 64 * 8;
        expect(plain.held).toBeGreaterThanOrEqual(6 * 4 * activation);
        expect(checked.held).toBeLessThan(6.5 * activation);
      }));
  });

  describe(`nb.checkpoint inside nb.jit on ${backend}`, () => {
    const w1 = () => new nb.Variable(nb.mul(sample([16, 16], -1, 1, 21), 0.3));
    const w2 = () => new nb.Variable(nb.mul(sample([16, 16], -1, 1, 22), 0.3));

    it('same values and gradients (inputs and variables) jitted as eager', (ctx) =>
      onExcept(ctx, backend, SYNC_READS, () => {
        const [a, b] = [w1(), w2()];
        const x = sample([8, 16], -1, 1, 23);
        const step = (f: typeof block) => (h: nb.Tensor) => {
          const tape = new nb.GradientTape();
          tape.watch(h);
          let y = h;
          for (let i = 0; i < 3; i++) y = f(y, a, b);
          const loss = nb.sum(nb.square(y));
          return [loss, ...tape.gradient(loss, [h, a, b])];
        };
        const eager = step(block)(x);
        const jitted = nb.jit(step(nb.checkpoint(block)));
        expectAllClose(jitted(x), eager);
        expectAllClose(jitted(x), eager);
        expect(jitted.traceCount).toBe(1);
      }));

    it('several outputs and second derivatives, jitted as eager', (ctx) =>
      onExcept(ctx, backend, SYNC_READS, () => {
        const pair = nb.checkpoint((x: nb.Tensor) => [nb.sin(x), { e: nb.exp(nb.mul(x, 0.5)) }] as const);
        const secondAndFirst = (x: nb.Tensor) => {
          const outer = new nb.GradientTape();
          outer.watch(x);
          const inner = new nb.GradientTape();
          inner.watch(x);
          const [s, { e }] = pair(x);
          const g = inner.gradient(nb.sum(nb.mul(s, e)), x);
          return [g, outer.gradient(nb.sum(nb.square(g)), x)];
        };
        const x = sample([5], -1, 1, 25);
        const eager = secondAndFirst(x);
        const plain = (() => {
          const outer = new nb.GradientTape();
          outer.watch(x);
          const inner = new nb.GradientTape();
          inner.watch(x);
          const g = inner.gradient(nb.sum(nb.mul(nb.sin(x), nb.exp(nb.mul(x, 0.5)))), x);
          return [g, outer.gradient(nb.sum(nb.square(g)), x)];
        })();
        expectAllClose(eager, plain);
        expectAllClose(nb.jit(secondAndFirst)(x), plain);
      }));

    it('the compiled graph recomputes (it is not merged back) and keeps fewer bytes alive', (ctx) =>
      onExcept(ctx, backend, SYNC_READS, () => {
        const [a, b] = [w1(), w2()];
        const x = sample([64, 16], -1, 1, 24);
        const step = (f: typeof block) =>
          nb.jit((h: nb.Tensor) => {
            const tape = new nb.GradientTape();
            let y = h;
            for (let i = 0; i < 8; i++) y = f(y, a, b);
            return tape.gradient(nb.sum(y), [a, b]);
          });
        const plain = step(block).graph(x);
        const checked = step(nb.checkpoint(block)).graph(x);
        const count = (dump: string, op: string) => dump.split('\n').filter((l) => l.includes(`= ${op}(`)).length;
        expect(count(checked, 'recomputeBarrier')).toBe(8 * 3); // one per input of each block
        expect(count(checked, 'matmul') + count(checked, 'fusedMatmul')).toBeGreaterThan(count(plain, 'matmul') + count(plain, 'fusedMatmul'));
        expect(peakLiveBytes(checked)).toBeLessThan(0.7 * peakLiveBytes(plain));
      }));
  });
}
