import { checkOptions, optionKeys } from '../check-options.js';
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { batchSource, paddedBatchSource, unbatchSource, type PaddedShapes, type PaddingValues } from './batching.js';
import { INFINITE, UNKNOWN, batchCardinality, minCardinality, scaleCardinality, sumCardinality } from './cardinality.js';
import { AUTOTUNE, AUTOTUNE_DEPTH, parallelMapSource, prefetchSource } from './parallel.js';
import { checkSeed, seedFromGlobal } from './random-stream.js';
import { shuffleSource } from './shuffle.js';
import { SliceTable, type SliceSpec, type Sliced } from './slice-table.js';
import { generatorSource, rangeLength, rangeSource, type GeneratorResult } from './sources.js';
import type { Batched, Unbatched } from './structure.js';
import {
  cacheSource,
  concatSource,
  enumerateSource,
  filterSource,
  mapSource,
  repeatSource,
  skipSource,
  shardSource,
  takeSource,
  zipSource,
  type Source,
} from './transforms.js';

/** Options of {@link Dataset.map}. */
export interface MapOptions {
  /** Calls of an async `fn` running at once (or `nb.data.AUTOTUNE`; default 1). */
  numParallelCalls?: number;
}
/** Options of {@link Dataset.shuffle}. */
export interface ShuffleOptions {
  seed?: number;
  /** Shuffle each pass differently (default true). */
  reshuffleEachIteration?: boolean;
}
/** Options of {@link Dataset.batch}. */
export interface BatchOptions {
  /** Leave out a last, smaller batch (default false). */
  dropRemainder?: boolean;
}
/** Options of {@link Dataset.paddedBatch}. */
export interface PaddedBatchOptions extends BatchOptions {
  paddedShapes?: PaddedShapes;
  paddingValues?: PaddingValues;
}
const MAP_KEYS = optionKeys<MapOptions>({ numParallelCalls: true });
const SHUFFLE_KEYS = optionKeys<ShuffleOptions>({ seed: true, reshuffleEachIteration: true });
const BATCH_KEYS = optionKeys<BatchOptions>({ dropRemainder: true });
const PADDED_BATCH_KEYS = optionKeys<PaddedBatchOptions>({ dropRemainder: true, paddedShapes: true, paddingValues: true });

/** A dataset that is still rows of a SliceTable, maybe reordered: batch can gather rows directly. */
interface SliceOrigin<T> {
  readonly table: SliceTable<T>;
  /** Row order (a shuffle's); rows in order when absent. */
  readonly order?: Source<number>;
}

type ZipElement<D> = { -readonly [K in keyof D]: D[K] extends Dataset<infer E> ? E : never };

function checkCount(n: number, op: string, what: string, allowAll: boolean): void {
  if (!Number.isInteger(n) || n < (allowAll ? -1 : 0)) {
    throw new ValueError(`${op}: ${what} must be a non-negative integer${allowAll ? ' (or -1 for all)' : ''}, got ${n}`);
  }
}

function checkPositive(n: number, op: string, what: string): void {
  if (!Number.isInteger(n) || n <= 0) throw new ValueError(`${op}: ${what} must be a positive integer, got ${n}`);
}

/**
 * A lazy, re-iterable sequence of elements, like tf.data.Dataset: iterate it with `for await`;
 * each `for await` is one pass (epoch) over the data. Elements are tensors or tuples/records of
 * tensors; `model.fit` takes elements `[x, y]` (batched).
 *
 * ```ts
 * const ds = nb.data.Dataset.fromTensorSlices([x, y]).shuffle(1024, { seed: 1 }).batch(64).prefetch(2);
 * for await (const [xb, yb] of ds) { ... }
 * ```
 */
export class Dataset<T> implements AsyncIterable<T> {
  /** `cardinality()` of an endless dataset. */
  static readonly INFINITE = INFINITE;
  /** `cardinality()` when the count is only known by iterating. */
  static readonly UNKNOWN = UNKNOWN;

  private constructor(
    private readonly source: Source<T>,
    private readonly size: number,
    private readonly slices?: SliceOrigin<T>,
  ) {}

  /** A dataset over any re-startable source with a known (or UNKNOWN) cardinality. */
  static fromSource<T>(source: Source<T>, cardinality: number = UNKNOWN): Dataset<T> {
    return new Dataset(source, cardinality);
  }

  // ------------------------------------------------------------------ sources

  /**
   * Slices along axis 0 of a tensor, a typed array, nested number arrays, or a tuple/record of them
   * (all with one length). `[x, y]` gives elements `[x[i], y[i]]`; `{a, b}` gives `{a: a[i], b: b[i]}`.
   * A top-level JS array is a tuple; to slice one nested JS array by rows, pass `nb.tensor(rows)`
   * (or use `fromArray`). The data are read once and sliced without copying.
   */
  static fromTensorSlices<const S extends SliceSpec>(spec: S): Dataset<Sliced<S>> {
    const table = new SliceTable<Sliced<S>>(spec);
    return new Dataset(table.elements(), table.length, { table });
  }

