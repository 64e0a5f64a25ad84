// The shared machinery of StringLookup and IntegerLookup (Keras's IndexLookup): a vocabulary
// (given, or learned by adapt from token frequencies), OOV and mask indices, inversion, and the
// output modes. Lookups run on the host: use them in the data pipeline (or eagerly), not inside
// a jitted step, since they read their inputs' values.
import { ValueError } from '../../../errors.js';
import { Tensor } from '../../../tensor/tensor.js';
import { isSymbolic } from '../../symbolic-tensor.js';
import { Layer, type CallArgs, type InputShapes, type LayerArgs } from '../layer.js';
import { byFrequency, countItems, type HostValues } from './host-values.js';
import { encodeIndices, OUTPUT_MODES, type OutputMode } from './encode-output.js';
import { oneOf } from '../image-sampling.js';
import { stableHash } from './stable-hash.js';
import { nestFlat } from '../../../tensor/nested.js';

export interface IndexLookupArgs<T> extends LayerArgs {
  /** Vocabulary size at most, counting the OOV and mask indices (default: no limit). */
  maxTokens?: number | null;
  /** How many OOV indices (default 1); an unknown token goes to one of them by its hash. */
  numOovIndices?: number;
  /** Token standing for padding, at index 0 (default none). */
  maskToken?: T | null;
  /** Token the OOV indices stand for in getVocabulary and invert. */
  oovToken?: T;
  /** The vocabulary, instead of adapt (no OOV or mask tokens in it). */
  vocabulary?: T[] | null;
  /** Map indices back to tokens. */
  invert?: boolean;
  /** 'int' (default), 'one_hot', 'multi_hot', 'count' or 'tf_idf'. */
  outputMode?: OutputMode;
  /** For tf_idf without adapt: one weight per vocabulary token (the OOV and mask indices get their mean). */
  idfWeights?: number[] | null;
}

export const INDEX_LOOKUP_KEYS = ['maxTokens', 'numOovIndices', 'maskToken', 'oovToken', 'vocabulary', 'invert', 'outputMode', 'idfWeights'] as const;

export abstract class IndexLookup<T extends string | number> extends Layer {
  readonly maxTokens: number | null;
  readonly numOovIndices: number;
  readonly maskToken: T | null;
  readonly oovToken: T;
  readonly invert: boolean;
  readonly outputMode: OutputMode;
  private vocab: T[] = [];
  private index = new Map<T, number>();
  private idf: number[] | null = null;

  constructor(args: IndexLookupArgs<T>, defaults: { oovToken: T }) {
    super(args);
    this.maxTokens = args.maxTokens ?? null;
    this.numOovIndices = args.numOovIndices ?? 1;
    this.maskToken = args.maskToken ?? null;
    this.oovToken = args.oovToken ?? defaults.oovToken;
    this.invert = args.invert ?? false;
    this.outputMode = oneOf(this.className, 'outputMode', args.outputMode ?? 'int', OUTPUT_MODES);
    if (!Number.isInteger(this.numOovIndices) || this.numOovIndices < 0) throw new ValueError(`${this.className}: numOovIndices must be a non-negative integer, got ${args.numOovIndices}`);
    if (this.maxTokens !== null && (!Number.isInteger(this.maxTokens) || this.maxTokens <= this.reserved)) {
      throw new ValueError(`${this.className}: maxTokens must be an integer above the ${this.reserved} OOV/mask indices, got ${this.maxTokens}`);
    }
    if (this.invert && this.outputMode !== 'int') throw new ValueError(`${this.className}: invert works with outputMode 'int' only, got '${this.outputMode}'`);
    if (args.vocabulary) this.setVocabulary(args.vocabulary, args.idfWeights ?? undefined);
  }

  /** Indices before the vocabulary: the mask (if any) then the OOV indices. */
  private get reserved(): number {
    return (this.maskToken === null ? 0 : 1) + this.numOovIndices;
  }

