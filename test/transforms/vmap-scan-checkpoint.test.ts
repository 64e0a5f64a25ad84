// nb.vmap over functions that use nb.checkpoint and nb.scan, eagerly and inside nb.jit (where they
// are graph nodes with their own batching rules): values and gradients against stacking f over the
// batch.
import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { sample } from '../conformance/harness.js';

const values = (t: nb.Tensor) => Array.from(t.dataSync() as Float64Array);

function expectSame(a: nb.Tensor, b: nb.Tensor, tol = 1e-10): void {
  expect(a.shape).toEqual(b.shape);
  const bv = values(b);
  values(a).forEach((v, i) => {
    if (!(Math.abs(v - bv[i]!) <= tol * (1 + Math.abs(bv[i]!)))) throw new Error(`element ${i}: ${v}, expected ${bv[i]}`);
  });
}

const scanNodes = (dump: string) => dump.split('\n').filter((l) => l.includes('= scan(')).length;
const stackOver = (f: (x: nb.Tensor) => unknown, xs: nb.Tensor) => nb.stack(nb.unstack(xs).map((x) => f(x) as nb.Tensor), 0);

const w = sample([3, 3], -1, 1, 31);
const block = (h: nb.Tensor) => nb.tanh(nb.reshape(nb.matmul(nb.reshape(h, [1, 3]), w), [3]));
const xs = sample([4, 3], -1, 1, 32);

describe('vmap with nb.checkpoint', () => {
  const ck = nb.checkpoint(block);
  const loss = (h: nb.Tensor) => nb.sum(nb.square(ck(ck(h))));
  const plainLoss = (h: nb.Tensor) => nb.sum(nb.square(block(block(h))));

  it('vmap(grad) of a checkpointed function equals the per-example gradients without checkpoint', () => {
    expectSame(nb.vmap(nb.grad(loss))(xs) as nb.Tensor, stackOver(nb.grad(plainLoss), xs));
  });

  it('a tape outside vmap differentiates through the checkpointed node (shared weight and inputs)', () => {
    const wv = new nb.Variable(w);
    const f = (cked: boolean) => {
      const b = (h: nb.Tensor) => nb.tanh(nb.reshape(nb.matmul(nb.reshape(h, [1, 3]), wv), [3]));
      const g = cked ? nb.checkpoint(b) : b;
      const tape = new nb.GradientTape();
      tape.watch(xs);
      const y = nb.sum(nb.vmap((h: nb.Tensor) => g(g(h)))(xs));
      const [dx, dw] = tape.gradient(y, [xs, wv]) as nb.Tensor[];
      return [y, dx!, dw!];
    };
    const [y1, dx1, dw1] = f(true);
    const [y0, dx0, dw0] = f(false);
    expectSame(y1!, y0!);
    expectSame(dx1!, dx0!);
    expectSame(dw1!, dw0!);
  });

  it('inside nb.jit: vmap(grad) with checkpointed blocks equals the eager loop', () => {
    const jitted = nb.jit((x: nb.Tensor) => nb.vmap(nb.grad(loss))(x) as nb.Tensor);
    expectSame(jitted(xs), stackOver(nb.grad(plainLoss), xs));
  });
});

/** A tiny RNN over a sequence of length 5 (one example: a [5, 3] sequence), its final state. */
const u = sample([3, 3], -1, 1, 33);
const rnn = (seq: nb.Tensor, h0: nb.Tensor) =>
  nb.scan((h: nb.Tensor, x: nb.Tensor) => {
    const next = nb.tanh(nb.add(nb.reshape(nb.matmul(nb.reshape(h, [1, 3]), u), [3]), x));
    return [next, nb.sum(next)];
  }, h0, seq);
const seqs = sample([4, 5, 3], -1, 1, 34);
const h0 = sample([3], -1, 1, 35);

