// The generic RNN layer with cells: runLayerTest, equality with SimpleRNN/LSTM/GRU given the same
// weights, stacked cells, masks, states, and cells called on their own.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose, sample } from '../conformance/harness.js';
import { runLayerTest } from './run-layer-test.js';

const L = nb.layers;
const x = () => sample([2, 4, 3], -1, 1, 1).cast('float32');

describe('RNN with cells', () => {
  it('passes the layer checks with each cell and with stacked cells', () => {
    runLayerTest({ make: (a) => new L.RNN(new L.SimpleRNNCell(3, { dtype: a.dtype }), a), inputShape: [2, 4, 3], expectedOutputShape: [2, 3], weights: 3 });
    runLayerTest({ make: (a) => new L.RNN(new L.LSTMCell(2, { dtype: a.dtype }), { returnSequences: true, ...a }), inputShape: [2, 3, 2], expectedOutputShape: [2, 3, 2], weights: 3 });
    runLayerTest({ make: (a) => new L.RNN([new L.GRUCell(2, { dtype: a.dtype }), new L.SimpleRNNCell(3, { dtype: a.dtype })], { goBackwards: true, ...a }), inputShape: [2, 3, 2], expectedOutputShape: [2, 3], weights: 6 });
  });

  it('computes what SimpleRNN, LSTM and GRU compute with the same weights', () => {
    const pairs: [nb.layers.Layer, nb.layers.Layer][] = [
      [new L.RNN(new L.SimpleRNNCell(2)), new L.SimpleRNN(2)],
      [new L.RNN(new L.LSTMCell(2), { returnSequences: true }), new L.LSTM(2, { returnSequences: true })],
      [new L.RNN(new L.GRUCell(2), { goBackwards: true }), new L.GRU(2, { goBackwards: true })],
      [new L.RNN(new L.GRUCell(2, { resetAfter: false })), new L.GRU(2, { resetAfter: false })],
    ];
    for (const [rnn, layer] of pairs) {
      rnn.apply(x());
      layer.apply(x());
      const ws = layer.getWeights().map((w, i) => sample([...w.shape], -1, 1, 10 + i).cast('float32'));
      layer.setWeights(ws);
      rnn.setWeights(ws);
      expectClose(rnn.apply(x()), layer.apply(x()).arraySync() as number[][], { rtol: 1e-5, atol: 1e-6 });
    }
  });

  it('stacked cells feed each output to the next cell and return every state', () => {
    const lower = new L.LSTMCell(3);
    const upper = new L.GRUCell(2);
    const rnn = new L.RNN([lower, upper], { returnState: true });
    const [out, h1, c1, h2] = rnn.applyAll(x());
    expect([out, h1, c1, h2].map((t) => t!.shape)).toEqual([[2, 2], [2, 3], [2, 3], [2, 2]]);
    expectClose(h2!, out!.arraySync() as number[][]);
    // The same as two RNN layers, one per cell.
    const one = new L.RNN(lower, { returnSequences: true });
    const two = new L.RNN(upper);
    expectClose(two.apply(one.apply(x())), out!.arraySync() as number[][], { atol: 1e-6 });
  });

  it('holds the output and states over masked steps', () => {
    const rnn = new L.RNN(new L.LSTMCell(2), { returnSequences: true });
    const seq = x();
    const ys = rnn.apply(seq, { mask: nb.tensor([[true, true, false, false], [true, true, true, true]]) }).arraySync() as number[][][];
    expect(ys[0]![2]).toEqual(ys[0]![1]);
    expect(ys[0]![3]).toEqual(ys[0]![1]);
    const short = rnn.apply(seq.slice([0, 0], [1, 2])).arraySync() as number[][][];
    expectClose(nb.tensor(ys[0]![1]!), short[0]![1]!);
  });

  it('a cell on its own maps one step and states to [output, ...new states]', () => {
    const cell = new L.LSTMCell(2);
    const [out, h, c] = cell.applyAll(nb.ones([3, 4]));
    expect([out, h, c].map((t) => t!.shape)).toEqual([[3, 2], [3, 2], [3, 2]]);
    expect(cell.getConfig()).not.toHaveProperty('returnSequences');
    expect(() => new L.LSTMCell(2, { returnSequences: true } as never)).toThrow(/LSTMCell: unknown option 'returnSequences'/);
    expect(() => new L.RNN({} as never)).toThrow(/RNN: cell must be a cell/);
    expect(() => new L.StackedRNNCells([])).toThrow(/non-empty list of cells/);
    expect(() => cell.apply(nb.ones([1, 2, 4]))).toThrow(/expected rank 2, got shape \(1, 2, 4\)/);
    expect(() => new L.LSTMCell(2).apply(nb.ones([1, 2, 4]))).toThrow(/a cell takes one step \[batch, features\]/);
  });
});
