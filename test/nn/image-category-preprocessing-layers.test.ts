// Resizing, CenterCrop, RandomHeight/RandomWidth and CategoryEncoding: layer checks, known values,
// and TF.js's tf.image resize ops with half-pixel centres (Keras's sampling) as the oracle.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose, sample } from '../conformance/harness.js';
import { runLayerTest } from './run-layer-test.js';

const L = nb.layers;
const img = () => nb.tensor([1, 2, 3, 4], [1, 2, 2, 1]);

describe('Resizing', () => {
  it('passes the layer checks', () => {
    runLayerTest({ make: (a) => new L.Resizing(5, 3, a), inputShape: [2, 3, 4, 2], expectedOutputShape: [2, 5, 3, 2], weights: 0 });
    runLayerTest({ make: (a) => new L.Resizing(2, 2, { cropToAspectRatio: true, interpolation: 'nearest', ...a }), inputShape: [1, 3, 5, 1], expectedOutputShape: [1, 2, 2, 1], weights: 0 });
  });

  it('samples with half-pixel centres, as tf.image.resizeBilinear/NearestNeighbor(halfPixelCenters) do', () => {
    expectClose(new L.Resizing(4, 4).apply(img()).reshape([4, 4]), [[1, 1.25, 1.75, 2], [1.5, 1.75, 2.25, 2.5], [2.5, 2.75, 3.25, 3.5], [3, 3.25, 3.75, 4]]);
    const x = sample([2, 5, 7, 3], -1, 1, 1).cast('float32');
    const tx = tf.tensor4d(x.dataSync() as Float32Array, [2, 5, 7, 3]);
    for (const [h, w] of [[3, 4], [8, 9], [5, 2]] as const) {
      const bilinear = tf.image.resizeBilinear(tx, [h, w], false, true);
      expectClose(new L.Resizing(h, w).apply(x), bilinear.arraySync() as number[][][][], { atol: 1e-5 });
      const nearest = tf.image.resizeNearestNeighbor(tx, [h, w], false, true);
      expectClose(new L.Resizing(h, w, { interpolation: 'nearest' }).apply(x), nearest.arraySync() as number[][][][]);
    }
  });

  it('crops to the aspect ratio first when asked', () => {
    // 2x4 to 2x2: the centred 2x2 window (columns 1 and 2), no resampling needed
    const x = nb.tensor([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 4, 1]);
    expectClose(new L.Resizing(2, 2, { cropToAspectRatio: true }).apply(x).reshape([2, 2]), [[2, 3], [6, 7]]);
    expect(() => new L.Resizing(2, 2, { interpolation: 'bicubic' as never })).toThrow(/interpolation must be one of 'bilinear', 'nearest'/);
    expect(() => new L.Resizing(2, 2).apply(nb.zeros([2, 2]))).toThrow(/expected images \[batch, height, width, channels\]/);
  });
});

describe('CenterCrop', () => {
  it('passes the layer checks and cuts the centred window', () => {
    runLayerTest({ make: (a) => new L.CenterCrop(2, 3, a), inputShape: [2, 4, 5, 2], expectedOutputShape: [2, 2, 3, 2], weights: 0 });
    const x = nb.tensor(Array.from({ length: 25 }, (_, i) => i), [1, 5, 5, 1]);
    expectClose(new L.CenterCrop(3, 3).apply(x).reshape([3, 3]), [[6, 7, 8], [11, 12, 13], [16, 17, 18]]);
    expectClose(new L.CenterCrop(2, 4).apply(x).reshape([2, 4]), [[5, 6, 7, 8], [10, 11, 12, 13]]);
  });

  it('crops to the aspect ratio and resizes an image smaller than the window', () => {
    // 2x4 to 4x4: the centred 2x2 window [[2, 3], [6, 7]] resized to 4x4
    const x = nb.tensor([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 4, 1]);
    const expected = new L.Resizing(4, 4).apply(nb.tensor([2, 3, 6, 7], [1, 2, 2, 1]));
    expectClose(new L.CenterCrop(4, 4).apply(x), expected.arraySync() as number[][][][]);
  });
});

describe('RandomHeight / RandomWidth', () => {
  it('are the identity at inference and resize one axis within the factor while training', () => {
    const x = nb.ones([2, 10, 10, 1]);
    const w = new L.RandomWidth([-0.5, 0.5], { seed: 3 });
    expect(w.apply(x)).toBe(x);
    expect(w.computeOutputShape([null, 10, 10, 1])).toEqual([null, 10, null, 1]);
    const widths = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const y = w.apply(x, { training: true });
      expect(y.shape[1]).toBe(10);
      expect(y.shape[2]).toBeGreaterThanOrEqual(5);
      expect(y.shape[2]).toBeLessThanOrEqual(15);
      widths.add(y.shape[2]!);
      expectClose(nb.mean(y), 1, { atol: 1e-6 }); // resampling a constant image keeps it constant
    }
    expect(widths.size).toBeGreaterThan(3);
    // The same seed gives the same sizes.
    const again = new L.RandomWidth([-0.5, 0.5], { seed: 3 });
    const first = new L.RandomWidth([-0.5, 0.5], { seed: 3 });
    expect(again.apply(x, { training: true }).shape).toEqual(first.apply(x, { training: true }).shape);
    const h = new L.RandomHeight(0.3).apply(x, { training: true });
    expect(h.shape[2]).toBe(10);
    expect(h.shape[1]).toBeGreaterThanOrEqual(7);
    expect(h.shape[1]).toBeLessThanOrEqual(13);
    expect(() => new L.RandomWidth([0.5, -0.5])).toThrow(/RandomWidth: factor must be/);
    expect(() => new L.RandomHeight(-0.1)).toThrow(/RandomHeight: factor must be/);
  });
});

describe('CategoryEncoding', () => {
  it('passes the layer checks', () => {
    runLayerTest({ make: (a) => new L.CategoryEncoding(5, a), inputShape: [3, 2], expectedOutputShape: [3, 5], weights: 0, intRange: 5 });
    runLayerTest({ make: (a) => new L.CategoryEncoding(4, { outputMode: 'oneHot', ...a }), inputShape: [3, 2], expectedOutputShape: [3, 2, 4], weights: 0, intRange: 4 });
  });

  it('encodes one-hot, multi-hot and counts, and refuses ids out of range', () => {
    const ids = nb.tensor([[0, 2, 2], [3, 3, 1]], undefined, 'int32');
    expectClose(new L.CategoryEncoding(4).apply(ids), [[1, 0, 1, 0], [0, 1, 0, 1]]);
    expectClose(new L.CategoryEncoding(4, { outputMode: 'count' }).apply(ids), [[1, 0, 2, 0], [0, 1, 0, 2]]);
    expectClose(new L.CategoryEncoding(3, { outputMode: 'oneHot' }).apply(nb.tensor([2, 0], undefined, 'int32')), [[0, 0, 1], [1, 0, 0]]);
    expectClose(new L.CategoryEncoding(3, { outputMode: 'one_hot' as never }).apply(nb.tensor([[1]], undefined, 'int32')), [[0, 1, 0]]);
    expect(() => new L.CategoryEncoding(3).apply(ids)).toThrow(/input value 3 is outside \[0, 3\)/);
    expect(() => new L.CategoryEncoding(3, { outputMode: 'tfidf' as never })).toThrow(/outputMode must be/);
  });
});
