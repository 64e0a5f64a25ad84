/**
 * `nb.metrics`: stateful Keras metrics (updateState / result / resetState) and lookup by name.
 * @module
 */
export { Metric, Mean, MeanMetricWrapper, reduceToSamplewise, type MetricOptions, type MetricFn } from './metric.js';
export {
  accuracy,
  binaryAccuracy,
  categoricalAccuracy,
  sparseCategoricalAccuracy,
  topKCategoricalAccuracy,
  sparseTopKCategoricalAccuracy,
  Accuracy,
  BinaryAccuracy,
  CategoricalAccuracy,
  SparseCategoricalAccuracy,
  TopKCategoricalAccuracy,
  SparseTopKCategoricalAccuracy,
} from './accuracy.js';
export { Precision, Recall, AUC, type PrecisionRecallOptions, type AUCOptions } from './confusion.js';
export { FBetaScore, F1Score, type FBetaOptions, type FScoreAverage } from './f1-score.js';
export { MeanAbsoluteError, MeanSquaredError, RootMeanSquaredError, R2Score, type R2ScoreOptions } from './regression.js';
export {
  chooseAccuracy,
  chooseCrossentropy,
  chooseLabelKind,
  AutoMetric,
  type LabelKind,
  type LabelKindContext,
  type LossLike,
} from './choose.js';
export { get, knownMetrics, type MetricContext } from './registry.js';
