// The two MNIST models of the demo and of example 12.
import * as nb from '../../src/index.js';

/** 784-256-10 with dropout: 97.7% test accuracy after 5 epochs (Adam, batch 128; the demo, as in the README). */
export function denseModel(): nb.Sequential {
  return new nb.Sequential([
    new nb.layers.Flatten({ inputShape: [28, 28, 1] }),
    new nb.layers.Dense(256, { activation: 'relu' }),
    new nb.layers.Dropout(0.2),
    new nb.layers.Dense(10, { activation: 'softmax' }),
  ]);
}

/** conv(32) - pool - conv(64) - pool - dense: 98.8% test accuracy after 5 epochs (Adam, batch 128). */
export function cnnModel(): nb.Sequential {
  return new nb.Sequential([
    new nb.layers.Conv2D(32, 3, { activation: 'relu', inputShape: [28, 28, 1] }),
    new nb.layers.MaxPooling2D({ poolSize: 2 }),
    new nb.layers.Conv2D(64, 3, { activation: 'relu' }),
    new nb.layers.MaxPooling2D({ poolSize: 2 }),
    new nb.layers.Flatten(),
    new nb.layers.Dropout(0.25),
    new nb.layers.Dense(10, { activation: 'softmax' }),
  ]);
}

export function buildModel(kind: string): nb.Sequential {
  if (kind === 'dense') return denseModel();
  if (kind === 'cnn') return cnnModel();
  throw new Error(`--model must be 'dense' or 'cnn', got '${kind}'`);
}

/** MNIST as [n, 28, 28, 1] images scaled to [0, 1], labels int32; `limit` takes the first training images. */
export async function loadMnist(limit?: number) {
  const { train, test } = await nb.datasets.mnist.load();
  const prep = (x: nb.Tensor) => x.reshape([-1, 28, 28, 1]).div(255);
  const n = limit ?? train.x.shape[0]!;
  return { xTrain: prep(train.x.slice([0], [n])), yTrain: train.y.slice([0], [n]), xTest: prep(test.x), yTest: test.y };
}
