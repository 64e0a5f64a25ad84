// predict / predictOnBatch / evaluate run through nb.jit by default: same numbers as eager, bit for bit,
// a bounded number of traces, and never stale weights.
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import * as nb from '../../src/index.js';
import { stepTraceCount } from '../../src/training/steps.js';
import { engine } from '../../src/engine/engine.js';
import type { NativeBackend } from '../../src/backends/native/native-backend.js';
import { watchReplays } from '../jit/replay-watch.js';

const L = nb.layers;
const start = nb.getBackend();
afterAll(() => nb.setBackend(start));
afterEach(() => vi.restoreAllMocks());

const backends = ['native', 'wasm', 'js'].filter((b) => nb.backendInfo(b).available);

interface Case {
  name: string;
  model: () => nb.Model | nb.Sequential;
  x: (n: number) => nb.Tensor | nb.Tensor[];
  /** BatchNormalization is folded into the layer before it: equal within float rounding, not bit for bit. */
  folded?: boolean;
}

const floats = (...shape: number[]) => (n: number) => nb.random.normal([n, ...shape]);

const cases: Case[] = [
  { name: 'Dense', model: () => new nb.Sequential([new L.Dense(16, { activation: 'relu', inputShape: [6] }), new L.Dense(3, { activation: 'softmax' })]), x: floats(6) },
  {
    name: 'Conv2D + pooling',
    model: () =>
      new nb.Sequential([
        new L.Conv2D({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [8, 8, 2] }),
        new L.MaxPooling2D({ poolSize: 2 }),
        new L.Conv2D({ filters: 3, kernelSize: 2, padding: 'same' }),
        new L.AveragePooling2D({ poolSize: 3 }),
        new L.Flatten(),
        new L.Dense(3),
      ]),
    x: floats(8, 8, 2),
  },
  {
    name: 'BatchNormalization + Dropout',
    model: () => {
      const m = new nb.Sequential([new L.Dense(8, { inputShape: [5] }), new L.BatchNormalization(), new L.Dropout(0.5), new L.Dense(2)]);
      m.build([null, 5]);
      // Moving statistics away from 0 / 1, so that inference mode visibly uses them.
      const bn = m.layers[1]!;
      bn.setWeights(bn.getWeights().map((w, i) => (i === 3 ? nb.random.uniform(w.shape, { min: 0.5, max: 2 }) : nb.random.normal(w.shape))));
      return m;
    },
    x: floats(5),
    folded: true,
  },
  { name: 'LSTM', model: () => new nb.Sequential([new L.LSTM(4, { inputShape: [5, 3] }), new L.Dense(2)]), x: floats(5, 3) },
  {
    name: 'Embedding',
    model: () => new nb.Sequential([new L.Embedding(10, 4, { inputShape: [6] }), new L.Flatten(), new L.Dense(2)]),
    x: (n) => nb.cast(nb.floor(nb.random.uniform([n, 6], { min: 0, max: 10 })), 'int32'),
  },
  { name: 'LayerNormalization', model: () => new nb.Sequential([new L.Dense(8, { inputShape: [4] }), new L.LayerNormalization(), new L.Dense(2)]), x: floats(4) },
  {
    name: 'functional two-input',
    model: () => {
      const a = nb.keras.Input([4]);
      const b = nb.keras.Input([3]);
      const joined = L.concatenate([new L.Dense(5, { activation: 'tanh' }).apply(a), new L.Dense(2).apply(b)]);
      return new nb.Model({ inputs: [a, b], outputs: new L.Dense(1).apply(joined) });
    },
    x: (n) => [nb.random.normal([n, 4]), nb.random.normal([n, 3])],
  },
];

const values = (t: nb.Tensor) => Array.from(t.dataSync());

async function onBackend(name: string) {
  await nb.setBackend(name);
  nb.random.seed(7);
}

