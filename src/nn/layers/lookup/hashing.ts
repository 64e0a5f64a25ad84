import { ValueError } from '../../../errors.js';
import { mergePositional, optionKeys } from '../../../check-options.js';
import { Tensor } from '../../../tensor/tensor.js';
import { StringTensor } from '../../../tensor/string-tensor.js';
import { LAYER_KEYS, Layer, type CallArgs, type InputShapes, type LayerArgs } from '../layer.js';
import { encodeIndices } from './encode-output.js';
import { flattenNested } from '../../../tensor/nested.js';
import { stableHash } from './stable-hash.js';
import { oneOf } from '../image-sampling.js';

export interface HashingArgs extends LayerArgs {
  /** Number of bins (the mask bin included when maskValue is set). */
  numBins?: number;
  /** A value that goes to bin 0 (then the others hash into 1..numBins-1). */
  maskValue?: string | number | null;
  /** Mixed into the hash, for a different assignment. */
  salt?: number | null;
  /** 'int' (default), 'one_hot', 'multi_hot' or 'count'. */
  outputMode?: 'int' | 'one_hot' | 'multi_hot' | 'count';
}
const HASHING_KEYS = optionKeys<HashingArgs>({ ...LAYER_KEYS, numBins: true, maskValue: true, salt: true, outputMode: true });

/**
 * Strings or integers hashed into `numBins` bins (Keras's Hashing, on the host). The hash is
 * FNV-1a of the value's string form: stable across runs and machines, but not Keras's FarmHash,
 * so a value's bin differs from Keras's.
 */
export class Hashing extends Layer {
  static readonly optionKeys: readonly string[] = HASHING_KEYS;
  readonly numBins: number;
  readonly maskValue: string | number | null;
  readonly salt: number | null;
  readonly outputMode: 'int' | 'one_hot' | 'multi_hot' | 'count';
  constructor(numBins?: number | HashingArgs, args?: HashingArgs) {
    const a = mergePositional<HashingArgs>('Hashing', HASHING_KEYS, ['numBins'], [numBins, args]);
    super(a);
    if (!Number.isInteger(a.numBins) || a.numBins! < 1) throw new ValueError(`Hashing: numBins must be a positive integer, got ${JSON.stringify(a.numBins)}`);
    this.numBins = a.numBins!;
    this.maskValue = a.maskValue ?? null;
    if (this.maskValue !== null && this.numBins < 2) throw new ValueError('Hashing: with a maskValue, numBins must be at least 2');
    this.salt = a.salt ?? null;
    this.outputMode = oneOf('Hashing', 'outputMode', a.outputMode ?? 'int', ['int', 'one_hot', 'multi_hot', 'count'] as const);
  }
  /** The bin of each value (nested arrays of strings or numbers, or a numeric tensor). */
  hash(x: unknown): Tensor {
    const { values, shape } = x instanceof Tensor
      ? { values: Array.from(x.dataSync() as ArrayLike<number>), shape: [...x.shape] }
      : x instanceof StringTensor
      ? { values: [...x.values], shape: [...x.shape] }
      : flattenNested('Hashing', x, (v): v is string | number => typeof v === 'string' || typeof v === 'number', 'a string or a number');
    const masked = this.maskValue !== null;
    const bins = values.map((v) => {
      if (masked && v === this.maskValue) return 0;
      const h = stableHash(String(v), this.salt ?? 0);
      return masked ? 1 + (h % (this.numBins - 1)) : h % this.numBins;
    });
    return encodeIndices('Hashing', bins, shape, this.numBins, this.outputMode);
  }
  override apply(inputs: any, kwargs?: CallArgs): any {
    if (Array.isArray(inputs) || typeof inputs === 'string' || inputs instanceof StringTensor) return this.hash(inputs);
    return super.apply(inputs, kwargs);
  }
  override call(x: Tensor): Tensor {
    return this.hash(x);
  }
  override computeOutputShape(s: InputShapes): InputShapes {
    const shape = s as (number | null)[];
    if (this.outputMode === 'int') return shape;
    if (this.outputMode === 'one_hot') return [...(shape.at(-1) === 1 ? shape.slice(0, -1) : shape), this.numBins];
    return [...shape.slice(0, -1), this.numBins];
  }
  override getConfig() {
    return { ...super.getConfig(), numBins: this.numBins, maskValue: this.maskValue, salt: this.salt, outputMode: this.outputMode };
  }
}
