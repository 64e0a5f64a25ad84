// What fit's event-loop yields cost (issue 19): fit yields once per 10 ms of wall time
// (src/training/event-loop-yield.ts), so its overhead is at most one yield's cost per 10 ms.
// Measures a yield's cost here, and the MLP fit of training.ts (784-128-10, batch 128) with it.
import { medianMs, nb } from './common.js';

const samples = Number(process.env.SAMPLES ?? 10_000);

const yields = 2000;
const t0 = performance.now();
for (let i = 0; i < yields; i++) await new Promise((resolve) => setImmediate(resolve));
const yieldMs = (performance.now() - t0) / yields;
console.log(`one yield (setImmediate): ${(yieldMs * 1000).toFixed(1)} us; at one per 10 ms: ${((yieldMs / 10) * 100).toFixed(2)}% of wall time at most`);

const xs = nb.random.uniform([samples, 784]);
const labels = new Float32Array(samples * 10);
for (let i = 0; i < samples; i++) labels[i * 10 + (i % 10)] = 1;
const ys = nb.tensor(labels, [samples, 10]);
for (const jitCompile of [false, true]) {
  const model = new nb.Sequential([new nb.layers.Dense(128, { activation: 'relu', inputShape: [784] }), new nb.layers.Dense(10, { activation: 'softmax' })]);
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', jitCompile });
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  const ms = await medianMs(() => model.fit(xs, ys, { batchSize: 128, epochs: 1, verbose: 0 }), { reps: 5, warmup: 1, budgetMs: 60_000 });
  clearInterval(timer);
  console.log(`MLP fit jit=${jitCompile}: ${ms.toFixed(1)} ms/epoch (${((samples / ms) * 1000).toFixed(0)} samples/s); a 10 ms timer ticked ${ticks} times over the 6 epochs`);
}
