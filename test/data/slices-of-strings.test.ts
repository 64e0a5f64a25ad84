// fromTensorSlices with string components (Keras's from_tensor_slices((texts, labels))): elements,
// batches in order and shuffled, into a TextVectorization in the pipeline.
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as nb from '../../src/index.js';

const texts = ['a good film', 'a bad film', 'good good', 'bad'];
const labels = [1, 0, 1, 0];

describe('fromTensorSlices of strings', () => {
  it('slices a string array into strings, alongside numeric components', async () => {
    const ds = nb.data.Dataset.fromTensorSlices([texts, labels]);
    const rows = await ds.toArray();
    expectTypeOf(rows[0]!).toEqualTypeOf<[string, nb.Tensor]>();
    expect(rows.map(([t]) => t)).toEqual(texts);
    expect(rows.map(([, y]) => y.item())).toEqual(labels);
    expect(ds.cardinality()).toBe(4);
  });

  it('batches strings into StringTensors, in order and shuffled (every row once, text and label together)', async () => {
    const batches = await nb.data.Dataset.fromTensorSlices([texts, labels]).batch(3).toArray();
    expect(batches.map(([t]) => t.shape)).toEqual([[3], [1]]);
    expect(batches[0]![0]).toBeInstanceOf(nb.StringTensor);
    expect(batches.flatMap(([t]) => t.arraySync() as string[])).toEqual(texts);
    const shuffled = await nb.data.Dataset.fromTensorSlices([texts, labels]).shuffle(4, { seed: 3 }).batch(2).toArray();
    const pairs = shuffled.flatMap(([t, y]) => (t.arraySync() as string[]).map((s, i) => `${s}:${(y.arraySync() as number[])[i]}`));
    expect([...pairs].sort()).toEqual(texts.map((t, i) => `${t}:${labels[i]}`).sort());
  });

  it('takes a StringTensor and records, and a 2-D string component gives StringTensor rows', async () => {
    const [first] = await nb.data.Dataset.fromTensorSlices({ text: nb.StringTensor.from(texts), y: labels }).take(1).toArray();
    expect(first!.text).toBe('a good film');
    const pairs = [['a', 'b'], ['c', 'd'], ['e', 'f']];
    const rows = await nb.data.Dataset.fromTensorSlices([pairs, [0, 1, 2]]).toArray();
    expect(rows[1]![0]).toBeInstanceOf(nb.StringTensor);
    expect((rows[1]![0] as nb.StringTensor).arraySync()).toEqual(['c', 'd']);
    const [batch] = await nb.data.Dataset.fromTensorSlices([pairs, [0, 1, 2]]).batch(2).toArray();
    expect(batch![0].shape).toEqual([2, 2]);
    expect(batch![0].arraySync()).toEqual([['a', 'b'], ['c', 'd']]);
  });

  it('feeds a TextVectorization in the pipeline, then fit', async () => {
    const raw = nb.data.Dataset.fromTensorSlices([texts, labels]).batch(2);
    const vectorize = new nb.layers.TextVectorization({ outputSequenceLength: 3 });
    await vectorize.adapt(raw.map(([t]) => t));
    const ds = raw.map(([t, y]): [nb.Tensor, nb.Tensor] => [vectorize.apply(t), y]);
    const [[x]] = (await ds.take(1).toArray()) as [[nb.Tensor, nb.Tensor]];
    const index = (w: string) => vectorize.getVocabulary().indexOf(w);
    expect(x.arraySync()).toEqual([[index('a'), index('good'), index('film')], [index('a'), index('bad'), index('film')]]);
    const model = new nb.Sequential([new nb.layers.Embedding(10, 2), new nb.layers.GlobalAveragePooling1D(), new nb.layers.Dense(1, { activation: 'sigmoid' })]);
    model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    const history = await model.fit(ds, { epochs: 2, verbose: 0 });
    expect(history.history.loss).toHaveLength(2);
  });

  it('rejects strings mixed with numbers and ragged string components, clearly', () => {
    expect(() => nb.data.Dataset.fromTensorSlices([['a', 1]] as never)).toThrow(/fromTensorSlices: input\[0\]\[0\] is string; expected/);
    expect(() => nb.data.Dataset.fromTensorSlices([texts, [1, 0]])).toThrow(/different lengths along axis 0: \[4\], \[2\]/);
    expect(() => nb.data.Dataset.fromTensorSlices([[['a'], ['b', 'c']], [1, 2]])).toThrow(/StringTensor: the arrays must be rectangular/);
  });
});
