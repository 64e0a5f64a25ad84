import { ValueError } from '../../../errors.js';
import { mergePositional, optionKeys } from '../../../check-options.js';
import type { Tensor } from '../../../tensor/tensor.js';
import { StringTensor } from '../../../tensor/string-tensor.js';
import { LAYER_KEYS, Layer, type CallArgs, type InputShapes, type LayerArgs } from '../layer.js';
import { tensor } from '../../../ops/creation.js';
import type { OutputMode } from './encode-output.js';
import { hostStrings, type NestedStrings } from './host-values.js';
import { StringLookup } from './string-lookup.js';
import { oneOf } from '../image-sampling.js';

export type Standardize = 'lower_and_strip_punctuation' | 'lower' | 'strip_punctuation' | null | ((text: string) => string);
export type Split = 'whitespace' | 'character' | null | ((text: string) => string[]);

export interface TextVectorizationArgs extends LayerArgs {
  /** Vocabulary size at most, the padding and OOV tokens included. */
  maxTokens?: number | null;
  /** Default 'lower_and_strip_punctuation'. */
  standardize?: Standardize;
  /** Default 'whitespace'. */
  split?: Split;
  /** Also emit n-grams: up to n (a number) or the listed sizes. */
  ngrams?: number | number[] | null;
  /** 'int' (default: token indices), 'multi_hot', 'count' or 'tf_idf'. */
  outputMode?: Exclude<OutputMode, 'one_hot'>;
  /** 'int' mode: pad with 0 or truncate every text to this many tokens (default: the longest in the call). */
  outputSequenceLength?: number | null;
  /** multi_hot/count/tf_idf: vectors of maxTokens even when the vocabulary is smaller. */
  padToMaxTokens?: boolean;
  /** The vocabulary instead of adapt (without the padding and OOV tokens). */
  vocabulary?: string[] | null;
}
const TEXT_VECTORIZATION_KEYS = optionKeys<TextVectorizationArgs>({
  ...LAYER_KEYS, maxTokens: true, standardize: true, split: true, ngrams: true, outputMode: true, outputSequenceLength: true, padToMaxTokens: true, vocabulary: true,
});

