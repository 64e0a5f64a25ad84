// Per-batch times of an LSTM(64) fit (100 steps x 32 features, batch 64): the first batch runs
// eagerly (fit's warm-up), the second traces and compiles the step, the rest replay it. Prints
// each batch's milliseconds and the process RSS. `N=192 E=1 npx tsx bench/rnn-first-epoch.ts`.
import * as nb from '../src/index.js';
const S = Number(process.env.S ?? 100), F = 32, U = 64, B = 64, N = Number(process.env.N ?? 320);
const xs = nb.random.uniform([N, S, F]); const ys = nb.random.uniform([N, 1]);
const model = new nb.Sequential([new nb.layers.LSTM(U, { inputShape: [S, F] }), new nb.layers.Dense(1)]);
model.compile({ optimizer: 'adam', loss: 'mse' });
let t = performance.now();
const cb = { onTrainBatchEnd: (b: number) => { const n = performance.now(); console.log('batch', b, (n - t).toFixed(0), 'ms rss', (process.memoryUsage().rss / 2 ** 20).toFixed(0)); t = n; } };
await model.fit(xs, ys, { batchSize: B, epochs: Number(process.env.E ?? 2), verbose: 0, callbacks: [cb as never] });
