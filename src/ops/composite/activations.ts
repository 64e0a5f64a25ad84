// Activation functions as composites of primitives: their gradients come from the tape. Each is
// written so that neither the value nor the gradient overflows for large |x| (no exp of a large
// positive number on any branch, including the branch `where` discards, whose gradient is still
// computed and multiplied by zero).
import { ValueError } from '../../errors.js';
import { isFloat } from '../../tensor/dtype.js';
import { normalizeAxis } from '../../tensor/shape.js';
import { toTensor, type TensorLike } from '../creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { stopGradient } from '../primitives/stop-gradient.js';
import { add, div, maximum, minimum, mul, sub } from '../primitives/binary.js';
import { cast } from '../primitives/cast.js';
import { greater } from '../primitives/compare.js';
import { max, sum } from '../primitives/reduce.js';
import { where } from '../primitives/select.js';
import { abs, erf, exp, expm1, log, log1p, relu, sigmoid, tanh } from '../primitives/unary.js';
import { declareOp } from '../surface.js';

function floatInput(x: TensorLike, op: string): Tensor {
  const t = toTensor(x, op);
  return isFloat(t.dtype) ? t : cast(t, 'float32');
}

function axisOf(op: string, t: Tensor, axis: number | { axis?: number } | undefined): number {
  const a = typeof axis === 'number' ? axis : (axis?.axis ?? -1);
  return normalizeAxis(op, a, t.rank);
}

/** Row maximum held constant: shifting by it changes neither softmax nor its gradient. */
function shiftedByMax(t: Tensor, axis: number): Tensor {
  const m = stopGradient(max(t, { axis, keepDims: true }));
  // A row of -Infinity would give -Inf - -Inf = NaN; shift such rows by 0 instead.
  return sub(t, where(greater(m, -Infinity), m, 0));
}

/** exp(x) / sum(exp(x)) along `axis` (default -1), computed with the row maximum subtracted. */
export function softmax(x: TensorLike, axis?: number | { axis?: number }): Tensor {
  const t = floatInput(x, 'softmax');
  if (t.rank === 0) throw new ValueError('softmax: expected a tensor of rank >= 1, got a scalar');
  const a = axisOf('softmax', t, axis);
  const e = exp(shiftedByMax(t, a));
  return div(e, sum(e, { axis: a, keepDims: true }));
}

/** log(softmax(x)) along `axis` (default -1) without forming the softmax: x - max - log(sum(exp(x - max))). */
export function logSoftmax(x: TensorLike, axis?: number | { axis?: number }): Tensor {
  const t = floatInput(x, 'logSoftmax');
  if (t.rank === 0) throw new ValueError('logSoftmax: expected a tensor of rank >= 1, got a scalar');
  const a = axisOf('logSoftmax', t, axis);
  const s = shiftedByMax(t, a);
  return sub(s, log(sum(exp(s), { axis: a, keepDims: true })));
}

/** min(max(x, 0), 6). */
export function relu6(x: TensorLike): Tensor {
  return minimum(relu(floatInput(x, 'relu6')), 6);
}

/** x for x > 0, alpha * x otherwise (alpha 0.2 by default, like Keras/tf.nn). */
export function leakyRelu(x: TensorLike, opts: { alpha?: number } | number = {}): Tensor {
  const alpha = typeof opts === 'number' ? opts : (opts.alpha ?? 0.2);
  const t = floatInput(x, 'leakyRelu');
  return where(greater(t, 0), t, mul(t, alpha));
}

/** x for x > 0, alpha * (exp(x) - 1) otherwise (alpha 1 by default). */
export function elu(x: TensorLike, opts: { alpha?: number } | number = {}): Tensor {
  const alpha = typeof opts === 'number' ? opts : (opts.alpha ?? 1);
  const t = floatInput(x, 'elu');
  return where(greater(t, 0), t, mul(expm1(minimum(t, 0)), alpha));
}

