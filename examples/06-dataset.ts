// 6. The Dataset API: shuffle and batch the regression data, and train on mini-batches.
import * as nb from '../src/index.js';

const quick = process.argv.includes('--quick');
nb.random.seed(21);
const x = nb.random.uniform([512, 1], { min: -1, max: 1 });
const y = x.mul(3).add(1).add(nb.random.normal([512, 1], { stddev: 0.1 }));

const ds = nb.data.Dataset.fromTensorSlices([x, y]).shuffle(512, { seed: 1 }).batch(32);
console.log('batches per epoch:', ds.cardinality());

const w = new nb.Variable(nb.zeros([1, 1]));
const b = new nb.Variable(nb.zeros([1]));
const opt = new nb.optimizers.SGD(0.1);
const epochs = quick ? 5 : 10;
for (let epoch = 0; epoch < epochs; epoch++) {
  let total = 0;
  let n = 0;
  for await (const [xb, yb] of ds) {
    const loss = opt.minimize(() => nb.mean(nb.square(yb!.sub(nb.matmul(xb!, w).add(b)))), [w, b]);
    total += loss.item();
    n++;
  }
  console.log(`epoch ${epoch}: mean loss ${(total / n).toFixed(4)}`);
}
console.log(`w = ${w.item().toFixed(3)} (true 3), b = ${b.item().toFixed(3)} (true 1)`);
console.log(`RESULT werr=${Math.abs(w.item() - 3)} berr=${Math.abs(b.item() - 1)}`);
