// Thresholded confusion-matrix metrics: Precision, Recall and AUC (Keras's definitions). Counts of
// true/false positives/negatives are accumulated per threshold; predictions count as positive when
// strictly above a threshold.
import { checkOptions, optionKeys } from '../check-options.js';
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { shapesEqual } from '../tensor/shape.js';
import { add, div, divNoNan, maximum, minimum, mul, sub } from '../ops/primitives/binary.js';
import { cast } from '../ops/primitives/cast.js';
import { equal, greater, less, logicalAnd, logicalOr, notEqual } from '../ops/primitives/compare.js';
import { sum } from '../ops/primitives/reduce.js';
import { where } from '../ops/primitives/select.js';
import { broadcastTo, expandDims, reshape, slice } from '../ops/primitives/shape.js';
import { log, sigmoid } from '../ops/primitives/unary.js';
import { tidy } from '../backends/registry.js';
import { onesLike, range, tensor, type TensorLike } from '../ops/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';
import { METRIC_KEYS, Metric, type MetricOptions } from './metric.js';

type Counts = { tp?: Variable; fp?: Variable; tn?: Variable; fn?: Variable };

function checkThresholds(op: string, t: readonly number[]): number[] {
  for (const v of t) if (!(v >= 0 && v <= 1)) throw new ValueError(`${op}: thresholds must be in [0, 1], got ${v}`);
  return [...t];
}

/**
 * Base of the thresholded metrics: selects `classId`, keeps the `topK` scores per row, and adds
 * weighted confusion counts for every threshold.
 */
abstract class ConfusionMetric extends Metric {
  readonly thresholds: number[];
  readonly classId: number | null;
  readonly topK: number | null;

  constructor(opts: MetricOptions, defaultName: string, thresholds: number[], classId: number | null, topK: number | null) {
    super(opts, defaultName);
    this.thresholds = thresholds;
    this.classId = classId;
    this.topK = topK;
    if (classId !== null && !(Number.isInteger(classId) && classId >= 0)) throw new ValueError(`${this.name}: classId must be a non-negative integer, got ${classId}`);
    if (topK !== null && !(Number.isInteger(topK) && topK >= 1)) throw new ValueError(`${this.name}: topK must be a positive integer, got ${topK}`);
  }

  /** Labels, predictions and weights as [n, 1] columns (weights broadcast to the predictions). */
  protected prepare(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike | null): [Tensor, Tensor, Tensor] {
    let p = this.asMetricDType(yPred, 'yPred');
    let t = this.asMetricDType(yTrue, 'yTrue');
    if (this.topK !== null) {
      // Keep each row's k highest scores (ties go to the lower index, as with tf.math.top_k).
      const classes = p.shape[p.rank - 1] ?? 0;
      const other = expandDims(p, -2);
      const self = expandDims(p, -1);
      const earlier = less(reshape(range(0, classes, 1, 'int32'), [1, classes]), reshape(range(0, classes, 1, 'int32'), [classes, 1]));
      const ahead = logicalOr(greater(other, self), logicalAnd(equal(other, self), earlier));
      const rank = sum(cast(ahead, 'int32'), -1);
      p = where(greater(this.topK, rank), p, -Infinity);
    }
    if (this.classId !== null) {
      const c = this.classId;
      const classes = p.shape[p.rank - 1] ?? 0;
      if (p.rank === 0 || c >= classes) throw new ValueError(`${this.name}: classId ${c} is out of range for predictions of shape ${fmtShape(p.shape)}`);
      const begin = p.shape.map((_, i) => (i === p.rank - 1 ? c : 0));
      const size = p.shape.map((d, i) => (i === p.rank - 1 ? 1 : d));
      if (shapesEqual(t.shape, p.shape)) t = slice(t, begin, size);
      p = slice(p, begin, size);
    }
    if (t.size !== p.size) throw new ShapeError(`${this.name}: yTrue ${fmtShape(t.shape)} and yPred ${fmtShape(p.shape)} must hold the same number of values`);
    const w = sampleWeight === undefined || sampleWeight === null ? onesLike(p) : this.asMetricDType(sampleWeight, 'sampleWeight');
    const wFull = broadcastTo(w.rank < p.rank ? reshape(w, [...w.shape, ...Array<number>(p.rank - w.rank).fill(1)]) : w, p.shape);
    return [reshape(t, [-1, 1]), reshape(p, [-1, 1]), reshape(wFull, [-1, 1])];
  }

