import { ValueError } from '../../errors.js';
import { isFloat } from '../../tensor/dtype.js';
import { normalizeAxes } from '../../tensor/shape.js';
import { toTensor, type TensorLike } from '../creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { add, div, maximum, minimum, mul, pow as pow1, sub } from '../primitives/binary.js';
import { cast } from '../primitives/cast.js';
import { max, reduceOptions, sum, type AxisArg } from '../primitives/reduce.js';
import { stopGradient } from '../primitives/stop-gradient.js';
import { abs, exp, isFinite, log, log1p, neg, sqrt, square } from '../primitives/unary.js';
import { equal } from '../primitives/compare.js';
import { where } from '../primitives/select.js';
import { reshape } from '../primitives/shape.js';
import { reducedShape } from '../primitives/reduce.js';
import { declareOp } from '../surface.js';
import { noMoreArguments } from '../tfjs-positional.js';

function floatOf(x: TensorLike, op: string): Tensor {
  const t = toTensor(x, op);
  return isFloat(t.dtype) ? t : cast(t, 'float32');
}

function countOf(t: Tensor, axes: number[]): number {
  return axes.reduce((n, a) => n * t.shape[a]!, 1);
}

/** Mean over `axis` (all axes by default); integer inputs give float32. */
export function mean(x: TensorLike, axisOrOpts?: AxisArg, keepDims?: boolean): Tensor {
  const t = floatOf(x, 'mean');
  const o = reduceOptions(axisOrOpts, keepDims);
  const axes = normalizeAxes('mean', o.axis, t.rank);
  return div(sum(t, { axis: axes, keepDims: o.keepDims }), countOf(t, axes));
}

/** Population variance (ddof 0), like tf.math.reduce_variance. */
export function variance(x: TensorLike, axisOrOpts?: AxisArg, keepDims?: boolean): Tensor {
  const t = floatOf(x, 'variance');
  const o = reduceOptions(axisOrOpts, keepDims);
  const axes = normalizeAxes('variance', o.axis, t.rank);
  const m = mean(t, { axis: axes, keepDims: true });
  return mean(square(sub(t, m)), { axis: axes, keepDims: o.keepDims });
}

/** Population standard deviation over `axis` (all axes by default). */
export function std(x: TensorLike, axisOrOpts?: AxisArg, keepDims?: boolean): Tensor {
  return sqrt(variance(x, axisOrOpts, keepDims));
}

/** log(sum(exp(x))) computed stably (the max is subtracted first). */
export function logSumExp(x: TensorLike, axisOrOpts?: AxisArg, keepDims?: boolean): Tensor {
  const t = floatOf(x, 'logSumExp');
  const o = reduceOptions(axisOrOpts, keepDims);
  const axes = normalizeAxes('logSumExp', o.axis, t.rank);
  const m = stopGradient(max(t, { axis: axes, keepDims: true }));
  // An infinite max would give inf - inf = NaN; shifting by 0 there yields the right ±inf.
  const safeM = where(isFinite(m), m, 0);
  const s = log(sum(exp(sub(t, safeM)), { axis: axes, keepDims: true }));
  const out = add(s, safeM);
  return o.keepDims ? out : reshape(out, reducedShape(t.shape, axes, false));
}

/** Options of {@link norm}: the order, the axes and keepDims. */
export interface NormOptions {
  ord?: number | 'euclidean' | 'fro' | 'inf';
  axis?: number | readonly number[] | null;
  keepDims?: boolean;
}

