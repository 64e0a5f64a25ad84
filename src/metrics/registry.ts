// Metrics by name, like keras.metrics.get, with Keras's automatic 'accuracy'/'acc' and
// 'crossentropy'/'ce'. Any loss name ('mse', 'binary_crossentropy', ...) also works as a metric.
import { ValueError } from '../errors.js';
import { knownLosses, lossFunction, nameKey } from '../losses/registry.js';
import type { Tensor } from '../tensor/tensor.js';
import {
  Accuracy,
  BinaryAccuracy,
  CategoricalAccuracy,
  SparseCategoricalAccuracy,
  SparseTopKCategoricalAccuracy,
  TopKCategoricalAccuracy,
} from './accuracy.js';
import { AutoMetric, chooseAccuracy, chooseCrossentropy, type LossLike } from './choose.js';
import { AUC, Precision, Recall } from './confusion.js';
import { F1Score, FBetaScore } from './f1-score.js';
import { Mean, MeanMetricWrapper, Metric, type MetricFn, type MetricOptions } from './metric.js';
import { MeanAbsoluteError, MeanSquaredError, R2Score, RootMeanSquaredError } from './regression.js';

const CLASSES: Record<string, (o: MetricOptions) => Metric> = {
  Mean: (o) => new Mean(o),
  Accuracy: (o) => new Accuracy(o),
  BinaryAccuracy: (o) => new BinaryAccuracy(o),
  CategoricalAccuracy: (o) => new CategoricalAccuracy(o),
  SparseCategoricalAccuracy: (o) => new SparseCategoricalAccuracy(o),
  TopKCategoricalAccuracy: (o) => new TopKCategoricalAccuracy(o),
  SparseTopKCategoricalAccuracy: (o) => new SparseTopKCategoricalAccuracy(o),
  Precision: (o) => new Precision(o),
  Recall: (o) => new Recall(o),
  AUC: (o) => new AUC(o),
  F1Score: (o) => new F1Score(o),
  FBetaScore: (o) => new FBetaScore(o),
  MeanAbsoluteError: (o) => new MeanAbsoluteError(o),
  MeanSquaredError: (o) => new MeanSquaredError(o),
  RootMeanSquaredError: (o) => new RootMeanSquaredError(o),
  R2Score: (o) => new R2Score(o),
};

const ALIASES: Record<string, string> = { mae: 'MeanAbsoluteError', mse: 'MeanSquaredError', rmse: 'RootMeanSquaredError', r2: 'R2Score' };

const BY_KEY = new Map<string, (o: MetricOptions) => Metric>();
for (const [name, make] of Object.entries(CLASSES)) BY_KEY.set(nameKey(name), make);
for (const [alias, name] of Object.entries(ALIASES)) BY_KEY.set(nameKey(alias), CLASSES[name]!);

/** Every metric name `metrics.get` accepts (losses included). */
export function knownMetrics(): string[] {
  const own = ['accuracy', 'acc', 'crossentropy', 'ce', ...Object.keys(CLASSES).map((n) => n.charAt(0).toLowerCase() + n.slice(1)), ...Object.keys(ALIASES)];
  return [...new Set([...own, ...knownLosses()])];
}

/** What `compile` knows when it resolves metric names. */
export interface MetricContext {
  /** The compiled loss: lets 'accuracy' pick binary/categorical/sparse accuracy. */
  loss?: LossLike;
  /** The labels' shape, when known. */
  yTrueShape?: readonly number[];
  /** Known prediction shape: resolves 'accuracy' now instead of on the first batch. */
  yPredShape?: readonly number[];
}

/**
 * A metric from a name (Keras names in snake_case, camelCase or as class names; 'accuracy'/'acc'
 * and 'crossentropy'/'ce' choose by loss and shapes; loss names give the mean of that loss), a
 * per-sample function `(yTrue, yPred) => Tensor` (averaged), or a Metric (returned as is). The
 * metric is named by the string given, so `history` keys match what the user wrote.
 */
export function get(identifier: string | Metric | MetricFn, ctx: MetricContext = {}): Metric {
  if (identifier instanceof Metric) return identifier;
  if (typeof identifier === 'function') return new MeanMetricWrapper(identifier);
  if (typeof identifier !== 'string') throw new ValueError(`metrics.get: expected a metric name, a function or a Metric, got ${typeof identifier}`);
  const name = identifier;
  const key = nameKey(name);
  if (key === 'accuracy' || key === 'acc' || key === 'crossentropy' || key === 'ce') {
    const kind = key === 'accuracy' || key === 'acc' ? 'accuracy' : 'crossentropy';
    if (ctx.yPredShape) return (kind === 'accuracy' ? chooseAccuracy : chooseCrossentropy)({ ...ctx, name });
    return new AutoMetric({ name, loss: ctx.loss, kind });
  }
  const make = BY_KEY.get(key);
  if (make) return make({ name });
  const fn = lossFunction(name);
  if (fn) return new MeanMetricWrapper((t: Tensor, p: Tensor) => fn(t, p), { name });
  throw new ValueError(`metrics.get: unknown metric '${name}'; known metrics: ${knownMetrics().join(', ')}`);
}