  /** Add the weighted counts (tp, fp, tn, fn as asked) of a batch at each threshold. */
  protected addCounts(counts: Counts, yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike | null): void {
    tidy(() => {
      const [t, p, w] = this.prepare(yTrue, yPred, sampleWeight);
      const above = greater(p, tensor(this.thresholds, this.dtype));
      const positive = notEqual(t, 0);
      const weighted = (c: Tensor) => sum(mul(cast(c, this.dtype), w), 0);
      const negAbove = logicalAnd(above, notEqual(positive, true));
      const posBelow = logicalAnd(notEqual(above, true), positive);
      if (counts.tp) this.accumulate(counts.tp, weighted(logicalAnd(above, positive)));
      if (counts.fp) this.accumulate(counts.fp, weighted(negAbove));
      if (counts.fn) this.accumulate(counts.fn, weighted(posBelow));
      if (counts.tn) this.accumulate(counts.tn, weighted(logicalAnd(notEqual(above, true), notEqual(positive, true))));
    });
  }

  /** One threshold gives a scalar, several a vector. */
  protected single(x: Tensor): Tensor {
    return this.thresholds.length === 1 ? reshape(x, []) : x;
  }

  /** Constructor arguments as JSON, enough to make an equal metric. */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), thresholds: this.thresholds, classId: this.classId, topK: this.topK };
  }
}

export interface PrecisionRecallOptions extends MetricOptions {
  /** One threshold or several (default 0.5; with `topK`, every kept score counts). */
  thresholds?: number | readonly number[];
  /** Only the top k scores of each row can be positive. */
  topK?: number | null;
  /** Score one class of a [batch, classes] output. */
  classId?: number | null;
}

const PRECISION_RECALL_KEYS = optionKeys<PrecisionRecallOptions>({ ...METRIC_KEYS, thresholds: true, topK: true, classId: true });

function thresholdsOf(op: string, o: PrecisionRecallOptions): number[] {
  // With topK every kept score counts as positive, whatever its value (Keras uses -1e10 too).
  if (o.thresholds === undefined) return [o.topK ? -1e10 : 0.5];
  return checkThresholds(op, typeof o.thresholds === 'number' ? [o.thresholds] : o.thresholds);
}

/** tp / (tp + fp): the fraction of predicted positives that are positive. */
export class Precision extends ConfusionMetric {
  private readonly tp: Variable;
  private readonly fp: Variable;

  constructor(opts: PrecisionRecallOptions = {}) {
    checkOptions('Precision', opts, PRECISION_RECALL_KEYS);
    super(opts, 'precision', thresholdsOf('Precision', opts), opts.classId ?? null, opts.topK ?? null);
    this.tp = this.addVariable([this.thresholds.length], 'true_positives');
    this.fp = this.addVariable([this.thresholds.length], 'false_positives');
  }

  updateState(yTrue: TensorLike, yPred?: TensorLike | null, sampleWeight?: TensorLike | null): void {
    if (yPred === undefined || yPred === null) throw new ValueError(`${this.name}.updateState: expected (yTrue, yPred, sampleWeight?)`);
    this.addCounts({ tp: this.tp, fp: this.fp }, yTrue, yPred, sampleWeight);
  }

  result(): Tensor {
    return this.single(divNoNan(this.tp.value(), add(this.tp.value(), this.fp.value())));
  }
}

/** tp / (tp + fn): the fraction of positives that are predicted positive. */
export class Recall extends ConfusionMetric {
  private readonly tp: Variable;
  private readonly fn: Variable;

  constructor(opts: PrecisionRecallOptions = {}) {
    checkOptions('Recall', opts, PRECISION_RECALL_KEYS);
    super(opts, 'recall', thresholdsOf('Recall', opts), opts.classId ?? null, opts.topK ?? null);
    this.tp = this.addVariable([this.thresholds.length], 'true_positives');
    this.fn = this.addVariable([this.thresholds.length], 'false_negatives');
  }

  updateState(yTrue: TensorLike, yPred?: TensorLike | null, sampleWeight?: TensorLike | null): void {
    if (yPred === undefined || yPred === null) throw new ValueError(`${this.name}.updateState: expected (yTrue, yPred, sampleWeight?)`);
    this.addCounts({ tp: this.tp, fn: this.fn }, yTrue, yPred, sampleWeight);
  }

  result(): Tensor {
    return this.single(divNoNan(this.tp.value(), add(this.tp.value(), this.fn.value())));
  }
}

export interface AUCOptions extends MetricOptions {
  /** Evenly spaced thresholds in (0, 1) plus the two ends (default 200). */
  numThresholds?: number;
  /** 'ROC' (default) or 'PR' (precision-recall). */
  curve?: 'ROC' | 'PR';
  /** 'interpolation' (default: trapezoids; for PR, Davis & Goadrich's interpolation), 'minoring' or 'majoring'. */
  summationMethod?: 'interpolation' | 'minoring' | 'majoring';
  /** Explicit thresholds in [0, 1] (the ends -eps and 1 + eps are added). */
  thresholds?: readonly number[];
  /** Apply a sigmoid to the predictions first (default false). */
  fromLogits?: boolean;
}

const EPS = 1e-7;

