// GRU with resetAfter: false (Keras 1's and TensorFlow.js's form): the reset gate scales the
// previous state before its recurrent projection for the candidate.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { runLayerTest } from './run-layer-test.js';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** The reset-before GRU in plain numbers: kernel [f, 3u], recurrent [u, 3u], bias [3u], gates z, r, h. */
function referenceGru(xs: number[][], kernel: number[][], recurrent: number[][], bias: number[]): number[] {
  const u = recurrent.length;
  let h = new Array<number>(u).fill(0);
  for (const x of xs) {
    const proj = (gate: number, j: number, state: number[]) =>
      x.reduce((s, xi, i) => s + xi * kernel[i]![gate * u + j]!, 0) + state.reduce((s, hk, k) => s + hk * recurrent[k]![gate * u + j]!, 0) + bias[gate * u + j]!;
    const z = h.map((_, j) => sigmoid(proj(0, j, h)));
    const r = h.map((_, j) => sigmoid(proj(1, j, h)));
    const reset = h.map((hk, k) => r[k]! * hk);
    const candidate = h.map((_, j) => Math.tanh(proj(2, j, reset)));
    h = h.map((hj, j) => z[j]! * hj + (1 - z[j]!) * candidate[j]!);
  }
  return h;
}

describe('GRU resetAfter: false', () => {
  it('matches the reset-before equations computed by hand', () => {
    const kernel = [[0.5, -0.3, 0.8, 0.1, 0.4, -0.6]];
    const recurrent = [[0.2, 0.7, -0.5, 0.3, 0.9, -0.4], [-0.6, 0.1, 0.4, -0.2, 0.5, 0.8]];
    const bias = [0.1, -0.2, 0.05, 0.3, -0.1, 0.2];
    const gru = new nb.layers.GRU(2, { resetAfter: false });
    const xs = [[1.5], [-0.7], [0.4]];
    gru.apply(nb.zeros([1, 3, 1]));
    expect(gru.weights.map((w) => w.shape)).toEqual([[1, 6], [2, 6], [6]]);
    gru.setWeights([nb.tensor(kernel), nb.tensor(recurrent), nb.tensor(bias)]);
    const out = gru.apply(nb.tensor([xs])).dataSync();
    const expected = referenceGru(xs, kernel, recurrent, bias);
    expected.forEach((v, i) => expect(out[i]).toBeCloseTo(v, 6));
    expect(gru.getConfig().resetAfter).toBe(false);
  });

  it('passes the layer checks (shapes, config round trip, training, gradients)', () => {
    runLayerTest({ make: (a) => new nb.layers.GRU(2, { resetAfter: false, ...a }), inputShape: [2, 3, 2], expectedOutputShape: [2, 2], weights: 3 });
    runLayerTest({ make: (a) => new nb.layers.GRU(3, { resetAfter: false, returnSequences: true, useBias: false, ...a }), inputShape: [1, 4, 2], expectedOutputShape: [1, 4, 3], weights: 2 });
  });
});
