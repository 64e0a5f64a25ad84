// 4. Linear regression from scratch: synthetic data, a tape, and plain gradient descent.
import * as nb from '../src/index.js';

const quick = process.argv.includes('--quick');
nb.random.seed(13);
const trueW = 2.5;
const trueB = -1;
const x = nb.random.uniform([200, 1], { min: -2, max: 2 });
const y = x.mul(trueW).add(trueB).add(nb.random.normal([200, 1], { stddev: 0.3 }));

const w = new nb.Variable(nb.random.normal([1, 1]), { name: 'w' });
const b = new nb.Variable(nb.zeros([1]), { name: 'b' });
const lr = 0.1;

function trainStep(xb: nb.Tensor, yb: nb.Tensor): nb.Tensor {
  const tape = new nb.GradientTape();
  const pred = nb.matmul(xb, w).add(b);
  const loss = nb.mean(nb.square(yb.sub(pred)));
  const [dw, db] = tape.gradient(loss, [w, b]);
  w.assignSub(dw.mul(lr));
  b.assignSub(db.mul(lr));
  return loss;
}

const epochs = quick ? 30 : 60;
for (let epoch = 0; epoch < epochs; epoch++) {
  const loss = trainStep(x, y);
  if (epoch % 10 === 0 || epoch === epochs - 1) console.log(`epoch ${epoch}: loss ${loss.item().toFixed(4)}`);
}
console.log(`fitted w = ${w.item().toFixed(3)} (true ${trueW}), b = ${b.item().toFixed(3)} (true ${trueB})`);
console.log(`RESULT werr=${Math.abs(w.item() - trueW)} berr=${Math.abs(b.item() - trueB)}`);
