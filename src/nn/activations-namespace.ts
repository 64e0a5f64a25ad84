// nb.activations: the named activations as functions, plus get/serialize/register.
import { getActivation } from './activations.js';

export { getActivation as get, serializeActivation as serialize, registerActivation as register, activationNames as names, type ActivationFn } from './activations.js';
export const linear = getActivation('linear');
export const relu = getActivation('relu');
export const relu6 = getActivation('relu6');
export const sigmoid = getActivation('sigmoid');
export const tanh = getActivation('tanh');
export const softmax = getActivation('softmax');
export const logSoftmax = getActivation('logSoftmax');
export const softplus = getActivation('softplus');
export const softsign = getActivation('softsign');
export const elu = getActivation('elu');
export const selu = getActivation('selu');
export const gelu = getActivation('gelu');
export const swish = getActivation('swish');
export const silu = getActivation('silu');
export const mish = getActivation('mish');
export const hardSigmoid = getActivation('hardSigmoid');
export const hardSwish = getActivation('hardSwish');
export const leakyRelu = getActivation('leakyRelu');
export const exponential = getActivation('exponential');
