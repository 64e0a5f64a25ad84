import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';

describe('nb.utils.toCategorical', () => {
  it('one-hot encodes integer labels as float32', () => {
    const t = nb.utils.toCategorical(nb.tensor([2, 0, 1], 'int32'), 4);
    expect(t.dtype).toBe('float32');
    expect(t.arraySync()).toEqual([
      [0, 0, 1, 0],
      [1, 0, 0, 0],
      [0, 1, 0, 0],
    ]);
  });

  it('infers the class count, drops a trailing axis of 1 and accepts JS arrays', () => {
    expect(nb.utils.toCategorical([[1], [0]]).arraySync()).toEqual([
      [0, 1],
      [1, 0],
    ]);
    expect(nb.utils.toCategorical([[0, 2]], 3).shape).toEqual([1, 2, 3]);
  });

  it('rejects labels out of range, negative or fractional', () => {
    expect(() => nb.utils.toCategorical([0, 3], 3)).toThrow(/label 3 is out of range for numClasses 3/);
    expect(() => nb.utils.toCategorical([-1, 0], 3)).toThrow(nb.ValueError);
    expect(() => nb.utils.toCategorical([0.5], 3)).toThrow(/non-negative integers/);
    expect(() => nb.utils.toCategorical([0], 0)).toThrow(nb.ValueError);
  });
});

describe('nb.utils.trainTestSplit', () => {
  const x = nb.range(0, 40).reshape([20, 2]);
  const y = nb.range(0, 20);

  it('splits rows into disjoint parts covering everything, keeping x and y aligned', () => {
    const { xTrain, xTest, yTrain, yTest } = nb.utils.trainTestSplit(x, y, { testSize: 0.25, seed: 1 });
    expect(xTrain.shape).toEqual([15, 2]);
    expect(xTest.shape).toEqual([5, 2]);
    const ids = [...yTrain.dataSync(), ...yTest.dataSync()];
    expect([...ids].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    (xTest.arraySync() as number[][]).forEach((row, i) => expect(row).toEqual([2 * yTest.dataSync()[i]!, 2 * yTest.dataSync()[i]! + 1]));
    expect(Array.from(yTrain.dataSync())).not.toEqual(Array.from({ length: 15 }, (_, i) => i));
  });

  it('is reproducible with a seed, takes a count, and can keep the order', () => {
    const a = nb.utils.trainTestSplit(x, y, { seed: 3 });
    const b = nb.utils.trainTestSplit(x, y, { seed: 3 });
    expect(b.yTest.arraySync()).toEqual(a.yTest.arraySync());
    expect(nb.utils.trainTestSplit(x, y, { testSize: 3, seed: 3 }).yTest.shape).toEqual([3]);
    const ordered = nb.utils.trainTestSplit(x, y, { testSize: 0.2, shuffle: false });
    expect(ordered.yTest.arraySync()).toEqual([16, 17, 18, 19]);
  });

  it('keeps class proportions with stratify', () => {
    const labels = nb.tensor([...new Array<number>(30).fill(0), ...new Array<number>(10).fill(1)], 'int32');
    const feats = nb.range(0, 40).reshape([40, 1]);
    const { yTest, yTrain } = nb.utils.trainTestSplit(feats, labels, { testSize: 0.2, seed: 5, stratify: true });
    const ones = (t: nb.Tensor) => Array.from(t.dataSync()).filter((v) => v === 1).length;
    expect(yTest.shape).toEqual([8]);
    expect(ones(yTest)).toBe(2);
    expect(ones(yTrain)).toBe(8);
  });

  it('rejects mismatched lengths and impossible sizes', () => {
    expect(() => nb.utils.trainTestSplit(x, nb.range(0, 5))).toThrow(nb.ShapeError);
    expect(() => nb.utils.trainTestSplit(x, y, { testSize: 0 })).toThrow(nb.ValueError);
    expect(() => nb.utils.trainTestSplit(x, y, { testSize: 20 })).toThrow(/leaves no samples/);
    expect(() => nb.utils.trainTestSplit(x, y, { testSize: 2.5 })).toThrow(nb.ValueError);
  });
});
