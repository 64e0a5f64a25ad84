// Per-sample regression and margin losses (keras.losses.* functions): each reduces the last axis
// (or `axis`) and keeps the others, after aligning y_true/y_pred ranks like Keras.
import { abs, log, log1p, square } from '../ops/primitives/unary.js';
import { add, div, maximum, mul, sub } from '../ops/primitives/binary.js';
import { all, max, sum } from '../ops/primitives/reduce.js';
import { equal, lessEqual, logicalOr } from '../ops/primitives/compare.js';
import { where } from '../ops/primitives/select.js';
import { mean, clip } from '../ops/composite/math.js';
import { softplus } from '../ops/composite/activations.js';
import { l2Normalize } from '../ops/composite/normalization.js';
import { ValueError } from '../errors.js';
import type { TensorLike } from '../ops/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { asDType, asFloat, squeezeOrExpandToSameRank } from './reduction.js';

/** Keras's fuzz factor (backend.epsilon()). */
export const EPSILON = 1e-7;

/** y_pred as float, y_true in its dtype, ranks aligned. */
export function prepare(yTrue: TensorLike, yPred: TensorLike, op: string): [Tensor, Tensor] {
  const p = asFloat(yPred, op);
  const t = asDType(yTrue, p, op);
  return squeezeOrExpandToSameRank(t, p);
}

/** mean((y_true - y_pred)², axis=-1) */
export function meanSquaredError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepare(yTrue, yPred, 'meanSquaredError');
  return mean(square(sub(t, p)), -1);
}

/** mean(|y_true - y_pred|, axis=-1) */
export function meanAbsoluteError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepare(yTrue, yPred, 'meanAbsoluteError');
  return mean(abs(sub(t, p)), -1);
}

/** 100 · mean(|(y_true - y_pred) / max(|y_true|, eps)|, axis=-1) */
export function meanAbsolutePercentageError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepare(yTrue, yPred, 'meanAbsolutePercentageError');
  return mul(mean(abs(div(sub(t, p), maximum(abs(t), EPSILON))), -1), 100);
}

/** mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1))², axis=-1) */
export function meanSquaredLogarithmicError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepare(yTrue, yPred, 'meanSquaredLogarithmicError');
  return mean(square(sub(log1p(maximum(p, EPSILON)), log1p(maximum(t, EPSILON)))), -1);
}

/** Quadratic for |error| <= delta, linear beyond: mean over the last axis. */
export function huber(yTrue: TensorLike, yPred: TensorLike, opts: { delta?: number } = {}): Tensor {
  const delta = opts.delta ?? 1;
  if (!(delta > 0)) throw new ValueError(`huber: delta must be > 0, got ${delta}`);
  const [t, p] = prepare(yTrue, yPred, 'huber');
  const error = sub(p, t);
  const absError = abs(error);
  const quadratic = mul(square(error), 0.5);
  const linear = sub(mul(absError, delta), 0.5 * delta * delta);
  return mean(where(lessEqual(absError, delta), quadratic, linear), -1);
}

/** mean(log(cosh(y_pred - y_true)), axis=-1), computed as x + softplus(-2x) - log 2 so it does not overflow. */
export function logCosh(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepare(yTrue, yPred, 'logCosh');
  const x = sub(p, t);
  return mean(sub(add(x, softplus(mul(x, -2))), Math.LN2), -1);
}

/** sum(y_true · log(y_true / y_pred), axis=-1) with both clipped to [eps, 1]. */
export function kullbackLeiblerDivergence(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t0, p0] = prepare(yTrue, yPred, 'kullbackLeiblerDivergence');
  const t = clip(t0, EPSILON, 1);
  const p = clip(p0, EPSILON, 1);
  return sum(mul(t, log(div(t, p))), -1);
}

/** mean(y_pred - y_true · log(y_pred + eps), axis=-1) */
export function poisson(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepare(yTrue, yPred, 'poisson');
  return mean(sub(p, mul(t, log(add(p, EPSILON)))), -1);
}

/** Labels in {0, 1} become {-1, 1}; labels already in {-1, 1} stay (decided on the whole batch, like Keras). */
function hingeLabels(t: Tensor): Tensor {
  const binary = all(logicalOr(equal(t, 0), equal(t, 1)));
  return where(binary, sub(mul(t, 2), 1), t);
}

/** mean(max(1 - y_true · y_pred, 0), axis=-1); labels -1/1 (0/1 converted). */
export function hinge(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepare(yTrue, yPred, 'hinge');
  return mean(maximum(sub(1, mul(hingeLabels(t), p)), 0), -1);
}

/** mean(max(1 - y_true · y_pred, 0)², axis=-1); labels -1/1 (0/1 converted). */
export function squaredHinge(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepare(yTrue, yPred, 'squaredHinge');
  return mean(square(maximum(sub(1, mul(hingeLabels(t), p)), 0)), -1);
}

/** max(max((1 - y_true) · y_pred) - sum(y_true · y_pred) + 1, 0) over the last axis (one-hot y_true). */
export function categoricalHinge(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepare(yTrue, yPred, 'categoricalHinge');
  const pos = sum(mul(t, p), -1);
  const neg = max(mul(sub(1, t), p), -1);
  return maximum(add(sub(neg, pos), 1), 0);
}

/** -sum(l2normalize(y_true) · l2normalize(y_pred), axis): -1 when the vectors point the same way. */
export function cosineSimilarity(yTrue: TensorLike, yPred: TensorLike, opts: { axis?: number } = {}): Tensor {
  const [t, p] = prepare(yTrue, yPred, 'cosineSimilarity');
  const axis = opts.axis ?? -1;
  return mul(sum(mul(l2Normalize(t, { axis }), l2Normalize(p, { axis })), axis), -1);
}
