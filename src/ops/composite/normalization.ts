// Normalisation building blocks of tf.nn: moments, batch normalisation, L2 normalisation, bias add.
import { DTypeError, ShapeError, ValueError, fmtShape } from '../../errors.js';
import { isFloat } from '../../tensor/dtype.js';
import { normalizeAxes } from '../../tensor/shape.js';
import { tensor, toTensor, type TensorLike } from '../creation.js';
import { Tensor } from '../../tensor/tensor.js';
import { stopGradient } from '../primitives/stop-gradient.js';
import { add, maximum, mul, sub } from '../primitives/binary.js';
import { cast } from '../primitives/cast.js';
import { reducedShape, sum } from '../primitives/reduce.js';
import { reshape } from '../primitives/shape.js';
import { rsqrt, square } from '../primitives/unary.js';
import { mean } from './math.js';
import { declareOp } from '../surface.js';
import { optionsOnly, positional } from '../tfjs-positional.js';

function floatInput(x: TensorLike, op: string): Tensor {
  const t = toTensor(x, op);
  return isFloat(t.dtype) ? t : cast(t, 'float32');
}

/** Mean and variance, as returned by `moments`. */
export interface Moments {
  mean: Tensor;
  variance: Tensor;
}

/**
 * Mean and (population) variance of `x` over `axes`, like tf.nn.moments. The variance is taken
 * around the mean held constant, which has the same value and gradient and costs one pass less.
 */
export function moments(x: TensorLike, axes: number | readonly number[], opts?: { keepDims?: boolean }): Moments;
/** TF.js's positional form: `keepDims`. */
export function moments(x: TensorLike, axes: number | readonly number[], keepDims: boolean): Moments;
export function moments(x: TensorLike, axes: number | readonly number[], ...args: unknown[]): Moments {
  const form = 'nn.moments(x, axes, { keepDims })';
  const opts = typeof args[0] === 'boolean' ? positional<{ keepDims?: boolean }>(args, ['keepDims'], 'moments', form) : optionsOnly<{ keepDims?: boolean }>('moments', args, form);
  const t = floatInput(x, 'moments');
  const ax = normalizeAxes('moments', axes, t.rank);
  const m = mean(t, { axis: ax, keepDims: true });
  const v = mean(square(sub(t, stopGradient(m))), { axis: ax, keepDims: true });
  if (opts.keepDims) return { mean: m, variance: v };
  const shape = reducedShape(t.shape, ax, false);
  return { mean: reshape(m, shape), variance: reshape(v, shape) };
}

/**
 * (x - mean) / sqrt(variance + varianceEpsilon) * scale + offset, broadcasting the statistics
 * against x (offset and scale may be null), like tf.nn.batch_normalization.
 */
export function batchNormalization(
  x: TensorLike,
  mean: TensorLike,
  variance: TensorLike,
  offset: TensorLike | null | undefined,
  scale: TensorLike | null | undefined,
  varianceEpsilon: number,
): Tensor {
  if (!(varianceEpsilon >= 0)) throw new ValueError(`batchNormalization: varianceEpsilon must be a non-negative number, got ${varianceEpsilon}`);
  const t = floatInput(x, 'batchNormalization');
  let inv = rsqrt(add(variance, varianceEpsilon));
  if (scale !== null && scale !== undefined) inv = mul(inv, scale);
  const y = mul(sub(t, mean), inv);
  return offset === null || offset === undefined ? y : add(y, offset);
}

/** x / sqrt(max(sum(x^2, axis), epsilon)) (all axes by default; epsilon 1e-12), like tf.math.l2_normalize. */
export function l2Normalize(x: TensorLike, opts: { axis?: number | readonly number[]; epsilon?: number } = {}): Tensor {
  const t = floatInput(x, 'l2Normalize');
  const squares = sum(square(t), { axis: opts.axis, keepDims: true });
  return mul(t, rsqrt(maximum(squares, opts.epsilon ?? 1e-12)));
}

/** Add a rank-1 `bias` along the last (channels) axis of `x`. */
export function biasAdd(x: TensorLike, bias: TensorLike): Tensor {
  const t = toTensor(x, 'biasAdd');
  const b = bias instanceof Tensor ? bias : tensor(bias, t.dtype);
  if (b.rank !== 1 || t.rank < 1 || b.shape[0] !== t.shape[t.rank - 1]) {
    throw new ShapeError(`biasAdd: bias must be rank 1 with the size of the last axis of x ${fmtShape(t.shape)}, got shape ${fmtShape(b.shape)}`);
  }
  if (b.dtype !== t.dtype) throw new DTypeError(`biasAdd: x and bias must have one dtype, got ${t.dtype} and ${b.dtype}`);
  return add(t, b);
}

// The public surface of these ops (src/ops/surface.ts).
declareOp(moments, { nn: 'only' });
declareOp(batchNormalization, { nn: 'only' });
declareOp(l2Normalize, { nn: 'only' });
declareOp(biasAdd, { nn: 'only' });
