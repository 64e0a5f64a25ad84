// Gaussian-process regression with nb.linalg: a Cholesky factor of the kernel matrix and two
// triangular solves give the posterior mean and variance, and the log marginal likelihood
// (differentiated through cholesky and triangularSolve) fits the kernel's length scale and amplitude.
import * as nb from '../src/index.js';

const quick = process.argv.includes('--quick');
const la = nb.linalg;
nb.random.seed(7);

// A noisy sine on [-3, 3].
const n = quick ? 30 : 60;
const noise = 0.1;
const xTrain = nb.cast(nb.random.uniform([n, 1], { min: -3, max: 3 }), 'float64');
const yTrain = nb.add(nb.sin(xTrain), nb.mul(nb.cast(nb.random.normal([n, 1]), 'float64'), noise));
const xTest = nb.reshape(nb.linspace(-3, 3, 50, 'float64'), [50, 1]);

// Parameters in log space keep them positive; the start (length scale 0.2) underfits badly.
const logLength = new nb.Variable(nb.tensor(Math.log(0.2), 'float64'), { name: 'logLength' });
const logAmplitude = new nb.Variable(nb.tensor(0, 'float64'), { name: 'logAmplitude' });

/** The RBF kernel a² exp(-|x - x'|² / (2 ℓ²)) between the rows of a [p, 1] and b [q, 1]. */
function rbf(a: nb.Tensor, b: nb.Tensor): nb.Tensor {
  const sq = nb.square(nb.sub(a, nb.transpose(b)));
  const scaled = nb.div(sq, nb.mul(2, nb.exp(nb.mul(2, logLength))));
  return nb.mul(nb.exp(nb.mul(2, logAmplitude)), nb.exp(nb.neg(scaled)));
}

/** L with K + σ² I = L Lᵀ, and α = (K + σ² I)⁻¹ y by two triangular solves. */
function factor(): { l: nb.Tensor; alpha: nb.Tensor } {
  const k = nb.add(rbf(xTrain, xTrain), nb.mul(nb.eye(n, n, 'float64'), noise * noise));
  const l = la.cholesky(k);
  const alpha = la.triangularSolve(l, la.triangularSolve(l, yTrain), { transposeA: true });
  return { l, alpha };
}

/** log p(y | x) = -½ yᵀα - Σ log Lᵢᵢ - n/2 log 2π. */
function logMarginalLikelihood(): nb.Tensor {
  const { l, alpha } = factor();
  const fit = nb.mul(-0.5, nb.sum(nb.mul(yTrain, alpha)));
  const complexity = nb.sum(nb.log(la.diagPart(l)));
  return nb.sub(nb.sub(fit, complexity), (n / 2) * Math.log(2 * Math.PI));
}

/** Posterior mean and standard deviation at xTest. */
function predict(): { mean: nb.Tensor; std: nb.Tensor } {
  const { l, alpha } = factor();
  const kStar = rbf(xTrain, xTest);
  const mean = nb.matmul(kStar, alpha, { transposeA: true });
  const v = la.triangularSolve(l, kStar);
  const variance = nb.sub(nb.exp(nb.mul(2, logAmplitude)), nb.sum(nb.square(v), 0));
  return { mean: nb.reshape(mean, [-1]), std: nb.sqrt(nb.maximum(variance, 0)) };
}

function rmse(): number {
  return nb.sqrt(nb.mean(nb.square(nb.sub(predict().mean, nb.reshape(nb.sin(xTest), [-1]))))).item();
}

const lml0 = logMarginalLikelihood().item();
const rmse0 = rmse();
console.log(`start: length scale ${Math.exp(logLength.item()).toFixed(3)}, log marginal likelihood ${lml0.toFixed(3)}, test RMSE ${rmse0.toFixed(4)}`);

const optimizer = new nb.optimizers.Adam(0.05);
const steps = quick ? 40 : 150;
for (let step = 1; step <= steps; step++) {
  const loss = nb.tidy(() => optimizer.minimize(() => nb.neg(logMarginalLikelihood()), [logLength, logAmplitude]));
  if (step % 10 === 0) console.log(`step ${step}: log marginal likelihood ${(-loss.item()).toFixed(3)}, length scale ${Math.exp(logLength.item()).toFixed(3)}, amplitude ${Math.exp(logAmplitude.item()).toFixed(3)}`);
}

const lml = logMarginalLikelihood().item();
const fitted = rmse();
const { std } = predict();
console.log(`fitted: length scale ${Math.exp(logLength.item()).toFixed(3)}, amplitude ${Math.exp(logAmplitude.item()).toFixed(3)}, test RMSE ${fitted.toFixed(4)} (was ${rmse0.toFixed(4)}), mean posterior std ${nb.mean(std).item().toFixed(4)}`);
console.log(`RESULT lml0=${lml0} lml=${lml} rmse0=${rmse0} rmse=${fitted} length=${Math.exp(logLength.item())}`);
