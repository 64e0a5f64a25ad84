import { ValueError } from '../../../errors.js';
import { add, mod } from '../../../ops/primitives/binary.js';
import { cast } from '../../../ops/primitives/cast.js';
import { equal } from '../../../ops/primitives/compare.js';
import { any, sum } from '../../../ops/primitives/reduce.js';
import { broadcastTo, expandDims } from '../../../ops/primitives/shape.js';
import { where } from '../../../ops/primitives/select.js';
import { range, tensor } from '../../../ops/creation.js';
import { encodeByOps } from './encode-output.js';
import { mergePositional, optionKeys } from '../../../check-options.js';
import type { StringTensor } from '../../../tensor/string-tensor.js';
import type { Tensor } from '../../../tensor/tensor.js';
import { LAYER_KEYS, type CallArgs } from '../layer.js';
import { hostNumbers, hostStrings, type HostValues, type NestedStrings } from './host-values.js';
import { INDEX_LOOKUP_KEYS, IndexLookup, type IndexLookupArgs } from './index-lookup.js';

export type StringLookupArgs = IndexLookupArgs<string>;
const STRING_LOOKUP_KEYS = optionKeys<StringLookupArgs>({ ...LAYER_KEYS, ...Object.fromEntries(INDEX_LOOKUP_KEYS.map((k) => [k, true])) } as never);

/**
 * Strings to integer indices (Keras's StringLookup): `new StringLookup({ vocabulary: ['a', 'b'] })`
 * maps 'a' to 1, 'b' to 2 and anything else to the OOV index 0; `adapt(data)` learns the
 * vocabulary. Inputs are nested JS arrays of strings; the output is an int32 tensor (or encodings).
 */
export class StringLookup extends IndexLookup<string> {
  static readonly optionKeys: readonly string[] = STRING_LOOKUP_KEYS;
  constructor(args: StringLookupArgs = {}) {
    super(mergePositional<StringLookupArgs>('StringLookup', STRING_LOOKUP_KEYS, [], [args]), { oovToken: '[UNK]' });
  }
  /** Strings (nested arrays or a StringTensor) to an int32 tensor of indices, or their encodings; with `invert`, indices back to strings. */
  override apply(inputs: NestedStrings | StringTensor, kwargs?: CallArgs): Tensor;
  override apply(inputs: any, kwargs?: CallArgs): any;
  override apply(inputs: any, kwargs?: CallArgs): any {
    return super.apply(inputs, kwargs);
  }
  protected toHost(x: unknown): HostValues<string> {
    return hostStrings('StringLookup', x);
  }
  protected override get acceptsOnlyHostValues(): boolean {
    return !this.invert;
  }
}

export type IntegerLookupArgs = IndexLookupArgs<number>;
const INTEGER_LOOKUP_KEYS = STRING_LOOKUP_KEYS;

/** Integers to contiguous indices (Keras's IntegerLookup): OOV token -1, OOV index 0 (1 with a mask token). */
export class IntegerLookup extends IndexLookup<number> {
  static readonly optionKeys: readonly string[] = INTEGER_LOOKUP_KEYS;
  constructor(args: IntegerLookupArgs = {}) {
    super(mergePositional<IntegerLookupArgs>('IntegerLookup', INTEGER_LOOKUP_KEYS, [], [args]), { oovToken: -1 });
  }
  protected toHost(x: unknown): HostValues<number> {
    const h = hostNumbers('IntegerLookup', x);
    const bad = h.values.find((v) => !Number.isInteger(v));
    if (bad !== undefined) throw new ValueError(`IntegerLookup: expected integers, got ${bad}`);
    return h;
  }
  protected override oovBucket(t: number): number {
    return ((t % this.numOovIndices) + this.numOovIndices) % this.numOovIndices;
  }

  /**
   * On a tensor, the lookup is tensor ops (a comparison against the vocabulary), so the layer runs
   * inside models and jitted steps: O(values x vocabulary), for the small vocabularies of
   * categorical features. Without OOV indices an unknown value must raise, so that case reads the
   * values on the host.
   */
  override call(x: Tensor): Tensor {
    if (this.invert || this.numOovIndices === 0) return super.call(x);
    const xi = cast(x, 'int32');
    const maskAt = this.maskToken === null ? 0 : 1;
    const oov = this.numOovIndices === 1 ? scalarInt(maskAt) : add(mod(xi, this.numOovIndices), maskAt);
    let idx: Tensor = broadcastTo(oov, xi.shape);
    const vocab = this.tokens;
    if (vocab.length > 0) {
      const hits = equal(expandDims(xi, -1), tensor([...vocab], [vocab.length], 'int32'));
      const first = this.firstVocabularyIndex;
      const position = sum(where(hits, range(first, first + vocab.length, 1, 'int32'), scalarInt(0)), -1);
      idx = where(any(hits, -1), position, idx);
    }
    if (this.maskToken !== null) idx = where(equal(xi, this.maskToken), scalarInt(0), idx);
    return encodeByOps(idx, this.vocabularySize(), this.outputMode, { idf: this.idfWeights, dtype: this.dtype });
  }
}

const scalarInt = (v: number) => tensor(v, [], 'int32');
