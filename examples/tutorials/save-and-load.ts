// Keras's "Save and load models", in nabla: checkpoints written during training by ModelCheckpoint,
// weights loaded into a freshly built model of the same architecture, weights saved and loaded by
// hand, and the whole model (architecture, weights, optimizer state) saved, loaded and trained further.
// Uses the first 1,000 MNIST images for training and 1,000 for testing, as the tutorial does.
// Run: npx tsx examples/tutorials/save-and-load.ts [--quick]
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as nb from '../../src/index.js';

const quick = process.argv.includes('--quick');
nb.random.seed(0);

const { train, test } = await nb.datasets.mnist.load();
const trainImages = train.x.slice([0], [1000]).reshape([-1, 784]).div(255);
const trainLabels = train.y.slice([0], [1000]);
const testImages = test.x.slice([0], [1000]).reshape([-1, 784]).div(255);
const testLabels = test.y.slice([0], [1000]);

/** A simple Sequential model, compiled. Every call builds new layers (with new auto-generated names). */
function createModel(): nb.Sequential {
  const model = new nb.Sequential([
    new nb.layers.Dense(512, { activation: 'relu', inputShape: [784] }),
    new nb.layers.Dropout(0.2),
    new nb.layers.Dense(10),
  ]);
  model.compile({
    optimizer: 'adam',
    loss: new nb.losses.SparseCategoricalCrossentropy({ fromLogits: true }),
    metrics: [new nb.metrics.SparseCategoricalAccuracy()],
  });
  return model;
}
const accuracyOf = async (model: nb.Model) => (await model.evaluate(testImages, testLabels, { verbose: 0, returnDict: true })).sparse_categorical_accuracy!;

const dir = mkdtempSync(join(tmpdir(), 'nabla-save-and-load-'));
const epochs = quick ? 5 : 10;

// 1. Save checkpoints during training: the weights after every epoch, one file per epoch.
const model = createModel();
model.summary();
const checkpoint = new nb.callbacks.ModelCheckpoint(join(dir, 'training_1', 'cp-{epoch:04d}.safetensors'), { saveWeightsOnly: true, verbose: 1 });
const history = await model.fit(trainImages, trainLabels, { epochs, validationData: [testImages, testLabels], callbacks: [checkpoint], verbose: 0 });
const trained = await accuracyOf(model);
console.log('checkpoints:', readdirSync(join(dir, 'training_1')).join(', '));

// 2. A new, untrained model of the same architecture, then the latest checkpoint loaded into it.
const fresh = createModel();
const untrained = await accuracyOf(fresh);
console.log(`untrained model, accuracy: ${(100 * untrained).toFixed(1)}%`);
const latest = checkpoint.written.at(-1)!;
await fresh.loadWeights(latest);
const restored = await accuracyOf(fresh);
console.log(`restored from ${latest}, accuracy: ${(100 * restored).toFixed(1)}% (trained: ${(100 * trained).toFixed(1)}%)`);

// 3. Save and load weights by hand.
await model.saveWeights(join(dir, 'checkpoints', 'my_checkpoint.safetensors'));
const another = createModel();
await another.loadWeights(join(dir, 'checkpoints', 'my_checkpoint.safetensors'));
const manual = await accuracyOf(another);
console.log(`weights saved and loaded by hand, accuracy: ${(100 * manual).toFixed(1)}%`);

// 4. Save the entire model, load it back (no createModel needed) and keep training it.
await model.save(join(dir, 'my_model'));
const newModel = await nb.models.load(join(dir, 'my_model'));
newModel.summary();
const loaded = await accuracyOf(newModel);
console.log(`loaded model, accuracy: ${(100 * loaded).toFixed(1)}%`);
const more = await newModel.fit(trainImages, trainLabels, { epochs: 3, verbose: 0 });
const continued = await accuracyOf(newModel);
const losses = more.history.loss!;
// Training goes on from where it stopped (the optimizer's state was saved too), not from scratch.
console.log(`training loss before saving: ${history.history.loss!.map((l) => l.toFixed(3)).join(' -> ')}`);
console.log(`after 3 more epochs: training loss ${losses.map((l) => l.toFixed(3)).join(' -> ')}, accuracy ${(100 * continued).toFixed(1)}%`);

rmSync(dir, { recursive: true });
console.log(`RESULT trained=${trained} untrained=${untrained} restored=${restored} manual=${manual} loaded=${loaded} continued=${continued} firstloss=${losses[0]} lastloss=${history.history.loss!.at(-1)} checkpoints=${checkpoint.written.length}`);
