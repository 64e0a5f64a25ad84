import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose } from '../conformance/harness.js';
import { runLayerTest } from './run-layer-test.js';

const L = nb.layers;
const sig = (v: number) => 1 / (1 + Math.exp(-v));
const seq = nb.tensor([[[1], [2]]]); // batch 1, 2 steps, 1 feature

describe('recurrent layers', () => {
  it('SimpleRNN passes the layer checks, with and without returnSequences', () => {
    runLayerTest({ make: (a) => new L.SimpleRNN(3, a), inputShape: [2, 4, 2], expectedOutputShape: [2, 3], weights: 3 });
    runLayerTest({ make: (a) => new L.SimpleRNN(2, { returnSequences: true, ...a }), inputShape: [2, 3, 2], expectedOutputShape: [2, 3, 2], weights: 3 });
  });

  it('SimpleRNN: h_t = activation(x_t W + h_{t-1} U + b) by hand', () => {
    const r = new L.SimpleRNN(1, { activation: 'linear', returnSequences: true });
    r.apply(seq);
    r.setWeights([nb.tensor([[1]]), nb.tensor([[0.5]]), nb.tensor([0])]);
    // h1 = 1, h2 = 2 + 0.5 * 1, h3 = 3 + 0.5 * 2.5
    expectClose(r.apply(nb.tensor([[[1], [2], [3]]])), [[[1], [2.5], [4.25]]]);
    const back = new L.SimpleRNN(1, { activation: 'linear', goBackwards: true });
    back.apply(seq);
    back.setWeights([nb.tensor([[1]]), nb.tensor([[0.5]]), nb.tensor([0])]);
    // reads 3, 2, 1: 3, 2 + 1.5, 1 + 1.75
    expectClose(back.apply(nb.tensor([[[1], [2], [3]]])), [[2.75]]);
  });

  it('LSTM passes the layer checks; gates i, f, c, o by hand; returnState', () => {
    runLayerTest({ make: (a) => new L.LSTM(2, a), inputShape: [2, 3, 2], expectedOutputShape: [2, 2], weights: 3 });
    runLayerTest({ make: (a) => new L.LSTM(2, { returnSequences: true, ...a }), inputShape: [1, 3, 1], expectedOutputShape: [1, 3, 2], weights: 3 });
    const l = new L.LSTM(1, { unitForgetBias: false, returnState: true });
    l.applyAll(seq);
    l.setWeights([nb.ones([1, 4]), nb.zeros([1, 4]), nb.zeros([4])]);
    const c1 = sig(1) * Math.tanh(1);
    const c2 = sig(2) * c1 + sig(2) * Math.tanh(2);
    const h2 = sig(2) * Math.tanh(c2);
    const [out, h, c] = l.applyAll(seq);
    expectClose(out!, [[h2]]);
    expectClose(h!, [[h2]]);
    expectClose(c!, [[c2]]);
    expect(() => l.apply(seq)).toThrow(/returns 3 outputs; use applyAll/);
    // unitForgetBias starts the forget gate's bias at 1
    const f = new L.LSTM(2);
    f.apply(seq);
    expect(Array.from(f.bias!.dataSync())).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
  });

  it('GRU passes the layer checks and follows the resetAfter update by hand', () => {
    runLayerTest({ make: (a) => new L.GRU(2, a), inputShape: [2, 3, 2], expectedOutputShape: [2, 2], weights: 3 });
    const g = new L.GRU(1, { returnSequences: true });
    g.apply(seq);
    g.setWeights([nb.ones([1, 3]), nb.zeros([1, 3]), nb.zeros([2, 3])]);
    const h1 = (1 - sig(1)) * Math.tanh(1);
    const h2 = sig(2) * h1 + (1 - sig(2)) * Math.tanh(2);
    expectClose(g.apply(seq), [[[h1], [h2]]]);
  });

  it('dropout and recurrentDropout act only while training', () => {
    // (no training-step check: dropout makes single-batch losses noisy)
    runLayerTest({ make: (a) => new L.LSTM(2, { dropout: 0.3, recurrentDropout: 0.3, ...a }), inputShape: [2, 3, 2], expectedOutputShape: [2, 2], weights: 3, train: false });
    const r = new L.SimpleRNN(4, { dropout: 0.5, recurrentDropout: 0.5 });
    const x = nb.ones([8, 3, 6]);
    const inference = r.apply(x).dataSync();
    expect(Array.from(r.apply(x, { training: false }).dataSync())).toEqual(Array.from(inference));
    expect(Array.from(r.apply(x, { training: true }).dataSync())).not.toEqual(Array.from(inference));
    expect(() => new L.GRU(2, { dropout: 1 })).toThrow(/dropout must be in \[0, 1\)/);
  });

  it('learns to sum a short sequence', async () => {
    nb.random.seed(5);
    const x = nb.random.uniform([64, 3, 1], { min: 0, max: 1, seed: 2 });
    const y = x.sum(1);
    const m = new nb.Sequential([new L.LSTM(8, { inputShape: [3, 1] }), new L.Dense(1)]);
    m.compile({ optimizer: new nb.optimizers.Adam(0.05), loss: 'mse' });
    const h = await m.fit(x, y, { epochs: 12, batchSize: 16, verbose: 0 });
    expect(h.history.loss!.at(-1)!).toBeLessThan(h.history.loss![0]! / 4);
  });
});

