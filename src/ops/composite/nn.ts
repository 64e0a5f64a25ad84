/**
 * `nb.nn`: the low-level neural-network ops, like tf.nn.
 * @module
 */
export {
  softmax,
  logSoftmax,
  relu6,
  leakyRelu,
  elu,
  selu,
  gelu,
  softplus,
  softsign,
  swish,
  silu,
  hardSigmoid,
  mish,
} from './activations.js';
export { relu, sigmoid, tanh } from '../primitives/unary.js';
export {
  sigmoidCrossEntropyWithLogits,
  softmaxCrossEntropyWithLogits,
  sparseSoftmaxCrossEntropyWithLogits,
  type LogitsArgs,
} from './cross-entropy.js';
export { moments, batchNormalization, l2Normalize, biasAdd, type Moments } from './normalization.js';
export { dropout, type DropoutOptions } from './dropout.js';
export {
  conv2d,
  conv1d,
  conv2dTranspose,
  depthwiseConv2d,
  separableConv2d,
  type Conv2DOptions,
  type Conv1DOptions,
  type Conv2DTransposeOptions,
  type DepthwiseConv2DOptions,
} from '../primitives/conv.js';
export type { Padding, Pair } from '../primitives/conv-geometry.js';
export { maxPool, avgPool, maxPool1d, avgPool1d, type PoolOptions } from '../primitives/pool.js';
export { globalAvgPool, globalMaxPool } from './global-pool.js';
