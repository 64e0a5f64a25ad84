// What `model.predict` costs per batch beyond its compiled step (issue 22), in CPU time on one
// native thread (steadier than wall time on the shared machine): 10,240 rows at batchSize 256
// (40 batches) predicted in one call, the same rows as 40 one-batch predicts (the inference
// suite's form), and `nb.jit(x => model.apply(x))` called on the 40 batches (the compiled step's
// replay alone: the floor). Two models: one whose kernels cost almost nothing (Dense 4-2-2), so
// the differences are the framework's own work, and the bench MLP (784-128-10). The cases run
// interleaved, round after round, and each reports its fastest round.
// `npx tsx bench/predict-overhead.ts`
import * as os from 'node:os';
import { engine } from '../src/engine/engine.js';
import { nb } from './common.js';
import { mlp } from './inference-models.js';

const ROWS = 10_240;
const BATCH = 256;
const ROUNDS = Number(process.env.ROUNDS ?? 15);

function tiny(): nb.Sequential {
  return new nb.Sequential([new nb.layers.Dense(2, { activation: 'relu', inputShape: [4] }), new nb.layers.Dense(2, { activation: 'softmax' })]);
}

function measure(name: string, model: nb.Sequential, features: number): void {
  let s = 7;
  const data = Float32Array.from({ length: ROWS * features }, () => (s = (s * 1103515245 + 12345) >>> 0) / 4294967296);
  const all = nb.tensor(data, [ROWS, features]);
  const n = ROWS / BATCH;
  const batches = Array.from({ length: n }, (_, i) => nb.tensor(data.subarray(i * BATCH * features, (i + 1) * BATCH * features), [BATCH, features]));
  const step = nb.jit((x: nb.Tensor) => model.apply(x) as nb.Tensor);
  const cases: [string, () => void][] = [
    [`predict(${ROWS} rows, { batchSize: ${BATCH} })`, () => model.predict(all, { batchSize: BATCH }).dispose()],
    [`${n} x predict(${BATCH} rows)`, () => batches.forEach((b) => model.predict(b, { batchSize: BATCH }).dispose())],
    [`${n} x jit(model.apply) (the floor)`, () => batches.forEach((b) => step(b).dispose())],
  ];
  for (const [, run] of cases) for (let w = 0; w < 20; w++) run();
  const best = cases.map(() => Infinity);
  for (let r = 0; r < ROUNDS; r++) {
    cases.forEach(([, run], i) => {
      const c0 = process.cpuUsage();
      run();
      const d = process.cpuUsage(c0);
      best[i] = Math.min(best[i]!, (d.user + d.system) / n);
    });
  }
  const floor = best[2]!;
  for (let i = 0; i < cases.length; i++) {
    console.log(`| ${name} | ${cases[i]![0]} | ${best[i]!.toFixed(1)} | ${i < 2 ? `+${(best[i]! - floor).toFixed(1)}` : '-'} |`);
  }
  nb.dispose([all, ...batches]);
}

const backend = engine.backend as { setThreads?: (n: number) => void };
backend.setThreads?.(1);
const load0 = os.loadavg()[0]!;
console.log(`predict overhead, ${nb.getBackend()} backend, 1 thread; CPU µs per batch of ${BATCH}, fastest of ${ROUNDS} rounds`);
console.log('| model | call | CPU µs/batch | over the floor |');
console.log('| --- | --- | --- | --- |');
measure('Dense 4-2-2', tiny(), 4);
measure('MLP 784-128-10', mlp(), 784);
console.log(`load average ${load0.toFixed(2)} -> ${os.loadavg()[0]!.toFixed(2)}`);
