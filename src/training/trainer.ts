// The Keras training API of a model: compile, fit, evaluate, predict and the *OnBatch forms.
import { engine } from '../engine/engine.js';
import { ValueError } from '../errors.js';
import type { Optimizer } from '../optimizers/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { Layer } from '../nn/layers/layer.js';
import type { Logs } from './callbacks/callback.js';
import type { History } from './callbacks/history.js';
import { CompiledState, type CompileArgs } from './compile.js';
import { ArrayData, isAsyncIterable, toTensorList, type DatasetElement, type TensorData } from './data-adapter.js';
import { EVALUATE_KEYS, evaluateLoop, fitLoop, type EvaluateOptions, type FitOptions } from './loops.js';
import { predictArrays, predictDataset, type PredictOptions } from './predict-loop.js';
import { checkOptions, optionKeys } from '../check-options.js';
import { predictStep, readStepResult, testStep, trainStep } from './steps.js';

export interface OnBatchOptions {
  sampleWeight?: TensorData;
  /** Return { loss, metric: value } instead of a number or an array. */
  returnDict?: boolean;
}

const ON_BATCH_KEYS = optionKeys<OnBatchOptions>({ sampleWeight: true, returnDict: true });

/** Options asking for the `{ loss, metric: value }` record. */
type AsDict = { returnDict: true };
/** Keras's plain result: the loss alone when nothing else is logged, else [loss, ...metrics] (see metricsNames). */
export type LossOrLosses = number | number[];
/** The `returnDict` result: the loss, and each metric by its log name. */
export type ResultLogs = Logs & { loss: number };

/** Keras's return value: the loss alone without metrics, else [loss, ...metrics], or a record. */
function shapeResult(logs: Logs, returnDict: boolean | undefined): LossOrLosses | Logs {
  if (returnDict) return logs;
  const vals = Object.values(logs);
  return vals.length === 1 ? vals[0]! : vals;
}

export class Trainer extends Layer {
  compiled: CompiledState | null = null;
  /** Set by a callback (EarlyStopping, TerminateOnNaN) to end fit after the current batch. */
  stopTraining = false;
  /** The History of the latest fit. */
  history: History | null = null;

  /** Names of the outputs (Model overrides this). */
  get outputNames(): string[] {
    return ['output'];
  }

  /** How many inputs the model takes. */
  get inputCount(): number {
    const s = this.builtInputShape;
    return s && s.length > 0 && Array.isArray(s[0]) ? s.length : 1;
  }

  get optimizer(): Optimizer | null {
    return this.compiled?.optimizer ?? null;
  }

  /** Configure training: `compile({ optimizer: 'adam', loss: 'mse', metrics: ['mae'] })`. */
  compile(args: CompileArgs): void {
    const shapes = this.outputShapesForMetrics();
    this.compiled = new CompiledState(args, this.outputNames, shapes);
  }

  private outputShapesForMetrics(): ((number | null)[] | null)[] {
    const s = this.built ? this.lastOutputShape : null;
    if (!s) return this.outputNames.map(() => null);
    return s.length > 0 && Array.isArray(s[0]) ? (s as (number | null)[][]) : [s as (number | null)[]];
  }

  /** @internal */
  requireCompiled(op: string): CompiledState {
    if (!this.compiled) throw new ValueError(`${op}: model '${this.name}' must be compiled first: call model.compile({ optimizer, loss })`);
    return this.compiled;
  }

  /** Names of the logged quantities: loss, then metrics (Keras's metrics_names). */
  get metricsNames(): string[] {
    return this.compiled ? this.compiled.logNames : [];
  }

  /**
   * Train for `epochs` over `x`/`y` (tensors, nested arrays, or one per input/output), or over a
   * dataset yielding [x, y] batches: `fit(x, y, opts)` or `fit(dataset, opts)`.
   */
  fit(x: TensorData, y: TensorData, opts?: FitOptions): Promise<History>;
  fit(dataset: AsyncIterable<DatasetElement>, opts?: FitOptions): Promise<History>;
  fit(x: TensorData | AsyncIterable<DatasetElement>, y?: TensorData | FitOptions, opts: FitOptions = {}): Promise<History> {
    if (isAsyncIterable(x)) return fitLoop(this, x, undefined, (y as FitOptions | undefined) ?? {});
    return fitLoop(this, x, y as TensorData, opts);
  }

