// cumsum, cumprod and argsort inside jit plans on native: they run in C++ now, so a graph that
// uses them is recorded once and replayed as one span (one addon call, no kernel call from JS),
// equal to eager execution bit for bit, gradients included; a replay checks its words as an eager
// call does.
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import type { NativeBackend } from '../../src/backends/native/native-backend.js';
import { watchReplays as watch } from './replay-watch.js';

const nativeUp = nb.backendInfo('native').available;

const bits = (t: nb.Tensor) => Array.from(t.dataSync());

describe.runIf(nativeUp)('scan and sort kernels in native jit plans', () => {
  afterEach(() => vi.restoreAllMocks());
  const backend = () => engine.instance('native') as NativeBackend;

  it('cumsum between elementwise ops and concat runs as one replayed span, equal to eager', () => {
    nb.withBackend('native', () => {
      const w = watch(backend());
      const f = (a: nb.Tensor, b: nb.Tensor) => nb.cumsum(nb.concat([a.mul(2).exp(), b.sqrt().add(1)], 0), 1).mul(3).sum(0);
      const jf = nb.jit(f);
      for (let i = 0; i < 4; i++) {
        const a = nb.random.uniform([1, 5]);
        const b = nb.random.uniform([1, 5]);
        expect(bits(jf(a, b))).toEqual(bits(f(a, b)));
      }
      // One plan for the whole graph: a reference kernel in the middle would have made two.
      expect(w.compiled()).toBe(1);
      expect(w.replays()).toBe(3);
      const [a, b] = [nb.random.uniform([1, 5]), nb.random.uniform([1, 5])];
      const before = w.kernelCalls();
      jf(a, b);
      expect(w.kernelCalls()).toBe(before);
    });
  });

  it('cumprod, sort and argsort with every option in one plan, equal to eager', () => {
    nb.withBackend('native', () => {
      const w = watch(backend());
      const f = (x: nb.Tensor, k: nb.Tensor) => [
        nb.cumprod(x.mul(0.5).add(1), 0, { exclusive: true, reverse: true }),
        // Along the last axis sort is argsort and a gather with no transposed views around them
        // (a view as a result is materialized by JS after the replay).
        nb.sort(x.neg(), { descending: true }),
        nb.argsort(k, 0).add(1),
        nb.cumsum(k, 1, { exclusive: true }),
      ];
      const jf = nb.jit(f);
      for (let i = 0; i < 4; i++) {
        const x = nb.random.normal([6, 7]);
        const k = nb.random.int([3, 300], 0, 5);
        const want = f(x, k);
        (jf(x, k) as nb.Tensor[]).forEach((t, j) => expect(bits(t), `result ${j}`).toEqual(bits(want[j]!)));
      }
      expect(w.compiled()).toBe(1);
      expect(w.replays()).toBe(3);
      const [x, k] = [nb.random.normal([6, 7]), nb.random.int([3, 300], 0, 5)];
      const before = w.kernelCalls();
      jf(x, k);
      expect(w.kernelCalls()).toBe(before);
      expect(w.replays()).toBe(4);
    });
  });

  it('a train step whose loss uses cumsum (its gradient is a reversed cumsum) is one plan, equal to eager', () => {
    nb.withBackend('native', () => {
      const w = watch(backend());
      const make = () => new nb.Variable(nb.tensor(Float32Array.from({ length: 12 }, (_, j) => Math.cos(j)), [4, 3]));
      const step = (v: nb.Variable) => (x: nb.Tensor) => {
        const tape = new nb.GradientTape();
        const loss = nb.sum(nb.square(nb.cumsum(nb.mul(v, x), 0, { reverse: true })));
        const [g] = tape.gradient(loss, [v]);
        v.assignSub(g!.mul(0.01));
        return loss;
      };
      const eager = make();
      const jitted = make();
      const jstep = nb.jit(step(jitted));
      for (let i = 0; i < 5; i++) {
        const x = nb.tensor(Float32Array.from({ length: 12 }, (_, j) => Math.sin(i + j)), [4, 3]);
        expect(bits(jstep(x))).toEqual(bits(step(eager)(x)));
        expect(bits(jitted)).toEqual(bits(eager));
      }
      expect(w.compiled()).toBe(1);
      expect(w.replays()).toBe(4);
      const x = nb.ones([4, 3]);
      const before = w.kernelCalls();
      jstep(x);
      expect(w.kernelCalls()).toBe(before);
      expect(w.replays()).toBe(5);
    });
  });
});
