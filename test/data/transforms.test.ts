import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';

const { Dataset, INFINITE, UNKNOWN } = nb.data;

/** Scalar elements of one pass as numbers. */
async function nums(ds: AsyncIterable<nb.Tensor | number>): Promise<number[]> {
  const out: number[] = [];
  for await (const el of ds) out.push(typeof el === 'number' ? el : el.item());
  return out;
}

const ten = () => Dataset.range(10);

describe('map and filter', () => {
  it('map applies a sync function and keeps the cardinality', async () => {
    const ds = ten().map((x) => x.mul(x));
    expect(ds.cardinality()).toBe(10);
    expect(await nums(ds)).toEqual([0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
  });

  it('map awaits an async function and restructures elements', async () => {
    const ds = Dataset.fromTensorSlices([nb.tensor([1, 2]), nb.tensor([3, 4])]).map(async ([a, b]) => ({ sum: a.add(b), a }));
    const els = await ds.toArray();
    expect(els.map((e) => [e.sum.item(), e.a.item()])).toEqual([
      [4, 1],
      [6, 2],
    ]);
  });

  it('map with numParallelCalls runs calls concurrently and keeps the order', async () => {
    let running = 0;
    let most = 0;
    const ds = ten().map(
      async (x) => {
        running++;
        most = Math.max(most, running);
        // Later elements finish first, so an order-keeping map must reorder them.
        await new Promise((r) => setTimeout(r, 20 - 2 * x.item()));
        running--;
        return x.item();
      },
      { numParallelCalls: 4 },
    );
    expect(await nums(ds)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(most).toBe(4);
    const auto = ten().map(async (x) => x.item() * 2, { numParallelCalls: nb.data.AUTOTUNE });
    expect(await nums(auto)).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    expect(() => ten().map((x) => x, { numParallelCalls: 0 })).toThrow(nb.ValueError);
  });

  it('map propagates an error thrown by the function', async () => {
    const ds = ten().map(async (x) => {
      if (x.item() === 3) throw new Error('bad element 3');
      return x;
    }, { numParallelCalls: 3 });
    await expect(ds.toArray()).rejects.toThrow('bad element 3');
  });

  it('filter keeps elements whose predicate is true (boolean or scalar tensor)', async () => {
    const even = ten().filter((x) => x.mod(2).equal(0));
    expect(even.cardinality()).toBe(UNKNOWN);
    expect(await nums(even)).toEqual([0, 2, 4, 6, 8]);
    expect(await nums(ten().filter(async (x) => x.item() > 6))).toEqual([7, 8, 9]);
    await expect(ten().filter(() => nb.tensor([1, 0]) as never).toArray()).rejects.toThrow(/shape \[2\]/);
  });
});

describe('take, skip, repeat, concatenate, enumerate', () => {
  it('take and skip', async () => {
    expect(await nums(ten().take(3))).toEqual([0, 1, 2]);
    expect(ten().take(3).cardinality()).toBe(3);
    expect(ten().take(30).cardinality()).toBe(10);
    expect(await nums(ten().take(-1))).toHaveLength(10);
    expect(await nums(ten().skip(7))).toEqual([7, 8, 9]);
    expect(ten().skip(7).cardinality()).toBe(3);
    expect(ten().skip(70).cardinality()).toBe(0);
    expect(await nums(ten().skip(-1))).toEqual([]);
    expect(await nums(ten().skip(2).take(2))).toEqual([2, 3]);
    expect(() => ten().take(1.5)).toThrow(nb.ValueError);
    expect(() => ten().skip(-2)).toThrow(nb.ValueError);
  });

  it('repeat with a count, and endlessly', async () => {
    const r = Dataset.range(3).repeat(2);
    expect(r.cardinality()).toBe(6);
    expect(await nums(r)).toEqual([0, 1, 2, 0, 1, 2]);
    const forever = Dataset.range(3).repeat();
    expect(forever.cardinality()).toBe(INFINITE);
    expect(await nums(forever.take(7))).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect(forever.take(7).cardinality()).toBe(7);
    await expect(forever.toArray()).rejects.toThrow(/infinite/);
    expect(await nums(Dataset.range(0).repeat())).toEqual([]);
    expect(Dataset.range(0).repeat().cardinality()).toBe(0);
  });

  it('concatenate and enumerate', async () => {
    const c = Dataset.range(2).concatenate(Dataset.range(5, 7));
    expect(c.cardinality()).toBe(4);
    expect(await nums(c)).toEqual([0, 1, 5, 6]);
    expect(Dataset.range(2).concatenate(Dataset.range(2).repeat()).cardinality()).toBe(INFINITE);
    const e = await Dataset.fromTensorSlices(nb.tensor([7, 8, 9])).enumerate(1).toArray();
    expect(e.map(([i, v]) => [i.item(), v.item()])).toEqual([
      [1, 7],
      [2, 8],
      [3, 9],
    ]);
    expect(e[0]![0].dtype).toBe('int32');
  });
});

describe('cache', () => {
  it('reads the source once and replays it', async () => {
    let pulls = 0;
    const ds = Dataset.fromGenerator(function* () {
      for (let i = 0; i < 4; i++) {
        pulls++;
        yield i;
      }
    }).cache();
    expect(await nums(ds)).toEqual([0, 1, 2, 3]);
    expect(await nums(ds)).toEqual([0, 1, 2, 3]);
    expect(pulls).toBe(4);
  });

  it('does not keep a pass that stopped early', async () => {
    let pulls = 0;
    const ds = Dataset.fromGenerator(function* () {
      for (let i = 0; i < 4; i++) {
        pulls++;
        yield i;
      }
    }).cache();
    expect(await nums(ds.take(2))).toEqual([0, 1]);
    expect(await nums(ds)).toEqual([0, 1, 2, 3]);
    expect(await nums(ds)).toEqual([0, 1, 2, 3]);
    expect(pulls).toBe(2 + 4);
  });
});

describe('prefetch', () => {
  it('pulls ahead of a slow consumer from a slow async source, keeping order and completeness', async () => {
    let produced = 0;
    const source = Dataset.fromGenerator(async function* () {
      for (let i = 0; i < 8; i++) {
        await new Promise((r) => setTimeout(r, 2));
        produced++;
        yield i;
      }
    });
    /** Let background work run until `cond` holds (or a generous number of turns passed). */
    const settle = async (cond: () => boolean) => {
      for (let turn = 0; turn < 500 && !cond(); turn++) await new Promise((r) => setTimeout(r, 1));
      for (let turn = 0; turn < 5; turn++) await new Promise((r) => setTimeout(r, 1));
    };
    const ahead: number[] = [];
    const got: number[] = [];
    for await (const v of source.prefetch(3)) {
      await settle(() => produced >= Math.min(8, v + 4));
      ahead.push(produced - (v + 1));
      got.push(v);
    }
    expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // While the consumer holds element v, the source has produced the next 3 (fewer at the end), never more.
    expect(ahead).toEqual([3, 3, 3, 3, 3, 2, 1, 0]);
  });

  it('without prefetch the source waits for the consumer', async () => {
    let produced = 0;
    const source = Dataset.fromGenerator(async function* () {
      for (let i = 0; i < 3; i++) {
        produced++;
        yield i;
      }
    });
    for await (const v of source) {
      await new Promise((r) => setTimeout(r, 10));
      expect(produced).toBe(v + 1);
    }
  });

  it('stops the source when the consumer breaks, and propagates source errors', async () => {
    let finished = false;
    const ds = Dataset.fromGenerator(async function* () {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        finished = true;
      }
    }).prefetch(2);
    for await (const v of ds) if (v === 5) break;
    expect(finished).toBe(true);
    const failing = Dataset.fromGenerator(async function* () {
      yield 1;
      throw new Error('disk on fire');
    }).prefetch(4);
    await expect(failing.toArray()).rejects.toThrow('disk on fire');
    expect(Dataset.range(5).prefetch(2).cardinality()).toBe(5);
    expect(() => Dataset.range(5).prefetch(-3)).toThrow(nb.ValueError);
  });
});

describe('shuffle', () => {
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

  it('yields every element exactly once per pass, for any buffer size', async () => {
    for (const buffer of [1, 3, 50, 200]) {
      const ds = Dataset.range(100).shuffle(buffer, { seed: 7 });
      expect(ds.cardinality()).toBe(100);
      const pass = await nums(ds);
      expect(sorted(pass)).toEqual(Array.from({ length: 100 }, (_, i) => i));
      if (buffer === 1) expect(pass).toEqual(Array.from({ length: 100 }, (_, i) => i));
      else expect(pass).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    }
  });

  it('is reproducible with a seed, reshuffles each pass, and repeats passes when asked not to', async () => {
    const a = Dataset.range(50).shuffle(50, { seed: 3 });
    const b = Dataset.range(50).shuffle(50, { seed: 3 });
    const a1 = await nums(a);
    const a2 = await nums(a);
    expect(await nums(b)).toEqual(a1);
    expect(await nums(b)).toEqual(a2);
    expect(a2).not.toEqual(a1);
    expect(await nums(Dataset.range(50).shuffle(50, { seed: 4 }))).not.toEqual(a1);
    const fixed = Dataset.range(50).shuffle(50, { seed: 3, reshuffleEachIteration: false });
    const f1 = await nums(fixed);
    expect(await nums(fixed)).toEqual(f1);
  });

  it('reshuffles across repeat() epochs and follows nb.random.seed without an explicit seed', async () => {
    const epochs = await nums(Dataset.range(20).shuffle(20, { seed: 1 }).repeat(2));
    expect(sorted(epochs.slice(0, 20))).toEqual(sorted(epochs.slice(20)));
    expect(epochs.slice(0, 20)).not.toEqual(epochs.slice(20));
    nb.random.seed(42);
    const g1 = await nums(Dataset.range(30).shuffle(30));
    nb.random.seed(42);
    const g2 = await nums(Dataset.range(30).shuffle(30));
    expect(g2).toEqual(g1);
  });

  it('moves elements far with a full buffer (a roughly uniform first position)', async () => {
    const firsts = new Set<number>();
    for (let s = 0; s < 40; s++) firsts.add((await nums(Dataset.range(10).shuffle(10, { seed: s }).take(1)))[0]!);
    expect(firsts.size).toBeGreaterThanOrEqual(8);
  });

  it('rejects a bad buffer size or seed', () => {
    expect(() => ten().shuffle(0)).toThrow(/bufferSize must be a positive integer, got 0/);
    expect(() => ten().shuffle(10, { seed: NaN })).toThrow(nb.ValueError);
  });
});

describe('shard', () => {
  it('takes every numShards-th element from index: disjoint parts that cover the dataset', async () => {
    const parts = [0, 1, 2].map((i) => ten().shard(3, i));
    expect(await Promise.all(parts.map(nums))).toEqual([
      [0, 3, 6, 9],
      [1, 4, 7],
      [2, 5, 8],
    ]);
    expect(parts.map((p) => p.cardinality())).toEqual([4, 3, 3]);
    expect(Dataset.range(2).shard(4, 3).cardinality()).toBe(0);
    expect(await nums(Dataset.range(2).shard(4, 3))).toEqual([]);
  });

  it('keeps unknown and infinite cardinalities, and reads the same part on every pass', async () => {
    expect(ten().filter((x) => x.item() > 2).shard(2, 0).cardinality()).toBe(UNKNOWN);
    const endless = ten().repeat().shard(4, 1);
    expect(endless.cardinality()).toBe(INFINITE);
    expect(await nums(endless.take(5))).toEqual([1, 5, 9, 13 % 10, 17 % 10]);
    const ds = ten().shard(5, 4);
    expect(await nums(ds)).toEqual(await nums(ds));
  });

  it('bad numShards or index name the argument and the range', () => {
    expect(() => ten().shard(0, 0)).toThrow(/shard: numShards must be a positive integer, got 0/);
    expect(() => ten().shard(2, 2)).toThrow(/shard: index must be an integer from 0 to 1 \(numShards 2\), got 2/);
    expect(() => ten().shard(2, -1)).toThrow(/got -1/);
  });
});
