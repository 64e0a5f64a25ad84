// Accuracy metrics (per-sample functions and Mean-wrapping classes, as in Keras), and the choice
// Keras makes for 'accuracy'/'acc' from the loss and the shapes.
import { checkOptions, optionKeys } from '../check-options.js';
import { ValueError, ShapeError, fmtShape } from '../errors.js';
import { cast } from '../ops/primitives/cast.js';
import { equal, greater } from '../ops/primitives/compare.js';
import { argmax, sum } from '../ops/primitives/reduce.js';
import { where } from '../ops/primitives/select.js';
import { expandDims, reshape, squeeze } from '../ops/primitives/shape.js';
import { range } from '../ops/creation.js';
import { isFloat } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { mean } from '../ops/composite/math.js';
import { squeezeOrExpandToSameRank } from '../losses/reduction.js';
import { METRIC_KEYS, MeanMetricWrapper, PLAIN_METRIC_KEYS, type MetricOptions } from './metric.js';

const asFloat = (t: Tensor): Tensor => (isFloat(t.dtype) ? t : cast(t, 'float32'));

/** 1 where yTrue equals yPred exactly (keras.metrics.Accuracy). */
export function accuracy(yTrue: Tensor, yPred: Tensor): Tensor {
  const [t, p] = squeezeOrExpandToSameRank(yTrue, yPred);
  return cast(equal(cast(t, 'float32'), cast(p, 'float32')), 'float32');
}

/** Fraction over the last axis of predictions on the right side of `threshold` (default 0.5). */
export function binaryAccuracy(yTrue: Tensor, yPred: Tensor, threshold = 0.5): Tensor {
  const [t, p] = squeezeOrExpandToSameRank(asFloat(yTrue), asFloat(yPred));
  const predicted = cast(greater(p, threshold), t.dtype);
  return mean(cast(equal(t, predicted), 'float32'), -1);
}

/** 1 where the argmax of one-hot yTrue equals the argmax of yPred. */
export function categoricalAccuracy(yTrue: Tensor, yPred: Tensor): Tensor {
  return cast(equal(argmax(yTrue, -1), argmax(yPred, -1)), 'float32');
}

/** Integer labels, squeezing a trailing axis of size 1 when yTrue has yPred's rank. */
function sparseTargets(yTrue: Tensor, yPred: Tensor, op: string): Tensor {
  let t = yTrue.dtype === 'int32' ? yTrue : cast(yTrue, 'int32');
  if (t.rank === yPred.rank && t.rank > 0 && t.shape[t.rank - 1] === 1) t = squeeze(t, -1);
  if (yPred.rank === 0 || t.rank !== yPred.rank - 1 || t.shape.some((d, i) => d !== yPred.shape[i])) {
    throw new ShapeError(`${op}: labels ${fmtShape(yTrue.shape)} must have the shape of yPred ${fmtShape(yPred.shape)} without its last (class) axis`);
  }
  return t;
}

/** 1 where the integer label equals the argmax of yPred. */
export function sparseCategoricalAccuracy(yTrue: Tensor, yPred: Tensor): Tensor {
  const t = sparseTargets(yTrue, yPred, 'sparseCategoricalAccuracy');
  return cast(equal(t, argmax(yPred, -1)), 'float32');
}

/** 1 where fewer than k classes score strictly higher than the label (ties count as in the top k, like tf.math.in_top_k). */
function inTopK(labels: Tensor, yPred: Tensor, k: number): Tensor {
  const classes = yPred.shape[yPred.rank - 1]!;
  const isLabel = equal(expandDims(labels, -1), range(0, classes, 1, 'int32'));
  const labelScore = sum(where(isLabel, yPred, 0), { axis: -1, keepDims: true });
  const higher = sum(cast(greater(yPred, labelScore), 'int32'), -1);
  return cast(greater(k, higher), 'float32');
}

