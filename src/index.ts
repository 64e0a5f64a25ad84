// The public API of nabla: `import * as nb from 'nabla'`.
export * from './errors.js';
export type { DType, TypedArray } from './tensor/dtype.js';
export { Tensor, type NestedArray } from './tensor/tensor.js';
export { Variable, type VariableOptions } from './tensor/variable.js';
export {
  tensor,
  constant,
  zeros,
  ones,
  full,
  zerosLike,
  onesLike,
  fullLike,
  range,
  linspace,
  eye,
  type TensorLike,
} from './tensor/creation.js';
export * from './ops/primitives/unary.js';
export {
  add,
  sub,
  mul,
  div,
  floorDiv,
  mod,
  pow,
  maximum,
  minimum,
  atan2,
  squaredDifference,
  divNoNan,
} from './ops/primitives/binary.js';
export {
  equal,
  notEqual,
  less,
  lessEqual,
  greater,
  greaterEqual,
  logicalAnd,
  logicalOr,
  logicalXor,
} from './ops/primitives/compare.js';
export { cast } from './ops/primitives/cast.js';
export { where } from './ops/primitives/select.js';
export { sum, prod, max, min, all, any, argmax, argmin, type ReduceOptions } from './ops/primitives/reduce.js';
export { reshape, transpose, permute, slice, broadcastTo, flip, expandDims, squeeze } from './ops/primitives/shape.js';
export { pad, concat, stack, unstack, split, tile, type PadOptions } from './ops/primitives/structure.js';
export { matmul, dot, outer } from './ops/primitives/matmul.js';
export { copy, identity } from './ops/primitives/copy.js';
export { GradientTape, type TapeOptions, type GradientOptions } from './autograd/tape.js';
export { setBackend, getBackend, backends, withBackend, backendInfo, tidy, keep, dispose, memory } from './engine/registry.js';
import './tensor/methods.js';
export { mean, variance, std, logSumExp, norm, clip, clipByValue, clipByNorm, type NormOptions } from './ops/composite/math.js';
export { index } from './ops/composite/indexing-string.js';
export { gather, unsortedSegmentSum, type GatherOptions } from './ops/primitives/indexing.js';
export { gatherND, scatterND, tensorScatterAdd, tensorScatterUpdate } from './ops/primitives/gather-nd.js';
export { cumsum, cumprod, type ScanOptions } from './ops/primitives/cumulative.js';
export { sort, argsort, topk, takeAlongAxis, type SortOptions, type TopKOptions } from './ops/primitives/sort.js';
export { oneHot, type OneHotOptions } from './ops/composite/one-hot.js';
export { einsum } from './ops/composite/einsum.js';
export { stopGradient } from './autograd/stop-gradient.js';
export { grad, valueAndGrad, customGradient, type GradOptions, type CustomGradientResult } from './autograd/grad.js';
export * as random from './ops/random-namespace.js';
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
} from './ops/composite/activations.js';
export { conv2d, conv1d, conv2dTranspose, depthwiseConv2d, separableConv2d } from './ops/primitives/conv.js';
export { maxPool, avgPool, maxPool1d, avgPool1d } from './ops/primitives/pool.js';
export * as nn from './ops/composite/nn.js';
export * as optimizers from './optimizers/index.js';
export { jit, type Jitted, type JitOptions } from './jit/jit.js';
export { cond, whileLoop, type WhileOptions } from './jit/control-flow.js';
export * as losses from './losses/index.js';
export * as data from './data/index.js';
export * as datasets from './datasets/index.js';
export * as preprocessing from './preprocessing/index.js';
export * as utils from './utils/index.js';
export * as layers from './nn/layers/index.js';
export { Model, type ModelArgs } from './nn/models/model.js';
export { Sequential, type SequentialArgs } from './nn/models/sequential.js';
export { SymbolicTensor } from './nn/symbolic-tensor.js';
export * as keras from './keras.js';
export * as io from './io/index.js';
export * as models from './io/models-namespace.js';
export * as onnx from './io/onnx/index.js';
export * as callbacks from './training/callbacks/index.js';
export * as initializers from './nn/initializers-namespace.js';
export * as regularizers from './nn/regularizers-namespace.js';
export * as activations from './nn/activations-namespace.js';
export * as metrics from './metrics/index.js';
// TensorFlow's reduce_* names (API.md: `reduce_sum` → `sum`/`reduceSum`).
export {
  sum as reduceSum,
  prod as reduceProd,
  max as reduceMax,
  min as reduceMin,
  all as reduceAll,
  any as reduceAny,
} from './ops/primitives/reduce.js';
export { mean as reduceMean, variance as reduceVariance, std as reduceStd, logSumExp as reduceLogSumExp } from './ops/composite/math.js';