const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

/** Scaled ELU with the self-normalising constants of Klambauer et al. (2017). */
export function selu(x: TensorLike): Tensor {
  return mul(elu(floatInput(x, 'selu'), SELU_ALPHA), SELU_SCALE);
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** Gaussian error linear unit: x * Phi(x) exactly via erf, or the tanh approximation with `approximate: true`. */
export function gelu(x: TensorLike, opts: { approximate?: boolean } = {}): Tensor {
  const t = floatInput(x, 'gelu');
  if (opts.approximate) {
    const inner = mul(add(t, mul(mul(mul(t, t), t), 0.044715)), SQRT_2_OVER_PI);
    return mul(mul(t, 0.5), add(tanh(inner), 1));
  }
  return mul(mul(t, 0.5), add(erf(mul(t, Math.SQRT1_2)), 1));
}

/**
 * log(1 + exp(x)) as max(x, 0) + log1p(exp(-|x|)), with max(x, 0) written (x + |x|) / 2 so the
 * gradient is sigmoid(x) everywhere, 0.5 at x = 0 included.
 */
export function softplus(x: TensorLike): Tensor {
  const t = floatInput(x, 'softplus');
  const a = abs(t);
  return add(add(mul(t, 0.5), mul(a, 0.5)), log1p(exp(mul(a, -1))));
}

/** x / (1 + |x|). */
export function softsign(x: TensorLike): Tensor {
  const t = floatInput(x, 'softsign');
  return div(t, add(abs(t), 1));
}

/** x * sigmoid(beta * x) (beta 1 by default: SiLU). */
export function swish(x: TensorLike, opts: { beta?: number } = {}): Tensor {
  const t = floatInput(x, 'swish');
  const beta = opts.beta ?? 1;
  return mul(t, sigmoid(beta === 1 ? t : mul(t, beta)));
}

/** x * sigmoid(x). */
export function silu(x: TensorLike): Tensor {
  return swish(x);
}

/** Piecewise-linear sigmoid: clip(x / 6 + 0.5, 0, 1), as Keras 3 and PyTorch define it. */
export function hardSigmoid(x: TensorLike): Tensor {
  const t = floatInput(x, 'hardSigmoid');
  return minimum(maximum(add(div(t, 6), 0.5), 0), 1);
}

/** x * hardSigmoid(x): MobileNetV3's cheap swish. */
export function hardSwish(x: TensorLike): Tensor {
  const t = floatInput(x, 'hardSwish');
  return mul(t, hardSigmoid(t));
}

/** x * tanh(softplus(x)) (Misra, 2019). */
export function mish(x: TensorLike): Tensor {
  const t = floatInput(x, 'mish');
  return mul(t, tanh(softplus(t)));
}

// The public surface of these ops (src/ops/surface.ts).
declareOp(relu6, { method: true, nn: true, activation: { tfjs: true } });
declareOp(leakyRelu, { method: true, nn: true, activation: true });
declareOp(elu, { method: true, nn: true, activation: { tfjs: true } });
declareOp(selu, { method: true, nn: true, activation: { tfjs: true } });
declareOp(gelu, { method: true, nn: true, activation: { tfjs: true } });
declareOp(softplus, { method: true, nn: true, activation: { tfjs: true } });
declareOp(softsign, { method: true, nn: true, activation: { tfjs: true } });
declareOp(swish, { method: true, nn: true, activation: { tfjs: true } });
declareOp(silu, { method: true, nn: true, activation: true });
declareOp(hardSigmoid, { method: true, nn: true, activation: { tfjs: true } });
declareOp(hardSwish, { method: true, nn: true, activation: true });
declareOp(mish, { method: true, nn: true, activation: { tfjs: true } });
declareOp(softmax, { method: true, nn: true, activation: { tfjs: true } });
declareOp(logSoftmax, { method: true, nn: true, activation: { tfjs: true } });
