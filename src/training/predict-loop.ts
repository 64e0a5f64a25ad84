// predict: a model's outputs over its inputs in batches, joined along the batch axis. On tensors
// (and nested arrays) it runs synchronously; on a dataset it awaits the batches and the callbacks.
// Per batch it does only the step itself and what the caller asked for: the rows are views of the
// input (no copy), and callback hooks run only when a given callback overrides them.
import { checkOptions, optionKeys } from '../check-options.js';
import { engine } from '../engine/engine.js';
import { ValueError } from '../errors.js';
import { slice } from '../ops/primitives/shape.js';
import { concat } from '../ops/primitives/structure.js';
import { Tensor } from '../tensor/tensor.js';
import { CallbackList, type Callback, type CallbackHooks } from './callbacks/callback.js';
import { ArrayData, DatasetData, madeFrom, toTensorList, type DatasetElement, type TensorData } from './data-adapter.js';
import { EventLoopYielder } from './event-loop-yield.js';
import { positiveInt } from './loops.js';
import { predictStep } from './steps.js';
import type { Trainer } from './trainer.js';

export interface PredictOptions {
  /** Rows per step (default 32). */
  batchSize?: number;
  /** Passed to the callbacks' params (predict prints nothing). */
  verbose?: number;
  /** At most this many batches. */
  steps?: number;
  /** Their onPredictBegin / onPredictBatchBegin / onPredictBatchEnd / onPredictEnd hooks are called. */
  callbacks?: (Callback | CallbackHooks)[];
}

const PREDICT_KEYS = optionKeys<PredictOptions>({ batchSize: true, verbose: true, steps: true, callbacks: true });

/** The given callbacks, and which per-batch hooks any of them implements (the others are skipped). */
function callbacksOf(model: Trainer, opts: PredictOptions, steps: number | null) {
  const list = new CallbackList(opts.callbacks ?? [], model, { steps, verbose: opts.verbose ?? 0 });
  return { list, batchBegin: list.overrides('onPredictBatchBegin'), batchEnd: list.overrides('onPredictBatchEnd') };
}

/** Rows [start, start + count) of every input, as views. */
function rowsOf(xs: readonly Tensor[], start: number, count: number): Tensor[] {
  const rows: Tensor[] = [];
  for (let i = 0; i < xs.length; i++) rows.push(slice(xs[i]!, [start], [count]));
  return rows;
}

/** Free the batch's row views once its step is done, except one the model returned as an output (an identity model). */
function freeRows(rows: readonly Tensor[], data: ArrayData, outs: readonly Tensor[]): void {
  for (const t of rows) if (!data.isSource(t) && !outs.includes(t)) t.dispose();
}

/** Free the outputs of the batches so far (a step threw), never the caller's own tensors. */
function freeParts(parts: readonly Tensor[][], isSource: (t: Tensor) => boolean): void {
  for (const p of parts) for (const t of p) if (!isSource(t) && !t.isDisposed) t.dispose();
}

/** Predict over batches of tensors, synchronously. */
export function predictArrays(model: Trainer, x: TensorData, opts: PredictOptions): Tensor[] {
  checkOptions('predict', opts, PREDICT_KEYS);
  const batchSize = positiveInt('predict', 'batchSize', opts.batchSize, 32);
  const stepLimit = opts.steps === undefined ? Infinity : positiveInt('predict', 'steps', opts.steps, 1);
  const withCallbacks = (opts.callbacks?.length ?? 0) > 0;
  // One tensor already on this backend that fits one batch (a served request): the batch is the
  // tensor itself, as the general path below would make it, without the batching machinery.
  if (!withCallbacks && x instanceof Tensor && model.inputCount === 1 && x.rank > 0 && x.shape[0]! >= 1 && x.shape[0]! <= batchSize && x.backend === engine.backend.name) {
    x.assertAlive('predict');
    return predictStep(model, { x: [x], y: null, sampleWeight: null, size: x.shape[0]! });
  }
  const xs = toTensorList(x, 'predict: x', model.inputCount);
  const data = ArrayData.onCurrentBackend(xs, null, null, 'predict', madeFrom(x, xs));
  const steps = Math.min(data.stepsFor(batchSize), stepLimit);
  const parts: Tensor[][] = [];
  let result: Tensor[] | null = null;
  try {
    const cb = withCallbacks ? callbacksOf(model, opts, steps) : null;
    cb?.list.callSync('predict', 'onPredictBegin', {});
    for (let step = 0; step < steps; step++) {
      const start = step * batchSize;
      const size = Math.min(batchSize, data.size - start);
      // All rows in one batch: the tensors themselves.
      const rows = size === data.size ? data.x : rowsOf(data.x, start, size);
      if (cb?.batchBegin) cb.list.callSync('predict', 'onPredictBatchBegin', step, {});
      let outs: Tensor[] = [];
      try {
        outs = predictStep(model, { x: rows, y: null, sampleWeight: null, size });
      } finally {
        freeRows(rows, data, outs);
      }
      parts.push(outs);
      if (cb?.batchEnd) cb.list.callSync('predict', 'onPredictBatchEnd', step, {});
    }
    cb?.list.callSync('predict', 'onPredictEnd', {});
    result = joinOutputs(parts);
    return result;
  } finally {
    if (!result) freeParts(parts, (t) => data.isSource(t));
    // An identity model's single batch is the input itself (a copy, or made from arrays): that is the result.
    data.release(result ?? []);
  }
}

/** Predict over the batches of a dataset, awaiting each and the callbacks' hooks. */
export async function predictDataset(model: Trainer, ds: AsyncIterable<DatasetElement>, opts: PredictOptions): Promise<Tensor[]> {
  checkOptions('predict', opts, PREDICT_KEYS);
  if (opts.batchSize !== undefined) positiveInt('predict', 'batchSize', opts.batchSize, 32);
  const steps = opts.steps === undefined ? null : positiveInt('predict', 'steps', opts.steps, 1);
  const { list, batchBegin, batchEnd } = callbacksOf(model, opts, steps);
  const data = new DatasetData(ds, steps);
  const parts: Tensor[][] = [];
  const given = new Set<Tensor>();
  let result: Tensor[] | null = null;
  try {
    await list.call('onPredictBegin', {});
    const yielder = new EventLoopYielder();
    let step = 0;
    for await (const batch of data.batches(false, 'predict')) {
      for (const t of batch.x) given.add(t);
      if (batchBegin) await list.call('onPredictBatchBegin', step, {});
      parts.push(predictStep(model, batch));
      if (batchEnd) await list.call('onPredictBatchEnd', step, {});
      step++;
      await yielder.maybeYield();
    }
    await list.call('onPredictEnd', {});
    result = joinOutputs(parts);
    return result;
  } finally {
    if (!result) freeParts(parts, (t) => given.has(t));
  }
}

/** Each output's batches joined along the batch axis (one concat per output), freeing the parts. */
function joinOutputs(parts: Tensor[][]): Tensor[] {
  if (!parts.length) throw new ValueError('predict: the data produced no batches');
  if (parts.length === 1) return parts[0]!;
  const joined = parts[0]!.map((_, i) => concat(parts.map((p) => p[i]!), 0));
  for (const p of parts) for (const t of p) t.dispose();
  return joined;
}
