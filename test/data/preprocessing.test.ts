import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { checkGrad, expectClose, sample } from '../conformance/harness.js';

const train = nb.tensor([
  [1, 10],
  [2, 20],
  [3, 60],
]);
const test = nb.tensor([
  [4, 30],
  [0, 0],
]);

describe('nb.preprocessing.MinMaxScaler', () => {
  it('maps the training min/max to [0, 1] and applies the same parameters to test data', () => {
    const s = nb.preprocessing.MinMaxScaler.fit(train);
    expectClose(s.transform(train), [
      [0, 0],
      [0.5, 0.2],
      [1, 1],
    ]);
    // Test values can fall outside [0, 1]: they use the training parameters.
    expectClose(s.transform(test), [
      [1.5, 0.4],
      [-0.5, -0.2],
    ]);
    expectClose(s.inverseTransform(s.transform(test)), [
      [4, 30],
      [0, 0],
    ]);
  });

  it('supports another feature range, a constant feature and integer input', () => {
    const s = nb.preprocessing.MinMaxScaler.fit(nb.tensor([[1, 5], [3, 5]], 'int32'), { featureRange: [-1, 1] });
    expectClose(s.transform(nb.tensor([[2, 5]])), [[0, -1]]);
    expect(() => nb.preprocessing.MinMaxScaler.fit(train, { featureRange: [1, 0] })).toThrow(nb.ValueError);
  });

  it('has a function form that fits on its input', () => {
    expectClose(nb.preprocessing.minMaxScale([[0], [5], [10]]), [[0], [0.5], [1]]);
    expectClose(nb.preprocessing.minMaxScale([[0, 2], [4, 6]], { axis: null }), [[0, 1 / 3], [2 / 3, 1]]);
  });
});

describe('nb.preprocessing.StandardScaler', () => {
  it('subtracts the training mean and divides by the training (population) std', () => {
    const s = nb.preprocessing.StandardScaler.fit(train);
    // Column 0: mean 2, std sqrt(2/3); column 1: mean 30, std sqrt(1400/3).
    expectClose(s.mean, [[2, 30]]);
    expectClose(s.std, [[Math.sqrt(2 / 3), Math.sqrt(1400 / 3)]]);
    expectClose(s.transform(test), [
      [2 / Math.sqrt(2 / 3), 0],
      [-2 / Math.sqrt(2 / 3), -30 / Math.sqrt(1400 / 3)],
    ]);
    expectClose(s.inverseTransform(s.transform(test)), [[4, 30], [0, 0]], { atol: 1e-5 });
  });

  it('leaves a constant feature finite and standardises in one step', () => {
    const z = nb.preprocessing.standardize([[1, 7], [3, 7]]);
    expectClose(z, [[-1, 0], [1, 0]]);
    const m = nb.preprocessing.standardize(train).mean(0);
    expectClose(m, [0, 0], { atol: 1e-6 });
    expect(() => nb.preprocessing.StandardScaler.fit(nb.tensor(3))).toThrow(nb.ValueError);
  });
});

describe('gradients through the scalers', () => {
  it('match finite differences, for the transform and for the function forms', () => {
    const data = sample([4, 3], -2, 2, 11);
    const s = nb.preprocessing.StandardScaler.fit(data);
    const m = nb.preprocessing.MinMaxScaler.fit(data, { featureRange: [-1, 1] });
    checkGrad((x) => s.transform(x), [sample([2, 3], -1, 1, 12)]);
    checkGrad((x) => m.transform(x), [sample([2, 3], -1, 1, 13)]);
    checkGrad((x) => nb.preprocessing.standardize(x), [data]);
  });
});