  /** Check and convert the layer's inputs (strings or numbers) to host values. */
  protected abstract toHost(x: unknown): HostValues<T>;
  /** Which of the OOV indices (0 .. numOovIndices-1) an unknown token goes to. */
  protected oovBucket(token: T): number {
    return stableHash(String(token)) % this.numOovIndices;
  }

  /** Use `vocabulary` (and, for tf_idf, its idf weights). */
  setVocabulary(vocabulary: T[], idfWeights?: number[]): void {
    const seen = new Set<T>();
    for (const t of vocabulary) {
      if (seen.has(t)) throw new ValueError(`${this.className}: the vocabulary holds ${JSON.stringify(t)} twice`);
      if (t === this.maskToken || t === this.oovToken) throw new ValueError(`${this.className}: the vocabulary may not hold the mask or OOV token ${JSON.stringify(t)}`);
      seen.add(t);
    }
    const room = this.maxTokens === null ? Infinity : this.maxTokens - this.reserved;
    if (vocabulary.length > room) throw new ValueError(`${this.className}: a vocabulary of ${vocabulary.length} tokens does not fit maxTokens ${this.maxTokens}`);
    this.vocab = [...vocabulary];
    this.index = new Map(this.vocab.map((t, i) => [t, i + this.reserved]));
    if (idfWeights) {
      if (idfWeights.length !== this.vocab.length) throw new ValueError(`${this.className}: ${idfWeights.length} idfWeights for a vocabulary of ${this.vocab.length} tokens`);
      const mean = idfWeights.reduce((a, b) => a + b, 0) / Math.max(1, idfWeights.length);
      this.idf = [...new Array<number>(this.reserved).fill(mean), ...idfWeights];
    }
  }

  /** Learn the vocabulary from `data` (tokens by decreasing frequency, ties in order of first appearance). */
  adapt(data: unknown): void;
  adapt(data: AsyncIterable<unknown>): Promise<void>;
  adapt(data: unknown): void | Promise<void> {
    const counts = new Map<T, number>();
    const docCounts = new Map<T, number>();
    let documents = 0;
    const add = (batch: unknown) => {
      const { values, shape } = this.toHost(batch);
      const special = (t: T) => t === this.maskToken || t === this.oovToken;
      countItems(values.filter((t) => !special(t)), counts);
      const perDoc = shape.length <= 1 ? values.length : shape.at(-1)!;
      for (let d = 0; d * perDoc < values.length; d++) {
        documents++;
        countItems(new Set(values.slice(d * perDoc, (d + 1) * perDoc).filter((t) => !special(t))), docCounts);
      }
    };
    const finish = () => {
      if (counts.size === 0) throw new ValueError(`${this.className}.adapt: no tokens in the data`);
      const room = this.maxTokens === null ? null : this.maxTokens - this.reserved;
      const vocab = byFrequency(counts, room);
      // Keras's tf_idf weights: log(1 + documents / (1 + documents holding the token)).
      const idf = vocab.map((t) => Math.log(1 + documents / (1 + (docCounts.get(t) ?? 0))));
      this.idf = null;
      this.setVocabulary(vocab, this.outputMode === 'tf_idf' ? idf : undefined);
    };
    if (isAsyncIterable(data)) {
      return (async () => {
        for await (const b of data) add(b);
        finish();
      })();
    }
    add(data);
    finish();
  }

  /** The vocabulary without the special tokens, and the idf weights by index (tf_idf), for subclasses. */
  protected get tokens(): readonly T[] {
    return this.vocab;
  }
  protected get idfWeights(): readonly number[] | null {
    return this.idf;
  }
  /** Indices before the vocabulary (the mask, then the OOV indices). */
  protected get firstVocabularyIndex(): number {
    return this.reserved;
  }

  /** The tokens by index: the mask token (if any), the OOV token once per OOV index, then the vocabulary. */
  getVocabulary(includeSpecialTokens = true): T[] {
    if (!includeSpecialTokens) return [...this.vocab];
    const mask = this.maskToken === null ? [] : [this.maskToken];
    return [...mask, ...new Array<T>(this.numOovIndices).fill(this.oovToken), ...this.vocab];
  }

