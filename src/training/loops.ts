// The fit / evaluate / predict loops: batching, callbacks, validation, logs.
import { checkOptions, optionKeys } from '../check-options.js';
import { engine } from '../engine/engine.js';
import { ValueError } from '../errors.js';
import { tensor } from '../ops/creation.js';
import { Tensor } from '../tensor/tensor.js';
import { CallbackList, type Callback, type CallbackHooks, type Logs } from './callbacks/callback.js';
import { History } from './callbacks/history.js';
import { ProgressBar } from './callbacks/progress-bar.js';
import type { CompiledState } from './compile.js';
import { ArrayData, DatasetData, isAsyncIterable, madeFrom, shardBatch, toTensorList, type Batch, type DatasetElement, type RowShard, type TensorData } from './data-adapter.js';
import { reduceLogs, rowShard } from './data-parallel.js';
import { rank, worldSize } from '../distribute/process-group.js';
import { EventLoopYielder } from './event-loop-yield.js';
import { readStepResultAsync, shareWeightsFromRankZero, testStep, trainStep } from './steps.js';
import type { Trainer } from './trainer.js';

export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  /** 0 silent, 1 progress bar, 2 one line per epoch (default 1). */
  verbose?: number;
  callbacks?: (Callback | CallbackHooks)[];
  /** Fraction of the data (the last samples, before shuffling) held out for validation. */
  validationSplit?: number;
  /** [x, y], [x, y, sampleWeight], or a dataset of batches. */
  validationData?: readonly [TensorData, TensorData, TensorData?] | AsyncIterable<DatasetElement>;
  shuffle?: boolean;
  /** Weight of each class index in the loss. */
  classWeight?: Record<number, number>;
  sampleWeight?: TensorData;
  initialEpoch?: number;
  /** Batches per epoch (datasets: continue one iterator across epochs). */
  stepsPerEpoch?: number;
  validationSteps?: number;
  validationBatchSize?: number;
  /** Validate every N epochs (default 1). */
  validationFreq?: number;
}

const FIT_KEYS = optionKeys<FitOptions>({
  epochs: true, batchSize: true, verbose: true, callbacks: true, validationSplit: true, validationData: true, shuffle: true, classWeight: true,
  sampleWeight: true, initialEpoch: true, stepsPerEpoch: true, validationSteps: true, validationBatchSize: true, validationFreq: true,
});

export interface EvaluateOptions {
  batchSize?: number;
  /** 0 silent, 1 a progress bar ending with the totals (default), 2 just the totals. */
  verbose?: number;
  sampleWeight?: TensorData;
  steps?: number;
  callbacks?: (Callback | CallbackHooks)[];
  /** Return { loss, metric: value } instead of a number or an array. */
  returnDict?: boolean;
}

export const EVALUATE_KEYS = optionKeys<EvaluateOptions>({ batchSize: true, verbose: true, sampleWeight: true, steps: true, callbacks: true, returnDict: true });

/** Batch-size-weighted running mean of the loss (and per-output losses), as Keras's loss tracker. */
class LossTracker {
  private sums: number[] = [];
  private count = 0;
  add(r: { loss: number; outputLosses: (number | null)[] }, size: number): void {
    const vals = [r.loss, ...r.outputLosses.map((v) => v ?? 0)];
    vals.forEach((v, i) => (this.sums[i] = (this.sums[i] ?? 0) + v * size));
    this.count += size;
  }
  /** Samples seen so far. */
  get rows(): number {
    return this.count;
  }
  values(): number[] {
    return this.sums.map((s) => (this.count ? s / this.count : 0));
  }
}

/**
 * Loss and metric values so far; metric results are read asynchronously, so GPU backends work.
 * With `acrossRanks` (data-parallel), the values over every rank's samples (every rank must call it).
 */
async function logsOf(state: CompiledState, tracker: LossTracker, acrossRanks = false): Promise<Logs> {
  const logs: Logs = {};
  const losses = tracker.values();
  logs.loss = losses[0] ?? NaN;
  if (state.outputNames.length > 1) state.outputNames.forEach((n, i) => (logs[`${n}_loss`] = losses[i + 1] ?? NaN));
  const results = engine.tidy(() => state.metrics.map((m) => m.metric.result()));
  for (let i = 0; i < results.length; i++) {
    logs[state.metrics[i]!.logName] = (await results[i]!.data())[0]!;
    results[i]!.dispose();
  }
  return acrossRanks ? reduceLogs(logs, tracker.rows, 'fit (reducing the logs over the ranks)') : logs;
}

