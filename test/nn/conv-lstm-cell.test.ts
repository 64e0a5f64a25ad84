// ConvLSTM2DCell: one ConvLSTM2D step as a cell of the generic RNN layer. Checked by hand on a 1x1
// image, against ConvLSTM2D with the same weights, and with runLayerTest.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose, sample } from '../conformance/harness.js';
import { runLayerTest } from './run-layer-test.js';

const L = nb.layers;
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

describe('ConvLSTM2DCell', () => {
  it('one step on a 1x1 image is the LSTM arithmetic (gates i, f, c, o)', () => {
    const cell = new L.ConvLSTM2DCell(1, 1);
    const x = nb.tensor([[[[2]]]]);
    cell.applyAll(x);
    const W = [0.5, -0.25, 0.75, 1];
    const U = [0.1, 0.2, -0.3, 0.4];
    const B = [0.05, 1, -0.1, 0.2];
    cell.setWeights([nb.tensor(W, [1, 1, 1, 4]), nb.tensor(U, [1, 1, 1, 4]), nb.tensor(B)]);
    const h0 = 0.5;
    const c0 = -0.2;
    const [out, h, c] = cell.applyAll(x, { states: [nb.tensor([[[[h0]]]]), nb.tensor([[[[c0]]]])] }) as nb.Tensor[];
    const z = W.map((w, k) => 2 * w + h0 * U[k]! + B[k]!);
    const cWant = sigmoid(z[1]!) * c0 + sigmoid(z[0]!) * Math.tanh(z[2]!);
    const hWant = sigmoid(z[3]!) * Math.tanh(cWant);
    expect(out!.shape).toEqual([1, 1, 1, 1]);
    expect(out!.dataSync()[0]).toBeCloseTo(hWant, 6);
    expect(h!.dataSync()[0]).toBeCloseTo(hWant, 6);
    expect(c!.dataSync()[0]).toBeCloseTo(cWant, 6);
  });

  it('RNN({ cell: ConvLSTM2DCell }) computes what ConvLSTM2D computes with the same weights', () => {
    const x = sample([2, 3, 5, 4, 2], -1, 1, 3).cast('float32');
    const mask = nb.tensor([[1, 1, 0], [1, 1, 1]], [2, 3], 'bool');
    const pairs: [nb.layers.Layer, nb.layers.Layer][] = [
      [new L.RNN(new L.ConvLSTM2DCell(3, 3), { returnSequences: true }), new L.ConvLSTM2D(3, 3, { returnSequences: true })],
      [new L.RNN(new L.ConvLSTM2DCell(2, 2, { padding: 'same', strides: 2 }), { goBackwards: true }), new L.ConvLSTM2D(2, 2, { padding: 'same', strides: 2, goBackwards: true })],
    ];
    for (const [rnn, layer] of pairs) {
      rnn.apply(x);
      layer.apply(x);
      const ws = layer.getWeights().map((w, i) => sample([...w.shape], -1, 1, 20 + i).cast('float32'));
      layer.setWeights(ws);
      rnn.setWeights(ws);
      const want = layer.apply(x, { mask });
      const got = rnn.apply(x, { mask });
      expect(got.shape).toEqual(want.shape);
      expectClose(got, want.arraySync() as number[], { rtol: 1e-5, atol: 1e-6 });
    }
  });

  it('returnState gives the image states; computeOutputShape agrees', () => {
    const rnn = new L.RNN(new L.ConvLSTM2DCell(4, 3), { returnState: true });
    const outs = rnn.applyAll(nb.zeros([2, 3, 6, 5, 1])) as nb.Tensor[];
    expect(outs.map((t) => t.shape)).toEqual([[2, 4, 3, 4], [2, 4, 3, 4], [2, 4, 3, 4]]);
    expect(rnn.computeOutputShape([null, 3, 6, 5, 1])).toEqual([[null, 4, 3, 4], [null, 4, 3, 4], [null, 4, 3, 4]]);
  });

  it('passes the layer checks inside RNN, and its config leaves out the sequence options', () => {
    runLayerTest({ make: (a) => new L.RNN(new L.ConvLSTM2DCell(2, 2, { padding: 'same', dtype: a.dtype }), { returnSequences: true, ...a }), inputShape: [2, 3, 4, 4, 2], expectedOutputShape: [2, 3, 4, 4, 2], weights: 3 });
    const config = new L.ConvLSTM2DCell(2, 3).getConfig();
    expect(config).not.toHaveProperty('returnSequences');
    expect(config.filters).toBe(2);
    expect(L.deserialize({ className: 'ConvLSTM2DCell', config })).toBeInstanceOf(L.ConvLSTM2DCell);
  });

  it('refuses a step that is not an image, and a sequence that is not one of images', () => {
    expect(() => new L.ConvLSTM2DCell(2, 3).applyAll(nb.zeros([2, 3]))).toThrow(/ConvLSTM2DCell .* one step \[batch, rows, cols, channels\], got shape \[, 3\]/);
    expect(() => new L.RNN(new L.ConvLSTM2DCell(2, 3)).apply(nb.zeros([2, 3, 4]))).toThrow(/RNN .* \[batch, timesteps, rows, cols, channels\] for its ConvLSTM2DCell/);
    expect(() => new L.ConvLSTM2DCell(2, 3, { returnSequences: true } as never)).toThrow(/returnSequences/);
  });
});
