// Feature scaling fitted on training data and applied unchanged to test data (the lesson's
// normalisation: compute the statistics on the training set only).
import { ValueError } from '../errors.js';
import { add, div, mul, sub } from '../ops/primitives/binary.js';
import { cast } from '../ops/primitives/cast.js';
import { equal } from '../ops/primitives/compare.js';
import { max, min } from '../ops/primitives/reduce.js';
import { where } from '../ops/primitives/select.js';
import { mean, std } from '../ops/composite/math.js';
import { toTensor, type TensorLike } from '../ops/creation.js';
import { isFloat } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';

/** Options of `StandardScaler.fit` and `standardize`. */
export interface ScaleOptions {
  /** Axes the statistics are taken over (default 0: one statistic per feature, over the samples). */
  axis?: number | readonly number[] | null;
}

/** Options of `MinMaxScaler.fit` and `minMaxScale`. */
export interface MinMaxOptions extends ScaleOptions {
  /** The interval the training data is mapped to (default [0, 1]). */
  featureRange?: readonly [number, number];
}

function floatInput(x: TensorLike, op: string): Tensor {
  const t = toTensor(x, op);
  if (t.rank === 0) throw new ValueError(`${op}: expected a tensor with at least one axis, got a scalar`);
  return isFloat(t.dtype) ? t : cast(t, 'float32');
}

/** Replace zeros (a constant feature) by one, so that scaling leaves it finite, as scikit-learn does. */
function nonZero(t: Tensor): Tensor {
  return where(equal(t, 0), 1, t);
}

/** Standardisation: (x - mean) / std, with mean and std of the data it was fitted on. */
export class StandardScaler {
  private constructor(
    /** Mean over the fitted axes (kept as size-1 axes, so it broadcasts). */
    readonly mean: Tensor,
    /** Population standard deviation over the fitted axes (zeros replaced by 1). */
    readonly std: Tensor,
  ) {}

  /** Learn mean and standard deviation from training data. */
  static fit(x: TensorLike, opts: ScaleOptions = {}): StandardScaler {
    const t = floatInput(x, 'StandardScaler.fit');
    const axis = opts.axis === undefined ? 0 : opts.axis;
    return new StandardScaler(mean(t, { axis, keepDims: true }), nonZero(std(t, { axis, keepDims: true })));
  }

  /** `(x - mean) / std` with the fitted statistics. */
  transform(x: TensorLike): Tensor {
    return div(sub(floatInput(x, 'StandardScaler.transform'), this.mean), this.std);
  }

  /** Undo `transform`: `x * std + mean`. */
  inverseTransform(x: TensorLike): Tensor {
    return add(mul(floatInput(x, 'StandardScaler.inverseTransform'), this.std), this.mean);
  }
}

/** Min-max scaling: the training data's [min, max] maps onto featureRange (default [0, 1]). */
export class MinMaxScaler {
  private constructor(
    /** Minimum over the fitted axes (kept as size-1 axes). */
    readonly dataMin: Tensor,
    /** max - min over the fitted axes (zeros replaced by 1). */
    readonly dataRange: Tensor,
    readonly featureRange: readonly [number, number],
  ) {}

  /** Learn the minimum and range from training data. */
  static fit(x: TensorLike, opts: MinMaxOptions = {}): MinMaxScaler {
    const t = floatInput(x, 'MinMaxScaler.fit');
    const range = opts.featureRange ?? [0, 1];
    if (range.length !== 2 || !(range[0] < range[1])) {
      throw new ValueError(`MinMaxScaler.fit: featureRange must be [lo, hi] with lo < hi, got ${JSON.stringify(range)}`);
    }
    const axis = opts.axis === undefined ? 0 : opts.axis;
    const lo = min(t, { axis, keepDims: true });
    return new MinMaxScaler(lo, nonZero(sub(max(t, { axis, keepDims: true }), lo)), [range[0], range[1]]);
  }

  /** Scale with the fitted parameters; new data may fall outside featureRange. */
  transform(x: TensorLike): Tensor {
    const [lo, hi] = this.featureRange;
    const unit = div(sub(floatInput(x, 'MinMaxScaler.transform'), this.dataMin), this.dataRange);
    return lo === 0 && hi === 1 ? unit : add(mul(unit, hi - lo), lo);
  }

  /** Undo `transform`: map featureRange back onto the fitted [min, max]. */
  inverseTransform(x: TensorLike): Tensor {
    const [lo, hi] = this.featureRange;
    const unit = div(sub(floatInput(x, 'MinMaxScaler.inverseTransform'), lo), hi - lo);
    return add(mul(unit, this.dataRange), this.dataMin);
  }
}

/** Standardise x with its own statistics (fit and transform in one step). */
export function standardize(x: TensorLike, opts: ScaleOptions = {}): Tensor {
  return StandardScaler.fit(x, opts).transform(x);
}

/** Min-max scale x with its own minimum and maximum (fit and transform in one step). */
export function minMaxScale(x: TensorLike, opts: MinMaxOptions = {}): Tensor {
  return MinMaxScaler.fit(x, opts).transform(x);
}
