// The main demo (`npm run demo`): train on the full MNIST data set with a Keras-style model,
// print test accuracy and time per epoch, save the model, and plot the training curves to SVG.
//
//   npm run demo                                  # dense network, defaults (5 epochs of 0.7-1 s each on 2 idle cores, native)
//   npm run demo -- --model cnn --epochs 3        # the small CNN
//   npm run demo -- --backend js --out out/run1   # pick a backend and an output folder
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as nb from '../src/index.js';
import { buildModel, loadMnist } from './lib/mnist-models.js';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'dense' },
    epochs: { type: 'string' },
    'batch-size': { type: 'string', default: '128' },
    backend: { type: 'string' },
    out: { type: 'string', default: 'out/mnist-demo' },
    'train-samples': { type: 'string' },
    verbose: { type: 'string', default: '1' },
  },
});

async function main(): Promise<void> {
  if (args.backend) await nb.setBackend(args.backend);
  const kind = args.model!;
  const epochs = Number(args.epochs ?? (kind === 'cnn' ? 2 : 5));
  const batchSize = Number(args['batch-size']);
  console.log(`nabla MNIST demo: model=${kind}, epochs=${epochs}, batch=${batchSize}, backend=${JSON.stringify(nb.backendInfo())}`);

  nb.random.seed(42);
  const { xTrain, yTrain, xTest, yTest } = await loadMnist(args['train-samples'] ? Number(args['train-samples']) : undefined);
  console.log(`train ${xTrain.shape[0]} images, test ${xTest.shape[0]} images`);

  const model = buildModel(kind);
  model.compile({ optimizer: new nb.optimizers.Adam(0.001), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  model.summary();

  const epochTimes: number[] = [];
  let epochStart = 0;
  const timer = new nb.callbacks.LambdaCallback({
    onEpochBegin: () => {
      epochStart = performance.now();
    },
    onEpochEnd: () => {
      epochTimes.push((performance.now() - epochStart) / 1000);
    },
  });
  const history = await model.fit(xTrain, yTrain, {
    epochs,
    batchSize,
    validationData: [xTest, yTest],
    callbacks: [timer],
    verbose: Number(args.verbose) as 0 | 1 | 2,
  });

  const [testLoss, testAcc] = (await model.evaluate(xTest, yTest, { batchSize: 1000, verbose: 0 })) as number[];
  const perEpoch = epochTimes.reduce((a, b) => a + b, 0) / epochTimes.length;
  console.log(`test accuracy ${(testAcc! * 100).toFixed(2)}% (loss ${testLoss!.toFixed(4)}); ${perEpoch.toFixed(1)} s per epoch`);

  await mkdir(args.out!, { recursive: true });
  const modelDir = join(args.out!, 'model');
  await model.save(modelDir);
  const plotPath = join(args.out!, 'training-curves.svg');
  // The validation data of this run is the test set, hence the label.
  await nb.utils.plotHistory(history, plotPath, { metrics: ['loss', 'accuracy'], validationLabel: 'test' });
  console.log(`saved the model to ${modelDir}/ and the training curves to ${plotPath}`);
}

await main();
