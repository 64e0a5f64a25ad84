// The bench CNN (bench/inference-models.ts) under `model.predict`, one thread, CPU time per batch
// of 256 and per batch of 1: with the jit's conv-pool pass (conv → bias → relu → pool over the
// batch in cache-sized pieces, native/src/conv-pool.cc) and without it (the backend's
// fusedConvPool kernel hidden, so the pass leaves the graph as before), and onnxruntime-node on the
// same ONNX export, one intra-op thread. "fused, steps split" runs the kernel as before threads
// claimed whole pieces (NABLA_CONV_POOL_SPLIT=steps: pieces one after another, each step split
// between the threads). `npx tsx bench/conv-pool.ts` (native backend;
// CONV_POOL_THREADS=2 for two threads each side: CPU time then counts both threads).
import * as os from 'node:os';
import { engine } from '../src/engine/engine.js';
import * as nb from '../src/index.js';
import { cnn } from './inference-models.js';

const RUNS = 5;
/** nabla's threads and onnxruntime's intra-op threads (CONV_POOL_THREADS, default 1). */
const THREADS = Number(process.env.CONV_POOL_THREADS ?? 1);

/** CPU µs per call: the fastest of RUNS runs of `calls` calls. */
async function cpuUs(calls: number, call: () => unknown): Promise<number> {
  for (let i = 0; i < Math.min(calls, 3); i++) await call();
  let best = Infinity;
  for (let r = 0; r < RUNS; r++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < calls; i++) await call();
    const d = process.cpuUsage(c0);
    best = Math.min(best, (d.user + d.system) / calls);
  }
  return best;
}

/** Wall µs per call: the median of RUNS runs of `calls` calls. */
async function wallUs(calls: number, call: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) await call();
    times.push(((performance.now() - t0) * 1000) / calls);
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
}

function uniform(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => (s = (s * 1103515245 + 12345) >>> 0) / 4294967296);
}

const load0 = os.loadavg()[0]!;
(engine.backend as unknown as { setThreads(n: number): void }).setThreads(THREADS);
const kernels = engine.backend.kernels as Record<string, unknown>;
const fusedKernel = kernels.fusedConvPool;
const reference = cnn();
const weights = reference.getWeights();
const onnx = nb.onnx.toBytes(reference, { inputNames: ['x'], outputNames: ['y'] });
const big = uniform(256 * 784, 2024);
const one = uniform(784, 99);
const rows: string[] = [];
const results: Record<string, number[]> = {};
for (const variant of ['unfused', 'fused, steps split', 'fused'] as const) {
  if (variant === 'unfused') delete kernels.fusedConvPool;
  else kernels.fusedConvPool = fusedKernel;
  if (variant === 'fused, steps split') process.env.NABLA_CONV_POOL_SPLIT = 'steps';
  else delete process.env.NABLA_CONV_POOL_SPLIT;
  const model = cnn();
  model.setWeights(weights);
  const x256 = nb.tensor(big, [256, 28, 28, 1]);
  const x1 = nb.tensor(one, [1, 28, 28, 1]);
  const p256 = () => model.predict(x256, { batchSize: 256 }).dispose();
  results[variant] = [await cpuUs(10, p256), await cpuUs(500, () => model.predict(x1, { batchSize: 1 }).dispose()), await wallUs(10, p256)];
}
const ort = await import('onnxruntime-node');
const session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: THREADS, interOpNumThreads: 1, executionMode: 'sequential' });
const t256 = new ort.Tensor('float32', big, [256, 28, 28, 1]);
const t1 = new ort.Tensor('float32', one, [1, 28, 28, 1]);
results.onnxruntime = [await cpuUs(10, () => session.run({ x: t256 })), await cpuUs(500, () => session.run({ x: t1 })), await wallUs(10, () => session.run({ x: t256 }))];
await session.release();
const load1 = os.loadavg()[0]!;
console.log(`bench CNN predict, ${THREADS} thread(s), CPU µs per batch (fastest of ${RUNS} runs); load average ${load0.toFixed(2)} -> ${load1.toFixed(2)}`);
console.log('| | batch 256, CPU µs | samples/CPU-s | batch 256, wall µs (median) | batch 1, CPU µs |');
console.log('| --- | --- | --- | --- | --- |');
for (const [name, [a, b, w]] of Object.entries(results)) rows.push(`| ${name} | ${Math.round(a!)} | ${Math.round((256 / a!) * 1e6).toLocaleString('en-US')} | ${Math.round(w!)} | ${b!.toFixed(1)} |`);
console.log(rows.join('\n'));
