// predict over several batches gives each row what a one-batch predict of that row's batch gives:
// single and multi-output models, a short last batch, a batchSize past the data, a dataset, and
// no tensors left behind over repeated predicts.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';

const L = nb.layers;
const values = (t: nb.Tensor) => Array.from(t.dataSync());
const live = () => Object.values(nb.memory()).reduce((n, b) => n + b.numTensors, 0);

function mlp(): nb.Sequential {
  return new nb.Sequential([new L.Dense(8, { activation: 'relu', inputShape: [5] }), new L.Dense(3)]);
}

/** Two inputs, two outputs of different widths. */
function twoByTwo(): nb.Model {
  const a = nb.keras.Input([4]);
  const b = nb.keras.Input([3]);
  const joined = L.concatenate([new L.Dense(5, { activation: 'tanh' }).apply(a), new L.Dense(2).apply(b)]);
  return new nb.Model({ inputs: [a, b], outputs: [new L.Dense(1).apply(joined), new L.Dense(4, { activation: 'softmax' }).apply(joined)] });
}

/** Each batch of `batchSize` rows predicted alone (predictOnBatch), joined by hand. */
function perBatch(model: nb.Model | nb.Sequential, xs: nb.Tensor[], batchSize: number): number[][] {
  const n = xs[0]!.shape[0]!;
  const outs: number[][] = [];
  for (let start = 0; start < n; start += batchSize) {
    const rows = xs.map((x) => x.slice([start], [Math.min(batchSize, n - start)]));
    const ys = model.predictAll(rows.length === 1 ? rows[0]! : rows, { batchSize });
    ys.forEach((y, i) => (outs[i] = [...(outs[i] ?? []), ...values(y)]));
    nb.dispose([...rows, ...ys]);
  }
  return outs;
}

function expectRowsClose(got: nb.Tensor[], want: number[][]): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => {
    const w = want[i]!;
    expect(g.size).toBe(w.length);
    values(g).forEach((v, j) => expect(Math.abs(v - w[j]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(w[j]!))));
  });
}

describe('predict over batches', () => {
  it('a single-output model: 10 rows at batchSize 4 (a short last batch of 2) match each batch predicted alone', () => {
    const model = mlp();
    const x = nb.random.normal([10, 5]);
    const y = model.predict(x, { batchSize: 4 }) as nb.Tensor;
    expect(y.shape).toEqual([10, 3]);
    expectRowsClose([y], perBatch(model, [x], 4));
    nb.dispose([x, y]);
  });

  it('a two-input two-output model at batchSize 3 over 7 rows gives each output joined in row order', () => {
    const model = twoByTwo();
    const a = nb.random.normal([7, 4]);
    const b = nb.random.normal([7, 3]);
    const ys = model.predictAll([a, b], { batchSize: 3 });
    expect(ys.map((t) => t.shape)).toEqual([
      [7, 1],
      [7, 4],
    ]);
    expectRowsClose(ys, perBatch(model, [a, b], 3));
    nb.dispose([a, b, ...ys]);
  });

  it('a batchSize larger than the data predicts everything in one step', () => {
    const model = mlp();
    const x = nb.random.normal([6, 5]);
    const big = model.predict(x, { batchSize: 100 }) as nb.Tensor;
    expect(big.shape).toEqual([6, 3]);
    expectRowsClose([big], perBatch(model, [x], 6));
    nb.dispose([x, big]);
  });

  it('plain arrays are batched like a tensor', () => {
    const model = mlp();
    const x = nb.random.normal([9, 5]);
    const fromTensor = model.predict(x, { batchSize: 4 }) as nb.Tensor;
    const fromArray = model.predict(x.arraySync() as number[][], { batchSize: 4 }) as nb.Tensor;
    expectRowsClose([fromArray], [values(fromTensor)]);
    nb.dispose([x, fromTensor, fromArray]);
  });

  it('a dataset of batches (the last one short) gives the same rows as the tensor', async () => {
    const model = mlp();
    const x = nb.random.normal([10, 5]);
    const fromTensor = model.predict(x, { batchSize: 4 }) as nb.Tensor;
    const fromDataset = await model.predict(nb.data.Dataset.fromTensorSlices(x).batch(4));
    expect(fromDataset.shape).toEqual([10, 3]);
    expectRowsClose([fromDataset], [values(fromTensor)]);
    nb.dispose([x, fromTensor, fromDataset]);
  });

  it('repeated multi-batch predicts leave no tensors behind and keep the input', () => {
    const model = twoByTwo();
    const a = nb.random.normal([11, 4]);
    const b = nb.random.normal([11, 3]);
    nb.dispose(model.predictAll([a, b], { batchSize: 4 }));
    const before = live();
    for (let i = 0; i < 5; i++) nb.dispose(model.predictAll([a, b], { batchSize: 4 }));
    expect(live()).toBe(before);
    expect(a.isDisposed || b.isDisposed).toBe(false);
    nb.dispose([a, b]);
  });
});
