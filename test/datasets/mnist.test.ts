import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';

function countsPerClass(y: nb.Tensor, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const v of y.dataSync()) counts[v]!++;
  return counts;
}

describe('nb.datasets.mnist', () => {
  it('loads the full training and test sets with their shapes, dtypes, labels and pixels', async () => {
    const { train, test } = await nb.datasets.mnist.load();
    expect(train.x.shape).toEqual([60000, 28, 28]);
    expect(train.y.shape).toEqual([60000]);
    expect(test.x.shape).toEqual([10000, 28, 28]);
    expect(test.y.shape).toEqual([10000]);
    expect(train.x.dtype).toBe('float32');
    expect(train.y.dtype).toBe('int32');

    expect(countsPerClass(train.y, 10)).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(countsPerClass(test.y, 10).reduce((a, b) => a + b, 0)).toBe(10000);
    expect(Array.from(train.y.slice([0], [5]).dataSync())).toEqual([5, 0, 4, 1, 9]);
    expect(Array.from(test.y.slice([0], [5]).dataSync())).toEqual([7, 2, 1, 0, 4]);

    // Pixels are bytes: integers in [0, 255], with both ends present, and the border of an image is blank.
    const first = train.x.at(0).dataSync();
    expect(Math.min(...first)).toBe(0);
    expect(Math.max(...first)).toBe(255);
    expect(Array.from(first).every((v) => Number.isInteger(v))).toBe(true);
    expect(Array.from(train.x.at(0).at(0).dataSync()).every((v) => v === 0)).toBe(true);
  });

  it('says where the files come from when they are missing, and rejects other pixel dtypes', async () => {
    await expect(nb.datasets.mnist.load({ dtype: 'bool' as never })).rejects.toThrow(/dtype must be 'float32' or 'int32'/);
    await expect(nb.datasets.mnist.load({ path: '/nonexistent/mnist' })).rejects.toThrow(/cannot find train-images-idx3-ubyte.*\/nonexistent\/mnist/);
  });
});
