// The jit's plans on the native backend: spans of native kernels are recorded on the first run
// and replayed as one addon call (native/src/plan.h) with intermediates in the plan's arena.
// Replays must equal eager execution bit for bit, whatever the span's shape: steps that cannot
// be recorded in the middle, in-place updates, views as results, aliased inputs.
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import type { NativeBackend } from '../../src/backends/native/native-backend.js';
import { watchReplays as watch } from './replay-watch.js';
import type { NativeAddon } from '../../src/backends/native/load-addon.js';

const nativeUp = nb.backendInfo('native').available;


function mlp(seed: number) {
  nb.random.seed(seed);
  const vars = [new nb.Variable(nb.random.normal([20, 16], { stddev: 0.3 })), new nb.Variable(nb.zeros([16])), new nb.Variable(nb.random.normal([16, 4], { stddev: 0.3 })), new nb.Variable(nb.zeros([4]))];
  const [w1, b1, w2, b2] = vars as [nb.Variable, nb.Variable, nb.Variable, nb.Variable];
  const step = (x: nb.Tensor, y: nb.Tensor) => {
    const tape = new nb.GradientTape();
    const h = nb.relu(nb.matmul(x, w1).add(b1));
    const loss = nb.mean(nb.nn.softmaxCrossEntropyWithLogits({ labels: y, logits: nb.matmul(h, w2).add(b2) }));
    const grads = tape.gradient(loss, vars);
    vars.forEach((v, i) => v.assignSub(grads[i]!.mul(0.1)));
    return loss;
  };
  return { step, vars };
}

const bits = (t: nb.Tensor) => Array.from(t.dataSync());

