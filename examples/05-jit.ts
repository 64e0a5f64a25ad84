// 5. The same training step compiled with nb.jit (TensorFlow's @tf.function): traced once, replayed.
import * as nb from '../src/index.js';

const quick = process.argv.includes('--quick');
nb.random.seed(13);
const x = nb.random.uniform([1000, 3], { min: -2, max: 2 });
const y = nb.matmul(x, nb.tensor([[1.5], [-2], [0.5]])).add(0.7);

function makeStep() {
  const w = new nb.Variable(nb.zeros([3, 1]));
  const b = new nb.Variable(nb.zeros([1]));
  const step = (xb: nb.Tensor, yb: nb.Tensor) => {
    const tape = new nb.GradientTape();
    const loss = nb.mean(nb.square(yb.sub(nb.matmul(xb, w).add(b))));
    const [dw, db] = tape.gradient(loss, [w, b]);
    w.assignSub(dw.mul(0.05));
    b.assignSub(db.mul(0.05));
    return loss;
  };
  return { w, b, step };
}

// JS side effects inside a jitted function run once, while tracing (as in TensorFlow).
const eager = makeStep();
const compiled = makeStep();
const jitted = nb.jit((xb: nb.Tensor, yb: nb.Tensor) => {
  console.log('  (tracing: this line prints once)');
  return compiled.step(xb, yb);
});

const steps = quick ? 100 : 400;
let t0 = performance.now();
for (let i = 0; i < steps; i++) eager.step(x, y);
const eagerMs = performance.now() - t0;
t0 = performance.now();
for (let i = 0; i < steps; i++) jitted(x, y);
const jitMs = performance.now() - t0;

console.log('optimised graph:\n' + jitted.graph(x, y));
const diff = nb.max(nb.abs(eager.w.sub(compiled.w))).item();
console.log(`eager ${eagerMs.toFixed(0)} ms, jitted ${jitMs.toFixed(0)} ms: ${(eagerMs / jitMs).toFixed(1)}x; traced ${jitted.traceCount} time(s)`);
console.log(`same weights as eager (max difference ${diff}): ${compiled.w.toString()}`);
console.log(`RESULT diff=${diff} traces=${jitted.traceCount}`);
