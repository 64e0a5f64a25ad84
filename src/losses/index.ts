/**
 * `nb.losses`: Keras losses as per-sample functions and as reducing Loss objects.
 * @module
 */
export {
  meanSquaredError,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredLogarithmicError,
  huber,
  logCosh,
  kullbackLeiblerDivergence,
  poisson,
  hinge,
  squaredHinge,
  categoricalHinge,
  cosineSimilarity,
} from './regression.js';
export {
  binaryCrossentropy,
  categoricalCrossentropy,
  sparseCategoricalCrossentropy,
  type CrossentropyOptions,
  type SparseCrossentropyOptions,
} from './crossentropy.js';
export { binaryFocalCrossentropy, categoricalFocalCrossentropy, type FocalOptions } from './focal.js';
export {
  Loss,
  LossFunctionWrapper,
  MeanSquaredError,
  MeanAbsoluteError,
  MeanAbsolutePercentageError,
  MeanSquaredLogarithmicError,
  Huber,
  LogCosh,
  BinaryCrossentropy,
  CategoricalCrossentropy,
  SparseCategoricalCrossentropy,
  BinaryFocalCrossentropy,
  CategoricalFocalCrossentropy,
  KLDivergence,
  KullbackLeiblerDivergence,
  Poisson,
  Hinge,
  SquaredHinge,
  CategoricalHinge,
  CosineSimilarity,
  type LossFn,
  type LossOptions,
  type HuberOptions,
  type CosineSimilarityOptions,
  type CrossentropyLossOptions,
  type SparseCrossentropyLossOptions,
  type FocalLossOptions,
  type BinaryFocalLossOptions,
} from './loss.js';
export { type Reduction } from './reduction.js';
export { get, serialize, deserialize, lossFunction, knownLosses, type SerializedLoss } from './registry.js';
// Keras's short aliases of the functions.
export {
  meanSquaredError as mse,
  meanAbsoluteError as mae,
  meanAbsolutePercentageError as mape,
  meanSquaredLogarithmicError as msle,
  kullbackLeiblerDivergence as kld,
  kullbackLeiblerDivergence as klDivergence,
} from './regression.js';
