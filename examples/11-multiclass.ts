// 11. Multiclass classification: softmax output with categorical and sparse categorical cross-entropy.
import * as nb from '../src/index.js';

const quick = process.argv.includes('--quick');
nb.random.seed(11);
const { x, y } = nb.datasets.makeClassification({ nSamples: 600, nFeatures: 4, nInformative: 4, nRedundant: 0, nClasses: 3, nClustersPerClass: 1, seed: 4 });
const xs = nb.preprocessing.standardize(x);
const split = nb.utils.trainTestSplit(xs, y, { testSize: 0.25, seed: 3, stratify: true });

function build(): nb.Sequential {
  return new nb.Sequential([new nb.layers.Dense(16, { activation: 'relu', inputShape: [4] }), new nb.layers.Dense(3, { activation: 'softmax' })]);
}

// One-hot labels with categorical cross-entropy...
const oneHot = build();
oneHot.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
await oneHot.fit(split.xTrain, nb.utils.toCategorical(split.yTrain, 3), { epochs: quick ? 20 : 40, batchSize: 16, verbose: 0 });
const [, accCat] = (await oneHot.evaluate(split.xTest, nb.utils.toCategorical(split.yTest, 3), { verbose: 0 })) as number[];

// ...or integer labels with sparse categorical cross-entropy: same model, no one-hot step.
const sparse = build();
sparse.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
await sparse.fit(split.xTrain, split.yTrain, { epochs: quick ? 20 : 40, batchSize: 16, verbose: 0 });
const [, accSparse] = (await sparse.evaluate(split.xTest, split.yTest, { verbose: 0 })) as number[];

console.log('first predictions (class probabilities):', sparse.predict(split.xTest.slice([0], [3])).toString());
console.log(`categorical cross-entropy accuracy ${accCat!.toFixed(3)}; sparse categorical ${accSparse!.toFixed(3)}`);
console.log(`RESULT categorical=${accCat} sparse=${accSparse}`);