export function positiveInt(op: string, what: string, v: number | undefined, dflt: number): number {
  const n = v ?? dflt;
  if (!Number.isInteger(n) || n <= 0) throw new ValueError(`${op}: ${what} must be a positive integer, got ${String(v)}`);
  return n;
}

/** Per-sample weights from class weights: the label's class (argmax of one-hot rows, else the value). */
function classWeightsFor(ys: Tensor[], classWeight: Record<number, number>, op: string): Tensor {
  if (ys.length !== 1) throw new ValueError(`${op}: classWeight needs a model with one output`);
  const y = ys[0]!;
  const v = y.dataSync();
  const n = y.shape[0]!;
  const per = y.size / Math.max(1, n);
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let cls: number;
    if (per > 1) {
      cls = 0;
      for (let j = 1; j < per; j++) if (v[i * per + j]! > v[i * per + cls]!) cls = j;
    } else cls = Math.round(v[i]!);
    w[i] = classWeight[cls] ?? 1;
  }
  return tensor(w);
}

/** Where batches come from; `shard`: this rank's part of every batch (data-parallel), else null. */
type Source =
  | { kind: 'array'; data: ArrayData; batchSize: number; shuffle: boolean; shard: RowShard | null }
  | { kind: 'dataset'; data: DatasetData; shard: RowShard | null };

/** The arrays as batches on the current backend; `made` collects them, for `release` when the loop ends. */
function arraySource(model: Trainer, x: TensorData, y: TensorData | undefined, sw: TensorData | undefined, op: string, made: ArrayData[]): ArrayData {
  const xs = toTensorList(x, `${op}: x`, model.inputCount);
  const ys = y === undefined ? null : toTensorList(y, `${op}: y`, model.outputNames.length);
  const w = sw === undefined ? null : toTensorList(sw, `${op}: sampleWeight`, 1)[0]!;
  const fromArrays = [...madeFrom(x, xs), ...(ys ? madeFrom(y!, ys) : []), ...(w ? madeFrom(sw!, [w]) : [])];
  const data = ArrayData.onCurrentBackend(xs, ys, w, op, fromArrays);
  made.push(data);
  return data;
}

/** Run `loop` with a list for the ArrayData it makes, releasing them however it ends. */
async function withArrays<T>(loop: (made: ArrayData[]) => Promise<T>): Promise<T> {
  const made: ArrayData[] = [];
  try {
    return await loop(made);
  } finally {
    for (const d of made) d.release();
  }
}

async function* batchesOf(src: Source, withTargets: boolean, op: string): AsyncGenerator<Batch> {
  if (src.kind === 'array') {
    yield* src.data.batches(src.batchSize, src.shuffle, src.shard);
    return;
  }
  for await (const batch of src.data.batches(withTargets, op)) {
    if (!src.shard) {
      yield batch;
      continue;
    }
    const part = shardBatch(batch, src.shard);
    const views = part === batch ? [] : [...part.x, ...(part.y ?? []), ...(part.sampleWeight ? [part.sampleWeight] : [])];
    yield part;
    for (const t of views) t.dispose();
  }
}

/** Data-parallel: a global batch must give every rank at least one row. */
function checkGlobalBatch(op: string, batchSize: number, shard: RowShard | null): void {
  if (shard && batchSize < worldSize()) throw new ValueError(`${op}: batchSize ${batchSize} is the global batch, split over ${worldSize()} ranks: it must be at least the world size`);
}

function stepsOf(src: Source, limit?: number): number | null {
  if (src.kind === 'array') {
    const n = src.data.stepsFor(src.batchSize);
    return limit ? Math.min(limit, n) : n;
  }
  return src.data.steps;
}

export function fitLoop(model: Trainer, x: TensorData | AsyncIterable<DatasetElement>, y: TensorData | undefined, opts: FitOptions): Promise<History> {
  try {
    checkOptions('fit', opts, FIT_KEYS);
  } catch (e) {
    return Promise.reject(e as Error);
  }
  return withArrays((made) => fitOver(model, x, y, opts, made));
}

