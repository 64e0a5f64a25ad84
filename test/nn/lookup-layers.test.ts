// The text/categorical preprocessing layers against the input/output examples of Keras's documentation.
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as nb from '../../src/index.js';

const L = nb.layers;
const VOCAB = ['a', 'b', 'c', 'd'];
const DATA = [['a', 'c', 'd'], ['d', 'z', 'b']];
const arr = (t: unknown) => (t as nb.Tensor).arraySync();

describe('StringLookup', () => {
  it('maps a given vocabulary from 1, unknown tokens to the OOV index 0', () => {
    const layer = new L.StringLookup({ vocabulary: VOCAB });
    const out = layer.apply(DATA) as nb.Tensor;
    expect(out.dtype).toBe('int32');
    expect(out.arraySync()).toEqual([[1, 3, 4], [4, 0, 2]]);
    expect(layer.getVocabulary()).toEqual(['[UNK]', 'a', 'b', 'c', 'd']);
    expect(layer.vocabularySize()).toBe(5);
  });

  it('is typed: strings in, a Tensor out (no cast needed; checked by tsc)', () => {
    const layer = new L.StringLookup({ vocabulary: VOCAB, outputMode: 'one_hot' });
    const fromArrays = layer.apply(['a', 'z']);
    const fromStringTensor = layer.apply(nb.StringTensor.from(['b', 'c']));
    expectTypeOf(fromArrays).toEqualTypeOf<nb.Tensor>();
    expectTypeOf(fromStringTensor).toEqualTypeOf<nb.Tensor>();
    expect(fromArrays.arraySync()).toEqual([[0, 1, 0, 0, 0], [1, 0, 0, 0, 0]]);
    expect(fromStringTensor.arraySync()).toEqual([[0, 0, 1, 0, 0], [0, 0, 0, 1, 0]]);
    const vectorize = new L.TextVectorization({ vocabulary: ['good', 'film'] });
    const tokens = vectorize.apply(['a good film']);
    expectTypeOf(tokens).toEqualTypeOf<nb.Tensor>();
    expect(tokens.arraySync()).toEqual([[1, 2, 3]]);
  });

  it('adapt orders the vocabulary by frequency, ties by decreasing token (as Keras)', () => {
    const layer = new L.StringLookup();
    layer.adapt(DATA);
    expect(layer.getVocabulary()).toEqual(['[UNK]', 'd', 'z', 'c', 'b', 'a']);
    expect(arr(layer.apply(DATA))).toEqual([[5, 3, 1], [1, 2, 4]]);
    const capped = new L.StringLookup({ maxTokens: 3 });
    capped.adapt(DATA);
    expect(capped.getVocabulary()).toEqual(['[UNK]', 'd', 'z']);
  });

  it('encodes as multi_hot, count and tf_idf', () => {
    const data = [['a', 'c', 'd', 'd'], ['d', 'z', 'b', 'z']];
    expect(arr(new L.StringLookup({ vocabulary: VOCAB, outputMode: 'multi_hot' }).apply(data))).toEqual([[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]]);
    expect(arr(new L.StringLookup({ vocabulary: VOCAB, outputMode: 'count' }).apply(data))).toEqual([[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]]);
    const tfidf = new L.StringLookup({ vocabulary: VOCAB, outputMode: 'tf_idf', idfWeights: [0.25, 0.75, 0.6, 0.4] }).apply(data) as nb.Tensor;
    const expected = [[0, 0.25, 0, 0.6, 0.8], [1.0, 0, 0.75, 0, 0.4]];
    (tfidf.arraySync() as number[][]).forEach((r, i) => r.forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, 6)));
  });

  it('one_hot, a mask token, several OOV indices and invert', () => {
    expect(arr(new L.StringLookup({ vocabulary: VOCAB, outputMode: 'one_hot' }).apply(['a', 'b', 'c', 'd', 'z']))).toEqual([
      [0, 1, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1], [1, 0, 0, 0, 0],
    ]);
    const masked = new L.StringLookup({ vocabulary: VOCAB, maskToken: '' });
    expect(masked.getVocabulary()).toEqual(['', '[UNK]', 'a', 'b', 'c', 'd']);
    expect(arr(masked.apply([['a', 'c', ''], ['d', 'z', 'b']]))).toEqual([[2, 4, 0], [5, 1, 3]]);
    const twoOov = new L.StringLookup({ vocabulary: VOCAB, numOovIndices: 2 });
    const oov = (twoOov.apply(['z', 'y', 'x', 'w', 'z']) as nb.Tensor).arraySync() as number[];
    oov.forEach((i) => expect([0, 1]).toContain(i));
    expect(oov[4]).toBe(oov[0]);
    const inverse = new L.StringLookup({ vocabulary: VOCAB, invert: true });
    expect(inverse.apply(nb.tensor([[1, 3, 4], [4, 0, 2]], undefined, 'int32'))).toEqual([['a', 'c', 'd'], ['d', '[UNK]', 'b']]);
  });

  it('adapts from a Dataset, and round-trips its config', async () => {
    const layer = new L.StringLookup();
    async function* batches() {
      yield [['b', 'a']];
      yield [['a', 'a']];
    }
    await layer.adapt(batches());
    expect(layer.getVocabulary()).toEqual(['[UNK]', 'a', 'b']);
    const clone = L.StringLookup.fromConfig(JSON.parse(JSON.stringify(layer.getConfig()))) as nb.layers.StringLookup;
    expect(clone.getVocabulary()).toEqual(layer.getVocabulary());
  });

  it('bad input is a clear error', () => {
    expect(() => new L.StringLookup({ vocabulary: ['a', 'a'] })).toThrow(/StringLookup: the vocabulary holds "a" twice/);
    expect(() => new L.StringLookup({ vocabulary: VOCAB }).apply([['a'], ['b', 'c']])).toThrow(/rectangular/);
    expect(() => new L.StringLookup({ vocabulary: VOCAB }).apply([1, 2] as never)).toThrow(/expected a string, got 1/);
    expect(() => new L.StringLookup({ output_mode: 'int' } as never)).toThrow(/did you mean 'outputMode'/);
    expect(() => new L.StringLookup({ outputMode: 'multi_hot' }).apply(['a'])).toThrow(/no vocabulary yet/);
    expect(() => new L.StringLookup({ vocabulary: VOCAB }).apply(nb.keras.Input([3]) as never)).toThrow(/cannot be part of a model graph/);
  });
});

