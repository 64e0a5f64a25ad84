// Masks from Embedding({ maskZero: true }) through pooling and merge layers, as in Keras:
// GlobalAveragePooling1D averages the unmasked steps only; merge layers combine their inputs' masks.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose } from '../conformance/harness.js';

const L = nb.layers;

/** An Embedding with rows [0, 0], [1, 2], [3, 4], [5, 6], ... (row i = [2i - 1, 2i]). */
function embedding(maskZero: boolean): nb.layers.Embedding {
  const e = new L.Embedding(5, 2, { maskZero });
  e.apply(nb.tensor([[0]], 'int32'));
  e.setWeights([nb.tensor([[0, 0], [1, 2], [3, 4], [5, 6], [7, 8]])]);
  return e;
}

const asBools = (t: nb.Tensor | null) => (t ? Array.from(t.dataSync()).map(Boolean) : null);

describe('GlobalAveragePooling1D with a mask', () => {
  it('averages only the unmasked steps (Keras: sum(x * mask) / sum(mask))', () => {
    const ids = nb.tensor([[1, 2, 0, 0], [3, 0, 0, 0]], 'int32');
    const pooled = new L.GlobalAveragePooling1D().apply(embedding(true).apply(ids));
    // Row 0: mean of [1, 2] and [3, 4]; row 1: [5, 6] alone. Without the mask it would be [1, 1.5] and [1.25, 1.5].
    expectClose(pooled, [[2, 3], [5, 6]]);
    const unmasked = new L.GlobalAveragePooling1D().apply(embedding(false).apply(ids));
    expectClose(unmasked, [[1, 1.5], [1.25, 1.5]]);
    expect(L.getMask(pooled)).toBeNull();
  });

  it('keepDims keeps the steps axis; a model gives padded and unpadded sequences the same output', () => {
    const ids = nb.tensor([[1, 2, 0]], 'int32');
    expectClose(new L.GlobalAveragePooling1D({ keepDims: true }).apply(embedding(true).apply(ids)), [[[2, 3]]]);
    const emb = embedding(true);
    const input = nb.keras.Input({ shape: [null], dtype: 'int32' });
    const out = new L.Dense(1, { kernelInitializer: 'ones' }).apply(new L.GlobalAveragePooling1D().apply(emb.apply(input)));
    const model = new nb.Model({ inputs: input, outputs: out });
    const padded = model.predict(nb.tensor([[1, 2, 0, 0, 0]], 'int32'));
    const bare = model.predict(nb.tensor([[1, 2]], 'int32'));
    expectClose(padded, Array.from(bare.dataSync()).map((v) => [v]));
  });

  it('trains through the masked mean (gradients reach the embedding rows of real steps only)', () => {
    const emb = embedding(true);
    const pool = new L.GlobalAveragePooling1D();
    const ids = nb.tensor([[1, 0, 0]], 'int32');
    const g = nb.grad((w: nb.Tensor) => {
      const x = nb.gather(w, ids);
      return nb.sum(pool.apply(x, { mask: nb.notEqual(ids, 0) }));
    })(emb.embeddings.value());
    // Only row 1 is used (weight 1 for each of its 2 features); the padding row 0 gets nothing.
    expectClose(g as nb.Tensor, [[0, 0], [1, 1], [0, 0], [0, 0], [0, 0]]);
  });
});

