// Shape alignment and reduction shared by losses and metrics (Keras 3's
// squeeze_or_expand_to_same_rank and reduce_weighted_values).
import { ValueError } from '../errors.js';
import { div, divNoNan, mul } from '../ops/primitives/binary.js';
import { cast } from '../ops/primitives/cast.js';
import { sum } from '../ops/primitives/reduce.js';
import { expandDims, squeeze } from '../ops/primitives/shape.js';
import { isFloat } from '../tensor/dtype.js';
import { tensor, toTensor, type TensorLike } from '../ops/creation.js';
import type { Tensor } from '../tensor/tensor.js';

/** How a loss object turns per-sample values into its result. */
export type Reduction = 'sum_over_batch_size' | 'sum' | 'none' | 'mean' | 'mean_with_sample_weight';

const REDUCTIONS: readonly Reduction[] = ['sum_over_batch_size', 'sum', 'none', 'mean', 'mean_with_sample_weight'];

export function checkReduction(op: string, r: unknown): Reduction {
  if (r === undefined || r === null) return 'sum_over_batch_size';
  if (!REDUCTIONS.includes(r as Reduction)) throw new ValueError(`${op}: unknown reduction '${String(r)}'; expected one of ${REDUCTIONS.join(', ')}`);
  return r as Reduction;
}

/**
 * Make ranks equal where they differ by a trailing axis of size 1: `[B]` against `[B, 1]` expands
 * the rank-1 side (when `expandRank1`), otherwise the size-1 axis is squeezed.
 */
export function squeezeOrExpandToSameRank(a: Tensor, b: Tensor, expandRank1 = true): [Tensor, Tensor] {
  if (a.rank === b.rank + 1 && a.shape[a.rank - 1] === 1) {
    return b.rank === 1 && expandRank1 ? [a, expandDims(b, -1)] : [squeeze(a, -1), b];
  }
  if (b.rank === a.rank + 1 && b.shape[b.rank - 1] === 1) {
    return a.rank === 1 && expandRank1 ? [expandDims(a, -1), b] : [a, squeeze(b, -1)];
  }
  return [a, b];
}

/** A float tensor (int/bool inputs become float32). */
export function asFloat(x: TensorLike, op: string): Tensor {
  const t = toTensor(x, op);
  return isFloat(t.dtype) ? t : cast(t, 'float32');
}

/** `x` as a tensor of dtype `like` (labels take the predictions' dtype). */
export function asDType(x: TensorLike, like: Tensor, op: string): Tensor {
  // JS arrays are read straight into the target dtype (no float32 rounding on the way to float64).
  const t = Array.isArray(x) ? tensor(x, like.dtype === 'bool' ? undefined : like.dtype) : toTensor(x, op, like.dtype);
  return t.dtype === like.dtype ? t : cast(t, like.dtype);
}

/**
 * Weight per-sample `values` by `sampleWeight` (broadcast after rank alignment), optionally mask
 * them (a mask makes 'sum_over_batch_size' average over the unmasked entries), and reduce.
 */
export function reduceWeightedValues(values: Tensor, sampleWeight: TensorLike | null | undefined, reduction: Reduction, mask?: Tensor | null): Tensor {
  let weights: Tensor | null = sampleWeight === undefined || sampleWeight === null ? null : asDType(sampleWeight, values, 'loss sampleWeight');
  if (mask) {
    let m = cast(mask, values.dtype);
    if (reduction === 'sum_over_batch_size' || reduction === 'mean') {
      // Scale so that the sum over all entries divided by their count is the mean over valid ones.
      m = mul(m, divNoNan(m.size, sum(m)));
    }
    weights = weights ? mul(...squeezeOrExpandToSameRank(weights, m)) : m;
  }
  let v = values;
  if (weights) {
    const [a, w] = squeezeOrExpandToSameRank(v, weights);
    v = mul(a, w);
  }
  if (reduction === 'none' || v.rank === 0) return v;
  const total = sum(v);
  if (reduction === 'sum') return total;
  if (reduction === 'mean_with_sample_weight' && weights) return divNoNan(total, sum(weights));
  return v.size === 0 ? divNoNan(total, 0) : div(total, v.size);
}
