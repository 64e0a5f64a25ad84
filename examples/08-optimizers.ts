// 8. Optimizers: the same perceptron trained with SGD, Adam and RMSprop.
import * as nb from '../src/index.js';

const quick = process.argv.includes('--quick');
nb.random.seed(8);
const { x, y } = nb.datasets.makeClassification({ nSamples: 400, nFeatures: 2, nInformative: 2, nRedundant: 0, nClustersPerClass: 1, seed: 3 });
const xs = nb.preprocessing.standardize(x);
const ys = nb.cast(y, 'float32').reshape([-1, 1]);
const epochs = quick ? 10 : 20;

const results: Record<string, number> = {};
for (const [name, opt] of [
  ['SGD', new nb.optimizers.SGD(0.1)],
  ['Adam', new nb.optimizers.Adam(0.05)],
  ['RMSprop', new nb.optimizers.RMSprop(0.01)],
] as const) {
  const w = new nb.Variable(nb.zeros([2, 1]));
  const b = new nb.Variable(nb.zeros([1]));
  const accs: string[] = [];
  let acc = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    opt.minimize(() => nb.mean(nb.nn.sigmoidCrossEntropyWithLogits({ labels: ys, logits: nb.matmul(xs, w).add(b) })), [w, b]);
    acc = nb.mean(nb.cast(nb.equal(nb.greater(nb.matmul(xs, w).add(b), 0), nb.cast(ys, 'bool')), 'float32')).item();
    accs.push(acc.toFixed(2));
  }
  results[name] = acc;
  console.log(`${name.padEnd(8)} accuracy per epoch: ${accs.join(' ')}`);
}
console.log(`RESULT ${Object.entries(results).map(([k, v]) => `${k}=${v}`).join(' ')}`);
