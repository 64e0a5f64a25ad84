// ConvLSTM2D: runLayerTest, equality with LSTM where the convolutions are 1x1 on 1x1 images,
// states, masks and option checks.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose, sample } from '../conformance/harness.js';
import { runLayerTest } from './run-layer-test.js';

const L = nb.layers;

describe('ConvLSTM2D', () => {
  it('passes the layer checks (last state, sequences, strides)', () => {
    runLayerTest({ make: (a) => new L.ConvLSTM2D(2, 2, a), inputShape: [2, 3, 3, 3, 1], expectedOutputShape: [2, 2, 2, 2], weights: 3, gradTolerance: { rtol: 1e-4, atol: 1e-6 } });
    runLayerTest({ make: (a) => new L.ConvLSTM2D(1, 3, { padding: 'same', strides: [1, 2], returnSequences: true, ...a }), inputShape: [1, 2, 3, 4, 2], expectedOutputShape: [1, 2, 3, 2, 1], weights: 3, gradTolerance: { rtol: 1e-4, atol: 1e-6 } });
  });

  it('with 1x1 kernels on 1x1 images it is the LSTM with the same weights', () => {
    const x = sample([2, 4, 1, 1, 3], -1, 1, 1).cast('float32');
    const conv = new L.ConvLSTM2D(2, 1, { returnSequences: true });
    const lstm = new L.LSTM(2, { returnSequences: true });
    conv.apply(x);
    lstm.apply(x.reshape([2, 4, 3]));
    const weights = [sample([3, 8], -1, 1, 2), sample([2, 8], -1, 1, 3), sample([8], -1, 1, 4)].map((w) => w.cast('float32'));
    lstm.setWeights(weights);
    conv.setWeights([weights[0]!.reshape([1, 1, 3, 8]), weights[1]!.reshape([1, 1, 2, 8]), weights[2]!]);
    expectClose(conv.apply(x).reshape([2, 4, 2]), lstm.apply(x.reshape([2, 4, 3])).arraySync() as number[][][], { rtol: 1e-5, atol: 1e-6 });
  });

  it('returns its states, starts the forget bias at 1, and holds the state over masked steps', () => {
    const layer = new L.ConvLSTM2D(2, 2, { returnState: true });
    const [out, h, c] = layer.applyAll(nb.ones([1, 3, 3, 3, 1]));
    expect(out!.shape).toEqual([1, 2, 2, 2]);
    expectClose(h!, out!.arraySync() as number[][][][]);
    expect(c!.shape).toEqual([1, 2, 2, 2]);
    expect(Array.from(layer.bias!.dataSync())).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
    // A masked last step leaves the output at the state after step 2.
    const seq = sample([1, 3, 3, 3, 1], -1, 1, 5).cast('float32');
    const masked = new L.ConvLSTM2D(2, 2);
    const full = masked.apply(seq.slice([0, 0], [1, 2]));
    expectClose(masked.apply(seq, { mask: nb.tensor([[true, true, false]]) }), full.arraySync() as number[][][][], { atol: 1e-6 });
  });

  it('checks its options and inputs', () => {
    expect(() => new L.ConvLSTM2D(0, 3)).toThrow(/ConvLSTM2D: filters must be a positive integer/);
    expect(() => new L.ConvLSTM2D(2, 3, { dropout: 1 })).toThrow(/ConvLSTM2D: dropout must be in \[0, 1\)/);
    expect(() => new L.ConvLSTM2D(2, 3, { strides: 2, dilationRate: 2 })).toThrow(/cannot be combined/);
    expect(() => new L.ConvLSTM2D(2, 3).apply(nb.zeros([1, 3, 4, 4]))).toThrow(/expects inputs \[batch, time, rows, cols, channels\]/);
  });
});
