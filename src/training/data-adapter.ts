// Turns what fit/evaluate/predict accept (tensors, nested arrays, lists of them, or an async
// iterable of [x, y] batches such as nb.data.Dataset) into batches.
import { engine } from '../engine/engine.js';
import { ValueError, fmtShape } from '../errors.js';
import { tensor, toTensor, type TensorLike } from '../ops/creation.js';
import { Tensor } from '../tensor/tensor.js';
import { StringTensor } from '../tensor/string-tensor.js';
import { flattenStructure, isPlainObject } from '../data/structure.js';
import { permutation } from '../ops/primitives/random.js';
import { gather } from '../ops/primitives/indexing.js';
import { slice } from '../ops/primitives/shape.js';
import { copy } from '../ops/primitives/copy.js';

/** Model inputs or targets: one tensor (or array-like), or one per model input/output. */
export type TensorData = TensorLike | readonly TensorLike[];

/** One batch: x per input, y per output (absent when predicting), optional per-sample weights. */
export interface Batch {
  x: Tensor[];
  y: Tensor[] | null;
  sampleWeight: Tensor | null;
  size: number;
}

/** What a dataset yields: [x, y], [x, y, sampleWeight], { xs, ys }, or just x when predicting. */
export type DatasetElement = Tensor | Tensor[] | readonly [Tensor | Tensor[], (Tensor | Tensor[])?, Tensor?] | { xs: Tensor | Tensor[]; ys?: Tensor | Tensor[] };

