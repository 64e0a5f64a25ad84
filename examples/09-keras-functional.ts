// 9. The Keras functional API: Input → Dense(sigmoid) → Model, compile, fit, evaluate.
import * as nb from '../src/index.js';

const quick = process.argv.includes('--quick');
nb.random.seed(9);
const { x, y } = nb.datasets.makeClassification({ nSamples: 400, nFeatures: 2, nInformative: 2, nRedundant: 0, nClustersPerClass: 1, seed: 9 });
const split = nb.utils.trainTestSplit(nb.preprocessing.standardize(x), nb.cast(y, 'float32'), { testSize: 0.2, seed: 1 });

const inputs = nb.keras.Input([2]);
const z = new nb.layers.Dense(1, { activation: 'sigmoid', kernelInitializer: 'glorotUniform' }).apply(inputs);
const model = new nb.Model({ inputs, outputs: z });
model.compile({ optimizer: new nb.optimizers.Adam(0.1), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
model.summary(); // Total params: 3

const h = await model.fit(split.xTrain, split.yTrain, { batchSize: 8, epochs: quick ? 5 : 15, validationData: [split.xTest, split.yTest], verbose: 2 });
console.log('history accuracy:', h.history.accuracy!.map((a) => a.toFixed(3)).join(' '));
const [loss, acc] = (await model.evaluate(split.xTest, split.yTest, { verbose: 0 })) as number[];
console.log(`test loss ${loss!.toFixed(4)}, accuracy ${acc!.toFixed(3)}`);
console.log(`RESULT accuracy=${acc}`);
