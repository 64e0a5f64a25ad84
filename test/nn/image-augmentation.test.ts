import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as nb from '../../src/index.js';
import { runLayerTest } from './run-layer-test.js';
import { checkGrad, sample } from '../conformance/harness.js';

const L = nb.layers;

/** Images [b, h, w, 1] whose pixel (y, x) holds 10 y + x (+ 100 per image). */
function ramp(b: number, h: number, w: number): nb.Tensor {
  const v: number[] = [];
  for (let i = 0; i < b; i++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) v.push(100 * i + 10 * y + x);
  return nb.tensor(v, [b, h, w, 1]);
}
const rows = (t: nb.Tensor) => (t.arraySync() as number[][][][]).map((img) => img.map((r) => r.map((p) => p[0]!)));
const train = { training: true };

describe('Resizing and CenterCrop', () => {
  it('pass the layer checks (shapes, config round trip, input gradients)', () => {
    runLayerTest({ make: (a) => new L.Resizing(3, 5, a), inputShape: [2, 4, 4, 2], expectedOutputShape: [2, 3, 5, 2], weights: 0 });
    runLayerTest({ make: (a) => new L.Resizing(4, 4, { interpolation: 'nearest', ...a }), inputShape: [2, 2, 3, 1], expectedOutputShape: [2, 4, 4, 1], weights: 0 });
    runLayerTest({ make: (a) => new L.CenterCrop(2, 3, a), inputShape: [2, 4, 5, 3], expectedOutputShape: [2, 2, 3, 3], weights: 0 });
  });

  it('resize as tf.image.resize does (half-pixel centres), bilinear and nearest, against TensorFlow.js', () => {
    const x = nb.cast(sample([2, 5, 7, 3], 0, 1, 4), 'float32');
    const values = Array.from(x.dataSync());
    for (const [h, w] of [[8, 3], [3, 11], [5, 7]] as [number, number][]) {
      const ours = new L.Resizing(h, w).apply(x).dataSync();
      const theirs = tf.image.resizeBilinear(tf.tensor4d(values, [2, 5, 7, 3]), [h, w], false, true).dataSync();
      Array.from(theirs).forEach((v, i) => expect(ours[i]).toBeCloseTo(v, 5));
      const ourNearest = new L.Resizing(h, w, { interpolation: 'nearest' }).apply(x).dataSync();
      const theirNearest = tf.image.resizeNearestNeighbor(tf.tensor4d(values, [2, 5, 7, 3]), [h, w], false, true).dataSync();
      expect(Array.from(ourNearest)).toEqual(Array.from(theirNearest));
    }
  });

  it('crop to the aspect ratio first when asked, and take the centred window', () => {
    const x = ramp(1, 4, 6);
    // The centred 4x4 window (columns 1..4) shrunk to 2x2 by averaging 2x2 blocks.
    expect(rows(new L.Resizing(2, 2, { cropToAspectRatio: true }).apply(x))).toEqual([[[6.5, 8.5], [26.5, 28.5]]]);
    expect(rows(new L.CenterCrop(2, 3).apply(x))).toEqual([[[11, 12, 13], [21, 22, 23]]]);
    // An unbatched image stays unbatched; a smaller image is resized up.
    expect(new L.CenterCrop(2, 2).apply(nb.ones([4, 4, 3])).shape).toEqual([2, 2, 3]);
    expect(new L.CenterCrop(8, 8).apply(ramp(1, 4, 4)).shape).toEqual([1, 8, 8, 1]);
  });

  it('reject bad sizes, options and ranks with the layer named', () => {
    expect(() => new L.Resizing(0, 3)).toThrow(/Resizing: height must be a positive integer/);
    expect(() => new L.Resizing(2, 3, { interpolation: 'cubic' as never })).toThrow(/interpolation must be one of 'bilinear', 'nearest'/);
    expect(() => new L.CenterCrop(2, 2, { crop: 1 } as never)).toThrow(/crop/);
    expect(() => new L.Resizing(2, 2).apply(nb.ones([4, 4]))).toThrow(/Resizing: expected images .*\[4, 4\]/);
  });
});

