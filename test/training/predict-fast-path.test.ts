// predict of one tensor that fits one batch skips the batching machinery (src/training/loops.ts):
// the same values as the general path, the same errors, and inputs from another backend still
// take the general path (which copies them over).
import { afterAll, describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';

const start = nb.getBackend();
afterAll(() => nb.setBackend(start));

function model(): nb.Sequential {
  nb.random.seed(7);
  return new nb.Sequential([new nb.layers.Dense(5, { activation: 'relu', inputShape: [4] }), new nb.layers.Dense(2, { activation: 'softmax' })]);
}

describe('predict of one batch-sized tensor', () => {
  it('equals the general path (nested arrays, several batches) bit for bit, compiled and eager', () => {
    for (const jitCompile of [true, false]) {
      const m = model();
      if (!jitCompile) m.compile({ optimizer: 'sgd', loss: 'mse', jitCompile });
      const rows = Array.from({ length: 3 }, (_, i) => [i, -i, 0.5 * i, 1 - i]);
      const x = nb.tensor(rows);
      for (let i = 0; i < 3; i++) {
        const fast = Array.from((m.predict(x) as nb.Tensor).dataSync());
        const general = Array.from((m.predict(rows) as nb.Tensor).dataSync());
        const oneRowBatches = Array.from((m.predict(x, { batchSize: 1 }) as nb.Tensor).dataSync());
        expect(fast).toEqual(general);
        expect(fast).toEqual(oneRowBatches);
      }
    }
  });

  it('names predict for a disposed input and the layer for a wrong shape', () => {
    const m = model();
    const x = nb.ones([2, 4]);
    x.dispose();
    expect(() => m.predict(x)).toThrow(/predict: tensor #\d+ .* was disposed/);
    expect(() => m.predict(nb.ones([2, 5]))).toThrow(/expected axis 1 to have size 4, got shape \(2, 5\)/);
  });

  it('an input made on another backend is copied over and predicts the same', async () => {
    const other = ['js', 'wasm'].find((b) => b !== nb.getBackend() && nb.backendInfo(b).available);
    if (!other) return;
    const m = model();
    const here = nb.tensor([[1, 2, 3, 4]]);
    const want = Array.from((m.predict(here) as nb.Tensor).dataSync());
    const current = nb.getBackend();
    const elsewhere = nb.withBackend(other, () => nb.tensor([[1, 2, 3, 4]]));
    await nb.setBackend(current);
    expect(elsewhere.backend).toBe(other);
    expect(Array.from((m.predict(elsewhere) as nb.Tensor).dataSync())).toEqual(want);
  });
});
