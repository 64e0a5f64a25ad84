// Training-only noise layers (GaussianNoise, GaussianDropout, AlphaDropout, SpatialDropout1D/2D/3D)
// and ActivityRegularization: identity at inference, the documented statistics in training.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose } from '../conformance/harness.js';
import { runLayerTest } from './run-layer-test.js';

const L = nb.layers;

function stats(t: nb.Tensor): { mean: number; std: number } {
  const v = Array.from(t.dataSync());
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return { mean, std: Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length) };
}

describe('noise layers', () => {
  it('pass the layer checks (identity at inference)', () => {
    runLayerTest({ make: (a) => new L.GaussianNoise(0.5, a), inputShape: [2, 3], expectedOutputShape: [2, 3], weights: 0 });
    runLayerTest({ make: (a) => new L.GaussianDropout(0.3, a), inputShape: [2, 3], expectedOutputShape: [2, 3], weights: 0 });
    runLayerTest({ make: (a) => new L.AlphaDropout({ rate: 0.2, seed: 4, ...a }), inputShape: [2, 3], expectedOutputShape: [2, 3], weights: 0 });
    runLayerTest({ make: (a) => new L.SpatialDropout1D(0.5, a), inputShape: [2, 4, 3], expectedOutputShape: [2, 4, 3], weights: 0 });
    runLayerTest({ make: (a) => new L.SpatialDropout2D(0.5, a), inputShape: [2, 3, 3, 2], expectedOutputShape: [2, 3, 3, 2], weights: 0 });
    runLayerTest({ make: (a) => new L.SpatialDropout3D(0.5, a), inputShape: [1, 2, 2, 2, 2], expectedOutputShape: [1, 2, 2, 2, 2], weights: 0 });
  });

  it('GaussianNoise adds noise of the given standard deviation while training', () => {
    const x = nb.zeros([100, 100]);
    const l = new L.GaussianNoise(0.5, { seed: 1 });
    expect(l.apply(x, { training: false })).toBe(x);
    const { mean, std } = stats(l.apply(x, { training: true }));
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(std).toBeCloseTo(0.5, 1);
    // A seeded layer draws new noise on each call.
    expect(Array.from(l.apply(x, { training: true }).dataSync().slice(0, 5))).not.toEqual(Array.from(l.apply(x, { training: true }).dataSync().slice(0, 5)));
    expect(() => new L.GaussianNoise(-1)).toThrow(/GaussianNoise: stddev must be a number >= 0, got -1/);
  });

  it('GaussianDropout multiplies by noise of mean 1 and std sqrt(rate / (1 - rate))', () => {
    const { mean, std } = stats(new L.GaussianDropout(0.5, { seed: 2 }).apply(nb.ones([100, 100]), { training: true }));
    expect(mean).toBeCloseTo(1, 1);
    expect(std).toBeCloseTo(1, 1);
    expect(() => new L.GaussianDropout(1)).toThrow(/GaussianDropout: rate must be a number in \[0, 1\), got 1/);
  });

  it('AlphaDropout keeps zero mean and unit variance and sets dropped units to one value', () => {
    const x = nb.random.normal([200, 100], { seed: 5 });
    const y = new L.AlphaDropout(0.3, { seed: 3 }).apply(x, { training: true });
    const { mean, std } = stats(y);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(std).toBeCloseTo(1, 1);
    // Dropped units: a * alphaP + b, one value shared by about 30% of the outputs.
    const alphaP = -1.6732632423543772 * 1.0507009873554805;
    const a = ((1 - 0.3) * (1 + 0.3 * alphaP ** 2)) ** -0.5;
    const dropped = a * alphaP - a * alphaP * 0.3;
    const share = Array.from(y.dataSync()).filter((v) => Math.abs(v - dropped) < 1e-5).length / y.size;
    expect(share).toBeGreaterThan(0.27);
    expect(share).toBeLessThan(0.33);
    const shared = new L.AlphaDropout({ rate: 0.5, noiseShape: [null, 1], seed: 1 }).apply(nb.ones([4, 6]), { training: true }).arraySync() as number[][];
    for (const row of shared) expect(new Set(row).size, 'one decision per row').toBe(1);
    expect(() => new L.AlphaDropout({ rate: 0.5, noiseShape: [3, 1] }).apply(nb.ones([4, 6]), { training: true })).toThrow(/noiseShape \[3, 1\] does not broadcast/);
  });

  it('SpatialDropout drops whole channels and scales the kept ones by 1 / (1 - rate)', () => {
    const y = new L.SpatialDropout2D(0.5, { seed: 7 }).apply(nb.ones([4, 3, 3, 8]), { training: true });
    const v = y.arraySync() as number[][][][];
    let dropped = 0;
    for (let b = 0; b < 4; b++) {
      for (let c = 0; c < 8; c++) {
        const values = new Set(v[b]!.flatMap((row) => row.map((px) => px[c]!)));
        expect(values.size, 'one decision per (sample, channel)').toBe(1);
        const only = [...values][0]!;
        expect([0, 2]).toContain(only);
        if (only === 0) dropped++;
      }
    }
    expect(dropped).toBeGreaterThan(4);
    expect(dropped).toBeLessThan(28);
    expect(() => new L.SpatialDropout1D(0.5).apply(nb.ones([2, 3]))).toThrow(/SpatialDropout1D '.*': expects inputs of rank 3/);
  });
});

describe('ActivityRegularization', () => {
  it('passes the layer checks and adds (l1 sum|x| + l2 sum x^2) / batch to the losses', () => {
    runLayerTest({ make: (a) => new L.ActivityRegularization({ l1: 0.01, l2: 0.02, ...a }), inputShape: [2, 3], expectedOutputShape: [2, 3], weights: 0 });
    const l = new L.ActivityRegularization({ l1: 0.1, l2: 0.5 });
    const x = nb.tensor([[1, -2], [3, 0]]);
    expect(l.apply(x)).toBe(x);
    // (0.1 * 6 + 0.5 * 14) / 2 = 3.8
    expectClose(l.totalLoss()!, 3.8);
  });

  it('its penalty is part of the training loss', async () => {
    const x = nb.keras.Input([2]);
    const dense = new L.Dense(2, { kernelInitializer: 'ones', biasInitializer: 'zeros' });
    const plain = new nb.Model({ inputs: x, outputs: dense.apply(x) });
    const regularized = new nb.Model({ inputs: x, outputs: new L.ActivityRegularization({ l2: 1 }).apply(dense.apply(x)) });
    for (const m of [plain, regularized]) m.compile({ optimizer: 'sgd', loss: 'mse' });
    const xs = nb.tensor([[1, 1]]);
    const ys = nb.tensor([[2, 2]]);
    // outputs [2, 2]: mse 0; the penalty is sum(y^2) / batch = 8
    expect((await plain.evaluate(xs, ys)) as number).toBeCloseTo(0, 6);
    expect((await regularized.evaluate(xs, ys)) as number).toBeCloseTo(8, 4);
  });
});
