// The Keras parts of the lesson: a functional perceptron, a sequential 2-5-1 network with
// validation data, and softmax classifiers with categorical and sparse categorical cross-entropy.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { blobs, linearlySeparable } from './synthetic.js';

const L = nb.layers;

describe('the lesson, Keras style', () => {
  it('functional perceptron: binary cross-entropy, accuracy on separable data', async () => {
    nb.random.seed(7);
    const { x, y } = linearlySeparable(120, 1);
    const { x: xv, y: yv } = linearlySeparable(40, 2);
    const inputs = nb.keras.Input([2]);
    const z = new L.Dense(1, { activation: 'sigmoid', kernelInitializer: 'glorotUniform' }).apply(inputs);
    const model = new nb.Model({ inputs, outputs: z });
    model.compile({ optimizer: new nb.optimizers.Adam(0.1), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    let text = '';
    model.summary({ printFn: (t) => (text = t) });
    expect(text).toContain('Total params: 3');
    const h = await model.fit(x, y, { batchSize: 8, epochs: 15, validationData: [xv, yv], verbose: 0 });
    expect(Object.keys(h.history).sort()).toEqual(['accuracy', 'loss', 'val_accuracy', 'val_loss']);
    expect(h.history.loss!.length).toBe(15);
    expect(h.history.loss!.at(-1)!).toBeLessThan(h.history.loss![0]!);
    expect(h.history.accuracy!.at(-1)!).toBeGreaterThanOrEqual(0.95);
    expect(h.history.val_accuracy!.at(-1)!).toBeGreaterThanOrEqual(0.95);
    const [loss, acc] = (await model.evaluate(xv, yv, { verbose: 0 })) as number[];
    expect(loss).toBeCloseTo(h.history.val_loss!.at(-1)!, 5);
    expect(acc).toBeCloseTo(h.history.val_accuracy!.at(-1)!, 5);
  });

  it('sequential 2-5-1 with validation data', async () => {
    nb.random.seed(8);
    const { x, y } = linearlySeparable(160, 3);
    const { x: xv, y: yv } = linearlySeparable(40, 4);
    const seq = new nb.Sequential([
      new L.Dense(5, { activation: 'sigmoid', inputShape: [2] }),
      new L.Dense(1, { activation: 'sigmoid' }),
    ]);
    let text = '';
    seq.summary({ printFn: (t) => (text = t) });
    expect(text).toContain('Total params: 21');
    seq.compile({ optimizer: new nb.optimizers.Adam(0.05), loss: 'binary_crossentropy', metrics: ['acc'] });
    const h = await seq.fit(x, y, { batchSize: 16, epochs: 25, validationData: [xv, yv], verbose: 0 });
    expect(h.history.acc!.at(-1)!).toBeGreaterThanOrEqual(0.95);
    expect(h.history.val_acc!.at(-1)!).toBeGreaterThanOrEqual(0.9);
    const p = seq.predict(xv);
    expect(p.shape).toEqual([xv.shape[0], 1]);
    const hits = nb.equal(nb.greater(p, 0.5).cast('float32'), yv).cast('float32').mean().item();
    expect(hits).toBeCloseTo(h.history.val_acc!.at(-1)!, 5);
  });

  it('softmax with categorical and with sparse categorical cross-entropy', async () => {
    const { x, labels } = blobs(150, 5);
    const oneHot = nb.utils.toCategorical(labels, 3);
    for (const [loss, y] of [
      ['categoricalCrossentropy', oneHot],
      ['sparseCategoricalCrossentropy', labels],
    ] as const) {
      nb.random.seed(9);
      const model = new nb.Sequential([new L.Dense(3, { activation: 'softmax', inputShape: [2] })]);
      model.compile({ optimizer: new nb.optimizers.Adam(0.1), loss, metrics: ['accuracy'] });
      const h = await model.fit(x, y, { batchSize: 16, epochs: 10, verbose: 0 });
      expect(h.history.accuracy!.at(-1)!, loss).toBeGreaterThanOrEqual(0.95);
      const probs = model.predict(x);
      expect(probs.sum(-1).arraySync()).toEqual(expect.arrayContaining([expect.closeTo(1, 5)]));
      const predicted = probs.argmax(-1);
      const acc = nb.equal(predicted, labels).cast('float32').mean().item();
      expect(acc).toBeGreaterThanOrEqual(0.95);
    }
  });
});