  /**
   * Loss (and metrics) over data: with `returnDict: true` a record `{ loss, accuracy, ... }`; else the
   * loss alone (a number) when nothing else is logged, or `[loss, ...metrics]` in `metricsNames` order.
   */
  evaluate(x: TensorData, y: TensorData, opts: EvaluateOptions & AsDict): Promise<ResultLogs>;
  evaluate(x: TensorData, y: TensorData, opts?: EvaluateOptions): Promise<LossOrLosses>;
  evaluate(dataset: AsyncIterable<DatasetElement>, opts: EvaluateOptions & AsDict): Promise<ResultLogs>;
  evaluate(dataset: AsyncIterable<DatasetElement>, opts?: EvaluateOptions): Promise<LossOrLosses>;
  async evaluate(x: TensorData | AsyncIterable<DatasetElement>, y?: TensorData | EvaluateOptions, opts: EvaluateOptions = {}): Promise<LossOrLosses | Logs> {
    const o = isAsyncIterable(x) ? ((y as EvaluateOptions | undefined) ?? {}) : opts;
    checkOptions('evaluate', o, EVALUATE_KEYS);
    const logs = await evaluateLoop(this, x, isAsyncIterable(x) ? undefined : (y as TensorData), o);
    return shapeResult(logs, o.returnDict);
  }

  /** Outputs for inputs, computed in batches (a Promise for datasets). Several outputs give an array. */
  predict(x: TensorData, opts?: PredictOptions): Tensor;
  predict(dataset: AsyncIterable<DatasetElement>, opts?: PredictOptions): Promise<Tensor>;
  predict(x: TensorData | AsyncIterable<DatasetElement>, opts: PredictOptions = {}): Tensor | Promise<Tensor> {
    if (isAsyncIterable(x)) return predictDataset(this, x, opts).then((outs) => this.single(outs));
    return this.single(predictArrays(this, x, opts));
  }

  /** Like predict, always returning one tensor per output. */
  predictAll(x: TensorData, opts: PredictOptions = {}): Tensor[] {
    return predictArrays(this, x, opts);
  }

  private single(outs: Tensor[]): Tensor {
    return (outs.length === 1 ? outs[0]! : outs) as Tensor;
  }

  /** One gradient update on one batch; returns the loss (and metrics) of that batch. */
  trainOnBatch(x: TensorData, y: TensorData, opts: OnBatchOptions & AsDict): ResultLogs;
  trainOnBatch(x: TensorData, y: TensorData, opts?: OnBatchOptions): LossOrLosses;
  trainOnBatch(x: TensorData, y: TensorData, opts: OnBatchOptions = {}): LossOrLosses | Logs {
    checkOptions('trainOnBatch', opts, ON_BATCH_KEYS);
    const state = this.requireCompiled('trainOnBatch');
    const batch = this.batchOf(x, y, opts.sampleWeight, 'trainOnBatch');
    state.resetMetrics();
    const r = readStepResult(trainStep(this, batch));
    return shapeResult(this.batchLogs(r.loss, r.outputLosses), opts.returnDict);
  }

  /** Loss (and metrics) of one batch, without updating weights. */
  testOnBatch(x: TensorData, y: TensorData, opts: OnBatchOptions & AsDict): ResultLogs;
  testOnBatch(x: TensorData, y: TensorData, opts?: OnBatchOptions): LossOrLosses;
  testOnBatch(x: TensorData, y: TensorData, opts: OnBatchOptions = {}): LossOrLosses | Logs {
    checkOptions('testOnBatch', opts, ON_BATCH_KEYS);
    const state = this.requireCompiled('testOnBatch');
    const batch = this.batchOf(x, y, opts.sampleWeight, 'testOnBatch');
    state.resetMetrics();
    const r = readStepResult(testStep(this, batch));
    return shapeResult(this.batchLogs(r.loss, r.outputLosses), opts.returnDict);
  }

  /** Outputs for one batch. */
  predictOnBatch(x: TensorData): Tensor {
    const xs = toTensorList(x, 'predictOnBatch: x', this.inputCount);
    return this.single(predictStep(this, { x: xs, y: null, sampleWeight: null, size: xs[0]!.shape[0] ?? 1 }));
  }

  private batchOf(x: TensorData, y: TensorData, sw: TensorData | undefined, op: string) {
    const data = new ArrayData(
      toTensorList(x, `${op}: x`, this.inputCount),
      toTensorList(y, `${op}: y`, this.outputNames.length),
      sw === undefined ? null : toTensorList(sw, `${op}: sampleWeight`, 1)[0]!,
      op,
    );
    return { x: data.x, y: data.y, sampleWeight: data.sampleWeight, size: data.size };
  }

  private batchLogs(loss: number, outputLosses: (number | null)[]): Logs {
    const state = this.compiled!;
    const logs: Logs = { loss };
    if (state.outputNames.length > 1) state.outputNames.forEach((n, i) => (logs[`${n}_loss`] = outputLosses[i] ?? NaN));
    engine.tidy(() => {
      for (const m of state.metrics) logs[m.logName] = m.metric.result().item();
    });
    return logs;
  }

  /** Clear the metrics' accumulated state. */
  resetMetrics(): void {
    this.compiled?.resetMetrics();
  }
}
