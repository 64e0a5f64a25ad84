// The stateful metric base (keras.metrics.Metric), the weighted Mean, and the wrapper that averages
// a per-sample function over every batch seen.
import { checkOptions, optionKeys, type KeyList } from '../check-options.js';
import { tidy } from '../backends/registry.js';
import { ValueError } from '../errors.js';
import { add, divNoNan, mul } from '../ops/primitives/binary.js';
import { cast } from '../ops/primitives/cast.js';
import { sum } from '../ops/primitives/reduce.js';
import { broadcastTo } from '../ops/primitives/shape.js';
import { mean } from '../ops/composite/math.js';
import { assertDType, type DType } from '../tensor/dtype.js';
import { full, tensor, toTensor, type TensorLike } from '../ops/creation.js';
import { Tensor } from '../tensor/tensor.js';
import { Variable } from '../autograd/variable.js';
import { squeezeOrExpandToSameRank } from '../losses/reduction.js';

/** Options every metric takes. */
export interface MetricOptions {
  /** Name in logs (default: the snake_case metric name). */
  name?: string;
  /** dtype of the state and the result (default float32). */
  dtype?: DType;
}

/** The keys of MetricOptions, spread into each metric's own list. */
export const METRIC_KEYS: KeyList<MetricOptions> = { name: true, dtype: true };
/** The option keys of a metric taking only MetricOptions. */
export const PLAIN_METRIC_KEYS = optionKeys<MetricOptions>(METRIC_KEYS);

/**
 * Base of stateful metrics: state lives in non-trainable Variables made with `addVariable`;
 * `updateState` accumulates a batch, `result` reads the value, `resetState` starts over.
 */
export abstract class Metric {
  readonly name: string;
  readonly dtype: DType;
  private readonly stateVariables: { variable: Variable; init: number }[] = [];

  constructor(opts: MetricOptions = {}, defaultName = 'metric') {
    this.name = opts.name ?? defaultName;
    this.dtype = assertDType(opts.dtype ?? 'float32', this.name);
  }

  /** A state variable, reset to `init` by `resetState`. */
  protected addVariable(shape: readonly number[], name: string, init = 0): Variable {
    const variable = new Variable(full(shape, init, this.dtype), { trainable: false, name: `${this.name}/${name}` });
    this.stateVariables.push({ variable, init });
    return variable;
  }

  /** The state variables (for saving, or for summing state across workers). */
  get variables(): Variable[] {
    return this.stateVariables.map((s) => s.variable);
  }

  /** Accumulate one batch. Most metrics take `(yTrue, yPred, sampleWeight?)`; `Mean` takes `(values, sampleWeight?)`. */
  abstract updateState(yTrue: TensorLike, yPred?: TensorLike | null, sampleWeight?: TensorLike | null): void;

  /** The metric over everything accumulated since the last reset. */
  abstract result(): Tensor;

  /** Set every state variable back to its initial value. */
  resetState(): void {
    for (const { variable, init } of this.stateVariables) variable.assign(full(variable.shape, init, this.dtype));
  }

  /** Constructor arguments as JSON, enough to make an equal metric. */
  getConfig(): Record<string, unknown> {
    return { name: this.name, dtype: this.dtype };
  }

  /** `variable += delta` (cast to the metric's dtype). */
  protected accumulate(variable: Variable, delta: Tensor): void {
    variable.assign(add(variable.value(), delta.dtype === this.dtype ? delta : cast(delta, this.dtype)));
  }

  /** Convert to a tensor of the metric's dtype. */
  protected asMetricDType(x: TensorLike, what: string): Tensor {
    const t = Array.isArray(x) ? tensor(x, this.dtype) : toTensor(x, `${this.name} ${what}`, this.dtype);
    return t.dtype === this.dtype ? t : cast(t, this.dtype);
  }
}

/**
 * Per-sample `values` (first axis = samples) and their weights, like Keras's reduce_to_samplewise_values:
 * values beyond the weights' rank are averaged, weights broadcast to the values, inner axes averaged.
 */
export function reduceToSamplewise(values: Tensor, sampleWeight: Tensor | null): [Tensor, Tensor | null] {
  let v = values;
  let w = sampleWeight;
  if (w) {
    [v, w] = squeezeOrExpandToSameRank(v, w);
    if (v.rank > w.rank) v = mean(v, [...Array(v.rank - w.rank).keys()].map((i) => i + w!.rank));
    w = broadcastTo(w, v.shape);
    v = mul(v, w);
    if (w.rank > 1) w = mean(w, [...Array(w.rank - 1).keys()].map((i) => i + 1));
  }
  if (v.rank > 1) v = mean(v, [...Array(v.rank - 1).keys()].map((i) => i + 1));
  return [v, w];
}

/** The (weighted) mean of every value passed to `updateState(values, sampleWeight?)`. */
export class Mean extends Metric {
  protected readonly total: Variable;
  protected readonly count: Variable;

  constructor(opts: MetricOptions = {}) {
    if (new.target === Mean) checkOptions('Mean', opts, PLAIN_METRIC_KEYS);
    super(opts, 'mean');
    this.total = this.addVariable([], 'total');
    this.count = this.addVariable([], 'count');
  }

  updateState(values: TensorLike, sampleWeight?: TensorLike | null): void {
    tidy(() => {
      const w0 = sampleWeight === undefined || sampleWeight === null ? null : this.asMetricDType(sampleWeight, 'sampleWeight');
      const [v, w] = reduceToSamplewise(this.asMetricDType(values, 'values'), w0);
      this.accumulate(this.total, sum(v));
      this.accumulate(this.count, w ? sum(w) : tensor(v.rank >= 1 ? v.shape[0]! : 1, this.dtype));
    });
  }

  result(): Tensor {
    return divNoNan(this.total.value(), this.count.value());
  }
}

/** Per-sample metric function: values with the batch as first axis. */
export type MetricFn = (yTrue: Tensor, yPred: Tensor) => Tensor;

/** A `Mean` of `fn(yTrue, yPred)` over all samples seen (how accuracy, mae, ... are built, as in Keras). */
export class MeanMetricWrapper extends Mean {
  readonly fn: MetricFn;

  constructor(fn: MetricFn, opts: MetricOptions = {}) {
    if (new.target === MeanMetricWrapper) checkOptions('MeanMetricWrapper', opts, PLAIN_METRIC_KEYS);
    if (typeof fn !== 'function') throw new ValueError(`MeanMetricWrapper: expected a function (yTrue, yPred) => Tensor, got ${typeof fn}`);
    super({ ...opts, name: opts.name ?? (fn.name || 'mean_metric_wrapper') });
    this.fn = fn;
  }

  override updateState(yTrue: TensorLike, yPred?: TensorLike | null, sampleWeight?: TensorLike | null): void {
    if (yPred === undefined || yPred === null) throw new ValueError(`${this.name}.updateState: expected (yTrue, yPred, sampleWeight?), got no yPred`);
    tidy(() => super.updateState(this.fn(toTensor(yTrue, this.name), toTensor(yPred, this.name)), sampleWeight));
  }
}