  vocabularySize(): number {
    return this.reserved + this.vocab.length;
  }

  private indexOf(t: T): number {
    if (this.maskToken !== null && t === this.maskToken) return 0;
    const i = this.index.get(t);
    if (i !== undefined) return i;
    if (this.numOovIndices === 0) throw new ValueError(`${this.className}: ${JSON.stringify(t)} is not in the vocabulary and numOovIndices is 0`);
    return (this.maskToken === null ? 0 : 1) + (this.numOovIndices === 1 ? 0 : this.oovBucket(t));
  }

  /** Tokens to indices (or encodings), or with `invert`, indices to tokens (nested arrays). */
  lookup(x: unknown): Tensor | unknown[] {
    if (this.invert) return this.invertIndices(x);
    if (this.vocab.length === 0 && this.numOovIndices > 0 && this.outputMode !== 'int') {
      throw new ValueError(`${this.className}: no vocabulary yet: call adapt() or give one`);
    }
    const { values, shape } = this.toHost(x);
    const indices = values.map((t) => this.indexOf(t));
    return encodeIndices(this.className, indices, shape, this.vocabularySize(), this.outputMode, this.idf ?? undefined);
  }

  private invertIndices(x: unknown): unknown[] {
    const data = x instanceof Tensor ? { values: Array.from(x.dataSync() as ArrayLike<number>), shape: [...x.shape] } : null;
    if (!data) throw new ValueError(`${this.className} (invert): expected a Tensor of indices`);
    const vocab = this.getVocabulary();
    const tokens = data.values.map((i) => {
      if (!Number.isInteger(i) || i < 0 || i >= vocab.length) throw new ValueError(`${this.className} (invert): index ${i} is outside the vocabulary of ${vocab.length}`);
      return vocab[i]!;
    });
    return nestFlat(tokens, data.shape) as unknown[];
  }

  /** Nested arrays go straight to the lookup; numeric tensors take the usual layer path. */
  override apply(inputs: any, kwargs?: CallArgs): any {
    if (isSymbolic(inputs) && this.acceptsOnlyHostValues) {
      throw new ValueError(`${this.className}: string inputs cannot be part of a model graph (nabla tensors hold numbers); apply the layer in the data pipeline (dataset.map) or before fit`);
    }
    // Inverted, the output is nested arrays of tokens, not a tensor: no layer bookkeeping applies.
    if (this.invert && inputs instanceof Tensor) return this.lookup(inputs);
    if (inputs instanceof Tensor || isSymbolic(inputs)) return super.apply(inputs as never, kwargs);
    // StringTensors and nested arrays of strings or numbers: looked up on the host.
    return this.lookup(inputs);
  }

  /** True for StringLookup: its inputs are never tensors. */
  protected get acceptsOnlyHostValues(): boolean {
    return false;
  }

  override call(x: Tensor): Tensor {
    return this.lookup(x) as Tensor;
  }

  override computeOutputShape(s: InputShapes): InputShapes {
    const shape = s as (number | null)[];
    if (this.outputMode === 'int') return shape;
    if (this.outputMode === 'one_hot') return [...(shape.at(-1) === 1 ? shape.slice(0, -1) : shape), this.vocabularySize()];
    return [...shape.slice(0, -1), this.vocabularySize()];
  }

  override getConfig() {
    return {
      ...super.getConfig(),
      maxTokens: this.maxTokens,
      numOovIndices: this.numOovIndices,
      maskToken: this.maskToken,
      oovToken: this.oovToken,
      vocabulary: this.vocab.length ? [...this.vocab] : null,
      invert: this.invert,
      outputMode: this.outputMode,
      idfWeights: this.idf ? this.idf.slice(this.reserved) : null,
    };
  }
}

function isAsyncIterable(x: unknown): x is AsyncIterable<unknown> {
  return typeof x === 'object' && x !== null && Symbol.asyncIterator in x;
}

