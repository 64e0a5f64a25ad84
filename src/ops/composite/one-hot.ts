import { ValueError } from '../../errors.js';
import { assertDType, type DType } from '../../tensor/dtype.js';
import { normalizeAxis } from '../../tensor/shape.js';
import { full, range, type TensorLike } from '../creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { equal } from '../primitives/compare.js';
import { indexTensor } from '../primitives/index-args.js';
import { where } from '../primitives/select.js';
import { expandDims, transpose } from '../primitives/shape.js';
import { declareOp } from '../surface.js';
import { optionsOnly, positional } from '../tfjs-positional.js';

/** Options of {@link oneHot}: the on/off values, dtype and axis. */
export interface OneHotOptions {
  onValue?: number;
  offValue?: number;
  dtype?: DType;
  /** Where the new axis of size `depth` goes (default -1, the end). */
  axis?: number;
}

/**
 * One-hot rows for int32 `indices`, like tf.one_hot: a new axis of size `depth` holds `onValue`
 * at the index and `offValue` elsewhere. An index outside [0, depth) gives a row of `offValue`.
 */
export function oneHot(indices: TensorLike, depth: number, opts?: OneHotOptions): Tensor;
/** TF.js's positional form: `onValue, offValue, dtype` (the dtype still defaults to float32). */
export function oneHot(indices: TensorLike, depth: number, onValue: number, offValue?: number, dtype?: DType): Tensor;
export function oneHot(indices: TensorLike, depth: number, ...args: unknown[]): Tensor {
  const form = 'oneHot(indices, depth, { onValue, offValue, dtype, axis })';
  const opts: OneHotOptions =
    typeof args[0] === 'number'
      ? positional(args, ['onValue', 'offValue', 'dtype'], 'oneHot', form)
      : optionsOnly<OneHotOptions>('oneHot', args, form);
  if (!Number.isInteger(depth) || depth < 0) throw new ValueError(`oneHot: depth must be a non-negative integer, got ${depth}`);
  const idx = indexTensor(indices, 'oneHot');
  const dtype = assertDType(opts.dtype ?? 'float32', 'oneHot');
  const axis = normalizeAxis('oneHot', opts.axis ?? -1, idx.rank + 1);
  const hot = equal(expandDims(idx, -1), range(0, depth, 1, 'int32'));
  const out = where(hot, full([], opts.onValue ?? 1, dtype), full([], opts.offValue ?? 0, dtype));
  if (axis === idx.rank) return out;
  const perm = [...idx.shape.keys()];
  perm.splice(axis, 0, idx.rank);
  return transpose(out, perm);
}

// The public surface of these ops (src/ops/surface.ts).
declareOp(oneHot);
