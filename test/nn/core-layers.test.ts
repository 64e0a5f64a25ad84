import { describe, expect, it, vi } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose } from '../conformance/harness.js';
import { runLayerTest } from './run-layer-test.js';

const L = nb.layers;

describe('Dense', () => {
  it('passes the layer checks (rank 2 and rank 3 inputs)', () => {
    runLayerTest({ make: (a) => new L.Dense(3, { activation: 'tanh', ...a }), inputShape: [4, 2], expectedOutputShape: [4, 3], weights: 2, trainableWeights: 2 });
    runLayerTest({ make: (a) => new L.Dense(2, { useBias: false, ...a }), inputShape: [2, 3, 4], expectedOutputShape: [2, 3, 2], weights: 1 });
  });

  it('computes activation(x @ kernel + bias) with hand-set weights', () => {
    const d = new L.Dense(2, { activation: 'relu' });
    d.apply(nb.zeros([1, 2]));
    d.setWeights([nb.tensor([[1, -1], [2, 1]]), nb.tensor([0.5, -4])]);
    // [1, 1] @ [[1, -1], [2, 1]] = [3, 0]; + [0.5, -4] = [3.5, -4]; relu -> [3.5, 0]
    expectClose(d.apply(nb.tensor([[1, 1]])), [[3.5, 0]]);
  });

  it('names layers uniquely and refuses bad options and inputs', () => {
    const a = new L.Dense(1);
    const b = new L.Dense(1);
    expect(a.name).not.toBe(b.name);
    expect(b.name).toMatch(/^dense_\d+$/);
    expect(() => new L.Dense(0)).toThrow(nb.ValueError);
    expect(() => new L.Dense(2, { activation: 'nope' })).toThrow(/unknown activation 'nope'/);
    a.apply(nb.zeros([2, 3]));
    expect(() => a.apply(nb.zeros([2, 4]))).toThrow(/expected axis -1 to have size 3, got shape \(None, 4\)|expected axis -1 to have size 3/);
  });

  it('adds kernel regularization to losses', () => {
    const d = new L.Dense(1, { kernelRegularizer: nb.regularizers.l2(0.5), useBias: false });
    d.apply(nb.zeros([1, 2]));
    d.setWeights([nb.tensor([[1], [2]])]);
    expect(d.losses.length).toBe(1);
    expect(d.losses[0]!.item()).toBeCloseTo(0.5 * (1 + 4), 6);
  });
});

describe('Activation, Dropout, Lambda', () => {
  it('Activation applies a named function', () => {
    runLayerTest({ make: (a) => new L.Activation('sigmoid', a), inputShape: [2, 3], expectedOutputShape: [2, 3], weights: 0 });
    expectClose(new L.Activation('relu').apply(nb.tensor([[-1, 2]])), [[0, 2]]);
  });

  it('Dropout is the identity at inference and zeroes about `rate` of inputs while training, scaling the rest', () => {
    runLayerTest({ make: (a) => new L.Dropout(0.5, a), inputShape: [2, 3], expectedOutputShape: [2, 3], weights: 0 });
    const d = new L.Dropout(0.25, { seed: 3 });
    const x = nb.ones([100, 40]);
    expectClose(d.apply(x, { training: false }).sum(), 4000);
    const y = Array.from(d.apply(x, { training: true }).dataSync());
    const zeros = y.filter((v) => v === 0).length / y.length;
    expect(zeros).toBeGreaterThan(0.2);
    expect(zeros).toBeLessThan(0.3);
    for (const v of y) if (v !== 0) expect(v).toBeCloseTo(1 / 0.75, 5);
    expect(() => new L.Dropout(1)).toThrow(/rate must be in \[0, 1\)/);
  });

  it('Lambda wraps a function and round-trips in memory', () => {
    runLayerTest({
      make: (a) => new L.Lambda((x: nb.Tensor) => nb.mul(x, 2), a),
      inputShape: [2, 3],
      expectedOutputShape: [2, 3],
      weights: 0,
      configHasFunctions: true,
    });
  });
});

describe('reshaping layers', () => {
  it('Flatten', () => {
    runLayerTest({ make: (a) => new L.Flatten(a), inputShape: [2, 3, 4], expectedOutputShape: [2, 12], weights: 0 });
    expectClose(new L.Flatten().apply(nb.tensor([[[1, 2], [3, 4]]])), [[1, 2, 3, 4]]);
  });

  it('Reshape (with -1)', () => {
    runLayerTest({ make: (a) => new L.Reshape([3, -1], a), inputShape: [2, 6], expectedOutputShape: [2, 3, 2], weights: 0 });
    expect(() => new L.Reshape([5]).apply(nb.zeros([2, 6]))).toThrow(/cannot reshape samples of shape \[6\]/);
  });

  it('Permute counts axes from 1', () => {
    runLayerTest({ make: (a) => new L.Permute([2, 1], a), inputShape: [2, 3, 4], expectedOutputShape: [2, 4, 3], weights: 0 });
    expectClose(new L.Permute([2, 1]).apply(nb.tensor([[[1, 2], [3, 4]]])), [[[1, 3], [2, 4]]]);
    expect(() => new L.Permute([0, 1])).toThrow(/permutation of 1..n/);
  });

  it('RepeatVector', () => {
    runLayerTest({ make: (a) => new L.RepeatVector(3, a), inputShape: [2, 4], expectedOutputShape: [2, 3, 4], weights: 0 });
    expectClose(new L.RepeatVector(2).apply(nb.tensor([[1, 2]])), [[[1, 2], [1, 2]]]);
  });
});

describe('Embedding', () => {
  it('passes the layer checks', () => {
    runLayerTest({ make: (a) => new L.Embedding(5, 3, a), inputShape: [2, 4], expectedOutputShape: [2, 4, 3], weights: 1, intRange: 5 });
  });

  it('trains inside a compiled (jitted) fit without falling back to eager', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    nb.random.seed(2);
    const ids = nb.random.int([32, 4], 0, 6, { seed: 1 });
    const y = nb.cast(nb.greater(ids.sum(1, true), 10), 'float32');
    const m = new nb.Sequential([new L.Embedding(6, 3, { inputShape: [4] }), new L.GlobalAveragePooling1D(), new L.Dense(1, { activation: 'sigmoid' })]);
    m.compile({ optimizer: new nb.optimizers.Adam(0.05), loss: 'binaryCrossentropy' });
    const h = await m.fit(ids, y, { epochs: 4, batchSize: 8, verbose: 0 });
    expect(warn.mock.calls.filter((c) => String(c[0]).includes('eagerly'))).toHaveLength(0);
    warn.mockRestore();
    expect(h.history.loss!.at(-1)!).toBeLessThan(h.history.loss![0]!);
  });

  it('looks up rows and rejects ids out of range', () => {
    const e = new L.Embedding(3, 2);
    e.apply(nb.tensor([[0]], 'int32'));
    e.setWeights([nb.tensor([[0, 1], [2, 3], [4, 5]])]);
    expectClose(e.apply(nb.tensor([[2, 0]], 'int32')), [[[4, 5], [0, 1]]]);
    expect(() => e.apply(nb.tensor([[3]], 'int32'))).toThrow(/id 3 is out of range \[0, 3\)/);
  });
});