async function fitOver(model: Trainer, x: TensorData | AsyncIterable<DatasetElement>, y: TensorData | undefined, opts: FitOptions, made: ArrayData[]): Promise<History> {
  const op = 'fit';
  const state = model.requireCompiled(op);
  const epochs = positiveInt(op, 'epochs', opts.epochs, 1);
  const initialEpoch = opts.initialEpoch ?? 0;
  if (!Number.isInteger(initialEpoch) || initialEpoch < 0) throw new ValueError(`fit: initialEpoch must be a non-negative integer, got ${initialEpoch}`);
  const verbose = opts.verbose ?? 1;
  const shard = rowShard();
  let train: Source;
  let val: Source | null = null;
  if (isAsyncIterable(x)) {
    if (y !== undefined) throw new ValueError('fit: with a dataset, give no y: the dataset yields [x, y] batches');
    if (opts.validationSplit) throw new ValueError('fit: validationSplit needs arrays or tensors, not a dataset; pass validationData');
    train = { kind: 'dataset', data: new DatasetData(x, opts.stepsPerEpoch ?? null), shard };
  } else {
    if (y === undefined) throw new ValueError('fit: targets y are required (or pass a dataset of [x, y] batches)');
    let data = arraySource(model, x, y, opts.sampleWeight, op, made);
    if (opts.validationSplit) {
      const [a, b] = data.split(opts.validationSplit, op);
      made.push(a, b);
      data = a;
      val = { kind: 'array', data: b, batchSize: positiveInt(op, 'validationBatchSize', opts.validationBatchSize ?? opts.batchSize, 32), shuffle: false, shard };
    }
    train = { kind: 'array', data, batchSize: positiveInt(op, 'batchSize', opts.batchSize, 32), shuffle: opts.shuffle ?? true, shard };
    checkGlobalBatch(op, train.batchSize, shard);
  }
  if (opts.validationData !== undefined) {
    if (val) throw new ValueError('fit: give validationData or validationSplit, not both');
    const vd = opts.validationData;
    if (isAsyncIterable(vd)) val = { kind: 'dataset', data: new DatasetData(vd, opts.validationSteps ?? null), shard };
    else {
      if (!Array.isArray(vd) || vd.length < 2) throw new ValueError('fit: validationData must be [x, y], [x, y, sampleWeight] or a dataset');
      const data = arraySource(model, vd[0], vd[1], vd[2], 'fit (validationData)', made);
      val = { kind: 'array', data, batchSize: positiveInt(op, 'validationBatchSize', opts.validationBatchSize ?? opts.batchSize, 32), shuffle: false, shard };
    }
  }
  const steps = train.kind === 'array' ? stepsOf(train, opts.stepsPerEpoch) : (opts.stepsPerEpoch ?? null);
  const history = new History();
  const cbs: (Callback | CallbackHooks)[] = [...(opts.callbacks ?? []), history];
  // Data-parallel: one progress bar, on rank 0, showing the logs over every rank.
  if (verbose > 0 && rank() === 0) cbs.push(new ProgressBar({ verbose }));
  const list = new CallbackList(cbs, model, { epochs, steps, verbose, metrics: state.logNames });
  model.history = history;
  model.stopTraining = false;
  const validationFreq = opts.validationFreq ?? 1;
  // Data-parallel, the per-batch logs are a collective, so every rank must decide alike whether to
  // compute them: rank 0's progress bar counts on every rank, and every rank must be given the same
  // callbacks (as every rank runs the same script; gloo aborts on collectives that differ).
  const batchHooks = { begin: list.overrides('onTrainBatchBegin'), end: list.overrides('onTrainBatchEnd') || (shard !== null && verbose > 0) };
  const yielder = new EventLoopYielder();
  await list.call('onTrainBegin', {});
  for (let epoch = initialEpoch; epoch < epochs; epoch++) {
    state.resetMetrics();
    const tracker = new LossTracker();
    await list.call('onEpochBegin', epoch, {});
    let step = 0;
    for await (const batch of batchesOf(train, true, op)) {
      if (steps !== null && train.kind === 'array' && step >= steps) break;
      if (batchHooks.begin) await list.call('onTrainBatchBegin', step, { size: batch.size });
      if (opts.classWeight) batch.sampleWeight = classWeightsFor(batch.y!, opts.classWeight, op);
      tracker.add(await readStepResultAsync(trainStep(model, batch)), batch.size);
      if (train.kind === 'array' || opts.classWeight) releaseBatch(batch, train.kind === 'array' ? train.data : null);
      // The running metrics cost ops and reads every batch: only when a callback looks at them.
      if (batchHooks.end) await list.call('onTrainBatchEnd', step, await logsOf(state, tracker, shard !== null));
      step++;
      if (model.stopTraining) break;
      await yielder.maybeYield();
    }
    if (step === 0) throw new ValueError('fit: the training data produced no batches');
    const logs = await logsOf(state, tracker, shard !== null);
    if (val && (epoch + 1 - initialEpoch) % validationFreq === 0) {
      const valLogs = await runTest(model, val, [], 'fit (validation)');
      for (const [k, v] of Object.entries(valLogs)) logs[`val_${k}`] = v;
    }
    await list.call('onEpochEnd', epoch, logs);
    if (model.stopTraining) break;
  }
  await list.call('onTrainEnd', {});
  return history;
}