describe('IntegerLookup', () => {
  it('maps integers through a vocabulary and adapts like Keras', () => {
    const data = [[12, 1138, 42], [42, 1000, 36]];
    expect(arr(new L.IntegerLookup({ vocabulary: [12, 36, 1138, 42] }).apply(nb.tensor(data, undefined, 'int32')))).toEqual([[1, 3, 4], [4, 0, 2]]);
    const layer = new L.IntegerLookup();
    layer.adapt(data);
    expect(layer.getVocabulary()).toEqual([-1, 42, 1138, 1000, 36, 12]);
    expect(() => new L.IntegerLookup({ vocabulary: [1] }).apply([0.5])).toThrow(/IntegerLookup: expected integers, got 0.5/);
  });

  it('on tensors it is tensor ops (inside jitted models), agreeing with the host lookup', async () => {
    const values = [[12, 1138, 42, 7], [42, 1000, 36, 0]];
    for (const opts of [{}, { maskToken: 0 }, { numOovIndices: 3 }, { outputMode: 'multi_hot' as const }, { outputMode: 'count' as const, maskToken: 0 }, { outputMode: 'one_hot' as const }]) {
      const layer = new L.IntegerLookup({ vocabulary: [12, 36, 1138, 42], ...opts });
      const onHost = (layer.apply(values) as nb.Tensor).arraySync();
      const byOps = layer.apply(nb.tensor(values, undefined, 'int32')).arraySync();
      expect(byOps, JSON.stringify(opts)).toEqual(onHost);
    }
    const input = nb.keras.Input([2], { dtype: 'int32' });
    const lookup = new L.IntegerLookup({ vocabulary: [5, 9], outputMode: 'multi_hot' });
    const model = new nb.Model({ inputs: input, outputs: new L.Dense(1, { kernelInitializer: 'ones' }).apply(lookup.apply(input)) });
    // Compiled predict: [5, 9] hits both tokens, [9, 3] one token and the OOV index.
    expect(model.predict(nb.tensor([[5, 9], [9, 3]], undefined, 'int32')).arraySync()).toEqual([[2], [2]]);
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    await model.fit(nb.tensor([[5, 9], [9, 3]], undefined, 'int32'), nb.zeros([2, 1]), { epochs: 1, verbose: 0 });
  });
});