// The characters Keras strips: ASCII punctuation.
const PUNCTUATION = /[!"#$%&()*+,\-./:;<=>?@[\\\]^_`{|}~']/g;

/**
 * Texts to token indices or bag-of-words vectors (Keras's TextVectorization): standardize, split,
 * n-grams, then a vocabulary lookup (index 0 is padding, 1 the OOV token '[UNK]'); `adapt(texts)`
 * learns the vocabulary. Inputs are JS strings (an array, or [n, 1] nested arrays); it runs on the
 * host, in the data pipeline or before fit.
 */
export class TextVectorization extends Layer {
  static readonly optionKeys: readonly string[] = TEXT_VECTORIZATION_KEYS;
  readonly maxTokens: number | null;
  readonly standardize: Standardize;
  readonly split: Split;
  readonly ngrams: number[] | null;
  readonly outputMode: Exclude<OutputMode, 'one_hot'>;
  readonly outputSequenceLength: number | null;
  readonly padToMaxTokens: boolean;
  private readonly lookupLayer: StringLookup;

  constructor(args: TextVectorizationArgs = {}) {
    const a = mergePositional<TextVectorizationArgs>('TextVectorization', TEXT_VECTORIZATION_KEYS, [], [args]);
    super(a);
    this.maxTokens = a.maxTokens ?? null;
    this.standardize = a.standardize === undefined ? 'lower_and_strip_punctuation' : a.standardize;
    if (typeof this.standardize === 'string') oneOf('TextVectorization', 'standardize', this.standardize, ['lower_and_strip_punctuation', 'lower', 'strip_punctuation'] as const);
    this.split = a.split === undefined ? 'whitespace' : a.split;
    if (typeof this.split === 'string') oneOf('TextVectorization', 'split', this.split, ['whitespace', 'character'] as const);
    const ng = a.ngrams ?? null;
    this.ngrams = ng === null ? null : typeof ng === 'number' ? Array.from({ length: ng }, (_, i) => i + 1) : [...ng];
    if (this.ngrams && !this.ngrams.every((n) => Number.isInteger(n) && n >= 1)) throw new ValueError(`TextVectorization: ngrams must be a positive integer or a list of them, got ${JSON.stringify(a.ngrams)}`);
    this.outputMode = oneOf('TextVectorization', 'outputMode', a.outputMode ?? 'int', ['int', 'multi_hot', 'count', 'tf_idf'] as const);
    this.outputSequenceLength = a.outputSequenceLength ?? null;
    if (this.outputSequenceLength !== null && this.outputMode !== 'int') throw new ValueError(`TextVectorization: outputSequenceLength works with outputMode 'int' only, got '${this.outputMode}'`);
    if (this.outputSequenceLength !== null && (!Number.isInteger(this.outputSequenceLength) || this.outputSequenceLength < 1)) {
      throw new ValueError(`TextVectorization: outputSequenceLength must be a positive integer, got ${this.outputSequenceLength}`);
    }
    this.padToMaxTokens = a.padToMaxTokens ?? false;
    // In 'int' mode index 0 is padding ('' as the mask token); the bag modes have no padding index.
    const intMode = this.outputMode === 'int';
    this.lookupLayer = new StringLookup({
      maxTokens: this.maxTokens,
      maskToken: intMode ? '' : null,
      outputMode: intMode ? 'int' : this.outputMode,
      vocabulary: a.vocabulary ?? null,
    });
  }

  /** The tokens of one text after standardize, split and ngrams. */
  tokenize(text: string): string[] {
    let s = text;
    const std = this.standardize;
    if (typeof std === 'function') s = std(s);
    else if (std !== null) {
      if (std !== 'strip_punctuation') s = s.toLowerCase();
      if (std !== 'lower') s = s.replace(PUNCTUATION, '');
    }
    const sp = this.split;
    const words = typeof sp === 'function' ? sp(s) : sp === null ? [s] : sp === 'character' ? [...s] : s.split(/\s+/).filter((w) => w.length > 0);
    if (!this.ngrams) return words;
    const out: string[] = [];
    for (const n of this.ngrams) for (let i = 0; i + n <= words.length; i++) out.push(words.slice(i, i + n).join(' '));
    return out;
  }

  private texts(where: string, x: unknown): string[] {
    const { values, shape } = hostStrings(where, typeof x === 'string' ? [x] : x);
    if (shape.length > 2 || (shape.length === 2 && shape[1] !== 1)) throw new ValueError(`${where}: expected texts of shape [n] or [n, 1], got [${shape.join(', ')}]`);
    return values;
  }

  /** Learn the vocabulary from texts (arrays of strings, or a Dataset of them). */
  adapt(data: unknown): void;
  adapt(data: AsyncIterable<unknown>): Promise<void>;
  adapt(data: unknown): void | Promise<void> {
    const tokenized = (batch: unknown) => this.texts('TextVectorization.adapt', batch).map((t) => this.tokenize(t));
    if (typeof data === 'object' && data !== null && Symbol.asyncIterator in data) {
      return (async () => {
        const docs: string[][] = [];
        for await (const b of data as AsyncIterable<unknown>) docs.push(...tokenized(b));
        this.adaptTokens(docs);
      })();
    }
    this.adaptTokens(tokenized(data));
  }

  private adaptTokens(docs: string[][]): void {
    if (this.outputMode === 'int') this.lookupLayer.adapt(docs.flat());
    else {
      // Documents of different lengths: one row each for the document frequencies of tf_idf.
      const width = Math.max(1, ...docs.map((d) => d.length));
      this.lookupLayer.adapt(docs.map((d) => [...d, ...new Array<string>(width - d.length).fill(this.lookupLayer.oovToken)]));
    }
  }

  getVocabulary(includeSpecialTokens = true): string[] {
    return this.lookupLayer.getVocabulary(includeSpecialTokens);
  }

  vocabularySize(): number {
    return this.lookupLayer.vocabularySize();
  }

  setVocabulary(vocabulary: string[], idfWeights?: number[]): void {
    this.lookupLayer.setVocabulary(vocabulary, idfWeights);
  }

  /** Texts to an int32 [n, length] tensor of indices, or [n, vocabulary] vectors. */
  vectorize(x: unknown): Tensor {
    const docs = this.texts('TextVectorization', x).map((t) => this.tokenize(t));
    if (this.outputMode === 'int') {
      const length = this.outputSequenceLength ?? Math.max(1, ...docs.map((d) => d.length));
      const padded = docs.map((d) => (d.length >= length ? d.slice(0, length) : [...d, ...new Array<string>(length - d.length).fill('')]));
      return this.lookupLayer.lookup(padded) as Tensor;
    }
    // Bag modes: one vector per text over the vocabulary (OOV at 0), zeros past it when padded to maxTokens.
    const vocab = this.vocabularySize();
    const size = this.padToMaxTokens && this.maxTokens !== null ? this.maxTokens : vocab;
    const out = new Float32Array(docs.length * size);
    docs.forEach((d, i) => {
      if (d.length) out.set((this.lookupLayer.lookup(d) as Tensor).dataSync() as Float32Array, i * size);
    });
    return tensor(out, [docs.length, size]);
  }

  /** Texts (a string, an array of them, [n, 1] nested arrays or a StringTensor) to a tensor: see `vectorize`. */
  override apply(inputs: NestedStrings | StringTensor, kwargs?: CallArgs): Tensor;
  override apply(inputs: any, kwargs?: CallArgs): any;
  override apply(inputs: any, kwargs?: CallArgs): any {
    void kwargs;
    if (typeof inputs === 'string' || Array.isArray(inputs) || inputs instanceof StringTensor) return this.vectorize(inputs);
    throw new ValueError('TextVectorization: expected texts (a string, nested arrays of strings or a StringTensor); nabla tensors hold numbers, so it runs in the data pipeline or before fit');
  }

  override computeOutputShape(s: InputShapes): InputShapes {
    const batch = (s as (number | null)[])[0] ?? null;
    if (this.outputMode === 'int') return [batch, this.outputSequenceLength];
    return [batch, this.padToMaxTokens && this.maxTokens !== null ? this.maxTokens : this.vocabularySize()];
  }

  override getConfig() {
    const lookup = this.lookupLayer.getConfig();
    if (typeof this.standardize === 'function' || typeof this.split === 'function') {
      throw new ValueError('TextVectorization.getConfig: a function standardize or split cannot be serialized; register it by name or use the built-in modes');
    }
    return {
      ...super.getConfig(),
      maxTokens: this.maxTokens,
      standardize: this.standardize,
      split: this.split,
      ngrams: this.ngrams,
      outputMode: this.outputMode,
      outputSequenceLength: this.outputSequenceLength,
      padToMaxTokens: this.padToMaxTokens,
      vocabulary: lookup.vocabulary,
    };
  }
}
