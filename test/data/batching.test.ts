import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';

const { Dataset, UNKNOWN } = nb.data;

describe('batch', () => {
  it('stacks tuples leaf by leaf with a smaller last batch', async () => {
    const x = nb.tensor([[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]]);
    const y = nb.tensor([0, 1, 0, 1, 1], 'int32');
    const ds = Dataset.fromTensorSlices([x, y]).batch(2);
    expect(ds.cardinality()).toBe(3);
    const batches = await ds.toArray();
    expect(batches.map(([xb]) => xb.shape)).toEqual([[2, 2], [2, 2], [1, 2]]);
    expect(batches[1]![0].arraySync()).toEqual([[5, 6], [7, 8]]);
    expect(batches[2]![1].arraySync()).toEqual([1]);
    expect(batches[0]![1].dtype).toBe('int32');
  });

  it('drops the remainder when asked', async () => {
    const ds = Dataset.range(7).batch(3, { dropRemainder: true });
    expect(ds.cardinality()).toBe(2);
    const b = await ds.toArray();
    expect(b.map((t) => t.arraySync())).toEqual([[0, 1, 2], [3, 4, 5]]);
    const sliced = Dataset.fromTensorSlices(nb.range(7)).batch(3, { dropRemainder: true });
    expect((await sliced.toArray()).map((t) => t.arraySync())).toEqual([[0, 1, 2], [3, 4, 5]]);
  });

  it('gives the same batches through the element path as through the slice path', async () => {
    const x = nb.range(0, 24).reshape([8, 3]).cast('float32');
    const direct = await Dataset.fromTensorSlices(x).batch(3).toArray();
    const viaMap = await Dataset.fromTensorSlices(x).map((r) => r).batch(3).toArray();
    expect(viaMap.map((t) => t.arraySync())).toEqual(direct.map((t) => t.arraySync()));
    expect(direct[2]!.arraySync()).toEqual([[18, 19, 20], [21, 22, 23]]);
  });

  it('gathers shuffled slices into the same batches as shuffling and stacking elements one by one', async () => {
    const x = nb.range(0, 60).reshape([20, 3]).cast('float32');
    const y = nb.range(0, 20);
    const gathered = Dataset.fromTensorSlices([x, y]).shuffle(8, { seed: 5 }).batch(6);
    const stacked = Dataset.fromTensorSlices([x, y]).map((e) => e).shuffle(8, { seed: 5 }).batch(6);
    for (let epoch = 0; epoch < 2; epoch++) {
      const a = await gathered.toArray();
      const b = await stacked.toArray();
      expect(a.map(([xb, yb]) => [xb.arraySync(), yb.arraySync()])).toEqual(b.map(([xb, yb]) => [xb.arraySync(), yb.arraySync()]));
      expect(a.map(([xb]) => xb.shape[0])).toEqual([6, 6, 6, 2]);
    }
    const twice = await Dataset.fromTensorSlices(y).shuffle(4, { seed: 1 }).shuffle(20, { seed: 2 }).toArray();
    expect(twice.map((t) => t.item()).sort((p, q) => p - q)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('batches records, nested structures and plain numbers', async () => {
    const ds = Dataset.fromGenerator(function* () {
      for (let i = 0; i < 3; i++) yield { id: i, pair: [nb.tensor([i, -i]), i % 2 === 0], w: i / 2 };
    }).batch(3);
    const [b] = await ds.toArray();
    expect(b!.id.dtype).toBe('int32');
    expect(b!.id.arraySync()).toEqual([0, 1, 2]);
    expect(b!.pair[0]!.arraySync()).toEqual([[0, -0], [1, -1], [2, -2]]);
    expect(b!.pair[1]!.dtype).toBe('bool');
    expect(b!.pair[1]!.arraySync()).toEqual([true, false, true]);
    expect(b!.w.dtype).toBe('float32');
    expect(b!.w.arraySync()).toEqual([0, 0.5, 1]);
  });

  it('batches batches (a leading axis per level)', async () => {
    const b = await Dataset.range(8).batch(2).batch(2).toArray();
    expect(b[0]!.shape).toEqual([2, 2]);
    expect(b[1]!.arraySync()).toEqual([[4, 5], [6, 7]]);
  });

  it('rejects a batch size of 0 and elements that do not agree', async () => {
    expect(() => Dataset.range(3).batch(0)).toThrow(nb.ValueError);
    expect(() => Dataset.range(3).batch(0)).toThrow('batch: batchSize must be a positive integer, got 0');
    expect(() => Dataset.range(3).batch(2.5)).toThrow(nb.ValueError);
    const ragged = Dataset.fromGenerator(function* () {
      yield nb.zeros([2]);
      yield nb.zeros([3]);
    });
    await expect(ragged.batch(2).toArray()).rejects.toThrow(/\[2\].*\[3\].*paddedBatch/);
    const mixed = Dataset.fromGenerator(function* () {
      yield nb.zeros([2]);
      yield nb.zeros([2], 'int32');
    });
    await expect(mixed.batch(2).toArray()).rejects.toThrow(nb.DTypeError);
    const shapes = Dataset.fromGenerator(function* () {
      yield [nb.zeros([2]), nb.zeros([1])];
      yield [nb.zeros([2])];
    });
    await expect(shapes.batch(2).toArray()).rejects.toThrow(/structure/);
  });
});

describe('paddedBatch', () => {
  const seqs = () =>
    Dataset.fromGenerator(function* () {
      yield [nb.tensor([1], 'int32'), 0];
      yield [nb.tensor([2, 2], 'int32'), 1];
      yield [nb.tensor([3, 3, 3], 'int32'), 0];
    });

  it('pads each batch to its longest element with zeros', async () => {
    const b = await seqs().paddedBatch(2).toArray();
    expect(b[0]![0]!.arraySync()).toEqual([[1, 0], [2, 2]]);
    expect(b[1]![0]!.arraySync()).toEqual([[3, 3, 3]]);
    expect(b[0]![1]!.arraySync()).toEqual([0, 1]);
  });

  it('pads to given shapes with given values', async () => {
    const b = await seqs().paddedBatch(3, { paddedShapes: [[4], []], paddingValues: [-1, 0] }).toArray();
    expect(b[0]![0]!.arraySync()).toEqual([[1, -1, -1, -1], [2, 2, -1, -1], [3, 3, 3, -1]]);
    expect(b[0]![0]!.dtype).toBe('int32');
  });

  it('pads 2-D elements along every axis', async () => {
    const ds = Dataset.fromGenerator(function* () {
      yield nb.tensor([[1, 2]]);
      yield nb.tensor([[3], [4]]);
    });
    const [b] = await ds.paddedBatch(2, { paddingValues: 9 }).toArray();
    expect(b!.arraySync()).toEqual([
      [[1, 2], [9, 9]],
      [[3, 9], [4, 9]],
    ]);
  });

  it('rejects a padded shape smaller than an element, and a batch size of 0', async () => {
    await expect(seqs().paddedBatch(3, { paddedShapes: [[2], []] }).toArray()).rejects.toThrow(nb.ShapeError);
    expect(() => seqs().paddedBatch(0)).toThrow(nb.ValueError);
  });
});

describe('unbatch', () => {
  it('inverts batch, including a short last batch', async () => {
    const x = nb.range(0, 10).reshape([5, 2]);
    const y = nb.tensor([5, 6, 7, 8, 9]);
    const ds = Dataset.fromTensorSlices({ x, y }).batch(2).unbatch();
    expect(ds.cardinality()).toBe(UNKNOWN);
    const els = await ds.toArray();
    expect(els).toHaveLength(5);
    expect(els[4]!.x.arraySync()).toEqual([8, 9]);
    expect(els[4]!.y.arraySync()).toEqual(9);
    expect(els[4]!.y.shape).toEqual([]);
  });

  it('rejects leaves without a common leading axis', async () => {
    const bad = Dataset.fromArray([[nb.zeros([2, 3]), nb.zeros([3])]]);
    await expect(bad.unbatch().toArray()).rejects.toThrow(nb.ShapeError);
    await expect(Dataset.range(2).unbatch().toArray()).rejects.toThrow(/scalar/);
  });
});

describe('a training-style pipeline', () => {
  it('fromTensorSlices → shuffle → batch → map → prefetch covers every example once per epoch', async () => {
    const n = 103;
    const x = nb.range(0, n * 2).reshape([n, 2]).cast('float32');
    const y = nb.range(0, n);
    const ds = Dataset.fromTensorSlices([x, y])
      .shuffle(32, { seed: 1 })
      .batch(10)
      .map(([xb, yb]) => [xb.div(2), yb])
      .prefetch(2);
    expect(ds.cardinality()).toBe(11);
    for (let epoch = 0; epoch < 2; epoch++) {
      const seen: number[] = [];
      for await (const [xb, yb] of ds) {
        const ys = Array.from(yb.dataSync());
        const xs = xb.arraySync() as number[][];
        // Each row still belongs to its label after shuffling: x = [2y, 2y+1] / 2.
        xs.forEach((row, i) => expect(row).toEqual([ys[i]!, ys[i]! + 0.5]));
        seen.push(...ys);
      }
      expect(seen.length).toBe(n);
      expect(new Set(seen).size).toBe(n);
    }
  });
});