describe('CategoryEncoding', () => {
  it('one_hot, multi_hot and weighted count, as in Keras', () => {
    expect(arr(new L.CategoryEncoding(4, { outputMode: 'one_hot' }).apply(nb.tensor([3, 2, 0, 1], undefined, 'int32')))).toEqual([
      [0, 0, 0, 1], [0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0],
    ]);
    const pairs = nb.tensor([[0, 1], [0, 0], [1, 2], [3, 1]], undefined, 'int32');
    expect(arr(new L.CategoryEncoding(4).apply(pairs))).toEqual([[1, 1, 0, 0], [1, 0, 0, 0], [0, 1, 1, 0], [0, 1, 0, 1]]);
    const weights = nb.tensor([[0.1, 0.2], [0.1, 0.1], [0.2, 0.3], [0.4, 0.2]]);
    const counted = new L.CategoryEncoding(4, { outputMode: 'count' }).apply(pairs, { countWeights: weights }).arraySync() as number[][];
    const expected = [[0.1, 0.2, 0, 0], [0.2, 0, 0, 0], [0, 0.2, 0.3, 0], [0, 0.2, 0, 0.4]];
    counted.forEach((r, i) => r.forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, 6)));
  });

  it('works inside a jitted model and names out-of-range values', async () => {
    const input = nb.keras.Input([2], { dtype: 'int32' });
    const model = new nb.Model({ inputs: input, outputs: new L.Dense(1).apply(new L.CategoryEncoding(5).apply(input)) });
    expect(model.predict(nb.tensor([[0, 4], [1, 1]], undefined, 'int32')).shape).toEqual([2, 1]);
    expect(() => new L.CategoryEncoding(4).apply(nb.tensor([4], undefined, 'int32'))).toThrow(/CategoryEncoding: input value 4 is outside \[0, 4\)/);
  });
});

describe('Hashing', () => {
  it('hashes strings and numbers into stable bins, the mask value into bin 0', () => {
    const h = new L.Hashing(3);
    const a = (h.apply([['A'], ['B'], ['C'], ['D'], ['E'], ['A']]) as nb.Tensor).arraySync() as number[][];
    a.flat().forEach((b) => expect(b >= 0 && b < 3).toBe(true));
    expect(a[5]).toEqual(a[0]);
    expect(new Set(a.flat()).size).toBeGreaterThan(1);
    const masked = (new L.Hashing(3, { maskValue: '' }).apply(['', 'A', 'B']) as nb.Tensor).arraySync() as number[];
    expect(masked[0]).toBe(0);
    masked.slice(1).forEach((b) => expect(b === 1 || b === 2).toBe(true));
    const salted = (new L.Hashing(1000, { salt: 7 }).apply(['A', 'B', 'C']) as nb.Tensor).arraySync();
    expect(salted).not.toEqual((new L.Hashing(1000).apply(['A', 'B', 'C']) as nb.Tensor).arraySync());
    expect(new L.Hashing(4).apply(nb.tensor([1, 2, 3], undefined, 'int32')).shape).toEqual([3]);
  });
});

