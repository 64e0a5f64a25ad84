// A predict whose rows fit in one batch runs on the caller's tensors themselves (no per-call
// slicing): nothing is left behind and the input stays the caller's.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';

describe('predict of a single batch', () => {
  it('repeated one-sample predicts leave no tensors behind and keep the input', () => {
    const model = new nb.Sequential([new nb.layers.Dense(4, { activation: 'relu', inputShape: [3] }), new nb.layers.Dense(2)]);
    const x = nb.tensor([[1, 2, 3]]);
    model.predict(x).dispose();
    model.predict(x).dispose();
    const live = () => Object.values(nb.memory()).reduce((n, b) => n + b.numTensors, 0);
    const before = live();
    const first = Array.from((model.predict(x) as nb.Tensor).dataSync());
    for (let i = 0; i < 5; i++) {
      const y = model.predict(x) as nb.Tensor;
      expect(Array.from(y.dataSync())).toEqual(first);
      y.dispose();
    }
    expect(live()).toBe(before + 1);
    expect(x.isDisposed).toBe(false);
  });
});