describe('merge layers combine masks', () => {
  const a = () => embedding(true).apply(nb.tensor([[1, 2, 0]], 'int32'));
  const b = () => embedding(true).apply(nb.tensor([[3, 0, 0]], 'int32'));
  const plain = () => nb.ones([1, 3, 2]);

  it('Add, Subtract, Multiply, Average, Maximum, Minimum keep a step where every masked input keeps it', () => {
    for (const layer of [new L.Add(), new L.Subtract(), new L.Multiply(), new L.Average(), new L.Maximum(), new L.Minimum()]) {
      expect(asBools(L.getMask(layer.apply([a(), b()]))), layer.className).toEqual([true, false, false]);
      expect(asBools(L.getMask(layer.apply([a(), plain()]))), layer.className).toEqual([true, true, false]);
    }
    expect(L.getMask(new L.Add().apply([plain(), plain()]))).toBeNull();
  });

  it('Concatenate joins the masks along its axis (missing masks count as all kept)', () => {
    expect(asBools(L.getMask(new L.Concatenate().apply([a(), b()])))).toEqual([true, false, false]);
    expect(asBools(L.getMask(new L.Concatenate().apply([a(), plain()])))).toEqual([true, true, false]);
    const overTime = new L.Concatenate({ axis: 1 }).apply([a(), plain()]);
    expect(overTime.shape).toEqual([1, 6, 2]);
    expect(asBools(L.getMask(overTime))).toEqual([true, true, false, true, true, true]);
  });

  it('a masked sum flows into an LSTM that skips the padded steps', () => {
    const lstm = new L.LSTM(2, { kernelInitializer: 'ones', recurrentInitializer: 'ones' });
    const merged = new L.Add().apply([a(), plain()]);
    const withMask = lstm.apply(merged);
    // Only steps 0 and 1 are real: the same as running on those two steps alone.
    const trimmed = lstm.apply(nb.slice(merged, [0, 0, 0], [1, 2, 2]));
    expectClose(withMask, Array.from(trimmed.dataSync()).reduce<number[][]>((r, v) => (r[0]!.push(v), r), [[]]));
  });
});

describe('MultiHeadAttention with masked inputs', () => {
  it('padded keys get no attention: real positions of a padded sequence match the unpadded one', () => {
    nb.random.seed(5);
    const emb = new L.Embedding(6, 4, { maskZero: true });
    const mha = new L.MultiHeadAttention(2, 3);
    const padded = emb.apply(nb.tensor([[1, 2, 0, 0]], 'int32'));
    const bare = emb.apply(nb.tensor([[1, 2]], 'int32'));
    const outPadded = mha.apply(padded);
    const outBare = mha.apply(bare);
    expectClose(nb.slice(outPadded, [0, 0, 0], [1, 2, 4]), outBare.arraySync() as number[][][], { rtol: 1e-5 });
    // Its output carries the query's mask, as in Keras.
    expect(asBools(L.getMask(outPadded))).toEqual([true, true, false, false]);
    // Without the mask the padded keys change the result.
    const unmasked = mha.apply(padded, { mask: null });
    expect(Math.abs((unmasked.dataSync()[0] ?? 0) - (outBare.dataSync()[0] ?? 0))).toBeGreaterThan(1e-4);
  });
});

describe('BatchNormalization with a mask', () => {
  it('takes its training statistics from the unmasked steps only, as Keras does', () => {
    const real = nb.tensor([[[1, 10], [3, 30]]]); // [1, 2, 2]
    const padded = nb.concat([real, nb.zeros([1, 2, 2])], 1); // [1, 4, 2]
    const mask = nb.tensor([[true, true, false, false]]);
    const a = new L.BatchNormalization({ momentum: 0 });
    const b = new L.BatchNormalization({ momentum: 0 });
    const outPadded = a.apply(padded, { training: true, mask });
    const outReal = b.apply(real, { training: true });
    // Means [2, 20] and variances [1, 100] of the two real steps (the zeros would give [1, 10] and [1.5, 150]).
    expectClose(a.movingMean.value(), [2, 20], { rtol: 1e-5 });
    expectClose(a.movingVariance.value(), [1, 100], { rtol: 1e-5 });
    expectClose(nb.slice(outPadded, [0, 0, 0], [1, 2, 2]), outReal.arraySync() as number[][][], { rtol: 1e-4 });
    expect(asBools(L.getMask(outPadded))).toEqual([true, true, false, false]);
  });
});
