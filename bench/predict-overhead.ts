// What `model.predict` costs per batch beyond its compiled step (issue 22), in CPU time on one
// native thread (steadier than wall time on the shared machine): 10,240 rows at batchSize 256
// (40 batches) predicted in one call, the same rows as 40 one-batch predicts (the inference
// suite's form), and `nb.jit(x => model.apply(x))` called on the 40 batches (the compiled step's
// replay alone: the floor). Two models: one whose kernels cost almost nothing (Dense 4-2-2), so
// the differences are the framework's own work, and the bench MLP (784-128-10), beside
// onnxruntime-node's session.run on the same 40 batches (the same weights through nb.onnx.toBytes,
// one intra-op thread). The cases run interleaved, round after round, and each reports its
// fastest round.
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

type Ort = typeof import('onnxruntime-node');

async function measure(name: string, model: nb.Sequential, features: number, ort?: Ort): Promise<void> {
  let s = 7;
  const data = Float32Array.from({ length: ROWS * features }, () => (s = (s * 1103515245 + 12345) >>> 0) / 4294967296);
  const all = nb.tensor(data, [ROWS, features]);
  const n = ROWS / BATCH;
  const batches = Array.from({ length: n }, (_, i) => nb.tensor(data.subarray(i * BATCH * features, (i + 1) * BATCH * features), [BATCH, features]));
  const step = nb.jit((x: nb.Tensor) => model.apply(x) as nb.Tensor);
  const cases: [string, () => unknown][] = [
    [`predict(${ROWS} rows, { batchSize: ${BATCH} })`, () => model.predict(all, { batchSize: BATCH }).dispose()],
    [`${n} x predict(${BATCH} rows)`, () => batches.forEach((b) => model.predict(b, { batchSize: BATCH }).dispose())],
    [`${n} x jit(model.apply) (the floor)`, () => batches.forEach((b) => step(b).dispose())],
  ];
  if (ort) {
    const session = await ort.InferenceSession.create(nb.onnx.toBytes(model, { inputNames: ['x'], outputNames: ['y'] }), { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
    const theirs = Array.from({ length: n }, (_, i) => new ort.Tensor('float32', data.subarray(i * BATCH * features, (i + 1) * BATCH * features), [BATCH, features]));
    cases.push([`${n} x onnxruntime session.run`, async () => {
      for (const b of theirs) await session.run({ x: b });
    }]);
  }
  for (const [, run] of cases) for (let w = 0; w < 20; w++) await run();
  const best = cases.map(() => Infinity);
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < cases.length; i++) {
      const c0 = process.cpuUsage();
      await cases[i]![1]();
      const d = process.cpuUsage(c0);
      best[i] = Math.min(best[i]!, (d.user + d.system) / n);
    }
  }
  const floor = best[2]!;
  for (let i = 0; i < cases.length; i++) {
    console.log(`| ${name} | ${cases[i]![0]} | ${best[i]!.toFixed(1)} | ${i === 2 ? '-' : `${best[i]! >= floor ? '+' : ''}${(best[i]! - floor).toFixed(1)}`} |`);
  }
  nb.dispose([all, ...batches]);
}

const backend = engine.backend as { setThreads?: (n: number) => void };
backend.setThreads?.(1);
const load0 = os.loadavg()[0]!;
console.log(`predict overhead, ${nb.getBackend()} backend, 1 thread; CPU µs per batch of ${BATCH}, fastest of ${ROUNDS} rounds`);
console.log('| model | call | CPU µs/batch | over the floor |');
console.log('| --- | --- | --- | --- |');
await measure('Dense 4-2-2', tiny(), 4);
// onnxruntime is loaded last, as in bench/inference.ts (its threads must not run during nabla's warm-up).
await measure('MLP 784-128-10', mlp(), 784, process.env.NO_ORT ? undefined : await import('onnxruntime-node'));
console.log(`load average ${load0.toFixed(2)} -> ${os.loadavg()[0]!.toFixed(2)}`);
