// A Sequential model without an Input is built at its first call fixing only the sizes its layers
// need (Keras builds with None where it cannot know), and rank-deficient inputs get their last axis.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose } from '../conformance/harness.js';

const L = nb.layers;

describe('Sequential without an Input', () => {
  it('Embedding + LSTM + Dense trained on length 6 predicts sequences of other lengths', async () => {
    nb.random.seed(3);
    const model = new nb.Sequential([new L.Embedding(10, 4), new L.LSTM(3), new L.Dense(1)]);
    model.compile({ optimizer: 'adam', loss: 'mse' });
    const x = nb.tensor([[1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1]], 'int32');
    await model.fit(x, nb.tensor([[1], [0]]), { epochs: 1, verbose: 0 });
    expect(model.inputs[0]!.shape).toEqual([null, null]);
    expect(model.predict(nb.tensor([[1, 2, 3]], 'int32')).shape).toEqual([1, 1]);
    expect(model.predict(nb.tensor([[1, 2, 3, 4, 5, 6, 7, 8, 9]], 'int32')).shape).toEqual([1, 1]);
    // The shorter sequence runs the same weights: equal to running the layers by hand.
    const short = nb.tensor([[4, 2]], 'int32');
    const [emb, lstm, dense] = model.layers as [nb.layers.Layer, nb.layers.Layer, nb.layers.Layer];
    expectClose(model.predict(short), Array.from(dense.apply(lstm.apply(emb.apply(short))).dataSync()).map((v) => [v]), { rtol: 1e-6 });
  });

  it('keeps the feature size known for Dense and Conv layers, and the whole shape where Flatten needs it', async () => {
    const seq = new nb.Sequential([new L.LSTM(2, { returnSequences: true }), new L.Dense(1)]);
    seq.predict(nb.zeros([2, 5, 3]));
    expect(seq.inputs[0]!.shape).toEqual([null, null, 3]);
    expect(seq.predict(nb.zeros([1, 7, 3])).shape).toEqual([1, 7, 1]);
    expect(() => seq.predict(nb.zeros([1, 7, 4]))).toThrow(nb.ShapeError);

    const conv = new nb.Sequential([new L.Conv2D(2, 3, { padding: 'same' }), new L.GlobalAveragePooling2D(), new L.Dense(1)]);
    conv.predict(nb.zeros([1, 8, 8, 1]));
    expect(conv.inputs[0]!.shape).toEqual([null, null, null, 1]);
    expect(conv.predict(nb.zeros([1, 5, 6, 1])).shape).toEqual([1, 1]);

    const flat = new nb.Sequential([new L.Conv2D(2, 3), new L.Flatten(), new L.Dense(1)]);
    flat.predict(nb.zeros([1, 6, 6, 1]));
    expect(flat.inputs[0]!.shape).toEqual([null, 6, 6, 1]);
    expect(flat.layers[2]!.weights[0]!.shape).toEqual([32, 1]);
    expect(flat.layers.map((l) => l.inboundNodes.length)).toEqual([1, 1, 1]);
  });

  it('a Lambda without a declared output shape gets null where its output follows an unknown size', () => {
    const seq = new nb.Sequential([new L.Lambda((x: nb.Tensor) => nb.concat([x, x], 1)), new L.Dense(2)]);
    seq.predict(nb.zeros([1, 3, 4]));
    expect(seq.layers[0]!.inboundNodes[0]!.outputs[0]!.shape).toEqual([null, null, 4]);
    expect(seq.outputs[0]!.shape).toEqual([null, null, 2]);
  });
});

describe('rank-deficient inputs', () => {
  it('a 1-D feature column fits, evaluates and predicts with inputShape [1] (Keras expands the last axis)', async () => {
    const model = new nb.Sequential([new L.Dense(1, { inputShape: [1], kernelInitializer: 'ones' })]);
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    const column = nb.tensor([1, 2, 3, 4]);
    await model.fit(column, nb.tensor([2, 4, 6, 8]), { epochs: 1, verbose: 0, batchSize: 2 });
    expect(model.predict(column).shape).toEqual([4, 1]);
    expect(await model.evaluate(column, nb.tensor([2, 4, 6, 8]), { verbose: 0 })).toEqual(expect.any(Number));
    expectClose(model.apply(nb.tensor([0])), Array.from(model.apply(nb.tensor([[0]])).dataSync()).map((v) => [v]));
  });

  it('a functional model expands only when the last axis is 1, and refuses other rank mismatches', () => {
    const input = nb.keras.Input([3, 1]);
    const model = new nb.Model({ inputs: input, outputs: new L.Flatten().apply(input) });
    expect(model.predict(nb.zeros([2, 3])).shape).toEqual([2, 3]);
    const wide = nb.keras.Input([2]);
    const m2 = new nb.Model({ inputs: wide, outputs: new L.Dense(1).apply(wide) });
    expect(() => m2.predict(nb.zeros([4]))).toThrow(nb.ShapeError);
  });
});
