// Per-example gradients with vmap(grad): differentially-private style training (DP-SGD) of a small
// MLP on the Wisconsin breast-cancer data. Each example's gradient is clipped to a maximum norm
// before averaging, and Gaussian noise is added — which needs every example's own gradient, not
// just the batch's sum. vmap computes them all in one batched pass instead of a loop.
import * as nb from '../src/index.js';

const quick = process.argv.includes('--quick');
const steps = quick ? 60 : 400;
const batchSize = 64;
const clipNorm = 1.0;
const noiseMultiplier = 0.5;
const learningRate = 0.5;

type Params = [nb.Tensor, nb.Tensor, nb.Tensor, nb.Tensor];

/** Binary cross-entropy of one example (x: [30], y: scalar 0/1) under the MLP 30 -> 16 -> 1. */
function loss(w1: nb.Tensor, b1: nb.Tensor, w2: nb.Tensor, b2: nb.Tensor, x: nb.Tensor, y: nb.Tensor): nb.Tensor {
  const h = nb.relu(nb.add(nb.matmul(nb.reshape(x, [1, -1]), w1), b1));
  const logit = nb.reshape(nb.add(nb.matmul(h, w2), b2), []);
  return nb.nn.sigmoidCrossEntropyWithLogits({ labels: y, logits: logit });
}

// d loss / d (w1, b1, w2, b2) for one example, then the same for every example of a batch at once:
// the parameters are shared (inAxes null), x and y are mapped along their first axis.
const exampleGrad = nb.grad(loss, { argnums: [0, 1, 2, 3] }) as (...args: nb.Tensor[]) => nb.Tensor[];
const perExampleGrads = nb.vmap(exampleGrad, { inAxes: [null, null, null, null, 0, 0] });

/** Each example's gradient norm over all parameters: [batch]. */
function gradNorms(grads: nb.Tensor[]): nb.Tensor {
  const squares = grads.map((g) => nb.sum(nb.square(g), g.shape.slice(1).map((_, i) => i + 1)));
  return nb.sqrt(squares.reduce((a, b) => nb.add(a, b)));
}

const bc = await nb.datasets.breastCancer.load();
const data = nb.utils.trainTestSplit(bc.x, nb.cast(bc.y, 'float32'), { testSize: 0.25, seed: 1, stratify: true });
const scaler = nb.preprocessing.StandardScaler.fit(data.xTrain);
const xTrain = scaler.transform(data.xTrain);
const xTest = scaler.transform(data.xTest);
const nTrain = xTrain.shape[0]!;

nb.random.seed(7);
const params: Params = [nb.mul(nb.random.normal([30, 16]), Math.sqrt(2 / 30)), nb.zeros([16]), nb.mul(nb.random.normal([16, 1]), Math.sqrt(1 / 16)), nb.zeros([1])];

// Check once that vmap's per-example gradients are what a loop over the examples gives.
const probeX = nb.slice(xTrain, [0, 0], [8, -1]);
const probeY = nb.slice(data.yTrain, [0], [8]);
const batched = perExampleGrads(...params, probeX, probeY);
let maxDiff = 0;
nb.unstack(probeX).forEach((x, i) => {
  const single = exampleGrad(...params, x, nb.reshape(nb.slice(probeY, [i], [1]), []));
  single.forEach((g, p) => {
    const d = nb.max(nb.abs(nb.sub(g, nb.squeeze(nb.slice(batched[p]!, [i], [1]), 0)))).item();
    maxDiff = Math.max(maxDiff, d);
  });
});
console.log(`vmap(grad) vs a loop over 8 examples: max difference ${maxDiff.toExponential(2)}`);

/**
 * One DP-SGD step's update direction: per-example gradients, each clipped to clipNorm, summed,
 * plus Gaussian noise, over the batch size. Compiled once with nb.jit (jit of vmap of grad).
 */
const privateGradient = nb.jit((w1: nb.Tensor, b1: nb.Tensor, w2: nb.Tensor, b2: nb.Tensor, x: nb.Tensor, y: nb.Tensor) => {
  const grads = perExampleGrads(w1, b1, w2, b2, x, y);
  const norms = gradNorms(grads);
  // Scale each example's gradient down to norm clipNorm at most.
  const scale = nb.minimum(1, nb.div(clipNorm, nb.maximum(norms, 1e-12)));
  const updates = grads.map((g) => {
    const clipped = nb.sum(nb.mul(g, nb.reshape(scale, [batchSize, ...g.shape.slice(1).map(() => 1)])), 0);
    const noise = nb.random.normal(clipped.shape, { stddev: noiseMultiplier * clipNorm });
    return nb.div(nb.add(clipped, noise), batchSize);
  });
  return { updates, norms, clipped: nb.mean(nb.cast(nb.less(scale, 1), 'float32')) };
});

let clippedShare = 0;
const started = performance.now();
for (let step = 0; step < steps; step++) {
  nb.tidy(() => {
    const idx = nb.random.int([batchSize], 0, nTrain);
    const { updates, norms, clipped } = privateGradient(...params, nb.gather(xTrain, idx), nb.gather(data.yTrain, idx));
    clippedShare += clipped.item() / steps;
    updates.forEach((u, p) => (params[p] = nb.keep(nb.sub(params[p]!, nb.mul(u, learningRate)))));
    if (step % Math.ceil(steps / 5) === 0) console.log(`  step ${step}: median gradient norm ${nb.sort(norms).dataSync()[batchSize >> 1]!.toFixed(3)}`);
  });
}
const seconds = (performance.now() - started) / 1000;

const logits = nb.reshape(nb.add(nb.matmul(nb.relu(nb.add(nb.matmul(xTest, params[0]), params[1])), params[2]), params[3]), [-1]);
const accuracy = nb.mean(nb.cast(nb.equal(nb.greater(logits, 0), nb.cast(data.yTest, 'bool')), 'float32')).item();
console.log(`${steps} DP-SGD steps of ${batchSize} examples in ${seconds.toFixed(1)} s; ${(100 * clippedShare).toFixed(0)}% of per-example gradients clipped`);
console.log(`test accuracy: ${accuracy.toFixed(3)}`);
console.log(`RESULT accuracy=${accuracy} diff=${maxDiff} clipped=${clippedShare}`);