/** Vector p-norm over the given axes (all by default): 'euclidean' (2), 1, Infinity, or any p > 0. */
export function norm(x: TensorLike, ordOrOpts: NormOptions | number | 'euclidean' | 'fro' = {}, axis?: number | readonly number[], keepDims?: boolean): Tensor {
  if (typeof ordOrOpts === 'object') noMoreArguments('norm', [axis, keepDims], 'norm(x, { ord, axis, keepDims }) or norm(x, ord, axis, keepDims)');
  // eslint-disable-next-line prefer-rest-params
  noMoreArguments('norm', [...arguments].slice(4), 'norm(x, ord, axis, keepDims)');
  const o: NormOptions = typeof ordOrOpts === 'object' ? ordOrOpts : { ord: ordOrOpts, axis, keepDims };
  const t = floatOf(x, 'norm');
  const ord = o.ord === undefined || o.ord === 'euclidean' || o.ord === 'fro' ? 2 : o.ord === 'inf' ? Infinity : o.ord;
  const opts = { axis: o.axis, keepDims: o.keepDims };
  if (ord === 2) return sqrt(sum(square(t), opts));
  if (ord === 1) return sum(abs(t), opts);
  if (ord === Infinity) return max(abs(t), opts);
  if (!(ord > 0)) throw new ValueError(`norm: ord must be a positive number, 'euclidean', 'fro' or 'inf', got ${String(o.ord)}`);
  return pow1(sum(pow1(abs(t), ord), opts), 1 / ord);
}

/** Clamp values into [lo, hi]. */
export function clip(x: TensorLike, lo: TensorLike, hi: TensorLike): Tensor {
  const t = toTensor(x, 'clip');
  if (typeof lo === 'number' && typeof hi === 'number' && lo > hi) throw new ValueError(`clip: min ${lo} is greater than max ${hi}`);
  return minimum(maximum(t, lo), hi);
}


/** Values scaled so that their L2 norm is at most `clipNorm`. */
export function clipByNorm(x: TensorLike, clipNorm: number, axis?: number | readonly number[]): Tensor {
  const t = floatOf(x, 'clipByNorm');
  const n = norm(t, { axis, keepDims: true });
  return mul(t, div(clipNorm, maximum(n, clipNorm)));
}

/** log(exp(a) + exp(b)), elementwise, without overflow (numpy's logaddexp). */
export function logaddexp(a: TensorLike, b: TensorLike): Tensor {
  const x = floatOf(a, 'logaddexp');
  const y = floatOf(b, 'logaddexp');
  const m = maximum(x, y);
  // Equal infinities: a - b is NaN, but the answer is that infinity.
  const d = where(isFinite(m), abs(sub(x, y)), 0);
  return add(m, log1p(exp(neg(d))));
}

/** x * log(y), elementwise, and 0 where x is 0 whatever y is (TensorFlow's xlogy). */
export function xlogy(x: TensorLike, y: TensorLike): Tensor {
  const a = floatOf(x, 'xlogy');
  const zero = equal(a, 0);
  // log of 1 where x is 0, so neither the value nor the gradient sees log(0).
  return where(zero, 0, mul(a, log(where(zero, 1, floatOf(y, 'xlogy')))));
}

/** sqrt(a² + b²), elementwise, scaled by the larger magnitude so it neither overflows nor underflows. */
export function hypot(a: TensorLike, b: TensorLike): Tensor {
  const x = floatOf(a, 'hypot');
  const y = floatOf(b, 'hypot');
  const m = maximum(abs(x), abs(y));
  const s = where(equal(m, 0), 1, m);
  return mul(m, sqrt(add(square(div(x, s)), square(div(y, s)))));
}

// The public surface of these ops (src/ops/surface.ts).
declareOp(mean, { method: true, aliases: ['reduceMean'] });
declareOp(variance, { method: true, aliases: ['reduceVariance'] });
declareOp(std, { method: true, aliases: ['reduceStd'] });
declareOp(logSumExp, { method: true, aliases: ['reduceLogSumExp'] });
declareOp(norm, { method: true });
declareOp(clip, { method: true, aliases: ['clipByValue'] });
declareOp(clipByNorm);
declareOp(logaddexp, { method: true });
declareOp(xlogy, { method: true });
declareOp(hypot, { method: true });