describe('random image layers', () => {
  it('are the identity outside training and pass the layer checks', () => {
    for (const make of [
      (a: object) => new L.RandomFlip(a),
      (a: object) => new L.RandomRotation(0.2, a),
      (a: object) => new L.RandomZoom(0.3, a),
      (a: object) => new L.RandomTranslation(0.1, 0.2, a),
      (a: object) => new L.RandomContrast(0.4, a),
    ]) {
      runLayerTest({ make, inputShape: [2, 4, 5, 2], expectedOutputShape: [2, 4, 5, 2], weights: 0 });
      const x = ramp(2, 3, 3);
      expect(rows(make({}).apply(x))).toEqual(rows(x));
    }
  });

  it('RandomFlip flips some images, leaves the others, and only along its mode', () => {
    const x = ramp(32, 2, 3);
    const out = rows(new L.RandomFlip('horizontal', { seed: 1 }).apply(x, train));
    const orig = rows(x);
    let flipped = 0;
    out.forEach((img, i) => {
      const mirrored = orig[i]!.map((r) => [...r].reverse());
      if (JSON.stringify(img) === JSON.stringify(mirrored)) flipped++;
      else expect(img).toEqual(orig[i]);
    });
    expect(flipped).toBeGreaterThan(4);
    expect(flipped).toBeLessThan(28);
    const vertical = rows(new L.RandomFlip('vertical', { seed: 2 }).apply(x, train));
    vertical.forEach((img, i) => expect([orig[i], [...orig[i]!].reverse()].map((o) => JSON.stringify(o))).toContain(JSON.stringify(img)));
  });

  it('RandomRotation by a quarter turn is np.rot90 (counter-clockwise); by a half turn, both flips', () => {
    const x = ramp(2, 4, 4);
    for (const interpolation of ['nearest', 'bilinear'] as const) {
      const quarter = rows(new L.RandomRotation([0.25, 0.25], { interpolation }).apply(x, train));
      // rot90: out[i][j] = in[j][W - 1 - i].
      quarter.forEach((img, b) => img.forEach((r, i) => r.forEach((v, j) => expect(v).toBeCloseTo(100 * b + 10 * j + (3 - i), 4))));
      const half = rows(new L.RandomRotation([0.5, 0.5], { interpolation }).apply(x, train));
      half.forEach((img, b) => img.forEach((r, i) => r.forEach((v, j) => expect(v).toBeCloseTo(100 * b + 10 * (3 - i) + (3 - j), 4))));
    }
  });

  it('RandomZoom samples about the centre (zoom 0.5 doubles the middle; bilinear is exact on a linear ramp)', () => {
    const out = rows(new L.RandomZoom([-0.5, -0.5]).apply(ramp(1, 4, 4), train));
    const c = (i: number) => 1.5 + 0.5 * (i - 1.5);
    out[0]!.forEach((r, y) => r.forEach((v, x) => expect(v).toBeCloseTo(10 * c(y) + c(x), 4)));
  });

  it('RandomTranslation moves the image and fills by the fill mode', () => {
    const x = ramp(1, 1, 4);
    const shift = (fillMode: nb.layers.FillMode) => rows(new L.RandomTranslation(0, [0.5, 0.5], { fillMode, fillValue: -1, interpolation: 'nearest' }).apply(x, train))[0]![0];
    // Shifted right by 2: out[x] = in[x - 2].
    expect(shift('constant')).toEqual([-1, -1, 0, 1]);
    expect(shift('nearest')).toEqual([0, 0, 0, 1]);
    expect(shift('wrap')).toEqual([2, 3, 0, 1]);
    expect(shift('reflect')).toEqual([1, 0, 0, 1]);
    expect(rows(new L.RandomTranslation([0.25, 0.25], 0, { fillMode: 'constant' }).apply(ramp(1, 4, 1), train))[0]!.map((r) => r[0])).toEqual([0, 0, 10, 20]);
  });

  it('RandomContrast scales deviations from each image mean by one factor in range, then clips', () => {
    const x = nb.add(nb.mul(sample([6, 3, 3, 2], -1, 1, 5), 20), 100);
    const y = new L.RandomContrast(0.5, { seed: 3 }).apply(x, train);
    const mx = nb.mean(x, [1, 2], true);
    const my = nb.mean(y, [1, 2], true);
    nb.sub(my, mx).dataSync().forEach((d) => expect(Math.abs(d)).toBeLessThan(1e-3));
    const ratio = nb.div(nb.sub(y, my), nb.sub(x, mx)).arraySync() as number[][][][];
    for (const img of ratio) {
      const f = img.flat(2);
      f.forEach((v) => expect(v).toBeCloseTo(f[0]!, 3));
      expect(f[0]).toBeGreaterThanOrEqual(0.5);
      expect(f[0]).toBeLessThanOrEqual(1.5);
    }
    const clipped = new L.RandomContrast([0, 10], { valueRange: [0, 1] }).apply(nb.tensor([0, 1, 0, 1], [1, 2, 2, 1]), train);
    expect(Math.max(...clipped.dataSync())).toBeLessThanOrEqual(1);
  });

  it('pixels get gradients through a rotation (finite differences, fixed angle)', () => {
    const x = nb.cast(sample([1, 4, 5, 1], 0, 1, 8), 'float64');
    checkGrad((t) => new L.RandomRotation([0.1, 0.1], { fillMode: 'reflect' }).apply(t, train), [x]);
    checkGrad((t) => new L.RandomZoom([0.2, 0.2], { fillMode: 'constant' }).apply(t, train), [x]);
  });

  it('draw new values at every step of a jitted call, and in fit only', async () => {
    const layer = new L.RandomRotation(0.5);
    const f = nb.jit((t: nb.Tensor) => layer.apply(t, train));
    const x = ramp(4, 4, 4);
    expect(Array.from(f(x).dataSync())).not.toEqual(Array.from(f(x).dataSync()));
    const model = new nb.Sequential([new L.RandomFlip({ inputShape: [4, 4, 1] }), new L.Flatten(), new L.Dense(1)]);
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    await model.fit(x, nb.zeros([4, 1]), { epochs: 1, verbose: 0 });
    expect(rows(model.layers[0]!.apply(x))).toEqual(rows(x));
  });

  it('reject bad factors and modes with the layer named', () => {
    expect(() => new L.RandomFlip('diagonal' as never)).toThrow(/RandomFlip: mode must be one of/);
    expect(() => new L.RandomRotation([0.3, 0.1])).toThrow(/RandomRotation: factor .* lower <= upper/);
    expect(() => new L.RandomZoom([-1.5, 0])).toThrow(/RandomZoom: .*above -1/);
    expect(() => new L.RandomRotation(0.1, { fill_mode: 'wrap' } as never)).toThrow(/fill_mode.*fillMode/);
    expect(() => new L.RandomRotation(0.1).apply(nb.ones([3, 3]), train)).toThrow(/RandomRotation: expected images/);
  });
});
