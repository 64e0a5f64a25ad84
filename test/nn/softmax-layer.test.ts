// nb.layers.Softmax (Keras's layers.Softmax): probabilities over one or more axes, masks, config.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose } from '../conformance/harness.js';
import { runLayerTest } from './run-layer-test.js';

const L = nb.layers;

describe('Softmax layer', () => {
  it('passes the layer checks (shapes, config round trip, input gradients)', () => {
    runLayerTest({ make: (a) => new L.Softmax(a), inputShape: [2, 3], expectedOutputShape: [2, 3], weights: 0 });
    runLayerTest({ make: (a) => new L.Softmax({ axis: [1, 2], ...a }), inputShape: [2, 3, 2], expectedOutputShape: [2, 3, 2], weights: 0 });
  });

  it('computes exp(x) / sum(exp(x)) along the last axis by default', () => {
    // [0, ln 3] -> [1/4, 3/4]; [1, 1] -> [1/2, 1/2]
    expectClose(new L.Softmax().apply(nb.tensor([[0, Math.log(3)], [1, 1]])), [[0.25, 0.75], [0.5, 0.5]], { atol: 1e-6 });
    // axis 0: each column sums to 1.
    expectClose(new L.Softmax({ axis: 0 }).apply(nb.tensor([[0, 2], [0, 2]])), [[0.5, 0.5], [0.5, 0.5]], { atol: 1e-6 });
  });

  it('normalises over several axes together', () => {
    // Four equal logits over axes 1 and 2: a quarter each; a ln 2 logit among [0, 0, 0] -> 2/5 and 1/5 each.
    expectClose(new L.Softmax({ axis: [1, 2] }).apply(nb.zeros([1, 2, 2])), [[[0.25, 0.25], [0.25, 0.25]]], { atol: 1e-6 });
    expectClose(new L.Softmax({ axis: [-2, -1] }).apply(nb.tensor([[[Math.log(2), 0], [0, 0]]])), [[[0.4, 0.2], [0.2, 0.2]]], { atol: 1e-6 });
  });

  it('gives masked positions probability 0 (a mask of the input shape, or per step)', () => {
    const x = nb.tensor([[1, 2, 3]]);
    expectClose(new L.Softmax().apply(x, { mask: nb.tensor([[true, false, true]]) }), [[1 / (1 + Math.E ** 2), 0, Math.E ** 2 / (1 + Math.E ** 2)]], { atol: 1e-6 });
    // A per-step mask [batch, time] over [batch, time, features], softmax over time: the padded step drops out.
    const steps = nb.tensor([[[0, 5], [0, 0], [7, 1]]]);
    expectClose(new L.Softmax({ axis: 1 }).apply(steps, { mask: nb.tensor([[true, true, false]]) }), [[[0.5, Math.E ** 5 / (Math.E ** 5 + 1)], [0.5, 1 / (Math.E ** 5 + 1)], [0, 0]]], { atol: 1e-6 });
  });

  it('takes the mask of Embedding({ maskZero: true }) in a model, over the time axis', () => {
    const inputs = nb.keras.Input([3], { dtype: 'int32' });
    const embedded = new L.Embedding(5, 1, { maskZero: true, embeddingsInitializer: 'ones' }).apply(inputs);
    const model = new nb.Model({ inputs, outputs: new L.Softmax({ axis: 1 }).apply(embedded) });
    // Two real steps then padding: 1/2, 1/2, 0.
    expectClose(model.predict(nb.tensor([[3, 4, 0]], undefined, 'int32')) as nb.Tensor, [[[0.5], [0.5], [0]]], { atol: 1e-6 });
  });

  it('wraps a logits model into a probability model, as the Keras tutorials do', () => {
    const model = new nb.Sequential([new L.Dense(4, { inputShape: [3] })]);
    const probabilities = new nb.Sequential([model, new L.Softmax()]);
    const p = probabilities.predict(nb.ones([2, 3])) as nb.Tensor;
    expectClose(nb.sum(p, -1), [1, 1], { atol: 1e-6 });
    expectClose(p, nb.softmax(model.predict(nb.ones([2, 3])) as nb.Tensor).arraySync() as number[][], { atol: 1e-6 });
  });

  it('rejects bad options and masks that do not fit, naming them', () => {
    expect(() => new L.Softmax({ axis: 1.5 })).toThrow(/Softmax: axis must be an integer/);
    expect(() => new L.Softmax({ axis: [] })).toThrow(/Softmax: axis must be an integer or a non-empty array/);
    expect(() => new L.Softmax({ axes: 1 } as never)).toThrow(/Softmax: unknown option 'axes'/);
    expect(() => new L.Softmax().apply(nb.ones([2, 3]), { mask: nb.ones([3, 2], 'bool') })).toThrow(/mask of shape \[3, 2\] does not match the input's shape \[2, 3\]/);
  });

  it('round-trips through serialize/deserialize', () => {
    const restored = L.deserialize(L.serialize(new L.Softmax({ axis: [1, 2] }))) as nb.layers.Softmax;
    expect(restored).toBeInstanceOf(L.Softmax);
    expect(restored.axis).toEqual([1, 2]);
  });
});