  /** The given items, as they are, one element each. */
  static fromArray<T>(items: readonly T[]): Dataset<T> {
    if (!Array.isArray(items)) throw new ValueError(`fromArray: expected an array, got ${typeof items}`);
    const copy = [...items];
    return new Dataset(async function* () {
      yield* copy;
    }, copy.length);
  }

  /**
   * Elements from a function returning a fresh iterator or iterable on each call (a generator
   * function, sync or async), so that the dataset can be iterated many times.
   */
  static fromGenerator<T>(fn: () => GeneratorResult<T>): Dataset<T> {
    return new Dataset(generatorSource(fn), UNKNOWN);
  }

  /** Scalar tensors start, start+step, ... before stop (int32 for integers, else float32). */
  static range(start: number, stop?: number, step = 1): Dataset<Tensor> {
    if (stop === undefined) [start, stop] = [0, start];
    if (![start, stop, step].every(Number.isFinite) || step === 0) {
      throw new ValueError(`Dataset.range: expected finite numbers and a non-zero step, got (${start}, ${stop}, ${step})`);
    }
    const dtype = [start, stop, step].every(Number.isInteger) ? 'int32' : 'float32';
    return new Dataset(rangeSource(start, stop, step, dtype), rangeLength(start, stop, step));
  }

  /** Elements of several datasets side by side, as a tuple or record, until the shortest ends. */
  static zip<const D extends readonly Dataset<unknown>[] | { readonly [key: string]: Dataset<unknown> }>(datasets: D): Dataset<ZipElement<D>> {
    const entries = Object.values(datasets) as Dataset<unknown>[];
    if (entries.length === 0 || entries.some((d) => !(d instanceof Dataset))) {
      throw new ValueError('Dataset.zip: expected a non-empty tuple or record of datasets');
    }
    const sources = Array.isArray(datasets)
      ? entries.map((d) => d.source)
      : Object.fromEntries(Object.entries(datasets).map(([k, d]) => [k, (d as Dataset<unknown>).source]));
    return new Dataset(zipSource(sources) as Source<ZipElement<D>>, minCardinality(entries.map((d) => d.size)));
  }

  // ------------------------------------------------------------------ iteration

