// 10. The Keras Sequential API: a 2-5-1 network, summary(), fit with validation data, the history.
import * as nb from '../src/index.js';

const quick = process.argv.includes('--quick');
nb.random.seed(10);
// Two interleaved half-moons are not linearly separable: the hidden layer earns its keep.
const n = 400;
const t = nb.random.uniform([n], { max: Math.PI });
const upper = nb.random.uniform([n]).greater(0.5);
const px = nb.where(upper, nb.cos(t), nb.sub(1, nb.cos(t)));
const py = nb.where(upper, nb.sin(t), nb.sub(0.5, nb.sin(t)));
const x = nb.stack([px, py], 1).add(nb.random.normal([n, 2], { stddev: 0.1 }));
const y = nb.cast(upper, 'float32');
const split = nb.utils.trainTestSplit(x, y, { testSize: 0.25, seed: 2 });

const model = new nb.Sequential([
  new nb.layers.Dense(5, { activation: 'sigmoid', inputShape: [2] }),
  new nb.layers.Dense(1, { activation: 'sigmoid' }),
]);
model.compile({ optimizer: new nb.optimizers.Adam(0.05), loss: 'binary_crossentropy', metrics: ['acc'] });
model.summary(); // Total params: 21
const h = await model.fit(split.xTrain, split.yTrain, { batchSize: 16, epochs: quick ? 40 : 80, validationData: [split.xTest, split.yTest], verbose: 0 });
const last = (k: string) => h.history[k]!.at(-1)!;
console.log(`after ${h.history.loss!.length} epochs: loss ${last('loss').toFixed(4)}, acc ${last('acc').toFixed(3)}, val_loss ${last('val_loss').toFixed(4)}, val_acc ${last('val_acc').toFixed(3)}`);
console.log('history keys:', Object.keys(h.history).join(', '));
console.log(`RESULT accuracy=${last('val_acc')}`);