function checkK(op: string, k: number): number {
  if (!Number.isInteger(k) || k < 1) throw new ValueError(`${op}: k must be a positive integer, got ${k}`);
  return k;
}

/** 1 where the argmax of one-hot yTrue is among the k highest predictions (default k 5). */
export function topKCategoricalAccuracy(yTrue: Tensor, yPred: Tensor, k = 5): Tensor {
  checkK('topKCategoricalAccuracy', k);
  return inTopK(argmax(yTrue, -1), asFloat(yPred), k);
}

const THRESHOLD_METRIC_KEYS = optionKeys<MetricOptions & { threshold?: number }>({ ...METRIC_KEYS, threshold: true });
const TOP_K_METRIC_KEYS = optionKeys<MetricOptions & { k?: number }>({ ...METRIC_KEYS, k: true });

/** 1 where the integer label is among the k highest predictions (default k 5). */
export function sparseTopKCategoricalAccuracy(yTrue: Tensor, yPred: Tensor, k = 5): Tensor {
  checkK('sparseTopKCategoricalAccuracy', k);
  const p = asFloat(yPred);
  const t = sparseTargets(yTrue, p, 'sparseTopKCategoricalAccuracy');
  const flat = inTopK(reshape(t, [-1]), reshape(p, [-1, p.shape[p.rank - 1]!]), k);
  return reshape(flat, t.shape);
}

export class Accuracy extends MeanMetricWrapper {
  constructor(opts: MetricOptions = {}) {
    checkOptions('Accuracy', opts, PLAIN_METRIC_KEYS);
    super(accuracy, { name: 'accuracy', ...opts });
  }
}

export class BinaryAccuracy extends MeanMetricWrapper {
  readonly threshold: number;

  constructor(opts: MetricOptions & { threshold?: number } = {}) {
    checkOptions('BinaryAccuracy', opts, THRESHOLD_METRIC_KEYS);
    const threshold = opts.threshold ?? 0.5;
    super((t, p) => binaryAccuracy(t, p, threshold), { name: 'binary_accuracy', ...opts });
    this.threshold = threshold;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), threshold: this.threshold };
  }
}

export class CategoricalAccuracy extends MeanMetricWrapper {
  constructor(opts: MetricOptions = {}) {
    checkOptions('CategoricalAccuracy', opts, PLAIN_METRIC_KEYS);
    super(categoricalAccuracy, { name: 'categorical_accuracy', ...opts });
  }
}

export class SparseCategoricalAccuracy extends MeanMetricWrapper {
  constructor(opts: MetricOptions = {}) {
    checkOptions('SparseCategoricalAccuracy', opts, PLAIN_METRIC_KEYS);
    super(sparseCategoricalAccuracy, { name: 'sparse_categorical_accuracy', ...opts });
  }
}

export class TopKCategoricalAccuracy extends MeanMetricWrapper {
  readonly k: number;

  constructor(opts: MetricOptions & { k?: number } = {}) {
    checkOptions('TopKCategoricalAccuracy', opts, TOP_K_METRIC_KEYS);
    const k = checkK('TopKCategoricalAccuracy', opts.k ?? 5);
    super((t, p) => topKCategoricalAccuracy(t, p, k), { name: 'top_k_categorical_accuracy', ...opts });
    this.k = k;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), k: this.k };
  }
}

export class SparseTopKCategoricalAccuracy extends MeanMetricWrapper {
  readonly k: number;

  constructor(opts: MetricOptions & { k?: number } = {}) {
    checkOptions('SparseTopKCategoricalAccuracy', opts, TOP_K_METRIC_KEYS);
    const k = checkK('SparseTopKCategoricalAccuracy', opts.k ?? 5);
    super((t, p) => sparseTopKCategoricalAccuracy(t, p, k), { name: 'sparse_top_k_categorical_accuracy', ...opts });
    this.k = k;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), k: this.k };
  }
}