describe.runIf(nativeUp)('jit plans replayed by the native backend', () => {
  afterEach(() => vi.restoreAllMocks());
  const backend = () => engine.instance('native') as NativeBackend;

  it('an MLP train step becomes one replay per call, equal to eager bit for bit', () => {
    nb.withBackend('native', () => {
      const w = watch(backend());
      const x = nb.random.uniform([8, 20]);
      const y = nb.oneHot(nb.random.int([8], 0, 4), 4);
      const eager = mlp(1);
      const jitted = mlp(1);
      const step = nb.jit(jitted.step);
      const losses: [number[], number[]][] = [];
      for (let i = 0; i < 4; i++) losses.push([bits(eager.step(x, y)), bits(step(x, y))]);
      for (const [a, b] of losses) expect(b).toEqual(a);
      jitted.vars.forEach((v, i) => expect(bits(v)).toEqual(bits(eager.vars[i]!)));
      expect(w.compiled()).toBe(1);
      expect(w.replays()).toBe(3);
      // Steady state: no kernel call from JS at all, only the replay.
      const before = w.kernelCalls();
      step(x, y);
      expect(w.kernelCalls()).toBe(before);
      expect(w.replays()).toBe(4);
    });
  });

  it('a step that cannot be recorded splits the graph into spans around it', () => {
    nb.withBackend('native', () => {
      const w = watch(backend());
      // A random op drawing from the global generator needs fresh keys every call, so it runs
      // between two replayed spans.
      const f = (a: nb.Tensor, b: nb.Tensor) => nb.concat([a.mul(2).exp(), b.sqrt().add(1)], 0).mul(nb.random.uniform([2, 3]).add(a)).mul(3).sum(0);
      const jf = nb.jit(f);
      const a = nb.tensor([[0.5, 1, 2]]);
      const b = nb.tensor([[4, 9, 16]]);
      for (let i = 0; i < 3; i++) {
        nb.random.seed(10 + i);
        const jitted = bits(jf(a, b));
        nb.random.seed(10 + i);
        expect(jitted).toEqual(bits(f(a, b)));
      }
      expect(w.compiled()).toBe(2);
      expect(w.replays()).toBe(4);
    });
  });

  it('results that are views of intermediates, and results equal to an input, come out right', () => {
    nb.withBackend('native', () => {
      const f = (a: nb.Tensor) => {
        const s = a.mul(2).add(1).exp();
        return [s.transpose(), s.reshape([-1]), a.add(0).mul(1), s.sum()];
      };
      const jf = nb.jit(f);
      for (let i = 0; i < 3; i++) {
        const a = nb.random.uniform([3, 5]);
        const want = f(a);
        const got = jf(a) as nb.Tensor[];
        got.forEach((t, k) => {
          expect(t.shape).toEqual(want[k]!.shape);
          expect(bits(t)).toEqual(bits(want[k]!));
        });
      }
    });
  });

  it('replays with new inputs, including when the recording saw one tensor passed twice', () => {
    nb.withBackend('native', () => {
      const f = (a: nb.Tensor, b: nb.Tensor) => a.mul(b).add(a).tanh().sub(b.square());
      const jf = nb.jit(f);
      const x = nb.random.uniform([64]);
      expect(bits(jf(x, x))).toEqual(bits(f(x, x)));
      for (let i = 0; i < 3; i++) {
        const a = nb.random.uniform([64]);
        const b = nb.random.uniform([64]);
        expect(bits(jf(a, b))).toEqual(bits(f(a, b)));
      }
    });
  });

  it('results of earlier calls stay intact when the plan runs again (results never live in the arena)', () => {
    nb.withBackend('native', () => {
      const f = (a: nb.Tensor) => a.mul(3).add(1).relu().sum(1);
      const jf = nb.jit(f);
      const inputs = [0, 1, 2, 3].map(() => nb.random.normal([4, 6]));
      const results = inputs.map((a) => jf(a));
      results.forEach((r, i) => expect(bits(r)).toEqual(bits(f(inputs[i]!))));
    });
  });

  it('writes a variable update into the variable\'s own buffer when nothing else sees the old value', () => {
    nb.withBackend('native', () => {
      const w = new nb.Variable(nb.tensor([1, 2, 3, 4]));
      const x = nb.tensor([1, 1, 2, 2]);
      const step = nb.jit((x: nb.Tensor) => {
        w.assign(w.mul(0.5).add(x).sqrt());
        return w.sum();
      });
      let want = [1, 2, 3, 4];
      const storages: unknown[] = [];
      for (let i = 0; i < 4; i++) {
        step(x);
        want = want.map((v, k) => Math.fround(Math.sqrt(Math.fround(Math.fround(v * 0.5) + [1, 1, 2, 2][k]!))));
        expect(Array.from(w.dataSync())).toEqual(want);
        storages.push(w.storage);
      }
      // Calls 1-2 record and swap in new storage; later replays reuse the same buffer.
      expect(storages[3]).toBe(storages[2]);
    });
  });

  it('keeps the old value of a variable that a live tensor still views (no update in place)', () => {
    nb.withBackend('native', () => {
      const w = new nb.Variable(nb.tensor([1, 2, 3]));
      const step = nb.jit(() => {
        w.assign(w.mul(2).add(1));
        return w.sum();
      });
      step();
      step();
      const seen = w.value();
      const before = Array.from(seen.dataSync());
      step();
      expect(Array.from(seen.dataSync())).toEqual(before);
      expect(Array.from(w.dataSync())).toEqual(before.map((v) => v * 2 + 1));
      seen.dispose();
      step();
      expect(Array.from(w.dataSync())).toEqual(before.map((v) => (v * 2 + 1) * 2 + 1));
    });
  });

  it('dropout and batch norm in a jitted fit match eager fit (random ops run between replays)', async () => {
    expect(nb.getBackend()).toBe('native');
    const w = watch(backend());
    const run = async (jitCompile: boolean) => {
      nb.random.seed(7);
      const model = new nb.Sequential([
        new nb.layers.Dense(8, { activation: 'relu', inputShape: [5] }),
        new nb.layers.BatchNormalization(),
        new nb.layers.Dropout(0.3),
        new nb.layers.Dense(2, { activation: 'softmax' }),
      ]);
      model.compile({ optimizer: new nb.optimizers.Adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'], jitCompile });
      const x = nb.random.uniform([32, 5]);
      const y = nb.oneHot(nb.random.int([32], 0, 2), 2);
      const h = await model.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0, shuffle: false });
      return { loss: h.history.loss as number[], weights: model.getWeights().map(bits) };
    };
    const eager = await run(false);
    const jitted = await run(true);
    expect(w.replays()).toBeGreaterThan(0);
    expect(jitted.loss.length).toBe(3);
    jitted.loss.forEach((l, i) => expect(l).toBeCloseTo(eager.loss[i]!, 5));
    jitted.weights.forEach((wt, i) => wt.forEach((v, k) => expect(v).toBeCloseTo(eager.weights[i]![k]!, 5)));
  });
});