describe('Discretization', () => {
  const x = nb.tensor([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]]);
  it('buckets by given boundaries, and by adapted quantiles, as in Keras', () => {
    expect(arr(new L.Discretization({ binBoundaries: [0, 1, 2] }).apply(x))).toEqual([[0, 2, 3, 1], [1, 3, 2, 1]]);
    const adapted = new L.Discretization({ numBins: 4 });
    adapted.adapt(x);
    expect(arr(adapted.apply(x))).toEqual([[0, 2, 3, 1], [1, 3, 2, 1]]);
    expect(() => new L.Discretization({ binBoundaries: [1, 0] })).toThrow(/must be sorted/);
    expect(() => new L.Discretization()).toThrow(/give binBoundaries, or numBins/);
  });
});

describe('TextVectorization', () => {
  it('standardizes, splits and pads to outputSequenceLength, index 0 padding and 1 OOV', () => {
    const layer = new L.TextVectorization({ maxTokens: 5000, outputSequenceLength: 4, vocabulary: ['earth', 'wind', 'and', 'fire'] });
    expect(layer.getVocabulary()).toEqual(['', '[UNK]', 'earth', 'wind', 'and', 'fire']);
    expect(arr(layer.apply(['Earth, wind and FIRE!', 'the fire']))).toEqual([[2, 3, 4, 5], [1, 5, 0, 0]]);
    expect(arr(layer.apply([['wind wind wind wind wind']]))).toEqual([[3, 3, 3, 3]]);
  });

  it('adapts a vocabulary and pads to the longest text without outputSequenceLength', () => {
    const layer = new L.TextVectorization();
    layer.adapt(['the cat sat', 'the dog sat', 'the end']);
    expect(layer.getVocabulary()).toEqual(['', '[UNK]', 'the', 'sat', 'end', 'dog', 'cat']);
    expect(arr(layer.apply(['cat sat', 'a dog sat on the mat']))).toEqual([[6, 3, 0, 0, 0, 0], [1, 5, 3, 1, 2, 1]]);
  });

  it('bags of words with ngrams: multi_hot, count, tf_idf', () => {
    const layer = new L.TextVectorization({ outputMode: 'count', ngrams: 2, vocabulary: ['a', 'b', 'a b'] });
    expect(layer.tokenize('A b a')).toEqual(['a', 'b', 'a', 'a b', 'b a']);
    // [OOV ('b a'), 'a' twice, 'b', 'a b']
    expect(arr(layer.apply(['a b a', 'c']))).toEqual([[1, 2, 1, 1], [1, 0, 0, 0]]);
    const hot = new L.TextVectorization({ outputMode: 'multi_hot', maxTokens: 6, padToMaxTokens: true, vocabulary: ['x'] });
    expect(arr(hot.apply(['x x y']))).toEqual([[1, 1, 0, 0, 0, 0]]);
    const tfidf = new L.TextVectorization({ outputMode: 'tf_idf' });
    tfidf.adapt(['a a b', 'a c']);
    const v = tfidf.apply(['a b']) as nb.Tensor;
    const vocab = tfidf.getVocabulary();
    const row = (v.arraySync() as number[][])[0]!;
    // 2 documents; 'a' in both: log(1 + 2/3); 'b' in one: log(1 + 2/2).
    expect(row[vocab.indexOf('a')]).toBeCloseTo(Math.log(1 + 2 / 3), 5);
    expect(row[vocab.indexOf('b')]).toBeCloseTo(Math.log(2), 5);
  });

  it('character split, custom functions, and clear errors', () => {
    const chars = new L.TextVectorization({ split: 'character', standardize: null, vocabulary: ['a', 'b'] });
    expect(arr(chars.apply(['abc']))).toEqual([[2, 3, 1]]);
    const custom = new L.TextVectorization({ standardize: (s) => s.replace(/\d/g, ''), split: (s) => s.split('-'), vocabulary: ['x'] });
    expect(arr(custom.apply(['x1-y']))).toEqual([[2, 1]]);
    expect(() => new L.TextVectorization({ outputMode: 'count', outputSequenceLength: 3 })).toThrow(/outputSequenceLength works with outputMode 'int' only/);
    expect(() => new L.TextVectorization({ split: 'words' as never })).toThrow(/split must be one of/);
    expect(() => new L.TextVectorization().apply(nb.ones([2]) as never)).toThrow(/TextVectorization: expected texts/);
  });
});