async function runTest(model: Trainer, src: Source, callbacks: (Callback | CallbackHooks)[], op: string, limit?: number): Promise<Logs> {
  const state = model.requireCompiled(op);
  // Data-parallel evaluate of a model fit never saw here: every rank scores rank 0's weights.
  if (src.shard) shareWeightsFromRankZero(model);
  const list = new CallbackList(callbacks, model, { steps: stepsOf(src, limit) });
  state.resetMetrics();
  const tracker = new LossTracker();
  await list.call('onTestBegin', {});
  const batchHooks = { begin: list.overrides('onTestBatchBegin'), end: list.overrides('onTestBatchEnd') };
  const yielder = new EventLoopYielder();
  let step = 0;
  for await (const batch of batchesOf(src, true, op)) {
    if (limit !== undefined && step >= limit) break;
    if (batchHooks.begin) await list.call('onTestBatchBegin', step, {});
    // Data-parallel, a short last batch may leave this rank no rows: nothing to compute.
    if (batch.size > 0) tracker.add(await readStepResultAsync(testStep(model, batch)), batch.size);
    if (src.kind === 'array') releaseBatch(batch, src.data);
    if (batchHooks.end) await list.call('onTestBatchEnd', step, await logsOf(state, tracker));
    step++;
    await yielder.maybeYield();
  }
  if (step === 0) throw new ValueError(`${op}: the data produced no batches`);
  const logs = await logsOf(state, tracker, src.shard !== null);
  await list.call('onTestEnd', logs);
  return logs;
}

export function evaluateLoop(model: Trainer, x: TensorData | AsyncIterable<DatasetElement>, y: TensorData | undefined, opts: EvaluateOptions): Promise<Logs> {
  const op = 'evaluate';
  return withArrays((made) => {
    let src: Source;
    const shard = rowShard();
    if (isAsyncIterable(x)) src = { kind: 'dataset', data: new DatasetData(x, opts.steps ?? null), shard };
    else {
      if (y === undefined) throw new ValueError('evaluate: targets y are required (or pass a dataset of [x, y] batches)');
      src = { kind: 'array', data: arraySource(model, x, y, opts.sampleWeight, op, made), batchSize: positiveInt(op, 'batchSize', opts.batchSize, 32), shuffle: false, shard };
    }
    const callbacks = [...(opts.callbacks ?? [])];
    if ((opts.verbose ?? 1) > 0 && rank() === 0) callbacks.push(new ProgressBar({ verbose: opts.verbose ?? 1 }));
    return runTest(model, src, callbacks, op, src.kind === 'array' ? opts.steps : undefined);
  });
}

/**
 * Free a batch's tensors once its step is done, so memory stays flat over an epoch: the sample
 * weights made from classWeight always, the rows the loop cut from `source` itself (never the
 * source's own tensors, which a batch spanning all rows is, nor a dataset's tensors).
 */
function releaseBatch(batch: Batch, source: ArrayData | null, keep: readonly Tensor[] = []): void {
  // An identity model returns its input itself: that tensor is the result, not garbage.
  if (source) for (const t of [...batch.x, ...(batch.y ?? [])]) if (!keep.includes(t) && !source.isSource(t)) t.dispose();
  if (batch.sampleWeight && !source?.isSource(batch.sampleWeight)) batch.sampleWeight.dispose();
}