describe('masks', () => {
  it('Embedding(maskZero) makes padded steps invisible to an RNN, through a Dense in between', () => {
    nb.random.seed(3);
    const emb = new L.Embedding(5, 3, { maskZero: true });
    const dense = new L.Dense(3, { activation: 'tanh' });
    const rnn = new L.LSTM(2);
    const run = (ids: number[][]) => rnn.apply(dense.apply(emb.apply(nb.tensor(ids, 'int32'))));
    expectClose(run([[3, 1, 0, 0]]), run([[3, 1]]).arraySync() as number[][], { rtol: 1e-5 });
    expect(nb.layers.getMask(emb.apply(nb.tensor([[2, 0]], 'int32')))!.arraySync()).toEqual([[true, false]]);
  });

  it('masked steps carry the previous output in returned sequences; Masking masks all-equal steps', () => {
    const r = new L.SimpleRNN(1, { activation: 'linear', returnSequences: true });
    const x = nb.tensor([[[1], [0], [3]]]);
    r.apply(x);
    r.setWeights([nb.tensor([[1]]), nb.tensor([[0.5]]), nb.tensor([0])]);
    const masked = new L.Masking({ maskValue: 0 }).apply(x);
    // step 2 is masked: h stays 1, then h3 = 3 + 0.5 * 1
    expectClose(r.apply(masked), [[[1], [1], [3.5]]]);
    expect(nb.layers.getMask(r.apply(masked))!.arraySync()).toEqual([[true, false, true]]);
    runLayerTest({ make: (a) => new L.Masking(a), inputShape: [2, 3, 2], expectedOutputShape: [2, 3, 2], weights: 0 });
  });
});

describe('wrappers', () => {
  it('TimeDistributed applies a layer to every step', () => {
    runLayerTest({ make: (a) => new L.TimeDistributed(new L.Dense(3, a), a), inputShape: [2, 4, 5], expectedOutputShape: [2, 4, 3], weights: 2 });
    const td = new L.TimeDistributed(new L.Dense(1, { kernelInitializer: 'ones', useBias: false }));
    expectClose(td.apply(nb.tensor([[[1, 2], [3, 4]]])), [[[3], [7]]]);
  });

  it('Bidirectional runs the layer both ways and realigns the backward sequence', () => {
    runLayerTest({ make: (a) => new L.Bidirectional(new L.SimpleRNN(2, { returnSequences: true, ...a }), a), inputShape: [2, 3, 2], expectedOutputShape: [2, 3, 4], weights: 6 });
    runLayerTest({ make: (a) => new L.Bidirectional(new L.GRU(2, a), { mergeMode: 'sum', ...a }), inputShape: [2, 3, 2], expectedOutputShape: [2, 2], weights: 6 });
    const bi = new L.Bidirectional(new L.SimpleRNN(1, { activation: 'linear', returnSequences: true }));
    const x = nb.tensor([[[1], [2], [3]]]);
    bi.apply(x);
    bi.setWeights([nb.tensor([[1]]), nb.tensor([[0.5]]), nb.tensor([0]), nb.tensor([[1]]), nb.tensor([[0.5]]), nb.tensor([0])]);
    // forward reads 1, 2, 3: [1, 2.5, 4.25]; backward reads 3, 2, 1: [3, 3.5, 2.75], put back in time order
    expectClose(bi.apply(x), [[[1, 2.75], [2.5, 3.5], [4.25, 3]]]);
    expect(() => new L.Bidirectional(new L.Dense(1))).toThrow(/expected a recurrent layer/);
  });
});

describe('MultiHeadAttention', () => {
  it('passes the layer checks (self-attention and query/value of different lengths)', () => {
    runLayerTest({ make: (a) => new L.MultiHeadAttention({ numHeads: 2, keyDim: 3, ...a }), inputShape: [2, 4, 5], expectedOutputShape: [2, 4, 5], weights: 8 });
    runLayerTest({
      make: (a) => new L.MultiHeadAttention({ numHeads: 2, keyDim: 2, valueDim: 3, outputShape: 4, ...a }),
      inputShape: [[1, 3, 2], [1, 5, 3]],
      expectedOutputShape: [1, 3, 4],
      weights: 8,
    });
  });

  it('scores are softmax(q k^T / sqrt(d)); masks give zero weight', () => {
    const mha = new L.MultiHeadAttention({ numHeads: 1, keyDim: 1, useBias: false, kernelInitializer: 'ones' });
    const x = nb.tensor([[[1], [2]]]);
    const [out, scores] = mha.applyAll([x, x], { returnAttentionScores: true });
    // q = k = v = x; scores row i: softmax([x_i * 1, x_i * 2])
    const row = (q: number) => [Math.exp(q) / (Math.exp(q) + Math.exp(2 * q)), Math.exp(2 * q) / (Math.exp(q) + Math.exp(2 * q))];
    expectClose(scores!, [[[row(1), row(2)]]], { rtol: 1e-5 });
    expectClose(out!, [[[row(1)[0]! + 2 * row(1)[1]!], [row(2)[0]! + 2 * row(2)[1]!]]], { rtol: 1e-5 });
    const [, causal] = mha.applyAll([x, x], { returnAttentionScores: true, useCausalMask: true });
    expectClose(causal!, [[[[1, 0], row(2)]]], { rtol: 1e-5, atol: 1e-7 });
    const [, masked] = mha.applyAll([x, x], { returnAttentionScores: true, attentionMask: nb.tensor([[[false, true], [true, true]]]) });
    expectClose(masked!, [[[[0, 1], row(2)]]], { rtol: 1e-5, atol: 1e-7 });
    expect(() => mha.apply([x, x], { attentionMask: nb.ones([1, 3, 2]) })).toThrow(/attentionMask must be \[batch, 2, 2\]/);
  });
});
