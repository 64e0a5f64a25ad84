// A recurrent network written with nb.scan: it reads a sine wave one value at a time and predicts the
// next value. The scan body is one RNN step; inside nb.jit it compiles to one loop node, and its
// gradient (a reverse scan) is part of the same compiled train step.
import * as nb from '../src/index.js';

const quick = process.argv.includes('--quick');
nb.random.seed(21);
const STEPS = 24; // sequence length
const BATCH = 32;
const HIDDEN = 16;

/** Time-major sequences [STEPS + 1, BATCH, 1] of sin(0.4 t + phase) with random phases and amplitudes. */
function sineBatch(): { inputs: nb.Tensor; targets: nb.Tensor } {
  const t = nb.reshape(nb.range(0, STEPS + 1), [STEPS + 1, 1, 1]);
  const phase = nb.random.uniform([1, BATCH, 1], { min: 0, max: 2 * Math.PI });
  const amplitude = nb.random.uniform([1, BATCH, 1], { min: 0.5, max: 1 });
  const wave = nb.mul(amplitude, nb.sin(nb.add(nb.mul(t, 0.4), phase)));
  return { inputs: nb.slice(wave, [0], [STEPS]), targets: nb.slice(wave, [1], [STEPS]) };
}

const params = {
  wx: new nb.Variable(nb.random.normal([1, HIDDEN], { stddev: 0.5 }), { name: 'wx' }),
  wh: new nb.Variable(nb.random.normal([HIDDEN, HIDDEN], { stddev: 1 / Math.sqrt(HIDDEN) }), { name: 'wh' }),
  b: new nb.Variable(nb.zeros([HIDDEN]), { name: 'b' }),
  wo: new nb.Variable(nb.random.normal([HIDDEN, 1], { stddev: 0.3 }), { name: 'wo' }),
  bo: new nb.Variable(nb.zeros([1]), { name: 'bo' }),
};
const vars = Object.values(params);

/** One RNN step: carry the hidden state, emit the prediction of the next value. */
function cell(h: nb.Tensor, x: nb.Tensor): [nb.Tensor, nb.Tensor] {
  const next = nb.tanh(nb.add(nb.add(nb.matmul(x, params.wx), nb.matmul(h, params.wh)), params.b));
  return [next, nb.add(nb.matmul(next, params.wo), params.bo)];
}

const optimizer = new nb.optimizers.Adam(0.02);
const trainStep = nb.jit((inputs: nb.Tensor, targets: nb.Tensor) => {
  const tape = new nb.GradientTape();
  const [, predictions] = nb.scan(cell, nb.zeros([BATCH, HIDDEN]), inputs);
  const loss = nb.mean(nb.square(nb.sub(predictions, targets)));
  const grads = tape.gradient(loss, vars);
  optimizer.applyGradients(vars.map((v, i) => [grads[i]!, v] as [nb.Tensor, nb.Variable]));
  return loss;
});

const iterations = quick ? 100 : 600;
let first = Number.NaN;
let last = Number.NaN;
for (let i = 0; i < iterations; i++) {
  const { inputs, targets } = sineBatch();
  last = trainStep(inputs, targets).item();
  if (i === 0) first = last;
  if (i % 25 === 0 || i === iterations - 1) console.log(`step ${i}: loss ${last.toFixed(5)}`);
}
console.log(`loss ${first.toFixed(4)} -> ${last.toFixed(4)} in ${iterations} steps; traced ${trainStep.traceCount} time(s)`);
console.log(`RESULT first=${first} last=${last} traces=${trainStep.traceCount}`);