const AUC_KEYS = optionKeys<AUCOptions>({ ...METRIC_KEYS, numThresholds: true, curve: true, summationMethod: true, thresholds: true, fromLogits: true });

/** Area under the ROC or precision-recall curve, approximated over fixed thresholds like keras.metrics.AUC. */
export class AUC extends ConfusionMetric {
  readonly curve: 'ROC' | 'PR';
  readonly summationMethod: 'interpolation' | 'minoring' | 'majoring';
  readonly fromLogits: boolean;
  private readonly counts: Required<Counts>;

  constructor(opts: AUCOptions = {}) {
    checkOptions('AUC', opts, AUC_KEYS);
    let inner: number[];
    if (opts.thresholds) {
      inner = checkThresholds('AUC', opts.thresholds).sort((a, b) => a - b);
    } else {
      const n = opts.numThresholds ?? 200;
      if (!(Number.isInteger(n) && n > 1)) throw new ValueError(`AUC: numThresholds must be an integer > 1, got ${n}`);
      inner = Array.from({ length: n - 2 }, (_, i) => (i + 1) / (n - 1));
    }
    super(opts, 'auc', [-EPS, ...inner, 1 + EPS], null, null);
    this.curve = opts.curve ?? 'ROC';
    this.summationMethod = opts.summationMethod ?? 'interpolation';
    this.fromLogits = opts.fromLogits ?? false;
    if (this.curve !== 'ROC' && this.curve !== 'PR') throw new ValueError(`AUC: curve must be 'ROC' or 'PR', got '${String(this.curve)}'`);
    if (!['interpolation', 'minoring', 'majoring'].includes(this.summationMethod)) {
      throw new ValueError(`AUC: summationMethod must be 'interpolation', 'minoring' or 'majoring', got '${String(this.summationMethod)}'`);
    }
    const n = this.thresholds.length;
    this.counts = {
      tp: this.addVariable([n], 'true_positives'),
      fp: this.addVariable([n], 'false_positives'),
      tn: this.addVariable([n], 'true_negatives'),
      fn: this.addVariable([n], 'false_negatives'),
    };
  }

  updateState(yTrue: TensorLike, yPred?: TensorLike | null, sampleWeight?: TensorLike | null): void {
    if (yPred === undefined || yPred === null) throw new ValueError(`${this.name}.updateState: expected (yTrue, yPred, sampleWeight?)`);
    const p = this.fromLogits ? sigmoid(this.asMetricDType(yPred, 'yPred')) : yPred;
    this.addCounts(this.counts, yTrue, p, sampleWeight);
  }

  result(): Tensor {
    const n = this.thresholds.length;
    const head = (x: Tensor) => slice(x, [0], [n - 1]);
    const tail = (x: Tensor) => slice(x, [1], [n - 1]);
    const tp = this.counts.tp.value();
    const fp = this.counts.fp.value();
    const fn = this.counts.fn.value();
    const tn = this.counts.tn.value();
    if (this.curve === 'PR' && this.summationMethod === 'interpolation') return this.interpolatedPrAuc(tp, fp, fn, head, tail);
    const recall = divNoNan(tp, add(tp, fn));
    const [x, y] = this.curve === 'ROC' ? [divNoNan(fp, add(fp, tn)), recall] : [recall, divNoNan(tp, add(tp, fp))];
    const heights =
      this.summationMethod === 'interpolation'
        ? div(add(head(y), tail(y)), 2)
        : this.summationMethod === 'minoring'
          ? minimum(head(y), tail(y))
          : maximum(head(y), tail(y));
    return sum(mul(sub(head(x), tail(x)), heights));
  }

  /** PR-AUC with precision interpolated along the curve between thresholds (Davis & Goadrich, 2006). */
  private interpolatedPrAuc(tp: Tensor, fp: Tensor, fn: Tensor, head: (x: Tensor) => Tensor, tail: (x: Tensor) => Tensor): Tensor {
    const dtp = sub(head(tp), tail(tp));
    const p = add(tp, fp);
    const dp = sub(head(p), tail(p));
    const slope = divNoNan(dtp, maximum(dp, 0));
    const intercept = sub(tail(tp), mul(slope, tail(p)));
    const bothPositive = logicalAnd(greater(head(p), 0), greater(tail(p), 0));
    const ratio = where(bothPositive, divNoNan(head(p), maximum(tail(p), 0)), onesLike(tail(p)));
    const increments = divNoNan(mul(slope, add(dtp, mul(intercept, log(ratio)))), maximum(add(tail(tp), tail(fn)), 0));
    return sum(increments);
  }

  /** Constructor arguments as JSON, enough to make an equal metric. */
  override getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      dtype: this.dtype,
      numThresholds: this.thresholds.length,
      curve: this.curve,
      summationMethod: this.summationMethod,
      thresholds: this.thresholds.slice(1, -1),
      fromLogits: this.fromLogits,
    };
  }
}
