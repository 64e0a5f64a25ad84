import { afterEach, describe, expect, it, vi } from 'vitest';
import * as nb from '../../src/index.js';

afterEach(() => vi.restoreAllMocks());

async function trainOnce(jitCompile: boolean) {
  nb.random.seed(3);
  const x = nb.random.normal([96, 4]);
  const y = nb.cast(nb.greater(x.sum(1, true), 0), 'float32');
  const model = new nb.Sequential([
    new nb.layers.Dense(8, { activation: 'relu', inputShape: [4] }),
    new nb.layers.Dropout(0.3),
    new nb.layers.BatchNormalization(),
    new nb.layers.Dense(1, { activation: 'sigmoid' }),
  ]);
  model.compile({ optimizer: new nb.optimizers.Adam(0.01), loss: 'binaryCrossentropy', metrics: ['accuracy'], jitCompile });
  const h = await model.fit(x, y, { epochs: 3, batchSize: 20, verbose: 0, validationData: [x, y] });
  const preds = model.predict(x, { batchSize: 32 }) as nb.Tensor;
  return { h: h.history, weights: model.getWeights().map((w) => Array.from(w.dataSync())), preds: Array.from(preds.dataSync()) };
}

describe('compile({ jitCompile })', () => {
  it('fit/evaluate/predict through nb.jit give the same history, weights and predictions as eager', async () => {
    const warn = vi.spyOn(console, 'warn');
    const eager = await trainOnce(false);
    const jitted = await trainOnce(true);
    // (Where the addon is not built, the one line saying so may land here; it is not about jit.)
    expect(warn.mock.calls.map((c) => String(c[0])).filter((m) => !m.includes('native backend unavailable'))).toEqual([]);
    for (const k of Object.keys(eager.h)) jitted.h[k]!.forEach((v, i) => expect(v).toBeCloseTo(eager.h[k]![i]!, 4));
    jitted.weights.forEach((w, i) => w.forEach((v, j) => expect(v).toBeCloseTo(eager.weights[i]![j]!, 4)));
    jitted.preds.forEach((v, i) => expect(v).toBeCloseTo(eager.preds[i]!, 4));
  });

  it('a layer that reads values on the host falls back to eager with one warning, and still trains', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const hostRead = new nb.layers.Lambda((t: nb.Tensor) => (t.sum().item() > -1e9 ? t : t.neg()));
    nb.random.seed(1);
    const x = nb.random.normal([32, 2]);
    const y = x.sum(1, true);
    const model = new nb.Sequential([new nb.layers.Dense(1, { inputShape: [2] }), hostRead]);
    model.compile({ optimizer: new nb.optimizers.SGD(0.1), loss: 'mse' });
    const h = await model.fit(x, y, { epochs: 5, batchSize: 8, verbose: 0 });
    expect(h.history.loss!.at(-1)!).toBeLessThan(h.history.loss![0]!);
    expect(warn.mock.calls.filter((c) => String(c[0]).includes('running it eagerly'))).toHaveLength(1);
  });
});
