// Regression metrics: mean absolute/squared error, RMSE and R² (Keras's definitions).
import { checkOptions, optionKeys } from '../check-options.js';
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { add, div, divNoNan, mul, sub } from '../ops/primitives/binary.js';
import { sum } from '../ops/primitives/reduce.js';
import { where } from '../ops/primitives/select.js';
import { broadcastTo, expandDims } from '../ops/primitives/shape.js';
import { sqrt, square } from '../ops/primitives/unary.js';
import { isInf } from '../ops/composite/elementwise.js';
import { mean } from '../ops/composite/math.js';
import { tidy } from '../backends/registry.js';
import { onesLike, tensor, type TensorLike } from '../ops/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';
import { meanAbsoluteError, meanSquaredError } from '../losses/regression.js';
import { squeezeOrExpandToSameRank } from '../losses/reduction.js';
import { METRIC_KEYS, Mean, MeanMetricWrapper, Metric, PLAIN_METRIC_KEYS, type MetricOptions } from './metric.js';

export class MeanAbsoluteError extends MeanMetricWrapper {
  constructor(opts: MetricOptions = {}) {
    checkOptions('MeanAbsoluteError', opts, PLAIN_METRIC_KEYS);
    super(meanAbsoluteError, { name: 'mean_absolute_error', ...opts });
  }
}

export class MeanSquaredError extends MeanMetricWrapper {
  constructor(opts: MetricOptions = {}) {
    checkOptions('MeanSquaredError', opts, PLAIN_METRIC_KEYS);
    super(meanSquaredError, { name: 'mean_squared_error', ...opts });
  }
}

/** sqrt of the (weighted) mean of squared errors over everything seen. */
export class RootMeanSquaredError extends Mean {
  constructor(opts: MetricOptions = {}) {
    checkOptions('RootMeanSquaredError', opts, PLAIN_METRIC_KEYS);
    super({ name: 'root_mean_squared_error', ...opts });
  }

  override updateState(yTrue: TensorLike, yPred?: TensorLike | null, sampleWeight?: TensorLike | null): void {
    if (yPred === undefined || yPred === null) throw new ValueError(`${this.name}.updateState: expected (yTrue, yPred, sampleWeight?)`);
    tidy(() => {
      const [t, p] = squeezeOrExpandToSameRank(this.asMetricDType(yTrue, 'yTrue'), this.asMetricDType(yPred, 'yPred'));
      super.updateState(square(sub(p, t)), sampleWeight);
    });
  }

  override result(): Tensor {
    return sqrt(divNoNan(this.total.value(), this.count.value()));
  }
}

export interface R2ScoreOptions extends MetricOptions {
  /** 'uniform_average' (default), 'variance_weighted_average', or null for one score per output. */
  classAggregation?: 'uniform_average' | 'variance_weighted_average' | null;
  /** Regressors of the model, for the adjusted R² (default 0: plain R²). */
  numRegressors?: number;
}

const R2_SCORE_KEYS = optionKeys<R2ScoreOptions>({ ...METRIC_KEYS, classAggregation: true, numRegressors: true });

/** Coefficient of determination 1 - SS_res / SS_tot per output, from sums accumulated over batches. */
export class R2Score extends Metric {
  readonly classAggregation: 'uniform_average' | 'variance_weighted_average' | null;
  readonly numRegressors: number;
  private state: { sum: Variable; squaredSum: Variable; totalMse: Variable; count: Variable; numSamples: Variable } | null = null;
  private outputs = 0;

  constructor(opts: R2ScoreOptions = {}) {
    checkOptions('R2Score', opts, R2_SCORE_KEYS);
    super(opts, 'r2_score');
    this.classAggregation = opts.classAggregation === undefined ? 'uniform_average' : opts.classAggregation;
    this.numRegressors = opts.numRegressors ?? 0;
    if (![null, 'uniform_average', 'variance_weighted_average'].includes(this.classAggregation)) {
      throw new ValueError(`R2Score: classAggregation must be 'uniform_average', 'variance_weighted_average' or null, got '${String(this.classAggregation)}'`);
    }
    if (!(Number.isInteger(this.numRegressors) && this.numRegressors >= 0)) throw new ValueError(`R2Score: numRegressors must be an integer >= 0, got ${this.numRegressors}`);
  }

  private stateFor(outputs: number) {
    if (!this.state) {
      this.outputs = outputs;
      this.state = {
        sum: this.addVariable([outputs], 'sum'),
        squaredSum: this.addVariable([outputs], 'squared_sum'),
        totalMse: this.addVariable([outputs], 'total_mse'),
        count: this.addVariable([outputs], 'count'),
        numSamples: this.addVariable([], 'num_samples'),
      };
    } else if (outputs !== this.outputs) {
      throw new ShapeError(`${this.name}: got ${outputs} outputs, but earlier batches had ${this.outputs}`);
    }
    return this.state;
  }

  updateState(yTrue: TensorLike, yPred?: TensorLike | null, sampleWeight?: TensorLike | null): void {
    if (yPred === undefined || yPred === null) throw new ValueError(`${this.name}.updateState: expected (yTrue, yPred, sampleWeight?)`);
    tidy(() => {
      let t = this.asMetricDType(yTrue, 'yTrue');
      let p = this.asMetricDType(yPred, 'yPred');
      if (t.rank === 1) t = expandDims(t, 1);
      if (p.rank === 1) p = expandDims(p, 1);
      if (t.rank !== 2 || p.rank !== 2 || t.shape[0] !== p.shape[0] || t.shape[1] !== p.shape[1]) {
        throw new ShapeError(`${this.name}: expected yTrue and yPred of the same shape [batch] or [batch, outputs], got ${fmtShape(t.shape)} and ${fmtShape(p.shape)}`);
      }
      const s = this.stateFor(t.shape[1]!);
      let w = sampleWeight === undefined || sampleWeight === null ? onesLike(t) : this.asMetricDType(sampleWeight, 'sampleWeight');
      if (w.rank === 1) w = expandDims(w, 1);
      w = broadcastTo(w, t.shape);
      const weighted = mul(t, w);
      this.accumulate(s.sum, sum(weighted, 0));
      this.accumulate(s.squaredSum, sum(mul(t, weighted), 0));
      this.accumulate(s.totalMse, sum(mul(square(sub(t, p)), w), 0));
      this.accumulate(s.count, sum(w, 0));
      this.accumulate(s.numSamples, tensor(t.shape[0]!, this.dtype));
    });
  }

  result(): Tensor {
    if (!this.state) return tensor(0, this.dtype);
    const s = this.state;
    const meanValue = div(s.sum.value(), s.count.value());
    const total = sub(s.squaredSum.value(), mul(s.sum.value(), meanValue));
    const raw = sub(1, div(s.totalMse.value(), total));
    const scores = where(isInf(raw), 0, raw);
    let r2: Tensor;
    if (this.classAggregation === 'uniform_average') r2 = mean(scores);
    else if (this.classAggregation === 'variance_weighted_average') r2 = div(sum(mul(total, scores)), sum(total));
    else r2 = scores;
    if (this.numRegressors === 0) return r2;
    // Adjusted R² = 1 - (1 - R²)(n - 1)/(n - p - 1); undefined (NaN) unless n > p + 1.
    const n = s.numSamples.value();
    const ratio = div(sub(n, 1), sub(sub(n, this.numRegressors), 1));
    return add(mul(sub(r2, 1), ratio), 1);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), classAggregation: this.classAggregation, numRegressors: this.numRegressors };
  }
}
