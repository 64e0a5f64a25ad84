// How the lookup and encoding layers return token indices: as indices ('int'), or per sample as
// one_hot / multi_hot / count / tf_idf vectors over the `depth` tokens.
import { ValueError } from '../../../errors.js';
import { tensor } from '../../../ops/creation.js';
import { oneHot } from '../../../ops/composite/one-hot.js';
import { mul } from '../../../ops/primitives/binary.js';
import { cast } from '../../../ops/primitives/cast.js';
import { max, sum } from '../../../ops/primitives/reduce.js';
import { expandDims, squeeze } from '../../../ops/primitives/shape.js';
import type { DType } from '../../../tensor/dtype.js';
import type { Tensor } from '../../../tensor/tensor.js';

export type OutputMode = 'int' | 'one_hot' | 'multi_hot' | 'count' | 'tf_idf';
export const OUTPUT_MODES: readonly OutputMode[] = ['int', 'one_hot', 'multi_hot', 'count', 'tf_idf'];

/**
 * Indices (values in [0, depth)) of the given shape, encoded. one_hot: one vector per index (a last
 * axis of 1 is replaced); multi_hot/count/tf_idf: one vector per sample (the last axis is summed; a
 * rank-1 input is one sample). `idf` weights the counts for tf_idf.
 */
export function encodeIndices(where: string, indices: ArrayLike<number>, shape: readonly number[], depth: number, mode: OutputMode, idf?: ArrayLike<number>): Tensor {
  if (mode !== 'int') {
    for (let i = 0; i < indices.length; i++) {
      const v = indices[i]!;
      if (!Number.isInteger(v) || v < 0 || v >= depth) throw new ValueError(`${where}: index ${v} is out of range for ${depth} tokens`);
    }
  }
  if (mode === 'tf_idf' && !idf) throw new ValueError(`${where}: tf_idf needs the document frequencies: call adapt() (or give idfWeights) first`);
  return encodeByOps(tensor(Array.from(indices), [...shape], 'int32'), depth, mode, { idf: idf ? Array.from(idf) : null });
}

/** Options of {@link encodeByOps}. */
export interface EncodeOptions {
  /** Document frequencies weighting the counts (tf_idf). */
  idf?: readonly number[] | null;
  /** The result's float dtype (default float32). */
  dtype?: DType;
  /** Per-index weights added up instead of 1 (count mode; CategoryEncoding's count_weights). */
  countWeights?: Tensor;
}

/**
 * Int32 indices in [0, depth) encoded with tensor ops (so it traces into jitted steps). one_hot:
 * one vector per index (a last axis of 1 is replaced); multi_hot/count/tf_idf: one vector per
 * sample (the last axis is reduced; a rank-1 input is one sample).
 */
export function encodeByOps(indices: Tensor, depth: number, mode: OutputMode, opts: EncodeOptions = {}): Tensor {
  if (mode === 'int') return indices;
  const floatType = opts.dtype === 'float64' ? 'float64' : 'float32';
  if (mode === 'one_hot') return oneHot(indices.rank > 0 && indices.shape.at(-1) === 1 ? squeeze(indices, [-1]) : indices, depth, { dtype: floatType });
  let hot = oneHot(indices.rank === 0 ? expandDims(indices, 0) : indices, depth, { dtype: floatType });
  if (mode === 'multi_hot') return max(hot, -2);
  if (opts.countWeights && mode === 'count') hot = mul(hot, expandDims(cast(opts.countWeights, floatType), -1));
  const counts = sum(hot, -2);
  if (mode === 'count') return counts;
  if (!opts.idf) throw new ValueError('tf_idf needs the document frequencies: call adapt() (or give idfWeights) first');
  return mul(counts, tensor([...opts.idf], [depth], floatType));
}
