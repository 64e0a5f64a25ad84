// GroupNormalization, UnitNormalization and Identity: runLayerTest and known values.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose, sample } from '../conformance/harness.js';
import { runLayerTest } from './run-layer-test.js';

const L = nb.layers;

describe('GroupNormalization', () => {
  it('passes the layer checks', () => {
    runLayerTest({ make: (a) => new L.GroupNormalization({ groups: 2, ...a }), inputShape: [2, 3, 3, 4], expectedOutputShape: [2, 3, 3, 4], weights: 2 });
    runLayerTest({ make: (a) => new L.GroupNormalization({ groups: -1, axis: 1, center: false, ...a }), inputShape: [2, 3, 5], expectedOutputShape: [2, 3, 5], weights: 1 });
  });

  it('with one group is LayerNormalization over every non-batch axis; with a group per channel, instance normalization', () => {
    const x = sample([2, 3, 3, 4], -2, 2, 1).cast('float32');
    const layerNorm = new L.LayerNormalization({ axis: [1, 2, 3] }).apply(x);
    expectClose(new L.GroupNormalization({ groups: 1 }).apply(x), layerNorm.arraySync() as number[][][][], { atol: 1e-5 });
    const inst = new L.GroupNormalization({ groups: -1, epsilon: 1e-6 }).apply(x);
    const m = nb.mean(inst, [1, 2]);
    const v = nb.mean(nb.square(inst), [1, 2]);
    expectClose(m, nb.zeros([2, 4]).arraySync() as number[][], { atol: 1e-5 });
    expectClose(v, nb.ones([2, 4]).arraySync() as number[][], { atol: 1e-4 });
    // Two groups of two channels: the first group's values [1, 3] and [2, 4] normalize together.
    const two = new L.GroupNormalization({ groups: 2, epsilon: 1e-9 }).apply(nb.tensor([[[1, 2, 10, 10], [3, 4, 20, 30]]]));
    const s = Math.sqrt(1.25);
    expectClose(two.reshape([2, 4]).slice([0, 0], [2, 2]), [[(1 - 2.5) / s, (2 - 2.5) / s], [(3 - 2.5) / s, (4 - 2.5) / s]], { atol: 1e-5 });
    expect(() => new L.GroupNormalization({ groups: 3 }).apply(nb.zeros([1, 4]))).toThrow(/4 channels \(axis 1\) do not split into 3 groups/);
    expect(() => new L.GroupNormalization({ groups: 0 })).toThrow(/groups must be a positive integer or -1/);
  });
});

describe('UnitNormalization and Identity', () => {
  it('pass the layer checks', () => {
    runLayerTest({ make: (a) => new L.UnitNormalization(a), inputShape: [2, 3], expectedOutputShape: [2, 3], weights: 0 });
    runLayerTest({ make: (a) => new L.UnitNormalization({ axis: [1, 2], ...a }), inputShape: [2, 3, 2], expectedOutputShape: [2, 3, 2], weights: 0 });
    runLayerTest({ make: (a) => new L.Identity(a), inputShape: [2, 3], expectedOutputShape: [2, 3], weights: 0 });
  });

  it('scale to unit norm; Identity returns its input', () => {
    expectClose(new L.UnitNormalization().apply(nb.tensor([[3, 4], [0, 0]])), [[0.6, 0.8], [0, 0]]);
    expectClose(new L.UnitNormalization({ axis: 0 }).apply(nb.tensor([[3, 1], [4, 0]])), [[0.6, 1], [0.8, 0]]);
    const x = nb.tensor([1, 2]);
    expect(new L.Identity().apply(x)).toBe(x);
    expect(() => new L.UnitNormalization({ axis: 2 }).apply(nb.zeros([2, 2]))).toThrow(/axis 2 is out of range/);
  });
});
