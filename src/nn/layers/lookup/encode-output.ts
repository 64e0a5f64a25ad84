// How the lookup and encoding layers return token indices: as indices ('int'), or per sample as
// one_hot / multi_hot / count / tf_idf vectors over the `depth` tokens.
import { ValueError } from '../../../errors.js';
import { tensor } from '../../../ops/creation.js';
import { oneHot } from '../../../ops/composite/one-hot.js';
import { mul } from '../../../ops/primitives/binary.js';
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
  if (mode === 'int') return tensor(Array.from(indices), [...shape], 'int32');
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= depth) throw new ValueError(`${where}: index ${v} is out of range for ${depth} tokens`);
  }
  if (mode === 'one_hot') {
    const outer = shape.length > 0 && shape.at(-1) === 1 ? shape.slice(0, -1) : [...shape];
    const out = new Float32Array(indices.length * depth);
    for (let i = 0; i < indices.length; i++) out[i * depth + indices[i]!] = 1;
    return tensor(out, [...outer, depth]);
  }
  if (mode === 'tf_idf' && !idf) throw new ValueError(`${where}: tf_idf needs the document frequencies: call adapt() (or give idfWeights) first`);
  const perSample = shape.length === 0 ? 1 : shape.at(-1)!;
  const samples = shape.length <= 1 ? 1 : indices.length / perSample;
  const outer = shape.length <= 1 ? [] : shape.slice(0, -1);
  const out = new Float32Array(samples * depth);
  for (let s = 0; s < samples; s++) {
    for (let k = 0; k < perSample; k++) {
      const at = s * depth + indices[s * perSample + k]!;
      out[at] = mode === 'multi_hot' ? 1 : out[at]! + 1;
    }
  }
  if (mode === 'tf_idf') for (let i = 0; i < out.length; i++) out[i]! *= idf![i % depth]!;
  return tensor(out, [...outer, depth]);
}

/**
 * `encodeIndices` with tensor ops, for indices already in a tensor (so it traces into jitted
 * steps): int32 indices in [0, depth) to the output mode.
 */
export function encodeByOps(indices: Tensor, depth: number, mode: OutputMode, idf: readonly number[] | null, dtype: DType): Tensor {
  if (mode === 'int') return indices;
  const floatType = dtype === 'float64' ? 'float64' : 'float32';
  if (mode === 'one_hot') return oneHot(indices.rank > 0 && indices.shape.at(-1) === 1 ? squeeze(indices, [-1]) : indices, depth, { dtype: floatType });
  const hot = oneHot(indices.rank === 0 ? expandDims(indices, 0) : indices, depth, { dtype: floatType });
  if (mode === 'multi_hot') return max(hot, -2);
  const counts = sum(hot, -2);
  if (mode === 'count') return counts;
  if (!idf) throw new ValueError('tf_idf needs the document frequencies: call adapt() (or give idfWeights) first');
  return mul(counts, tensor([...idf], [depth], floatType));
}
