// CategoryEncoding: integer category ids as one-hot, multi-hot or count vectors of numTokens.
import { ValueError } from '../../errors.js';
import { engine } from '../../engine/engine.js';
import { oneHot } from '../../ops/composite/one-hot.js';
import { cast } from '../../ops/primitives/cast.js';
import { max, min, sum } from '../../ops/primitives/reduce.js';
import { minimum } from '../../ops/primitives/binary.js';
import { expandDims, squeeze } from '../../ops/primitives/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { positiveInt } from './core.js';
import { mergePositional, optionKeys } from '../../check-options.js';
import { LAYER_KEYS, Layer, type InputShapes, type LayerArgs, type Shape } from './layer.js';

export type CategoryOutputMode = 'oneHot' | 'multiHot' | 'count';

export interface CategoryEncodingArgs extends LayerArgs {
  /** Number of categories: ids must be in [0, numTokens). */
  numTokens?: number;
  /** 'multiHot' (default: 1 for each id present in a sample), 'oneHot' (one vector per id) or 'count'. */
  outputMode?: CategoryOutputMode;
}

const CATEGORY_ENCODING_KEYS = optionKeys<CategoryEncodingArgs>({ ...LAYER_KEYS, numTokens: true, outputMode: true });
// Keras writes the modes in snake_case.
const MODES: Record<string, CategoryOutputMode> = { oneHot: 'oneHot', one_hot: 'oneHot', multiHot: 'multiHot', multi_hot: 'multiHot', count: 'count' };

/**
 * Encodes integer ids [batch] or [batch, ids] as [batch, numTokens] (multiHot, count; oneHot of
 * [batch] or [batch, 1]) or [batch, ids, numTokens] (oneHot of several ids). Ids outside
 * [0, numTokens) are an error when the values can be read (not inside nb.jit, where they encode as zeros).
 */
export class CategoryEncoding extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = CATEGORY_ENCODING_KEYS;
  readonly numTokens: number;
  readonly outputMode: CategoryOutputMode;
  constructor(numTokens: number | CategoryEncodingArgs, args?: CategoryEncodingArgs) {
    const a = mergePositional<CategoryEncodingArgs>('CategoryEncoding', CATEGORY_ENCODING_KEYS, ['numTokens'], [numTokens, args]);
    super(a);
    this.numTokens = positiveInt('CategoryEncoding', 'numTokens', a.numTokens);
    const mode = MODES[String(a.outputMode ?? 'multiHot')];
    if (!mode) throw new ValueError(`CategoryEncoding: outputMode must be 'oneHot', 'multiHot' or 'count', got ${JSON.stringify(a.outputMode)}`);
    this.outputMode = mode;
  }
  override call(x: Tensor): Tensor {
    if (x.rank < 1 || x.rank > 2) throw new ValueError(`CategoryEncoding '${this.name}': expects ids [batch] or [batch, ids], got shape [${x.shape.join(', ')}]`);
    const ids = cast(x, 'int32');
    if (!engine.tracer && ids.size > 0) {
      const lo = min(ids).item();
      const hi = max(ids).item();
      if (lo < 0 || hi >= this.numTokens) throw new ValueError(`CategoryEncoding '${this.name}': ids must be in [0, ${this.numTokens}), got values from ${lo} to ${hi}`);
    }
    const hot = oneHot(ids, this.numTokens, { dtype: this.dtype });
    if (this.outputMode === 'oneHot') return x.rank === 2 && x.shape[1] === 1 ? squeeze(hot, 1) : hot;
    const perSample = x.rank === 1 ? expandDims(hot, 1) : hot;
    const counts = sum(perSample, 1);
    return this.outputMode === 'count' ? counts : minimum(counts, 1);
  }
  override computeOutputShape(inputShape: InputShapes): Shape {
    const s = inputShape as Shape;
    if (this.outputMode === 'oneHot' && s.length === 2 && s[1] !== 1) return [s[0] ?? null, s[1] ?? null, this.numTokens];
    return [s[0] ?? null, this.numTokens];
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), numTokens: this.numTokens, outputMode: this.outputMode };
  }
}
