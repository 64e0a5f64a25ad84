// Jacobian of a small MLP (64 inputs -> 64 tanh -> 16 outputs, one example, float32) with respect to
// its input: nb.jacfwd / nb.jacrev (one call batched by vmap over the 64 or 16 basis directions)
// against the loop they replaced (one jvp per input direction, one backward pass per output direction).
// `npx tsx bench/jacobian.ts` prints the lines below; `npm run bench -- jacobian` gives rows.
import { fileURLToPath } from 'node:url';
import { medianMs, nb, type Row } from './common.js';

const IN = 64;
const HIDDEN = 64;
const OUT = 16;

function oneHot(n: number, i: number, shape: readonly number[]): nb.Tensor {
  const v = new Float32Array(n);
  v[i] = 1;
  return nb.tensor(v, [...shape]);
}

function loopJacfwd(f: (x: nb.Tensor) => nb.Tensor, x: nb.Tensor): nb.Tensor {
  const cols = Array.from({ length: x.size }, (_, i) => nb.jvp(f, [x], [oneHot(x.size, i, x.shape)])[1]);
  return nb.stack(cols, 1);
}

function loopJacrev(f: (x: nb.Tensor) => nb.Tensor, x: nb.Tensor): nb.Tensor {
  const tape = new nb.GradientTape({ persistent: true });
  tape.watch(x);
  const y = f(x);
  const rows = Array.from({ length: y.size }, (_, i) => tape.gradient(y, x, { outputGradients: oneHot(y.size, i, y.shape) }) as nb.Tensor);
  tape.dispose();
  return nb.stack(rows, 0);
}

export async function benchJacobian(): Promise<Row[]> {
  nb.random.seed(3);
  const w1 = nb.random.normal([IN, HIDDEN], { stddev: 0.2 });
  const w2 = nb.random.normal([HIDDEN, OUT], { stddev: 0.2 });
  const mlp = (x: nb.Tensor) => nb.matmul(nb.tanh(nb.matmul(nb.expandDims(x, 0), w1)), w2).reshape([OUT]);
  const x = nb.random.normal([IN]);
  // The two ways must give the same Jacobian, or the timing compares different work.
  const gap = (a: nb.Tensor, b: nb.Tensor) => nb.max(nb.abs(nb.sub(a, b))).item();
  const gaps = [gap(loopJacfwd(mlp, x), nb.jacfwd(mlp)(x) as nb.Tensor), gap(loopJacrev(mlp, x), nb.jacrev(mlp)(x) as nb.Tensor)];
  if (!gaps.every((g) => g < 1e-6)) throw new Error(`bench/jacobian: the loop and vmap Jacobians differ by ${gaps.join(', ')}`);
  const time = (fn: () => nb.Tensor) => medianMs(() => nb.tidy(() => fn().dataSync()), { reps: 9, budgetMs: 20_000 });
  const fwdLoop = await time(() => loopJacfwd(mlp, x));
  const fwd = await time(() => nb.jacfwd(mlp)(x) as nb.Tensor);
  const revLoop = await time(() => loopJacrev(mlp, x));
  const rev = await time(() => nb.jacrev(mlp)(x) as nb.Tensor);
  const name = `Jacobian of a ${IN}-${HIDDEN}-${OUT} MLP w.r.t. its ${IN} inputs`;
  return [
    { name: `${name}, jacfwd: loop of ${IN} jvps`, unit: 'ms', higherIsBetter: false, nabla: fwdLoop },
    { name: `${name}, jacfwd: one vmap`, unit: 'ms', higherIsBetter: false, nabla: fwd },
    { name: `${name}, jacrev: loop of ${OUT} backward passes`, unit: 'ms', higherIsBetter: false, nabla: revLoop },
    { name: `${name}, jacrev: one vmap`, unit: 'ms', higherIsBetter: false, nabla: rev },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`backend ${nb.getBackend()}`);
  for (const r of await benchJacobian()) console.log(`${r.name}: ${r.nabla.toFixed(2)} ${r.unit}`);
}