describe.each(backends)('compiled predict on %s', (backend) => {
  it.each(cases)('$name: compiled predict is bit-equal to eager (within rounding where BN folds), with one trace per batch shape', async (c) => {
    await onBackend(backend);
    const model = c.model();
    const x = c.x(20); // batches of 8, 8 and a remainder of 4
    model.predict(x, { batchSize: 8 }); // the first batch warms up eagerly, then two traces
    expect(stepTraceCount(model, 'predict')).toBe(2);
    const compiled = model.predict(x, { batchSize: 8 }) as nb.Tensor; // every batch replayed
    expect(stepTraceCount(model, 'predict')).toBe(2);
    model.compile({ optimizer: 'sgd', loss: 'mse', jitCompile: false });
    const eager = model.predict(x, { batchSize: 8 }) as nb.Tensor;
    expect(compiled.shape).toEqual(eager.shape);
    if (!c.folded) expect(values(compiled)).toEqual(values(eager));
    else values(compiled).forEach((v, i) => expect(v).toBeCloseTo(values(eager)[i]!, 5));
  });

  it('a predict over many batches with a remainder traces at most twice, across repeated calls', async () => {
    await onBackend(backend);
    const model = cases[0]!.model();
    const x = nb.random.normal([1000, 6]);
    for (let i = 0; i < 3; i++) model.predict(x, { batchSize: 64 }).dispose(); // 15 full batches and 40 rows
    expect(stepTraceCount(model, 'predict')).toBe(2);
  });

  it('batches of many sizes compile at most 4 shapes, run the rest eagerly, and never warn', async () => {
    await onBackend(backend);
    const warn = vi.spyOn(console, 'warn');
    const model = cases[0]!.model();
    const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => nb.random.normal([n, 6]));
    const compiled = [...xs, ...xs].map((x) => values(model.predictOnBatch(x)));
    expect(stepTraceCount(model, 'predict')).toBe(4);
    model.compile({ optimizer: 'sgd', loss: 'mse', jitCompile: false });
    const eager = xs.map((x) => values(model.predictOnBatch(x)));
    compiled.forEach((c, i) => expect(c).toEqual(eager[i % xs.length]));
    expect(warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('traced'))).toEqual([]);
  });

  it('predictOnBatch replays one compiled call per batch and matches eager', async () => {
    await onBackend(backend);
    const model = cases[0]!.model();
    const x = nb.random.normal([1, 6]);
    const outs = [0, 1, 2].map(() => values(model.predictOnBatch(x)));
    expect(stepTraceCount(model, 'predict')).toBe(1);
    model.compile({ optimizer: 'sgd', loss: 'mse', jitCompile: false });
    const eager = values(model.predictOnBatch(x));
    for (const o of outs) expect(o).toEqual(eager);
  });

  it('never sees stale weights: after setWeights and after fit', async () => {
    await onBackend(backend);
    const model = cases[0]!.model();
    const x = nb.random.normal([12, 6]);
    const y = nb.random.uniform([12, 3]);
    const eagerNow = () => values(nb.tidy(() => model.apply(x, { training: false }) as nb.Tensor));
    const predictNow = () => values(model.predict(x, { batchSize: 4 }) as nb.Tensor);
    predictNow();
    predictNow();
    const before = predictNow();
    model.setWeights(model.getWeights().map((w) => nb.mul(w, 1.5)));
    const afterSet = predictNow();
    expect(afterSet).not.toEqual(before);
    afterSet.forEach((v, i) => expect(v).toBeCloseTo(eagerNow()[i]!, 5));
    model.compile({ optimizer: new nb.optimizers.SGD(0.5), loss: 'mse' });
    predictNow();
    predictNow();
    await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
    const afterFit = predictNow();
    expect(afterFit).not.toEqual(afterSet);
    const expected = eagerNow();
    afterFit.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    expect(stepTraceCount(model, 'predict')).toBe(1);
  });

  it("evaluate's compiled numbers equal the eager ones (within rounding: BatchNormalization folds)", async () => {
    const run = async (jitCompile: boolean) => {
      await onBackend(backend);
      const model = cases[2]!.model();
      const x = nb.random.normal([30, 5]);
      const y = nb.random.normal([30, 2]);
      model.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['mae'], jitCompile });
      await model.evaluate(x, y, { batchSize: 8, verbose: 0 });
      const logs = await model.evaluate(x, y, { batchSize: 8, verbose: 0, returnDict: true });
      return { logs, traces: stepTraceCount(model, 'test') };
    };
    const eager = await run(false);
    const compiled = await run(true);
    expect(eager.traces).toBe(0);
    expect(compiled.traces).toBe(2);
    const logs = compiled.logs as Record<string, number>;
    expect(Object.keys(logs)).toEqual(Object.keys(eager.logs));
    for (const [k, v] of Object.entries(eager.logs as Record<string, number>)) expect(logs[k]).toBeCloseTo(v, 5);
  });

  it('a badly shaped input throws a clear error, without a warning, and leaves predict compiled', async () => {
    await onBackend(backend);
    const warn = vi.spyOn(console, 'warn');
    const model = cases[0]!.model();
    const x = nb.random.normal([8, 6]);
    model.predict(x);
    let err: unknown;
    try {
      model.predict(nb.random.normal([8, 5]));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Error);
    expect(String(err)).toMatch(/5/);
    model.predict(x).dispose();
    // The failed trace counts; the next good batch traces (it does not fall back to eager for good).
    expect(stepTraceCount(model, 'predict')).toBe(2);
    expect(warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('running it eagerly'))).toEqual([]);
  });
});

describe.each(['native', 'wasm'].filter((b) => nb.backendInfo(b).available))('predict plans replayed on %s', (backend) => {
  it.each([cases[0]!, cases[1]!])('$name: each batch of a predict is one replayed plan call', async (c) => {
    await onBackend(backend);
    const w = watchReplays(engine.instance(backend) as NativeBackend);
    const model = c.model();
    const x = c.x(20);
    model.predict(x, { batchSize: 8 }).dispose(); // warm-up batch eager; the 8-row and 4-row plans recorded
    const compiled = w.compiled();
    expect(compiled).toBeGreaterThanOrEqual(2);
    const replays = w.replays();
    model.predict(x, { batchSize: 8 }).dispose();
    expect(w.compiled()).toBe(compiled);
    expect(w.replays() - replays).toBe(3);
  });
});

describe('compiled predict of a model that cannot be traced', () => {
  it('falls back to eager with one warning, even after a badly shaped input failed first', async () => {
    await nb.setBackend(start);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const hostRead = new L.Lambda((t: nb.Tensor) => (t.sum().item() > -1e9 ? t : t.neg()));
    const model = new nb.Sequential([new L.Dense(2, { inputShape: [3] }), hostRead]);
    const x = nb.random.normal([4, 3]);
    const eager = values(model.predict(x) as nb.Tensor); // the warm-up batch runs eagerly
    expect(() => model.predict(nb.random.normal([4, 2]))).toThrow();
    expect(values(model.predict(x) as nb.Tensor)).toEqual(eager);
    expect(values(model.predict(x) as nb.Tensor)).toEqual(eager);
    expect(warn.mock.calls.filter((c) => String(c[0]).includes('running it eagerly'))).toHaveLength(1);
  });
});
