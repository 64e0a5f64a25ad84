// Keras's "Text classification from scratch" with the model of its "Bidirectional LSTM on IMDB",
// in nabla: a dataset of raw review texts becomes token indices through a TextVectorization layer adapted to the
// training texts, then Embedding (index 0 is padding, masked) -> Bidirectional(LSTM) -> Dense(sigmoid).
//
// IMDB is not available offline, so the reviews are SYNTHETIC, generated below from a fixed seed:
// filler sentences about films (the same for both classes) around a few positive or negative
// phrases, and now and then a phrase of the other sentiment to make the task less trivial.
// The synthetic task is easy: the full run (4,000 reviews, 5 epochs) reached 100% test accuracy,
// at 77-174 ms per step of 32 (two BiLSTM(64) over 24 steps, on a busy 2-core machine).
// Run: npx tsx examples/tutorials/text-classification.ts [--quick]
import * as nb from '../../src/index.js';

const quick = process.argv.includes('--quick');
nb.random.seed(42);

// A small deterministic generator of reviews (label 1: positive, 0: negative).
let seed = 7;
const uniform = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = <T>(items: readonly T[]): T => items[Math.floor(uniform() * items.length)]!;
const positive = ['a wonderful film', 'I loved it!', 'brilliant acting', 'a moving story', 'great fun', 'beautifully shot', 'highly recommended.', 'an excellent script'];
const negative = ['a terrible film', 'I hated it!', 'wooden acting', 'a dull story', 'a waste of time', 'badly shot', 'avoid it.', 'an awful script'];
const filler = ['The director', 'my friends', 'the cinema', 'last Sunday', 'the soundtrack', 'two hours', 'the sequel', 'popcorn', 'the ending', 'this year', 'the cast', 'we watched'];
function review(label: number): string {
  const own = label === 1 ? positive : negative;
  const other = label === 1 ? negative : positive;
  const parts = [pick(filler), pick(own), pick(filler), pick(filler), pick(own)];
  if (uniform() < 0.3) parts.splice(3, 0, 'but', pick(other));
  for (let i = Math.floor(uniform() * 4); i > 0; i--) parts.push(pick(filler));
  return parts.join(' ');
}
function makeReviews(n: number): { texts: string[]; labels: number[] } {
  const labels = Array.from({ length: n }, (_, i) => i % 2);
  return { texts: labels.map(review), labels };
}
const train = makeReviews(quick ? 512 : 4000);
const test = makeReviews(quick ? 256 : 1000);
console.log('example review:', JSON.stringify(train.texts[0]), 'label', train.labels[0]);

// The raw data as datasets of (text, label) batches, as Keras's text_dataset_from_directory gives.
const batchSize = 32;
const rawTrainDs = nb.data.Dataset.fromTensorSlices([train.texts, train.labels]).shuffle(1000, { seed: 1 }).batch(batchSize);
const rawTestDs = nb.data.Dataset.fromTensorSlices([test.texts, test.labels]).batch(batchSize);

// Texts to integer sequences: lowercase, strip punctuation, split on whitespace, look up the
// vocabulary learned from the training texts (alone, without labels), pad or cut to 24 tokens.
const maxFeatures = 200;
const sequenceLength = 24;
const vectorizeLayer = new nb.layers.TextVectorization({ maxTokens: maxFeatures, outputMode: 'int', outputSequenceLength: sequenceLength });
await vectorizeLayer.adapt(rawTrainDs.map(([text]) => text));
console.log(`vocabulary: ${vectorizeLayer.vocabularySize()} tokens, starting`, vectorizeLayer.getVocabulary().slice(0, 6).join(' '));

// Vectorize in the data pipeline (strings stay on the host; the model sees integers), cached once done.
const vectorizeText = ([text, label]: [nb.StringTensor, nb.Tensor]): [nb.Tensor, nb.Tensor] => [vectorizeLayer.apply(text), label];
const trainDs = rawTrainDs.map(vectorizeText).cache().prefetch(2);
const testDs = rawTestDs.map(vectorizeText).cache();

// The model: variable-length integer sequences in, the probability of a positive review out.
const units = quick ? 16 : 64;
const inputs = nb.keras.Input([null], { dtype: 'int32' });
let x = new nb.layers.Embedding(maxFeatures, quick ? 16 : 128, { maskZero: true }).apply(inputs);
x = new nb.layers.Bidirectional(new nb.layers.LSTM(units, { returnSequences: true })).apply(x);
x = new nb.layers.Bidirectional(new nb.layers.LSTM(units)).apply(x);
const outputs = new nb.layers.Dense(1, { activation: 'sigmoid' }).apply(x);
const model = new nb.Model({ inputs, outputs });
model.summary();

model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
const t0 = performance.now();
await model.fit(trainDs, { epochs: quick ? 6 : 5, validationData: testDs, verbose: quick ? 0 : 1 });
console.log(`trained in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const { loss, accuracy } = await model.evaluate(testDs, { verbose: 0, returnDict: true });
console.log(`test loss ${loss.toFixed(4)}, test accuracy ${accuracy!.toFixed(4)}`);

// New raw texts: vectorize, then predict.
const samples = ['I loved it! a wonderful film', 'a waste of time and wooden acting'];
const scores = model.predict(vectorizeLayer.apply(samples));
const [pos, neg] = scores.dataSync();
samples.forEach((s, i) => console.log(`${JSON.stringify(s)}: ${[pos, neg][i]!.toFixed(3)}`));
console.log(`RESULT accuracy=${accuracy} positive=${pos} negative=${neg}`);
