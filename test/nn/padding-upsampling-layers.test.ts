// ZeroPadding, Cropping and UpSampling in 1, 2 and 3 dimensions: runLayerTest, known values, and
// the spellings of their amounts (one number, one per axis, a [before, after] pair per axis).
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose } from '../conformance/harness.js';
import { runLayerTest } from './run-layer-test.js';

const L = nb.layers;
/** [[1, 2], [3, 4]] as a [1, 2, 2, 1] image. */
const img = () => nb.tensor([1, 2, 3, 4], [1, 2, 2, 1]);

describe('ZeroPadding1D/2D/3D', () => {
  it('pass the layer checks', () => {
    runLayerTest({ make: (a) => new L.ZeroPadding1D(a), inputShape: [2, 3, 2], expectedOutputShape: [2, 5, 2], weights: 0 });
    runLayerTest({ make: (a) => new L.ZeroPadding1D([2, 0], a), inputShape: [2, 3, 2], expectedOutputShape: [2, 5, 2], weights: 0 });
    runLayerTest({ make: (a) => new L.ZeroPadding2D([[1, 0], [0, 2]], a), inputShape: [2, 3, 3, 2], expectedOutputShape: [2, 4, 5, 2], weights: 0 });
    runLayerTest({ make: (a) => new L.ZeroPadding3D([1, 0, 2], a), inputShape: [1, 2, 2, 2, 1], expectedOutputShape: [1, 4, 2, 6, 1], weights: 0 });
  });

  it('put zeros where asked', () => {
    expectClose(new L.ZeroPadding2D().apply(img()).reshape([4, 4]), [[0, 0, 0, 0], [0, 1, 2, 0], [0, 3, 4, 0], [0, 0, 0, 0]]);
    expectClose(new L.ZeroPadding2D([[1, 0], [0, 1]]).apply(img()).reshape([3, 3]), [[0, 0, 0], [1, 2, 0], [3, 4, 0]]);
    expectClose(new L.ZeroPadding2D([0, 1]).apply(img()).reshape([2, 4]), [[0, 1, 2, 0], [0, 3, 4, 0]]);
    expectClose(new L.ZeroPadding1D([1, 2]).apply(nb.tensor([[[5], [6]]])), [[[0], [5], [6], [0], [0]]]);
    expect(new L.ZeroPadding3D(1).apply(nb.ones([1, 1, 1, 1, 2])).shape).toEqual([1, 3, 3, 3, 2]);
    expectClose(nb.sum(new L.ZeroPadding3D(1).apply(nb.ones([1, 1, 1, 1, 2]))), 2);
  });

  it('refuse bad amounts and inputs of the wrong rank', () => {
    expect(() => new L.ZeroPadding2D(-1)).toThrow(/ZeroPadding2D: padding must be a non-negative integer/);
    expect(() => new L.ZeroPadding2D([1, 2, 3])).toThrow(/2 of them \(one per axis\) or 2 \[before, after\] pairs, got \[1,2,3\]/);
    expect(() => new L.ZeroPadding1D([[1, 2, 3]] as never)).toThrow(/ZeroPadding1D: padding must be/);
    expect(() => new L.ZeroPadding2D().apply(nb.zeros([2, 3, 4]))).toThrow(/ZeroPadding2D '.*': expects inputs of rank 4/);
  });
});

describe('Cropping1D/2D/3D', () => {
  it('pass the layer checks', () => {
    runLayerTest({ make: (a) => new L.Cropping1D(a), inputShape: [2, 5, 2], expectedOutputShape: [2, 3, 2], weights: 0 });
    runLayerTest({ make: (a) => new L.Cropping2D([[1, 0], [0, 2]], a), inputShape: [2, 4, 4, 2], expectedOutputShape: [2, 3, 2, 2], weights: 0 });
    runLayerTest({ make: (a) => new L.Cropping3D(a), inputShape: [1, 3, 4, 3, 1], expectedOutputShape: [1, 1, 2, 1, 1], weights: 0 });
  });

  it('cut the rows asked for, and refuse cutting everything', () => {
    const x = nb.tensor(Array.from({ length: 16 }, (_, i) => i), [1, 4, 4, 1]);
    expectClose(new L.Cropping2D([[1, 0], [1, 2]]).apply(x).reshape([3, 1]), [[5], [9], [13]]);
    expectClose(new L.Cropping2D(1).apply(x).reshape([2, 2]), [[5, 6], [9, 10]]);
    expectClose(new L.Cropping2D().apply(x), x.arraySync() as number[][][][]);
    expectClose(new L.Cropping1D([0, 2]).apply(nb.tensor([[[1], [2], [3]]])), [[[1]]]);
    expect(() => new L.Cropping2D([[2, 2], [0, 0]]).apply(x)).toThrow(/cropping \[2, 2\] leaves nothing of axis 1 of size 4/);
    expect(() => new L.Cropping1D([3, 0]).apply(nb.keras.Input([3, 2]))).toThrow(nb.ShapeError);
  });
});

describe('UpSampling1D/2D/3D', () => {
  it('pass the layer checks', () => {
    runLayerTest({ make: (a) => new L.UpSampling1D(a), inputShape: [2, 3, 2], expectedOutputShape: [2, 6, 2], weights: 0 });
    runLayerTest({ make: (a) => new L.UpSampling2D([2, 3], a), inputShape: [2, 2, 3, 2], expectedOutputShape: [2, 4, 9, 2], weights: 0 });
    runLayerTest({ make: (a) => new L.UpSampling2D({ interpolation: 'bilinear', ...a }), inputShape: [1, 3, 2, 2], expectedOutputShape: [1, 6, 4, 2], weights: 0 });
    runLayerTest({ make: (a) => new L.UpSampling3D([1, 2, 2], a), inputShape: [1, 2, 2, 2, 1], expectedOutputShape: [1, 2, 4, 4, 1], weights: 0 });
  });

  it('repeat (nearest) or interpolate (bilinear, source position i / size)', () => {
    expectClose(new L.UpSampling2D().apply(img()).reshape([4, 4]), [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]);
    expectClose(new L.UpSampling1D(3).apply(nb.tensor([[[1, 10], [2, 20]]])), [[[1, 10], [1, 10], [1, 10], [2, 20], [2, 20], [2, 20]]]);
    // rows at 0, 0.5, 1 (clamped), 1.5 (clamped): [1, 2], [2, 3], [3, 4], [3, 4]; then the same along columns
    expectClose(new L.UpSampling2D({ interpolation: 'bilinear' }).apply(img()).reshape([4, 4]), [
      [1, 1.5, 2, 2], [2, 2.5, 3, 3], [3, 3.5, 4, 4], [3, 3.5, 4, 4],
    ]);
    expectClose(nb.sum(new L.UpSampling3D(2).apply(img().reshape([1, 1, 2, 2, 1]))), 80);
    expect(() => new L.UpSampling3D({ interpolation: 'bilinear' })).toThrow(/UpSampling3D: interpolation must be 'nearest', got "bilinear"/);
    expect(() => new L.UpSampling2D(0)).toThrow(/UpSampling2D: size must be a positive integer/);
  });
});
