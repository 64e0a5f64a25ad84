/**
 * `nb.activations`: the named activations as functions, plus get/serialize/register.
 * @module
 */
import { getActivation } from './activations.js';

export { getActivation as get, serializeActivation as serialize, registerActivation as register, activationNames as names, type ActivationFn } from './activations.js';
/** The identity: `x` unchanged. */
export const linear = getActivation('linear');
/** `max(x, 0)`. */
export const relu = getActivation('relu');
/** `min(max(x, 0), 6)`. */
export const relu6 = getActivation('relu6');
/** `1 / (1 + e ** -x)`. */
export const sigmoid = getActivation('sigmoid');
/** Hyperbolic tangent. */
export const tanh = getActivation('tanh');
/** Softmax over the last axis. */
export const softmax = getActivation('softmax');
/** Log-softmax over the last axis. */
export const logSoftmax = getActivation('logSoftmax');
/** `log(1 + e ** x)`. */
export const softplus = getActivation('softplus');
/** `x / (1 + |x|)`. */
export const softsign = getActivation('softsign');
/** Exponential linear unit with alpha 1. */
export const elu = getActivation('elu');
/** Scaled exponential linear unit (self-normalizing constants). */
export const selu = getActivation('selu');
/** Gaussian error linear unit, exact (erf) form. */
export const gelu = getActivation('gelu');
/** `x * sigmoid(x)` (beta 1). */
export const swish = getActivation('swish');
/** `x * sigmoid(x)`. */
export const silu = getActivation('silu');
/** `x * tanh(softplus(x))`. */
export const mish = getActivation('mish');
/** `clip(x / 6 + 0.5, 0, 1)`. */
export const hardSigmoid = getActivation('hardSigmoid');
/** `x * hardSigmoid(x)`. */
export const hardSwish = getActivation('hardSwish');
/** `x` for positive inputs, `0.2 * x` otherwise. */
export const leakyRelu = getActivation('leakyRelu');
/** `e ** x`. */
export const exponential = getActivation('exponential');