  /** Iterate the elements with `for await`. */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.source()[Symbol.asyncIterator]();
  }

  /** Elements per pass: a count, `Dataset.INFINITE`, or `Dataset.UNKNOWN`. */
  cardinality(): number {
    return this.size;
  }

  /** All elements of one pass, in an array (for small datasets). */
  async toArray(): Promise<T[]> {
    if (this.size === INFINITE) throw new ValueError('toArray: the dataset is infinite (repeat() without a count); take(n) first');
    const out: T[] = [];
    for await (const el of this) out.push(el);
    return out;
  }

  /** Call `fn` on every element of one pass. */
  async forEachAsync(fn: (el: T) => void | Promise<void>): Promise<void> {
    for await (const el of this) await fn(el);
  }

  // ------------------------------------------------------------------ transformations

  /**
   * Apply `fn` to every element. With an async `fn`, `numParallelCalls` (or `nb.data.AUTOTUNE`)
   * calls run at once; the order of elements is kept.
   */
  map<const U>(fn: (el: T) => U | Promise<U>, opts: MapOptions = {}): Dataset<U> {
    checkOptions('map', opts, MAP_KEYS);
    if (typeof fn !== 'function') throw new ValueError(`map: expected a function, got ${typeof fn}`);
    const k = opts.numParallelCalls === AUTOTUNE ? AUTOTUNE_DEPTH : (opts.numParallelCalls ?? 1);
    checkPositive(k, 'map', 'numParallelCalls');
    return new Dataset(k === 1 ? mapSource(this.source, fn) : parallelMapSource(this.source, fn, k), this.size);
  }

  /** Keep the elements for which `pred` is true (a boolean or a scalar tensor). */
  filter(pred: (el: T) => boolean | Tensor | Promise<boolean | Tensor>): Dataset<T> {
    if (typeof pred !== 'function') throw new ValueError(`filter: expected a function, got ${typeof pred}`);
    return new Dataset(filterSource(this.source, pred), this.size === 0 ? 0 : this.size === INFINITE ? INFINITE : UNKNOWN);
  }

  /**
   * Shuffle through a buffer of `bufferSize` elements (at least the dataset's size for a uniform
   * shuffle). With `seed`, the order is the same on every run; by default each pass is shuffled
   * differently (`reshuffleEachIteration: false` repeats the first order). Without a seed the
   * global generator (`nb.random.seed`) picks one.
   */
  shuffle(bufferSize: number, opts: ShuffleOptions = {}): Dataset<T> {
    checkOptions('shuffle', opts, SHUFFLE_KEYS);
    checkPositive(bufferSize, 'shuffle', 'bufferSize');
    checkSeed(opts.seed, 'shuffle');
    const seed = opts.seed ?? seedFromGlobal();
    const reshuffle = opts.reshuffleEachIteration ?? true;
    if (this.slices) {
      // Shuffle row indices with the same algorithm and draws, so a following batch can gather rows.
      const { table, order } = this.slices;
      const shuffled = shuffleSource(order ?? table.indices(), bufferSize, seed, reshuffle);
      return new Dataset(table.elements(shuffled), this.size, { table, order: shuffled });
    }
    return new Dataset(shuffleSource(this.source, bufferSize, seed, reshuffle), this.size);
  }

  /** Stack `size` consecutive elements leaf by leaf; the last batch may be smaller unless `dropRemainder`. */
  batch(size: number, opts: BatchOptions = {}): Dataset<Batched<T>> {
    checkOptions('batch', opts, BATCH_KEYS);
    checkPositive(size, 'batch', 'batchSize');
    const drop = opts.dropRemainder ?? false;
    const card = batchCardinality(this.size, size, drop);
    if (this.slices) {
      const { table, order } = this.slices;
      return new Dataset(order ? table.batchesIn<Batched<T>>(order, size, drop) : table.batches<Batched<T>>(size, drop), card);
    }
    return new Dataset(batchSource(this.source, size, drop), card);
  }

  /**
   * Batch elements of varying shapes by padding each tensor to the longest in the batch (or to
   * `paddedShapes`, -1 for "longest") with `paddingValues` (0 by default).
   */
  paddedBatch(
    size: number,
    opts: PaddedBatchOptions = {},
  ): Dataset<Batched<T>> {
    checkOptions('paddedBatch', opts, PADDED_BATCH_KEYS);
    checkPositive(size, 'paddedBatch', 'batchSize');
    return new Dataset(paddedBatchSource(this.source, size, opts), batchCardinality(this.size, size, opts.dropRemainder ?? false));
  }

  /** Split each element along its leading axis: the inverse of `batch`. */
  unbatch(): Dataset<Unbatched<T>> {
    return new Dataset(unbatchSource(this.source) as Source<Unbatched<T>>, this.size === 0 ? 0 : this.size === INFINITE ? INFINITE : UNKNOWN);
  }

  /** Produce up to `bufferSize` elements ahead of the consumer, overlapping data work with training. */
  prefetch(bufferSize: number = AUTOTUNE): Dataset<T> {
    const n = bufferSize === AUTOTUNE ? AUTOTUNE_DEPTH : bufferSize;
    checkCount(n, 'prefetch', 'bufferSize', false);
    if (n === 0) return this;
    return new Dataset(prefetchSource(this.source, n), this.size);
  }

  /** `count` passes over the data (endless without a count, or with -1). */
  repeat(count?: number): Dataset<T> {
    const c = count === undefined || count === -1 ? Infinity : count;
    if (c !== Infinity) checkCount(c, 'repeat', 'count', true);
    const card = c === Infinity ? (this.size === 0 ? 0 : INFINITE) : scaleCardinality(this.size, c);
    return new Dataset(repeatSource(this.source, c), card);
  }

  /**
   * Every `numShards`-th element starting at `index` (tf.data's shard): one of `numShards`
   * disjoint parts, as each process of a data-parallel job takes in its own training loop:
   * `ds.shard(nb.distribute.worldSize(), nb.distribute.rank())`. (`fit` needs no shard: it splits
   * every batch between the ranks itself.) Shard before shuffling or batching.
   */
  shard(numShards: number, index: number): Dataset<T> {
    checkPositive(numShards, 'shard', 'numShards');
    if (!Number.isInteger(index) || index < 0 || index >= numShards) throw new ValueError(`shard: index must be an integer from 0 to ${numShards - 1} (numShards ${numShards}), got ${index}`);
    const card = this.size < 0 ? this.size : Math.max(0, Math.ceil((this.size - index) / numShards));
    return new Dataset(shardSource(this.source, numShards, index), card);
  }

  /** The first `count` elements (all for -1). */
  take(count: number): Dataset<T> {
    checkCount(count, 'take', 'count', true);
    if (count === -1) return this;
    const card = this.size === UNKNOWN ? UNKNOWN : this.size === INFINITE ? count : Math.min(this.size, count);
    return new Dataset(takeSource(this.source, count), card);
  }

  /** All but the first `count` elements (none for -1). */
  skip(count: number): Dataset<T> {
    checkCount(count, 'skip', 'count', true);
    if (count === -1) return new Dataset(takeSource(this.source, 0), 0);
    const card = this.size < 0 ? this.size : Math.max(0, this.size - count);
    return new Dataset(skipSource(this.source, count), card);
  }

  /** Keep the elements of the first complete pass in memory and replay them on later passes. */
  cache(): Dataset<T> {
    return new Dataset(cacheSource(this.source), this.size);
  }

  /** This dataset's elements, then `other`'s. */
  concatenate(other: Dataset<T>): Dataset<T> {
    if (!(other instanceof Dataset)) throw new ValueError('concatenate: expected a Dataset');
    return new Dataset(concatSource([this.source, other.source]), sumCardinality([this.size, other.size]));
  }

  /** Pairs `[i, element]` with `i` a scalar int32 tensor counting from `start`. */
  enumerate(start = 0): Dataset<[Tensor, T]> {
    if (!Number.isInteger(start)) throw new ValueError(`enumerate: start must be an integer, got ${start}`);
    return new Dataset(enumerateSource(this.source, start), this.size);
  }
}
