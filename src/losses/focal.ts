// Focal cross-entropies (Lin et al., "Focal Loss for Dense Object Detection"), Keras 3's forms:
// the cross-entropy of each entry scaled by (1 - p_t)^gamma, so confident right answers count less.
import { ValueError } from '../errors.js';
import { add, div, mul, pow, sub } from '../ops/primitives/binary.js';
import { sum } from '../ops/primitives/reduce.js';
import { log, sigmoid } from '../ops/primitives/unary.js';
import { clip, mean } from '../ops/composite/math.js';
import { softmax } from '../ops/composite/activations.js';
import { normalizeAxis } from '../tensor/shape.js';
import type { TensorLike } from '../ops/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { EPSILON, prepare } from './regression.js';

/** Options of the focal cross-entropy functions. */
export interface FocalOptions {
  /** Focusing exponent (default 2; 0 gives the plain cross-entropy). */
  gamma?: number;
  /** Weight of the positive class (default 0.25; binary: only with `applyClassBalancing`). */
  alpha?: number;
  fromLogits?: boolean;
  labelSmoothing?: number;
  axis?: number;
}

function checked(op: string, o: FocalOptions): Required<Omit<FocalOptions, 'axis'>> {
  const gamma = o.gamma ?? 2;
  const alpha = o.alpha ?? 0.25;
  const labelSmoothing = o.labelSmoothing ?? 0;
  if (!(gamma >= 0)) throw new ValueError(`${op}: gamma must be >= 0, got ${gamma}`);
  if (!(alpha >= 0 && alpha <= 1)) throw new ValueError(`${op}: alpha must be in [0, 1], got ${alpha}`);
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) throw new ValueError(`${op}: labelSmoothing must be in [0, 1], got ${labelSmoothing}`);
  return { gamma, alpha, labelSmoothing, fromLogits: o.fromLogits ?? false };
}

/** Binary focal cross-entropy averaged over `axis`; `applyClassBalancing` weighs positives by alpha, negatives by 1 - alpha. */
export function binaryFocalCrossentropy(yTrue: TensorLike, yPred: TensorLike, opts: FocalOptions & { applyClassBalancing?: boolean } = {}): Tensor {
  const op = 'binaryFocalCrossentropy';
  const o = checked(op, opts);
  let [t, p] = prepare(yTrue, yPred, op);
  if (o.labelSmoothing) t = add(mul(t, 1 - o.labelSmoothing), 0.5 * o.labelSmoothing);
  if (o.fromLogits) p = sigmoid(p);
  const q = clip(p, EPSILON, 1 - EPSILON);
  const bce = mul(add(mul(t, log(q)), mul(sub(1, t), log(sub(1, q)))), -1);
  const pT = add(mul(t, p), mul(sub(1, t), sub(1, p)));
  let focal = mul(pow(sub(1, pT), o.gamma), bce);
  if (opts.applyClassBalancing) focal = mul(add(mul(t, o.alpha), mul(sub(1, t), 1 - o.alpha)), focal);
  return mean(focal, opts.axis ?? -1);
}

/** Categorical focal cross-entropy: sum over the class axis of alpha·(1 - p)^gamma·(-y·log p). */
export function categoricalFocalCrossentropy(yTrue: TensorLike, yPred: TensorLike, opts: FocalOptions = {}): Tensor {
  const op = 'categoricalFocalCrossentropy';
  const o = checked(op, opts);
  let [t, p] = prepare(yTrue, yPred, op);
  const axis = normalizeAxis(op, opts.axis ?? -1, p.rank);
  if (o.labelSmoothing) t = add(mul(t, 1 - o.labelSmoothing), o.labelSmoothing / p.shape[axis]!);
  if (o.fromLogits) p = softmax(p, axis);
  const q = clip(div(p, sum(p, { axis, keepDims: true })), EPSILON, 1 - EPSILON);
  const ce = mul(mul(t, log(q)), -1);
  return sum(mul(mul(pow(sub(1, q), o.gamma), o.alpha), ce), axis);
}
