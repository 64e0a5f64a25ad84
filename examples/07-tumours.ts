// 7. Binary classification of tumours: a one-layer perceptron trained with
// sigmoidCrossEntropyWithLogits, on synthetic (size, age) data and then on the real Wisconsin data.
import * as nb from '../src/index.js';

const quick = process.argv.includes('--quick');

/** Fit w, b by gradient descent; returns test accuracy. Normalisation is fitted on train only. */
function trainPerceptron(xTrain: nb.Tensor, yTrain: nb.Tensor, xTest: nb.Tensor, yTest: nb.Tensor, epochs: number): number {
  const scaler = nb.preprocessing.StandardScaler.fit(xTrain);
  const xt = scaler.transform(xTrain);
  const xv = scaler.transform(xTest);
  const w = new nb.Variable(nb.zeros([xTrain.shape[1]!, 1]));
  const b = new nb.Variable(nb.zeros([1]));
  const accuracy = (x: nb.Tensor, y: nb.Tensor) => {
    const pred = nb.greater(nb.sigmoid(nb.matmul(x, w).add(b)), 0.5);
    return nb.reduceMean(nb.cast(nb.equal(pred, nb.cast(y, 'bool')), 'float32')).item();
  };
  for (let epoch = 0; epoch < epochs; epoch++) {
    const tape = new nb.GradientTape();
    const logits = nb.matmul(xt, w).add(b);
    const loss = nb.reduceMean(nb.nn.sigmoidCrossEntropyWithLogits({ labels: yTrain, logits }));
    const [dw, db] = tape.gradient(loss, [w, b]);
    w.assignSub(dw.mul(0.5));
    b.assignSub(db.mul(0.5));
    if (epoch % Math.ceil(epochs / 5) === 0) console.log(`  epoch ${epoch}: loss ${loss.item().toFixed(4)}, train accuracy ${accuracy(xt, yTrain).toFixed(3)}`);
  }
  return accuracy(xv, yTest);
}

// Synthetic tumours: malignant ones tend to be larger and to come with older patients.
nb.random.seed(4);
const n = 400;
const size = nb.random.normal([n, 1], { mean: 3, stddev: 1 });
const age = nb.random.normal([n, 1], { mean: 55, stddev: 12 });
const score = size.sub(3).add(age.sub(55).div(12)).add(nb.random.normal([n, 1], { stddev: 0.4 }));
const xs = nb.concat([size, age], 1);
const ys = nb.cast(nb.greater(score, 0), 'float32');
const split = nb.utils.trainTestSplit(xs, ys, { testSize: 0.25, seed: 1 });
console.log('synthetic (size, age) tumours:');
const accSynthetic = trainPerceptron(split.xTrain, split.yTrain, split.xTest, split.yTest, quick ? 60 : 150);
console.log(`synthetic test accuracy: ${accSynthetic.toFixed(3)}`);

// The real Wisconsin diagnostic data: 569 tumours, 30 features.
const bc = await nb.datasets.breastCancer.load();
const y = nb.cast(bc.y, 'float32').reshape([-1, 1]);
const real = nb.utils.trainTestSplit(bc.x, y, { testSize: 0.25, seed: 1, stratify: true });
console.log(`Wisconsin breast cancer (${bc.x.shape[0]} tumours, ${bc.featureNames.length} features):`);
const accReal = trainPerceptron(real.xTrain, real.yTrain, real.xTest, real.yTest, quick ? 60 : 200);
console.log(`Wisconsin test accuracy: ${accReal.toFixed(3)}`);
console.log(`RESULT synthetic=${accSynthetic} real=${accReal}`);