export function isAsyncIterable(x: unknown): x is AsyncIterable<DatasetElement> {
  return typeof x === 'object' && x !== null && typeof (x as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

/** Tensors of one argument: a single model input/output stays a list of one. */
export function toTensorList(data: TensorData, what: string, expected: number): Tensor[] {
  if (data instanceof Tensor) return [data];
  // A plain JS array is one tensor's nested values unless the model has several inputs/outputs.
  if (Array.isArray(data) && expected > 1 && data.length === expected) return data.map((d, i) => toTensor(d as TensorLike, `${what}[${i}]`));
  if (Array.isArray(data) && data.length > 0 && data.every((d) => d instanceof Tensor)) return data as Tensor[];
  return [toTensor(data as TensorLike, what)];
}

/** The tensors of `list` that toTensorList made from `data` (nested arrays), rather than ones the caller gave. */
export function madeFrom(data: TensorData, list: readonly Tensor[]): Tensor[] {
  if (data instanceof Tensor) return [];
  const given: readonly unknown[] = Array.isArray(data) ? data : [];
  return list.filter((t) => !given.includes(t));
}

/**
 * Tensors cut into batches by row: consecutive rows are views (no copy), shuffled rows one
 * `gather` per tensor, so the data is never copied whole to the host.
 */
export class ArrayData {
  readonly size: number;
  /** Tensors this object made (copies from `onCurrentBackend`, views from `split`), freed by `release`. */
  private readonly owned: Tensor[] = [];

  /**
   * The data with every tensor on the current backend: a tensor made on another one (data built
   * before `setBackend('webgpu')`) is copied over once here, not once per batch by every op.
   * `made`: tensors made from the caller's nested arrays, freed with the copies by `release`.
   */
  static onCurrentBackend(x: Tensor[], y: Tensor[] | null, sampleWeight: Tensor | null, op: string, made: readonly Tensor[] = []): ArrayData {
    const owned: Tensor[] = [...made];
    const here = engine.backend.name;
    const local = (t: Tensor) => {
      if (t.backend === here) return t;
      // The engine uploads `t` for the copy kernel: tidy frees that upload at once.
      const c = engine.tidy(() => copy(t));
      owned.push(c);
      return c;
    };
    const data = new ArrayData(x.map(local), y ? y.map(local) : null, sampleWeight ? local(sampleWeight) : null, op);
    data.owned.push(...owned);
    return data;
  }

  constructor(
    readonly x: Tensor[],
    readonly y: Tensor[] | null,
    readonly sampleWeight: Tensor | null,
    op: string,
  ) {
    const all = [...x, ...(y ?? []), ...(sampleWeight ? [sampleWeight] : [])];
    for (const t of all) if (t.rank === 0) throw new ValueError(`${op}: inputs and targets need a batch axis, got a scalar`);
    const n = x[0]!.shape[0]!;
    if (all.some((t) => t.shape[0] !== n)) {
      const describe = (name: string, ts: Tensor[]) => ts.map((t, i) => `${name}${ts.length > 1 ? `[${i}]` : ''} has ${t.shape[0]} (shape ${fmtShape(t.shape)})`);
      const counts = [...describe('x', x), ...describe('y', y ?? []), ...describe('sampleWeight', sampleWeight ? [sampleWeight] : [])];
      throw new ValueError(`${op}: x, y and sampleWeight must have the same number of samples: ${counts.join(', ')}`);
    }
    this.size = n;
  }

  /** Free the tensors this object made, except those in `keep` (views cut from them keep their storage alive). */
  release(keep: readonly Tensor[] = []): void {
    for (const t of this.owned) if (!keep.includes(t)) t.dispose();
    this.owned.length = 0;
  }

  /** Whether `t` is one of the tensors given (a batch of all rows is), not a batch cut from them. */
  isSource(t: Tensor): boolean {
    return this.x.includes(t) || (this.y?.includes(t) ?? false) || this.sampleWeight === t;
  }

  /** Rows [start, end) of every tensor, as views. */
  private range(start: number, end: number): { x: Tensor[]; y: Tensor[] | null; sampleWeight: Tensor | null } {
    // All rows (a predict of one request): the tensors themselves, which the loops never free.
    if (start === 0 && end === this.size) return { x: this.x, y: this.y, sampleWeight: this.sampleWeight };
    const rows = (t: Tensor) => slice(t, [start], [end - start]);
    return { x: this.x.map(rows), y: this.y ? this.y.map(rows) : null, sampleWeight: this.sampleWeight ? rows(this.sampleWeight) : null };
  }

  /** The listed rows of every tensor, copied. */
  private pick(index: Int32Array): { x: Tensor[]; y: Tensor[] | null; sampleWeight: Tensor | null } {
    return engine.tidy(() => {
      const rows = tensor(index, [index.length], 'int32');
      const take = (t: Tensor) => gather(t, rows, 0);
      return { x: this.x.map(take), y: this.y ? this.y.map(take) : null, sampleWeight: this.sampleWeight ? take(this.sampleWeight) : null };
    });
  }

  /** Split off the last `fraction` of samples (Keras's validationSplit, taken before shuffling); release both parts after use. */
  split(fraction: number, op: string): [ArrayData, ArrayData] {
    if (!(fraction > 0 && fraction < 1)) throw new ValueError(`${op}: validationSplit must be in (0, 1), got ${fraction}`);
    const cut = Math.floor(this.size * (1 - fraction));
    if (cut === 0 || cut === this.size) throw new ValueError(`${op}: validationSplit ${fraction} of ${this.size} samples leaves one side empty`);
    const part = (start: number, end: number) => {
      const p = this.range(start, end);
      const data = new ArrayData(p.x, p.y, p.sampleWeight, op);
      data.owned.push(...p.x, ...(p.y ?? []), ...(p.sampleWeight ? [p.sampleWeight] : []));
      return data;
    };
    return [part(0, cut), part(cut, this.size)];
  }

  /**
   * Batches of `batchSize` rows, in a fresh random order when `shuffle`. With a `shard` (data-parallel
   * fit), each batch is this rank's rows of the global batch, in an order every rank shares.
   */
  *batches(batchSize: number, shuffle: boolean, shard: RowShard | null = null): Generator<Batch> {
    const order = shuffle ? (shard ? shard.order(this.size, shuffledRows) : shuffledRows(this.size)) : null;
    for (let globalStart = 0; globalStart < this.size; globalStart += batchSize) {
      const globalEnd = Math.min(globalStart + batchSize, this.size);
      const [start, end] = shard ? shard.rows(globalStart, globalEnd) : [globalStart, globalEnd];
      const part = order ? this.pick(order.subarray(start, end)) : this.range(start, end);
      yield { ...part, size: end - start };
    }
  }

  stepsFor(batchSize: number): number {
    return Math.ceil(this.size / batchSize);
  }
}

/** How a rank of data-parallel fit takes its part of every global batch (src/training/data-parallel.ts). */
export interface RowShard {
  /** This rank's rows [start, end) of the global batch's rows [start, end). */
  rows(start: number, end: number): [number, number];
  /** One random order of `n` rows that every rank shares, made by `local` on one of them. */
  order(n: number, local: (n: number) => Int32Array): Int32Array;
}

/** This rank's rows of a batch, as views. */
export function shardBatch(batch: Batch, shard: RowShard): Batch {
  const [start, end] = shard.rows(0, batch.size);
  if (start === 0 && end === batch.size) return batch;
  const rows = (t: Tensor) => slice(t, [start], [end - start]);
  return { x: batch.x.map(rows), y: batch.y ? batch.y.map(rows) : null, sampleWeight: batch.sampleWeight ? rows(batch.sampleWeight) : null, size: end - start };
}

/** A random order of `n` rows, made on the host (js) whatever the current backend, since it is read at once. */
function shuffledRows(n: number): Int32Array {
  return engine.withBackend('js', () => {
    const p = permutation(n);
    const rows = p.dataSync() as Int32Array;
    p.dispose();
    return rows;
  });
}

/** A dataset element as a Batch. */
export function batchFromElement(el: DatasetElement, withTargets: boolean, op: string): Batch {
  let x: Tensor | Tensor[];
  let y: Tensor | Tensor[] | undefined;
  let w: Tensor | undefined;
  if (el instanceof Tensor) x = el;
  else if (Array.isArray(el) && el.length > 0) {
    // Tuples, as Keras reads them: [x], [x, y] or [x, y, sampleWeight] (predict uses x only).
    [x, y, w] = el as [Tensor | Tensor[], (Tensor | Tensor[])?, Tensor?];
  } else if (typeof el === 'object' && el !== null && 'xs' in el) {
    x = el.xs;
    y = el.ys;
  } else {
    throw new ValueError(`${op}: a dataset must yield [x, y] (or [x, y, sampleWeight], or { xs, ys }), got ${typeof el}`);
  }
  const xs = Array.isArray(x) ? x : [x];
  if (withTargets && y === undefined) throw new ValueError(`${op}: the dataset yielded inputs without targets; yield [x, y] batches`);
  const ys = y === undefined ? null : Array.isArray(y) ? y : [y];
  for (const t of [...xs, ...(ys ?? [])] as unknown[]) {
    if (!(t instanceof Tensor)) {
      const strings = isPlainObject(t) || t instanceof StringTensor ? flattenStructure(t, op).find((l) => l instanceof StringTensor) : undefined;
      if (strings) {
        throw new ValueError(`${op}: a dataset batch holds strings (StringTensor ${JSON.stringify(strings.shape)}); turn them into numbers first, e.g. dataset.map with a StringLookup or TextVectorization layer`);
      }
      throw new ValueError(`${op}: dataset batches must hold tensors`);
    }
  }
  const size = xs[0]!.shape[0] ?? 1;
  return { x: xs, y: ys, sampleWeight: w ?? null, size };
}

/**
 * Batches of an async iterable. With `steps`, at most that many per epoch, continuing the same
 * iterator across epochs (restarting it when it ends), as Keras does with stepsPerEpoch.
 */
export class DatasetData {
  private iterator: AsyncIterator<DatasetElement> | null = null;
  constructor(
    readonly source: AsyncIterable<DatasetElement>,
    readonly steps: number | null,
  ) {}

  async *batches(withTargets: boolean, op: string): AsyncGenerator<Batch> {
    if (this.steps === null) {
      for await (const el of this.source) yield batchFromElement(el, withTargets, op);
      return;
    }
    let produced = 0;
    let restarted = false;
    while (produced < this.steps) {
      this.iterator ??= this.source[Symbol.asyncIterator]();
      const r = await this.iterator.next();
      if (r.done) {
        this.iterator = null;
        if (restarted) return; // the source yields nothing at all
        restarted = true;
        continue;
      }
      restarted = false;
      produced++;
      yield batchFromElement(r.value, withTargets, op);
    }
  }
}
