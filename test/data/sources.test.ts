import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';

const { Dataset } = nb.data;

/** One pass as nested JS values. */
async function values<T>(ds: AsyncIterable<T>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const el of ds) out.push(plain(el));
  return out;
}

function plain(x: unknown): unknown {
  if (x instanceof nb.Tensor) return x.arraySync();
  if (Array.isArray(x)) return x.map(plain);
  if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, plain(v)]));
  return x;
}

describe('Dataset.fromTensorSlices', () => {
  it('slices a single tensor along axis 0', async () => {
    const ds = Dataset.fromTensorSlices(nb.tensor([[1, 2], [3, 4], [5, 6]]));
    expect(ds.cardinality()).toBe(3);
    expect(await values(ds)).toEqual([[1, 2], [3, 4], [5, 6]]);
  });

  it('slices a tuple of tensors into [x_i, y_i] with dtypes kept', async () => {
    const x = nb.tensor([[1, 2], [3, 4]]);
    const y = nb.tensor([7, 8], 'int32');
    const els = await Dataset.fromTensorSlices([x, y]).toArray();
    expect(els).toHaveLength(2);
    expect(els[1]![0].dtype).toBe('float32');
    expect(els[1]![1].dtype).toBe('int32');
    expect(els[1]![0].shape).toEqual([2]);
    expect(els[1]![1].shape).toEqual([]);
    expect(plain(els)).toEqual([[[1, 2], 7], [[3, 4], 8]]);
  });

  it('slices a record, typed arrays and JS arrays', async () => {
    const ds = Dataset.fromTensorSlices({ a: new Int32Array([1, 2, 3]), b: [[1, 0], [0, 1], [1, 1]] });
    expect(await values(ds)).toEqual([
      { a: 1, b: [1, 0] },
      { a: 2, b: [0, 1] },
      { a: 3, b: [1, 1] },
    ]);
  });

  it('treats a top-level array of JS arrays as a tuple, and a flat number array as one component', async () => {
    expect(await values(Dataset.fromTensorSlices([[1, 2, 3], [4, 5, 6]]))).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(await values(Dataset.fromTensorSlices([1, 2, 3]))).toEqual([1, 2, 3]);
    const rows = [[1, 2], [3, 4], [5, 6]];
    expect(await values(Dataset.fromTensorSlices([rows, [0, 1, 0]]))).toEqual([[[1, 2], 0], [[3, 4], 1], [[5, 6], 0]]);
  });

  it('yields elements that share the source values (views), not copies that drift', async () => {
    const x = nb.range(0, 12).reshape([4, 3]);
    const els = await Dataset.fromTensorSlices(x).toArray();
    expect(els[3]!.arraySync()).toEqual([9, 10, 11]);
  });

  it('rejects ragged components, scalars and non-data', () => {
    expect(() => Dataset.fromTensorSlices([nb.zeros([3, 2]), nb.zeros([4])])).toThrow(nb.ShapeError);
    expect(() => Dataset.fromTensorSlices([nb.zeros([3, 2]), nb.zeros([4])])).toThrow(/\[3, 2\], \[4\]/);
    expect(() => Dataset.fromTensorSlices({ a: [1, 2], b: [1, 2, 3] })).toThrow(/different lengths/);
    expect(() => Dataset.fromTensorSlices(nb.tensor(5))).toThrow(nb.ShapeError);
    expect(() => Dataset.fromTensorSlices([[1, 2], [3]] as never)).toThrow(/different lengths/);
    expect(() => Dataset.fromTensorSlices({ a: [[1, 2], [3]] } as never)).toThrow(nb.ShapeError);
    expect(() => Dataset.fromTensorSlices({ a: 'text' } as never)).toThrow(nb.ValueError);
  });
});

describe('Dataset.fromGenerator, fromArray, range, zip', () => {
  it('runs a sync generator function afresh on each pass', async () => {
    let calls = 0;
    const ds = Dataset.fromGenerator(function* () {
      calls++;
      yield 1;
      yield 2;
    });
    expect(ds.cardinality()).toBe(nb.data.UNKNOWN);
    expect(await values(ds)).toEqual([1, 2]);
    expect(await values(ds)).toEqual([1, 2]);
    expect(calls).toBe(2);
  });

  it('accepts async generators and functions returning iterables', async () => {
    const ds = Dataset.fromGenerator(async function* () {
      for (let i = 0; i < 3; i++) {
        await new Promise((r) => setTimeout(r, 1));
        yield nb.tensor([i, i * 10]);
      }
    });
    expect(await values(ds)).toEqual([[0, 0], [1, 10], [2, 20]]);
    expect(await values(Dataset.fromGenerator(() => ['a', 'b']))).toEqual(['a', 'b']);
  });

  it('rejects a generator object (it could be iterated only once) and bad returns', async () => {
    function* gen() {
      yield 1;
    }
    expect(() => Dataset.fromGenerator(gen() as never)).toThrow(/function/);
    await expect(Dataset.fromGenerator(() => 5 as never).toArray()).rejects.toThrow(nb.ValueError);
  });

  it('fromArray yields the items as they are', async () => {
    const ds = Dataset.fromArray([{ id: 1 }, { id: 2 }]);
    expect(ds.cardinality()).toBe(2);
    expect(await ds.toArray()).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('range yields int32 scalars like numpy arange, and float32 for fractional steps', async () => {
    const r = Dataset.range(2, 11, 3);
    expect(r.cardinality()).toBe(3);
    const els = await r.toArray();
    expect(els.map((t) => t.item())).toEqual([2, 5, 8]);
    expect(els[0]!.dtype).toBe('int32');
    expect(els[0]!.shape).toEqual([]);
    expect((await Dataset.range(4).toArray()).map((t) => t.item())).toEqual([0, 1, 2, 3]);
    expect((await Dataset.range(3, 0, -1).toArray()).map((t) => t.item())).toEqual([3, 2, 1]);
    const f = await Dataset.range(0, 1, 0.5).toArray();
    expect(f.map((t) => t.item())).toEqual([0, 0.5]);
    expect(f[0]!.dtype).toBe('float32');
    expect(() => Dataset.range(0, 5, 0)).toThrow(nb.ValueError);
  });

  it('zip pairs elements as a tuple or record and stops at the shortest', async () => {
    const a = Dataset.range(3);
    const b = Dataset.fromTensorSlices(nb.tensor([10, 20, 30, 40]));
    const z = Dataset.zip([a, b]);
    expect(z.cardinality()).toBe(3);
    expect(await values(z)).toEqual([[0, 10], [1, 20], [2, 30]]);
    expect(await values(Dataset.zip({ i: a, v: b }))).toEqual([
      { i: 0, v: 10 },
      { i: 1, v: 20 },
      { i: 2, v: 30 },
    ]);
    expect(() => Dataset.zip([])).toThrow(nb.ValueError);
  });
});

describe('iterating twice', () => {
  it('gives the same elements on every pass, for every kind of source', async () => {
    const sources: nb.data.Dataset<unknown>[] = [
      Dataset.fromTensorSlices(nb.tensor([1, 2, 3])).map((x) => x.mul(2)),
      Dataset.range(3).batch(2),
      Dataset.fromGenerator(function* () {
        yield* [1, 2, 3];
      }).map((v) => v + 1),
    ];
    for (const ds of sources) {
      const first = await values(ds);
      expect(first.length).toBeGreaterThan(0);
      expect(await values(ds)).toEqual(first);
    }
  });
});
