// The 784-128-10 MLP in nabla (`model.predict`, compiled by default) against onnxruntime-node on
// the same model exported with nb.onnx.toBytes (same weights, same graph), CPU, on this machine's
// threads. Batch 256 over 10,240 samples (samples/s) and one sample per call (µs per call, the mean
// of 500 calls per timed run, wall and CPU time); medians. Run: npx tsx bench/predict-onnxruntime.ts
import * as os from 'node:os';
import { medianMs, nb } from './common.js';

const SAMPLES = 10_240;
const BATCH = 256;
const LATENCY_CALLS = 500;
// Batch-1 predict reaches its steady speed only after several thousand calls (V8 optimising the
// JS around the kernels): 20 untimed runs of 500 calls come first.
const WARMUP_RUNS = 20;

function inputs(samples: number): Float32Array {
  let s = 2024;
  return Float32Array.from({ length: samples * 784 }, () => (s = (s * 1103515245 + 12345) >>> 0) / 4294967296);
}

async function main(): Promise<void> {
  const model = new nb.Sequential([new nb.layers.Dense(128, { activation: 'relu', inputShape: [784] }), new nb.layers.Dense(10, { activation: 'softmax' })]);
  const threads = (nb.backendInfo() as { threads?: number }).threads ?? 1;
  const bytes = nb.onnx.toBytes(model, { inputNames: ['x'], outputNames: ['y'] });
  const data = inputs(SAMPLES);
  const x = nb.tensor(data, [SAMPLES, 784]);
  const one = nb.tensor(inputs(1), [1, 784]);

  const nbBatchMs = await medianMs(() => model.predict(x, { batchSize: BATCH }).dispose(), { reps: 7, warmup: 2 });
  const nbOneMs = await medianMs(() => {
    for (let i = 0; i < LATENCY_CALLS; i++) model.predict(one).dispose();
  }, { reps: 7, warmup: WARMUP_RUNS });
  // CPU time per call (all threads of the process), less sensitive than wall time to a busy machine.
  const cpuUs = async (call: () => unknown) => {
    const c = process.cpuUsage();
    for (let i = 0; i < LATENCY_CALLS; i++) await call();
    const d = process.cpuUsage(c);
    return ((d.user + d.system) / LATENCY_CALLS).toFixed(1);
  };
  const nbCpu = await cpuUs(() => model.predict(one).dispose());

  // onnxruntime is loaded only now: its threads spin between runs and would take the cores (and
  // count in this process's CPU time) during nabla's timings. Its answers are checked against nabla's.
  const ort = await import('onnxruntime-node');
  const ortOne = new ort.Tensor('float32', inputs(1), [1, 784]);
  const ortBatches = Array.from({ length: SAMPLES / BATCH }, (_, i) => new ort.Tensor('float32', data.subarray(i * BATCH * 784, (i + 1) * BATCH * 784), [BATCH, 784]));
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1 });
  const mine = (model.predict(one) as nb.Tensor).dataSync();
  const theirs = (await session.run({ x: ortOne })).y!.data as Float32Array;
  const diff = Math.max(...Array.from(mine, (v, i) => Math.abs(v - theirs[i]!)));
  if (diff > 1e-5) throw new Error(`nabla and onnxruntime disagree by ${diff}`);

  const ortBatchMs = await medianMs(async () => {
    for (const b of ortBatches) await session.run({ x: b });
  }, { reps: 7, warmup: 2 });
  const ortOneMs = await medianMs(async () => {
    for (let i = 0; i < LATENCY_CALLS; i++) await session.run({ x: ortOne });
  }, { reps: 7, warmup: WARMUP_RUNS });

  const ortCpu = await cpuUs(() => session.run({ x: ortOne }));

  const rate = (ms: number) => Math.round((SAMPLES / ms) * 1000);
  const us = (ms: number) => ((ms / LATENCY_CALLS) * 1000).toFixed(1);
  console.log(`threads ${threads} (nabla ${nb.getBackend()}, onnxruntime intraOp ${threads}); load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log('| MLP 784-128-10 | nabla model.predict | onnxruntime-node | nabla / ort |');
  console.log('| --- | --- | --- | --- |');
  console.log(`| batch ${BATCH} (samples/s) | ${rate(nbBatchMs)} | ${rate(ortBatchMs)} | ${(ortBatchMs / nbBatchMs).toFixed(2)}x |`);
  console.log(`| batch 1 (µs/call, wall) | ${us(nbOneMs)} | ${us(ortOneMs)} | ${(ortOneMs / nbOneMs).toFixed(2)}x |`);
  console.log(`| batch 1 (µs/call, CPU) | ${nbCpu} | ${ortCpu} | ${(Number(ortCpu) / Number(nbCpu)).toFixed(2)}x |`);
}

await main();
