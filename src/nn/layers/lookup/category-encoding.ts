import { ValueError } from '../../../errors.js';
import { mergePositional, optionKeys } from '../../../check-options.js';
import { cast } from '../../../ops/primitives/cast.js';
import { isSymbolic as isTraced } from '../../../jit/trace.js';
import type { Tensor } from '../../../tensor/tensor.js';
import { LAYER_KEYS, Layer, type CallArgs, type InputShapes, type LayerArgs } from '../layer.js';
import { oneOf } from '../image-sampling.js';
import { encodeByOps } from './encode-output.js';

export type CategoryOutputMode = 'one_hot' | 'multi_hot' | 'count';
/** TF.js writes the modes in camelCase in its model JSON. */
const TFJS_SPELLINGS: Record<string, CategoryOutputMode> = { oneHot: 'one_hot', multiHot: 'multi_hot' };
export interface CategoryEncodingArgs extends LayerArgs {
  /** How many categories: inputs are integers in [0, numTokens). */
  numTokens?: number;
  /** 'multi_hot' (default), 'one_hot' or 'count' (TF.js's 'multiHot', 'oneHot' too). */
  outputMode?: CategoryOutputMode | 'oneHot' | 'multiHot';
}
const CATEGORY_ENCODING_KEYS = optionKeys<CategoryEncodingArgs>({ ...LAYER_KEYS, numTokens: true, outputMode: true });

/**
 * Integer categories to vectors (Keras's CategoryEncoding), with tensor ops so it runs in models
 * and jitted steps. one_hot: a vector per value (a last axis of 1 is replaced); multi_hot/count: a
 * vector per sample (over the last axis; a rank-1 input is one sample). `countWeights` in the call
 * weights each value in count mode. Values outside [0, numTokens) are an error (checked eagerly).
 */
export class CategoryEncoding extends Layer {
  static readonly optionKeys: readonly string[] = CATEGORY_ENCODING_KEYS;
  readonly numTokens: number;
  readonly outputMode: CategoryOutputMode;
  constructor(numTokens?: number | CategoryEncodingArgs, args?: CategoryEncodingArgs) {
    const a = mergePositional<CategoryEncodingArgs>('CategoryEncoding', CATEGORY_ENCODING_KEYS, ['numTokens'], [numTokens, args]);
    super(a);
    if (!Number.isInteger(a.numTokens) || a.numTokens! < 1) throw new ValueError(`CategoryEncoding: numTokens must be a positive integer, got ${JSON.stringify(a.numTokens)}`);
    this.numTokens = a.numTokens!;
    const mode = a.outputMode ?? 'multi_hot';
    this.outputMode = oneOf('CategoryEncoding', 'outputMode', TFJS_SPELLINGS[mode] ?? mode, ['one_hot', 'multi_hot', 'count'] as const);
  }
  override call(x: Tensor, kwargs: CallArgs = {}): Tensor {
    if (!isTraced(x)) {
      const values = x.dataSync() as ArrayLike<number>;
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        if (!Number.isInteger(v) || v < 0 || v >= this.numTokens) throw new ValueError(`CategoryEncoding: input value ${v} is outside [0, ${this.numTokens}) (numTokens ${this.numTokens})`);
      }
    }
    return encodeByOps(cast(x, 'int32'), this.numTokens, this.outputMode, { dtype: this.dtype, countWeights: kwargs.countWeights as Tensor | undefined });
  }
  override computeOutputShape(s: InputShapes): InputShapes {
    const shape = s as (number | null)[];
    if (this.outputMode === 'one_hot') return [...(shape.at(-1) === 1 ? shape.slice(0, -1) : shape), this.numTokens];
    return [...shape.slice(0, -1), this.numTokens];
  }
  override getConfig() {
    return { ...super.getConfig(), numTokens: this.numTokens, outputMode: this.outputMode };
  }
}
