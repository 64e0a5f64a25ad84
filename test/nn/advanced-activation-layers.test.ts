// The activation layers with options: ReLU (maxValue, negativeSlope, threshold), LeakyReLU, PReLU,
// ELU, ThresholdedReLU and Softmax, each through runLayerTest and against hand-computed values.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose } from '../conformance/harness.js';
import { runLayerTest } from './run-layer-test.js';

const L = nb.layers;
const xs = nb.tensor([[-3, -1, -0.5, 0.5, 2, 7]]);

describe('advanced activation layers', () => {
  it('ReLU: plain, capped (relu6), with a negative slope and a threshold', () => {
    runLayerTest({ make: (a) => new L.ReLU(a), inputShape: [2, 3, 4], expectedOutputShape: [2, 3, 4], weights: 0 });
    runLayerTest({ make: (a) => new L.ReLU({ maxValue: 0.5, negativeSlope: 0.1, threshold: 0.2, ...a }), inputShape: [3, 5], expectedOutputShape: [3, 5], weights: 0 });
    expectClose(new L.ReLU().apply(xs), [[0, 0, 0, 0.5, 2, 7]]);
    expectClose(new L.ReLU(6).apply(xs), [[0, 0, 0, 0.5, 2, 6]]);
    // below threshold 1: 0.5 * (x - 1); at or above: x, capped at 4
    expectClose(new L.ReLU({ maxValue: 4, negativeSlope: 0.5, threshold: 1 }).apply(xs), [[-2, -1, -0.75, -0.25, 2, 4]]);
    expect(() => new L.ReLU({ maxValue: -1 })).toThrow(/ReLU: maxValue must be a number >= 0, got -1/);
    expect(() => new L.ReLU({ negativeSlope: -0.1 })).toThrow(/negativeSlope must be a number >= 0/);
  });

  it('LeakyReLU: alpha 0.3 by default, alpha or Keras 3 negativeSlope', () => {
    runLayerTest({ make: (a) => new L.LeakyReLU(0.2, a), inputShape: [2, 4], expectedOutputShape: [2, 4], weights: 0 });
    expectClose(new L.LeakyReLU().apply(xs), [[-0.9, -0.3, -0.15, 0.5, 2, 7]]);
    expectClose(new L.LeakyReLU({ negativeSlope: 0.1 }).apply(xs), [[-0.3, -0.1, -0.05, 0.5, 2, 7]]);
    expect(new L.LeakyReLU({ negativeSlope: 0.1 }).getConfig().alpha).toBe(0.1);
    expect(() => new L.LeakyReLU({ alpha: 0.1, negativeSlope: 0.1 })).toThrow(/not both/);
  });

  it('PReLU learns one slope per element, or per channel with sharedAxes', () => {
    runLayerTest({ make: (a) => new L.PReLU({ alphaInitializer: { className: 'Constant', config: { value: 0.25 } }, ...a }), inputShape: [2, 3, 4], expectedOutputShape: [2, 3, 4], weights: 1, trainableWeights: 1 });
    runLayerTest({ make: (a) => new L.PReLU({ sharedAxes: [1, 2], alphaInitializer: 'ones', ...a }), inputShape: [2, 3, 3, 2], expectedOutputShape: [2, 3, 3, 2], weights: 1 });
    const p = new L.PReLU({ sharedAxes: [1, 2] });
    p.apply(nb.zeros([1, 1, 2, 3]));
    expect(p.alpha.shape).toEqual([1, 1, 3]);
    p.alpha.assign(nb.tensor([[[0.1, 0.2, 0.3]]]));
    expectClose(p.apply(nb.tensor([[[[-1, -1, 2], [-2, 1, -10]]]])), [[[[-0.1, -0.2, 2], [-0.2, 1, -3]]]]);
    expect(() => new L.PReLU({ sharedAxes: [0] })).toThrow(/sharedAxes must be axes >= 1/);
    expect(() => new L.PReLU({ sharedAxes: [3] }).apply(nb.zeros([1, 2, 2]))).toThrow(/shared axis 3 is out of range/);
  });

  it('ELU and ThresholdedReLU', () => {
    runLayerTest({ make: (a) => new L.ELU(0.5, a), inputShape: [2, 5], expectedOutputShape: [2, 5], weights: 0 });
    expectClose(new L.ELU(2).apply(nb.tensor([-1, 0, 3])), [2 * (Math.exp(-1) - 1), 0, 3]);
    runLayerTest({ make: (a) => new L.ThresholdedReLU({ theta: 0.1, ...a }), inputShape: [2, 5], expectedOutputShape: [2, 5], weights: 0 });
    expectClose(new L.ThresholdedReLU().apply(xs), [[0, 0, 0, 0, 2, 7]]);
    expect(() => new L.ThresholdedReLU(-1)).toThrow(/theta must be a number >= 0/);
  });

  it('Softmax over the last axis, another axis, or several', () => {
    runLayerTest({ make: (a) => new L.Softmax(a), inputShape: [2, 3, 4], expectedOutputShape: [2, 3, 4], weights: 0 });
    runLayerTest({ make: (a) => new L.Softmax([1, 2], a), inputShape: [2, 3, 4], expectedOutputShape: [2, 3, 4], weights: 0 });
    const e = [1, Math.E, Math.E ** 2];
    const z = e.reduce((p, q) => p + q);
    expectClose(new L.Softmax().apply(nb.tensor([[0, 1, 2]])), [e.map((v) => v / z)]);
    expectClose(new L.Softmax(0).apply(nb.tensor([[0], [1], [2]])), e.map((v) => [v / z]));
    // over both axes of a [1, 2, 2] input: every entry over the sum of all four
    const all = new L.Softmax([1, 2]).apply(nb.tensor([[[0, 1], [1, 2]]]));
    expectClose(nb.sum(all), 1);
    expectClose(all, [[[1 / (1 + 2 * Math.E + Math.E ** 2), Math.E / (1 + 2 * Math.E + Math.E ** 2)], [Math.E / (1 + 2 * Math.E + Math.E ** 2), Math.E ** 2 / (1 + 2 * Math.E + Math.E ** 2)]]]);
    expect(() => new L.Softmax(3).apply(nb.zeros([2, 2]))).toThrow(/axis 3 is out of range for inputs of shape \[2, 2\]/);
    expect(() => new L.Softmax(1.5)).toThrow(/axis must be an integer/);
  });

  it('elementwise activation layers pass masks on', () => {
    const emb = new L.Embedding(5, 2, { maskZero: true });
    const seq = emb.apply(nb.tensor([[1, 2, 0]], undefined, 'int32'));
    for (const l of [new L.ReLU(), new L.LeakyReLU(), new L.ELU(), new L.Softmax()]) {
      expect(Array.from(L.getMask(l.apply(seq))!.dataSync()), l.className).toEqual([1, 1, 0]);
    }
  });
});
