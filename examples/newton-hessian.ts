// Newton's method with nb.hessian (forward-over-reverse second derivatives): the Rosenbrock valley
// from its classic start (-1.2, 1), then L2-regularised logistic regression on the Wisconsin
// breast-cancer data, where a handful of Newton steps reach what gradient descent needs hundreds for.
// nb.hvp gives a Hessian-vector product without forming the Hessian; it is checked against H·v.
import * as nb from '../src/index.js';

const quick = process.argv.includes('--quick');

/** Solve H d = g on the host by Gaussian elimination with partial pivoting (H small and symmetric positive definite here). */
function solve(h: nb.Tensor, g: nb.Tensor): nb.Tensor {
  const n = g.size;
  const a = Array.from({ length: n }, (_, i) => [...Array.from(h.dataSync().subarray(i * n, (i + 1) * n), Number), Number(g.dataSync()[i])]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k <= n; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  const d = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = a[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= a[r]![k]! * d[k]!;
    d[r] = s / a[r]![r]!;
  }
  return nb.tensor(d, g.shape as number[], 'float64');
}

/** Newton steps on `f` from `x0` (at most `steps`, fewer once the step vanishes), halving the step until the loss decreases. */
function newton(name: string, f: (x: nb.Tensor) => nb.Tensor, x0: nb.Tensor, steps: number): { first: number; last: number; x: nb.Tensor } {
  const gradient = nb.grad(f) as (x: nb.Tensor) => nb.Tensor;
  const hessian = nb.hessian(f);
  let x = x0;
  let loss = f(x).item();
  const first = loss;
  console.log(`${name}: step 0 loss ${loss.toExponential(4)}`);
  for (let step = 1; step <= steps; step++) {
    const d = solve(hessian(x), gradient(x));
    if (nb.max(nb.abs(d)).item() < 1e-12) break;
    let t = 1;
    let next = nb.sub(x, d);
    while (f(next).item() > loss && t > 1e-4) {
      t /= 2;
      next = nb.sub(x, nb.mul(d, t));
    }
    x = next;
    loss = f(x).item();
    console.log(`${name}: step ${step} loss ${loss.toExponential(4)}${t < 1 ? ` (step length ${t})` : ''}`);
  }
  return { first, last: loss, x };
}

// Rosenbrock: minimum 0 at (1, 1) at the end of a curved valley.
const rosenbrock = (p: nb.Tensor) => {
  const [x, y] = [nb.slice(p, [0], [1]), nb.slice(p, [1], [1])];
  return nb.sum(nb.add(nb.square(nb.sub(1, x)), nb.mul(100, nb.square(nb.sub(y, nb.square(x))))));
};
const rosen = newton('rosenbrock', rosenbrock, nb.tensor([-1.2, 1], 'float64'), 40);
console.log(`rosenbrock minimum found at (${Array.from(rosen.x.dataSync(), (v) => Number(v).toFixed(6)).join(', ')})`);

// Logistic regression: w (one weight per feature plus a bias) minimising the mean log loss + λ/2 |w|².
const bc = await nb.datasets.breastCancer.load();
const features = quick ? 10 : bc.x.shape[1]!;
const raw = nb.cast(nb.slice(bc.x, [0, 0], [-1, features]), 'float64');
const x = nb.preprocessing.StandardScaler.fit(raw).transform(raw);
const design = nb.concat([x, nb.ones([x.shape[0]!, 1], 'float64')], 1);
const labels = nb.cast(bc.y, 'float64');
const lambda = 1e-3;
const logLoss = (w: nb.Tensor) => {
  const logits = nb.matmul(design, nb.reshape(w, [-1, 1])).reshape([-1]);
  const data = nb.mean(nb.nn.sigmoidCrossEntropyWithLogits({ labels, logits }));
  return nb.add(data, nb.mul(lambda / 2, nb.sum(nb.square(w))));
};
const w0 = nb.zeros([features + 1], 'float64');
const logistic = newton(`logistic regression (${features} features)`, logLoss, w0, quick ? 5 : 8);
const predictions = nb.greater(nb.matmul(design, nb.reshape(logistic.x, [-1, 1])).reshape([-1]), 0);
const accuracy = nb.mean(nb.cast(nb.equal(predictions, nb.cast(bc.y, 'bool')), 'float32')).item();
console.log(`training accuracy ${accuracy.toFixed(3)}`);

// The Hessian-vector product at the solution, without the Hessian, against H·v.
const v = nb.random.normal([features + 1], { dtype: 'float64', seed: 1 });
const hv = nb.hvp(logLoss, logistic.x, v) as nb.Tensor;
const h = nb.hessian(logLoss)(logistic.x) as nb.Tensor;
const hvpError = nb.max(nb.abs(nb.sub(hv, nb.matmul(h, nb.reshape(v, [-1, 1])).reshape([-1])))).item();
console.log(`|hvp(f, w, v) - H·v|∞ = ${hvpError.toExponential(2)}`);
console.log(`RESULT rosenbrock=${rosen.last} logistic0=${logistic.first} logistic=${logistic.last} accuracy=${accuracy} hvp=${hvpError}`);
