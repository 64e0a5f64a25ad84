// Keras's "Simple MNIST convnet", in nabla: two convolution + max-pooling blocks, dropout and a
// softmax classifier, trained on MNIST with one-hot labels and a held-out validation split.
// Keras reports about 99% test accuracy after 15 epochs; `--quick` trains on 6,000 images for two
// epochs (a few seconds, for CI).
// Run: npx tsx examples/tutorials/mnist-convnet.ts [--quick]
import * as nb from '../../src/index.js';

const quick = process.argv.includes('--quick');
nb.random.seed(1337);

// The data, split between train and test sets.
const numClasses = 10;
const inputShape = [28, 28, 1];
const { train, test } = await nb.datasets.mnist.load();
const nTrain = quick ? 6000 : train.x.shape[0]!;
const nTest = quick ? 2000 : test.x.shape[0]!;

// Scale images to [0, 1], give them a channel axis, and one-hot the labels.
const xTrain = nb.expandDims(train.x.slice([0], [nTrain]).div(255), -1);
const xTest = nb.expandDims(test.x.slice([0], [nTest]).div(255), -1);
const yTrain = nb.utils.toCategorical(train.y.slice([0], [nTrain]), numClasses);
const yTest = nb.utils.toCategorical(test.y.slice([0], [nTest]), numClasses);
console.log('xTrain shape:', xTrain.shape, `${nTrain} train samples, ${nTest} test samples`);

// The model.
const model = new nb.Sequential([
  nb.keras.Input(inputShape),
  new nb.layers.Conv2D(32, { kernelSize: [3, 3], activation: 'relu' }),
  new nb.layers.MaxPooling2D({ poolSize: [2, 2] }),
  new nb.layers.Conv2D(64, { kernelSize: [3, 3], activation: 'relu' }),
  new nb.layers.MaxPooling2D({ poolSize: [2, 2] }),
  new nb.layers.Flatten(),
  new nb.layers.Dropout(0.5),
  new nb.layers.Dense(numClasses, { activation: 'softmax' }),
]);
model.summary();

// Train.
const batchSize = 128;
const epochs = quick ? 2 : 15;
model.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });
await model.fit(xTrain, yTrain, { batchSize, epochs, validationSplit: 0.1, verbose: quick ? 0 : 1 });

// Evaluate.
const { loss, accuracy } = await model.evaluate(xTest, yTest, { verbose: 0, returnDict: true });
console.log(`Test loss: ${loss.toFixed(4)}`);
console.log(`Test accuracy: ${accuracy!.toFixed(4)}`);
console.log(`RESULT loss=${loss} accuracy=${accuracy}`);