describe('vmap with nb.scan', () => {
  const final = (seq: nb.Tensor) => rnn(seq, h0)[0];
  const outputs = (seq: nb.Tensor) => rnn(seq, h0)[1];

  it('eagerly: carries and stacked ys equal stacking f over the batch', () => {
    expectSame(nb.vmap(final)(seqs), stackOver(final, seqs));
    expectSame(nb.vmap(outputs)(seqs), stackOver(outputs, seqs));
  });

  it('inside nb.jit the batched scan stays one scan node, and equals the eager values', () => {
    const jitted = nb.jit((s: nb.Tensor) => nb.vmap((q: nb.Tensor) => rnn(q, h0))(s));
    const [c, ys] = jitted(seqs);
    expectSame(c, stackOver(final, seqs));
    expectSame(ys, stackOver(outputs, seqs));
    expect(scanNodes(jitted.graph(seqs))).toBe(1);
  });

  it('a body closing over a per-example tensor (per-example weights), reversed, inside nb.jit', () => {
    const us = sample([4, 3, 3], -1, 1, 38);
    const seq = sample([5, 3], -1, 1, 39);
    const run = (ui: nb.Tensor) =>
      nb.scan((h: nb.Tensor, x: nb.Tensor) => {
        const next = nb.tanh(nb.add(nb.reshape(nb.matmul(nb.reshape(h, [1, 3]), ui), [3]), x));
        return [next, nb.mul(next, 2)];
      }, h0, seq, { reverse: true })[1];
    const jitted = nb.jit((all: nb.Tensor) => nb.vmap(run)(all));
    expectSame(jitted(us), stackOver(run, us));
    expect(scanNodes(jitted.graph(us))).toBe(1);
  });

  it('per-example gradients with respect to per-example weights the jitted scan body closes over', () => {
    const us = sample([4, 3, 3], -1, 1, 41);
    const seq = sample([5, 3], -1, 1, 42);
    const loss = (ui: nb.Tensor) =>
      nb.sum(nb.square(nb.scan((h: nb.Tensor, x: nb.Tensor) => [nb.tanh(nb.add(nb.reshape(nb.matmul(nb.reshape(h, [1, 3]), ui), [3]), x)), x], h0, seq)[0]));
    const jitted = nb.jit((all: nb.Tensor) => nb.vmap(nb.grad(loss))(all) as nb.Tensor);
    expectSame(jitted(us), stackOver(nb.grad(loss), us));
  });

  it('a scan of length 0 under vmap, eagerly and inside nb.jit, gives the initial carries and empty ys', () => {
    const empty = sample([4, 0, 3], -1, 1, 43);
    const h0s = sample([4, 3], -1, 1, 44);
    const f = (h: nb.Tensor, q: nb.Tensor) => rnn(q, h);
    for (const g of [nb.vmap(f), nb.jit((a: nb.Tensor, b: nb.Tensor) => nb.vmap(f)(a, b))]) {
      const [c, ys] = g(h0s, empty);
      expectSame(c, h0s);
      expect(ys.shape).toEqual([4, 0]);
    }
  });

  it('nested vmap of a scan inside nb.jit equals the double loop', () => {
    const grid = sample([2, 3, 5, 3], -1, 1, 40);
    const final = (q: nb.Tensor) => rnn(q, h0)[0];
    const jitted = nb.jit((g: nb.Tensor) => nb.vmap(nb.vmap(final))(g));
    expectSame(jitted(grid), nb.stack(nb.unstack(grid).map((row) => stackOver(final, row)), 0));
    expect(scanNodes(jitted.graph(grid))).toBe(1);
  });

  it('per-example initial carries and a shared xs (inAxes null), inside nb.jit', () => {
    const h0s = sample([4, 3], -1, 1, 36);
    const seq = sample([5, 3], -1, 1, 37);
    const jitted = nb.jit((hs: nb.Tensor, s: nb.Tensor) => nb.vmap((h: nb.Tensor, q: nb.Tensor) => rnn(q, h)[1], { inAxes: [0, null] })(hs, s));
    expectSame(jitted(h0s, seq), stackOver((h) => rnn(seq, h)[1], h0s));
  });

  it('vmap(grad) through a jitted scan equals per-example gradients of the eager loop', () => {
    const loss = (seq: nb.Tensor) => nb.sum(nb.square(rnn(seq, h0)[0]));
    const jitted = nb.jit((s: nb.Tensor) => nb.vmap(nb.grad(loss))(s) as nb.Tensor);
    expectSame(jitted(seqs), stackOver(nb.grad(loss), seqs));
  });

  it('grad outside a jitted vmap of a scan (shared weights get the batch-summed gradient)', () => {
    const uv = new nb.Variable(u);
    const rnnV = (seq: nb.Tensor) =>
      nb.scan((h: nb.Tensor, x: nb.Tensor) => [nb.tanh(nb.add(nb.reshape(nb.matmul(nb.reshape(h, [1, 3]), uv), [3]), x)), x], h0, seq)[0];
    const step = (s: nb.Tensor) => {
      const tape = new nb.GradientTape();
      const y = nb.sum(nb.vmap(rnnV)(s));
      return tape.gradient(y, uv) as nb.Tensor;
    };
    expectSame(nb.jit(step)(seqs), step(seqs));
  });
});

describe('vmap with nb.whileLoop and nb.jit', () => {
  const steps = (x: nb.Tensor) => nb.whileLoop((i, _v) => nb.less(i, 3), (i, v) => [nb.add(i, 1), nb.mul(v, 2)], [nb.tensor(0), x])[1]!;
  const xs2 = nb.tensor([1, 2], 'float64');

  it('vmap of a jitted loop works', () => {
    expect(values(nb.vmap(nb.jit(steps))(xs2))).toEqual([8, 16]);
  });

  it('a loop under vmap inside nb.jit runs as one batched loop node', () => {
    expect(values(nb.jit((a: nb.Tensor) => nb.vmap(steps)(a))(xs2))).toEqual([8, 16]);
  });
});
