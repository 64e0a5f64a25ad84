// RandomRotation, RandomZoom and RandomTranslation: identity at inference; while training, exact
// quarter turns, shifts and zooms of known images, and TensorFlow's fill modes.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose } from '../conformance/harness.js';
import { runLayerTest } from './run-layer-test.js';

const L = nb.layers;
/** [[1, 2, 3], [4, 5, 6], [7, 8, 9]] as a [1, 3, 3, 1] image. */
const img = () => nb.tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
const grid = (t: nb.Tensor) => t.reshape([3, 3]);

describe('RandomRotation / RandomZoom / RandomTranslation', () => {
  it('pass the layer checks (identity at inference)', () => {
    runLayerTest({ make: (a) => new L.RandomRotation(0.2, a), inputShape: [2, 4, 4, 1], expectedOutputShape: [2, 4, 4, 1], weights: 0 });
    runLayerTest({ make: (a) => new L.RandomZoom(0.2, null, a), inputShape: [2, 4, 4, 1], expectedOutputShape: [2, 4, 4, 1], weights: 0 });
    runLayerTest({ make: (a) => new L.RandomTranslation(0.2, [0, 0.3], a), inputShape: [2, 4, 4, 1], expectedOutputShape: [2, 4, 4, 1], weights: 0 });
    const x = img();
    expect(new L.RandomRotation(0.5).apply(x)).toBe(x);
  });

  it('a quarter turn rotates the image exactly', () => {
    // factor [0.25, 0.25]: a fixed quarter turn (counter-clockwise as Keras's matrix reads)
    const y = grid(new L.RandomRotation([0.25, 0.25]).apply(img(), { training: true }));
    expectClose(y, [[3, 6, 9], [2, 5, 8], [1, 4, 7]], { atol: 1e-5 });
  });

  it('translation shifts by whole pixels with each fill mode', () => {
    const shift = (fillMode: 'reflect' | 'wrap' | 'constant' | 'nearest') =>
      grid(new L.RandomTranslation([0, 0], [1 / 3, 1 / 3], { fillMode, fillValue: -1, interpolation: 'nearest' }).apply(img(), { training: true }));
    // one column to the right: output column j reads input column j - 1
    expectClose(shift('constant'), [[-1, 1, 2], [-1, 4, 5], [-1, 7, 8]]);
    expectClose(shift('nearest'), [[1, 1, 2], [4, 4, 5], [7, 7, 8]]);
    expectClose(shift('wrap'), [[3, 1, 2], [6, 4, 5], [9, 7, 8]]);
    expectClose(shift('reflect'), [[1, 1, 2], [4, 4, 5], [7, 7, 8]]);
    // two columns with reflect: d c b a | a b c d reads columns 1, 0, 0
    const two = new L.RandomTranslation([0, 0], [2 / 3, 2 / 3], { interpolation: 'nearest' }).apply(img(), { training: true });
    expectClose(grid(two), [[2, 1, 1], [5, 4, 4], [8, 7, 7]]);
    // half a pixel, bilinear: the mean of neighbours (constant fill 0 outside)
    const half = new L.RandomTranslation([0, 0], [0.5 / 3, 0.5 / 3], { fillMode: 'constant' }).apply(img(), { training: true });
    expectClose(grid(half), [[0.5, 1.5, 2.5], [2, 4.5, 5.5], [3.5, 7.5, 8.5]]);
  });

  it('zoom keeps the centre and scales about it; each image gets its own draw', () => {
    // height factor 1 (zoom 2, shows more): output (x, y) reads 2x - 1, 2y - 1 around the centre pixel
    const out = grid(new L.RandomZoom([1, 1], null, { fillMode: 'constant', interpolation: 'nearest' }).apply(img(), { training: true }));
    expectClose(out, [[0, 0, 0], [0, 5, 0], [0, 0, 0]]);
    const batch = nb.tile(img(), [4, 1, 1, 1]);
    const rotated = new L.RandomRotation(0.5, { seed: 2 }).apply(batch, { training: true }).arraySync() as number[][][][];
    expect(new Set(rotated.map((r) => JSON.stringify(r))).size).toBeGreaterThan(1);
    expect(() => new L.RandomRotation(0.1, { fillMode: 'mirror' as never })).toThrow(/fillMode must be one of 'reflect', 'wrap', 'nearest', 'constant'/);
    expect(() => new L.RandomZoom([-2, 0])).toThrow(/RandomZoom: .*above -1/);
  });
});