describe.runIf(nativeUp)('fused float32 chains on native', () => {
  it('equal eager bit for bit: every fast-path op (arithmetic, comparisons, where), scalar and full operands, NaN/inf, many tiles and threads', () => {
    nb.withBackend('native', () => {
      const chain = (a: nb.Tensor, b: nb.Tensor, s: nb.Tensor) =>
        a.mul(b).add(s).sub(a.div(b)).neg().abs().sqrt().square().reciprocal().relu().add(nb.relu(a.sub(0.5))).mul(s.div(3)).div(nb.sqrt(b.abs()).add(1e-7));
      const masks = (a: nb.Tensor, b: nb.Tensor, s: nb.Tensor) =>
        nb.where(a.greater(0), b, 0).add(nb.where(a.lessEqual(b), s, a)).sub(nb.where(b.equal(a).logicalOr(a.notEqual(s)), a.mul(s), b)).add(nb.where(a.less(s).logicalAnd(b.greaterEqual(s)), 1, b));
      const jm = nb.jit(masks);
      const jf = nb.jit(chain);
      for (const n of [1, 7, 1023, 1025, 70_001]) {
        const values = (seed: number) =>
          Float32Array.from({ length: n }, (_, i) => (i % 97 === 5 ? NaN : i % 89 === 3 ? Infinity : i % 83 === 1 ? -0 : Math.sin(i * seed + seed) * 3));
        for (const seed of [1, 2]) {
          const a = nb.tensor(values(seed), [n]);
          const b = nb.tensor(values(seed + 10), [n]);
          const sc = nb.tensor(seed * 0.75);
          const want = bits(chain(a, b, sc));
          const got = bits(jf(a, b, sc));
          const nan = (xs: number[]) => xs.map((v) => (Number.isNaN(v) ? 'NaN' : v));
          expect(nan(got)).toEqual(nan(want));
          expect(nan(bits(jm(a, b, sc)))).toEqual(nan(bits(masks(a, b, sc))));
        }
      }
    });
  });
});

describe.runIf(nativeUp)('native plans: bad descriptors and inputs', () => {
  const addon = () => (engine.instance('native') as unknown as { addon: NativeAddon }).addon;
  it('createPlan rejects malformed descriptors with an error, never a crash', () => {
    const a = addon();
    expect(() => a.createPlan(new Float64Array([2]))).toThrow(/version/);
    expect(() => a.createPlan(new Float64Array([1, 0, 0]))).toThrow(/too short/);
    // One scratch region of 4 floats in a 8-byte arena.
    expect(() => a.createPlan(Float64Array.from([1, 0, 0, 1, 8, 0, 2, 0, 0, 4, 0]))).toThrow(/outside the arena/);
    // A call whose argument reaches past its region.
    expect(() => a.createPlan(Float64Array.from([1, 1, 0, 1, 0, 1, 0, 0, 0, 4, 0, 0, 0, 0, 1, 0, 0, 5, 0]))).toThrow(/outside its region/);
    expect(() => a.createPlan(Float64Array.from([1, 0, 0, 0, 0, 1, 99, 0, 0, 0]))).toThrow(/entry/);
    expect(() => a.createPlan(Float64Array.from([1, 0, 0, 0, 0, 0, 5]))).toThrow(/longer/);
    expect(() => a.createPlan(Float64Array.from([1, 0.5, 0, 0, 0, 0]))).toThrow(/integer/);
  });
  it('runPlan checks the arrays it is given against the recording', () => {
    const a = addon();
    // unary neg (op 0) from input 0 (4 floats) to output 0 (4 floats).
    const plan = a.createPlan(Float64Array.from([1, 1, 1, 2, 0, 1, 0, 0, 0, 4, 0, 1, 0, 0, 4, 0, 0, 0, 0, 2, 0, 0, 4, 0, 1, 0, 4, 0]));
    const out = new Float32Array(4);
    a.runPlan(plan, [new Float32Array([1, -2, 3, -4])], [out]);
    expect(Array.from(out)).toEqual([-1, 2, -3, 4]);
    expect(() => a.runPlan(plan, [new Float32Array(3)], [out])).toThrow(/input 0 is 3 float32 elements, the plan was recorded with 4 float32/);
    expect(() => a.runPlan(plan, [new Float64Array(4)], [out])).toThrow(/float64/);
    expect(() => a.runPlan(plan, [], [out])).toThrow(/expected 1 inputs and 1 outputs/);
    expect(() => a.runPlan({} as never, [], [])).toThrow(/plan from createPlan/);
  });
});
