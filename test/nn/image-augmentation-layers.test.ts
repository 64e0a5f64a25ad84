// RandomFlip, RandomCrop, RandomBrightness and RandomContrast: identity (RandomCrop: a resize) at
// inference, the documented transforms while training.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose } from '../conformance/harness.js';
import { runLayerTest } from './run-layer-test.js';

const L = nb.layers;
const images = () => nb.tensor(Array.from({ length: 2 * 3 * 3 }, (_, i) => i * 10), [2, 3, 3, 1]);

describe('image augmentation layers', () => {
  it('pass the layer checks', () => {
    runLayerTest({ make: (a) => new L.RandomFlip(a), inputShape: [2, 3, 3, 2], expectedOutputShape: [2, 3, 3, 2], weights: 0 });
    runLayerTest({ make: (a) => new L.RandomCrop(2, 3, a), inputShape: [2, 4, 4, 1], expectedOutputShape: [2, 2, 3, 1], weights: 0 });
    runLayerTest({ make: (a) => new L.RandomBrightness(0.1, a), inputShape: [2, 3, 3, 1], expectedOutputShape: [2, 3, 3, 1], weights: 0 });
    runLayerTest({ make: (a) => new L.RandomContrast([0.1, 0.2], a), inputShape: [2, 3, 3, 1], expectedOutputShape: [2, 3, 3, 1], weights: 0 });
  });

  it('RandomFlip flips whole images left-right or upside down', () => {
    const x = images();
    const rows = (t: nb.Tensor) => t.arraySync() as number[][][][];
    const seen = new Set<string>();
    const layer = new L.RandomFlip('horizontal', { seed: 1 });
    for (let i = 0; i < 12; i++) {
      const y = rows(layer.apply(x, { training: true }));
      y.forEach((img, b) => {
        const orig = rows(x)[b]!;
        const mirrored = orig.map((r) => [...r].reverse());
        const same = JSON.stringify(img) === JSON.stringify(orig);
        expect(same || JSON.stringify(img) === JSON.stringify(mirrored)).toBe(true);
        seen.add(same ? 'kept' : 'flipped');
      });
    }
    expect([...seen].sort()).toEqual(['flipped', 'kept']);
    expect(layer.apply(x)).toBe(x);
    expect(() => new L.RandomFlip('diagonal' as never)).toThrow(/mode must be one of 'horizontal', 'vertical', 'horizontal_and_vertical'/);
  });

  it('RandomCrop cuts a window of the batch while training and resizes at inference', () => {
    const x = nb.tensor(Array.from({ length: 16 }, (_, i) => i), [1, 4, 4, 1]);
    const layer = new L.RandomCrop(2, 2, { seed: 5 });
    const windows = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const y = layer.apply(x, { training: true }).reshape([4]).arraySync() as number[];
      const [a, b, c, d] = y as [number, number, number, number];
      expect([b - a, c - a, d - a]).toEqual([1, 4, 5]); // a contiguous 2x2 window
      windows.add(a);
    }
    expect(windows.size).toBeGreaterThan(3);
    expectClose(layer.apply(x), new L.Resizing(2, 2).apply(x).arraySync() as number[][][][]);
  });

  it('RandomBrightness shifts each image by a fraction of the range; RandomContrast scales around the mean; both clip', () => {
    const x = images();
    const bright = new L.RandomBrightness([0.1, 0.1], { valueRange: [0, 100] }).apply(x, { training: true });
    expectClose(bright, nb.clipByValue(nb.add(x, 10), 0, 100).arraySync() as number[][][][]);
    // Keras's bounds: a factor pair [lower, upper] draws contrast from [1 - lower, 1 + upper], so [0, 0] is 1.
    const contrast = new L.RandomContrast([0, 0]).apply(x, { training: true });
    expectClose(contrast, nb.clipByValue(x, 0, 255).arraySync() as number[][][][]);
    expect(new L.RandomContrast(0.5).apply(x)).toBe(x);
    expect(() => new L.RandomBrightness(2)).toThrow(/RandomBrightness: factor must be/);
    expect(() => new L.RandomBrightness([0.5, 2])).toThrow(/RandomBrightness: factor must lie within \[-1, 1\]/);
    expect(() => new L.RandomContrast([-2, 0])).toThrow(/RandomContrast: factor must be/);
  });
});
