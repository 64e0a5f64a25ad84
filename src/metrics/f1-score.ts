// F-beta and F1 scores over [batch, classes] outputs, accumulated per class (keras.metrics.FBetaScore).
import { checkOptions, optionKeys } from '../check-options.js';
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { add, div, mul, sub } from '../ops/primitives/binary.js';
import { cast } from '../ops/primitives/cast.js';
import { greater, greaterEqual, logicalAnd } from '../ops/primitives/compare.js';
import { max, sum } from '../ops/primitives/reduce.js';
import { expandDims } from '../ops/primitives/shape.js';
import { abs } from '../ops/primitives/unary.js';
import { mean } from '../ops/composite/math.js';
import { tidy } from '../backends/registry.js';
import type { TensorLike } from '../ops/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';
import { METRIC_KEYS, Metric, type MetricOptions } from './metric.js';

/** How per-class scores combine: over all counts ('micro'), their mean ('macro'), support-weighted ('weighted'), or none (null: one score per class). */
export type FScoreAverage = 'micro' | 'macro' | 'weighted' | null;

export interface FBetaOptions extends MetricOptions {
  /** null (default: one score per class), 'micro' (global counts), 'macro' (mean of classes) or 'weighted' (by support). */
  average?: FScoreAverage;
  /** Weight of recall relative to precision (default 1). */
  beta?: number;
  /** Predictions above it are positive; null (default) takes each row's highest score as its class. */
  threshold?: number | null;
}

const FBETA_KEYS = optionKeys<FBetaOptions>({ ...METRIC_KEYS, average: true, beta: true, threshold: true });
const F1_KEYS = FBETA_KEYS.filter((k) => k !== 'beta');

const EPSILON = 1e-7;

/** (1 + β²)·precision·recall / (β²·precision + recall), from counts accumulated over batches. */
export class FBetaScore extends Metric {
  readonly average: FScoreAverage;
  readonly beta: number;
  readonly threshold: number | null;
  private state: { tp: Variable; fp: Variable; fn: Variable; support: Variable } | null = null;
  private classes = 0;

  constructor(opts: FBetaOptions = {}, defaultName = 'fbeta_score') {
    if (new.target === FBetaScore) checkOptions('FBetaScore', opts, FBETA_KEYS);
    super(opts, defaultName);
    this.average = opts.average ?? null;
    this.beta = opts.beta ?? 1;
    this.threshold = opts.threshold ?? null;
    if (![null, 'micro', 'macro', 'weighted'].includes(this.average)) {
      throw new ValueError(`${this.name}: average must be null, 'micro', 'macro' or 'weighted', got '${String(this.average)}'`);
    }
    if (!(this.beta > 0)) throw new ValueError(`${this.name}: beta must be > 0, got ${this.beta}`);
    if (this.threshold !== null && !(this.threshold >= 0 && this.threshold <= 1)) {
      throw new ValueError(`${this.name}: threshold must be in [0, 1] or null, got ${this.threshold}`);
    }
  }

  /** Count variables, shaped by the number of classes seen on the first update. */
  private counts(classes: number) {
    if (!this.state) {
      const shape = this.average === 'micro' ? [] : [classes];
      this.state = {
        tp: this.addVariable(shape, 'true_positives'),
        fp: this.addVariable(shape, 'false_positives'),
        fn: this.addVariable(shape, 'false_negatives'),
        support: this.addVariable(shape, 'intermediate_weights'),
      };
      this.classes = classes;
    } else if (classes !== this.classes) {
      throw new ShapeError(`${this.name}: got ${classes} classes, but earlier batches had ${this.classes}`);
    }
    return this.state;
  }

  updateState(yTrue: TensorLike, yPred?: TensorLike | null, sampleWeight?: TensorLike | null): void {
    if (yPred === undefined || yPred === null) throw new ValueError(`${this.name}.updateState: expected (yTrue, yPred, sampleWeight?)`);
    tidy(() => {
      const t = this.asMetricDType(yTrue, 'yTrue');
      let p = this.asMetricDType(yPred, 'yPred');
      if (p.rank !== 2 || t.rank !== 2 || t.shape[0] !== p.shape[0] || t.shape[1] !== p.shape[1]) {
        throw new ShapeError(`${this.name}: expected yTrue and yPred of the same shape [batch, classes], got ${fmtShape(t.shape)} and ${fmtShape(p.shape)}`);
      }
      const s = this.counts(p.shape[1]!);
      // No threshold: the row's maximum is its prediction; an all-zero row predicts nothing.
      const positive = this.threshold === null ? logicalAnd(greaterEqual(p, max(p, { axis: -1, keepDims: true })), greater(abs(p), 1e-9)) : greater(p, this.threshold);
      p = cast(positive, this.dtype);
      const w = sampleWeight === undefined || sampleWeight === null ? null : this.asMetricDType(sampleWeight, 'sampleWeight');
      const axis = this.average === 'micro' ? undefined : 0;
      const weightedSum = (x: Tensor) => sum(w ? mul(x, w.rank === 1 ? expandDims(w, 1) : w) : x, axis);
      this.accumulate(s.tp, weightedSum(mul(p, t)));
      this.accumulate(s.fp, weightedSum(mul(p, sub(1, t))));
      this.accumulate(s.fn, weightedSum(mul(sub(1, p), t)));
      this.accumulate(s.support, weightedSum(t));
    });
  }

  result(): Tensor {
    if (!this.state) return cast(0, this.dtype);
    const { tp, fp, fn, support } = this.state;
    const precision = div(tp.value(), add(add(tp.value(), fp.value()), EPSILON));
    const recall = div(tp.value(), add(add(tp.value(), fn.value()), EPSILON));
    const b2 = this.beta * this.beta;
    const score = mul(div(mul(precision, recall), add(add(mul(precision, b2), recall), EPSILON)), 1 + b2);
    if (this.average === 'weighted') {
      const weights = div(support.value(), add(sum(support.value()), EPSILON));
      return sum(mul(score, weights));
    }
    return this.average === null ? score : mean(score);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), average: this.average, beta: this.beta, threshold: this.threshold };
  }
}

/** F1: the harmonic mean of precision and recall (FBetaScore with beta 1). */
export class F1Score extends FBetaScore {
  constructor(opts: Omit<FBetaOptions, 'beta'> = {}) {
    checkOptions('F1Score', opts, F1_KEYS);
    super({ ...opts, beta: 1 }, 'f1_score');
  }

  override getConfig(): Record<string, unknown> {
    const { beta: _beta, ...rest } = super.getConfig();
    return rest;
  }
}
