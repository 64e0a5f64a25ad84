// Turns what fit/evaluate/predict accept (tensors, nested arrays, lists of them, or an async
// iterable of [x, y] batches such as nb.data.Dataset) into batches.
import { engine } from '../engine/engine.js';
import { ValueError, fmtShape } from '../errors.js';
import { tensor, toTensor, type TensorLike } from '../tensor/creation.js';
import { allocArray, type TypedArray } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { permutation } from '../ops/primitives/random.js';

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

/** Host copies of tensors, sliced into batches by row. */
export class ArrayData {
  readonly size: number;
  private readonly hostX: TypedArray[];
  private readonly hostY: TypedArray[] | null;
  private readonly hostW: TypedArray | null;

  constructor(
    readonly x: Tensor[],
    readonly y: Tensor[] | null,
    readonly sampleWeight: Tensor | null,
    op: string,
  ) {
    const all = [...x, ...(y ?? []), ...(sampleWeight ? [sampleWeight] : [])];
    for (const t of all) if (t.rank === 0) throw new ValueError(`${op}: inputs and targets need a batch axis, got a scalar`);
    const n = x[0]!.shape[0]!;
    const describe = (name: string, ts: Tensor[]) => ts.map((t, i) => `${name}${ts.length > 1 ? `[${i}]` : ''} has ${t.shape[0]} (shape ${fmtShape(t.shape)})`);
    const counts = [...describe('x', x), ...describe('y', y ?? []), ...describe('sampleWeight', sampleWeight ? [sampleWeight] : [])];
    if (all.some((t) => t.shape[0] !== n)) {
      throw new ValueError(`${op}: x, y and sampleWeight must have the same number of samples: ${counts.join(', ')}`);
    }
    this.size = n;
    this.hostX = x.map((t) => t.dataSync());
    this.hostY = y ? y.map((t) => t.dataSync()) : null;
    this.hostW = sampleWeight ? sampleWeight.dataSync() : null;
  }

  /** Rows [start, end) of every tensor, or the rows listed in `index`. */
  private take(t: Tensor, host: TypedArray, rows: Int32Array): Tensor {
    const per = t.size / t.shape[0]!;
    const out = allocArray(t.dtype, rows.length * per);
    rows.forEach((r, i) => out.set(host.subarray(r * per, (r + 1) * per), i * per));
    return tensor(out, [rows.length, ...t.shape.slice(1)], t.dtype);
  }

  /** Split off the last `fraction` of samples (Keras's validationSplit, taken before shuffling). */
  split(fraction: number, op: string): [ArrayData, ArrayData] {
    if (!(fraction > 0 && fraction < 1)) throw new ValueError(`${op}: validationSplit must be in (0, 1), got ${fraction}`);
    const cut = Math.floor(this.size * (1 - fraction));
    if (cut === 0 || cut === this.size) throw new ValueError(`${op}: validationSplit ${fraction} of ${this.size} samples leaves one side empty`);
    const head = Int32Array.from({ length: cut }, (_, i) => i);
    const tail = Int32Array.from({ length: this.size - cut }, (_, i) => cut + i);
    const part = (rows: Int32Array) =>
      new ArrayData(
        this.x.map((t, i) => this.take(t, this.hostX[i]!, rows)),
        this.y ? this.y.map((t, i) => this.take(t, this.hostY![i]!, rows)) : null,
        this.sampleWeight ? this.take(this.sampleWeight, this.hostW!, rows) : null,
        op,
      );
    return [part(head), part(tail)];
  }

  /** Batches of `batchSize` rows, in a fresh random order when `shuffle`. */
  *batches(batchSize: number, shuffle: boolean): Generator<Batch> {
    // The permutation is made on the host (js) whatever the current backend, since it is read at once.
    const order = shuffle ? (engine.withBackend('js', () => permutation(this.size).dataSync()) as Int32Array) : Int32Array.from({ length: this.size }, (_, i) => i);
    for (let start = 0; start < this.size; start += batchSize) {
      const rows = order.subarray(start, Math.min(start + batchSize, this.size));
      yield {
        x: this.x.map((t, i) => this.take(t, this.hostX[i]!, rows)),
        y: this.y ? this.y.map((t, i) => this.take(t, this.hostY![i]!, rows)) : null,
        sampleWeight: this.sampleWeight ? this.take(this.sampleWeight, this.hostW!, rows) : null,
        size: rows.length,
      };
    }
  }

  stepsFor(batchSize: number): number {
    return Math.ceil(this.size / batchSize);
  }
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
  for (const t of [...xs, ...(ys ?? [])]) if (!(t instanceof Tensor)) throw new ValueError(`${op}: dataset batches must hold tensors`);
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
