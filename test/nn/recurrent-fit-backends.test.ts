// A jitted LSTM fit (the time loop one scan node, its gates through the native/wasm exp, sigmoid
// and tanh loops) gives the same weights on every backend as the js reference's eager fit, and
// the same as its own eager fit.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { backendsUnderTest, expectClose } from '../conformance/harness.js';

const STEPS = 12;
const FEATURES = 3;
const UNITS = 5;

/** Values in [-1, 1) from a fixed linear congruential walk. */
function values(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 31) - 1);
}

/** Weights after two epochs of fit on 24 sequences (batch 8), each model starting from the same weights. */
async function trainedWeights(backend: string, jitCompile: boolean, goBackwards: boolean): Promise<Float32Array[]> {
  return nb.withBackend(backend, async () => {
    const model = new nb.Sequential([new nb.layers.LSTM(UNITS, { inputShape: [STEPS, FEATURES], goBackwards }), new nb.layers.Dense(1)]);
    model.build([null, STEPS, FEATURES]);
    model.setWeights(model.getWeights().map((w, i) => nb.tensor(values(w.size, 7 + i), w.shape).mul(0.5)));
    model.compile({ optimizer: 'adam', loss: 'mse', jitCompile });
    const x = nb.tensor(values(24 * STEPS * FEATURES, 1), [24, STEPS, FEATURES]).mul(3);
    const y = nb.tensor(values(24, 2), [24, 1]);
    await model.fit(x, y, { batchSize: 8, epochs: 2, shuffle: false, verbose: 0 });
    return model.getWeights().map((w) => w.dataSync() as Float32Array);
  });
}

describe('a jitted LSTM fit on every backend', () => {
  for (const goBackwards of [false, true]) {
    it(`equals the js backend's eager fit, and its own eager fit (goBackwards ${goBackwards})`, async () => {
      const reference = await trainedWeights('js', false, goBackwards);
      for (const backend of backendsUnderTest().filter((b) => b !== 'webgpu')) {
        const jitted = await trainedWeights(backend, true, goBackwards);
        const eager = await trainedWeights(backend, false, goBackwards);
        jitted.forEach((w, i) => {
          expectClose(nb.tensor(w), Array.from(reference[i]!), { rtol: 2e-4, atol: 2e-5 });
          expectClose(nb.tensor(w), Array.from(eager[i]!), { rtol: 2e-4, atol: 2e-5 });
        });
        // Training moved the weights: the comparison is not of the starting values.
        expect(Math.max(...jitted[0]!.map((v, j) => Math.abs(v - values(jitted[0]!.length, 7)[j]! * 0.5)))).toBeGreaterThan(1e-3);
      }
    });
  }
});
