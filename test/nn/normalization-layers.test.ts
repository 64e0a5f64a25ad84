import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose } from '../conformance/harness.js';
import { runLayerTest } from './run-layer-test.js';

const L = nb.layers;

describe('BatchNormalization', () => {
  it('passes the layer checks', () => {
    runLayerTest({ make: (a) => new L.BatchNormalization(a), inputShape: [4, 3], expectedOutputShape: [4, 3], weights: 4, trainableWeights: 2 });
    runLayerTest({ make: (a) => new L.BatchNormalization({ axis: 1, ...a }), inputShape: [2, 3, 2], expectedOutputShape: [2, 3, 2], weights: 4 });
  });

  it('normalizes with batch statistics while training and updates the moving averages', () => {
    const bn = new L.BatchNormalization({ momentum: 0.5, epsilon: 1e-3 });
    const x = nb.tensor([[1, 10], [3, 30]]);
    // per feature: mean [2, 20], variance [1, 100]
    const y = bn.apply(x, { training: true });
    expectClose(y, [[-1 / Math.sqrt(1.001), -10 / Math.sqrt(100.001)], [1 / Math.sqrt(1.001), 10 / Math.sqrt(100.001)]], { rtol: 1e-5 });
    expectClose(bn.movingMean, [1, 10]); // 0.5 * 0 + 0.5 * mean
    expectClose(bn.movingVariance, [1, 50.5]); // 0.5 * 1 + 0.5 * variance
    // inference uses the moving statistics: (3 - 1) / sqrt(1 + 0.001)
    expectClose(bn.apply(nb.tensor([[3, 10]])), [[2 / Math.sqrt(1.001), 0]], { rtol: 1e-5 });
  });

  it('a frozen layer runs in inference mode and has no trainable weights', () => {
    const bn = new L.BatchNormalization();
    bn.apply(nb.zeros([2, 2]));
    bn.trainable = false;
    expect(bn.trainableWeights.length).toBe(0);
    bn.apply(nb.tensor([[1, 2], [3, 4]]), { training: true });
    expectClose(bn.movingMean, [0, 0]);
  });
});

describe('LayerNormalization', () => {
  it('passes the layer checks', () => {
    runLayerTest({ make: (a) => new L.LayerNormalization(a), inputShape: [3, 4], expectedOutputShape: [3, 4], weights: 2 });
  });

  it('normalizes each sample over its last axis', () => {
    const ln = new L.LayerNormalization({ epsilon: 1e-6 });
    // [1, 3]: mean 2, variance 1 -> [-1, 1]
    expectClose(ln.apply(nb.tensor([[1, 3], [10, 10]])), [[-1, 1], [0, 0]], { atol: 1e-5 });
  });
});

describe('Normalization and Rescaling', () => {
  it('Normalization.adapt learns per-feature mean and variance', async () => {
    const n = new L.Normalization();
    n.adapt(nb.tensor([[0, 10], [2, 10], [4, 40]]));
    // feature 0: mean 2, variance 8/3; feature 1: mean 20, variance 200
    expectClose(n.adaptedMean!, [[2, 20]], { rtol: 1e-6 });
    expectClose(n.adaptedVariance!, [[8 / 3, 200]], { rtol: 1e-6 });
    expectClose(n.apply(nb.tensor([[2, 20 + Math.sqrt(200)]])), [[0, 1]], { rtol: 1e-5, atol: 1e-6 });
    // the same statistics from an async stream of batches
    const m = new L.Normalization();
    async function* batches() {
      yield nb.tensor([[0, 10]]);
      yield nb.tensor([[2, 10], [4, 40]]);
    }
    await m.adapt(batches());
    expectClose(m.adaptedVariance!, [[8 / 3, 200]], { rtol: 1e-6 });
  });

  it('Normalization with given statistics passes the layer checks; invert undoes it', () => {
    runLayerTest({ make: (a) => new L.Normalization({ mean: [1, 2], variance: [4, 9], ...a }), inputShape: [3, 2], expectedOutputShape: [3, 2], weights: 2, trainableWeights: 0 });
    const inv = new L.Normalization({ mean: [1, 2], variance: [4, 9], invert: true });
    expectClose(inv.apply(nb.tensor([[1, 1]])), [[3, 5]]);
    expect(() => new L.Normalization({ mean: [1] })).toThrow(/give both mean and variance/);
  });

  it('Rescaling', () => {
    runLayerTest({ make: (a) => new L.Rescaling(1 / 255, { offset: -1, ...a }), inputShape: [2, 3], expectedOutputShape: [2, 3], weights: 0 });
    expectClose(new L.Rescaling(0.5, { offset: 1 }).apply(nb.tensor([[2, 4]], 'int32')), [[2, 3]]);
  });
});

describe('merge layers', () => {
  const two = [[2, 3], [2, 3]];
  it('Add, Subtract, Multiply, Average, Maximum, Minimum pass the layer checks and compute elementwise', () => {
    for (const make of [L.Add, L.Subtract, L.Multiply, L.Average, L.Maximum, L.Minimum]) {
      runLayerTest({ make: (a) => new make(a), inputShape: two, expectedOutputShape: [2, 3], weights: 0 });
    }
    const a = nb.tensor([[1, 5]]);
    const b = nb.tensor([[3, 2]]);
    expectClose(new L.Add().apply([a, b]), [[4, 7]]);
    expectClose(new L.Subtract().apply([a, b]), [[-2, 3]]);
    expectClose(new L.Multiply().apply([a, b]), [[3, 10]]);
    expectClose(new L.Average().apply([a, b]), [[2, 3.5]]);
    expectClose(new L.Maximum().apply([a, b]), [[3, 5]]);
    expectClose(new L.Minimum().apply([a, b]), [[1, 2]]);
    expect(() => new L.Subtract().apply([a, b, a])).toThrow(/exactly 2 inputs/);
    expect(() => new L.Add().apply([nb.zeros([2, 3]), nb.zeros([2, 4])])).toThrow(nb.ShapeError);
  });

  it('Concatenate joins along an axis and checks the others', () => {
    runLayerTest({ make: (a) => new L.Concatenate(a), inputShape: [[2, 3], [2, 1]], expectedOutputShape: [2, 4], weights: 0 });
    expectClose(new L.Concatenate({ axis: 1 }).apply([nb.tensor([[1]]), nb.tensor([[2, 3]])]), [[1, 2, 3]]);
    expect(() => new L.Concatenate().apply([nb.zeros([2, 3, 1]), nb.zeros([2, 4, 1])])).toThrow(/must match except on axis -1/);
  });
});
