// The browser benchmark page (built and driven by scripts/bench-browser.mjs): nabla's wasm backend,
// TF.js's wasm backend and jax-js's wasm device (Web Workers here) in the same page, on the matmul and MLP `fit` work of the Node suites
// (bench/workloads.ts), medians of several runs (bench/median.ts). The results, with each side's
// thread count, land in `window.nablaBench`. Query parameters shrink the work for the test
// (test/browser/bench-page.spec.ts): sizes=64,128 reps=1 warmup=0 samples=256 fitReps=1; tfThreads=N
// sets TF.js's thread count before its backend starts.
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { numpy as np } from '@jax-js/jax';
import * as nb from '../../src/index.js';
import { jaxMlpEpoch, jaxThreads, jaxWasmDevice } from '../jax-work.js';
import { medianMs } from '../median.js';
import { matmulWork, MLP, syntheticData, type Work } from '../workloads.js';

export interface BenchRow {
  name: string;
  unit: string;
  nabla: number;
  nablaJit?: number;
  tfjs: number;
  jax: number;
  /** Shapes of each side's result (the product; the trained model's predictions for two samples). */
  shapes: { nabla: number[]; tfjs: number[]; jax?: number[] };
  /** Each side's checksum: the product's sum (same inputs on every side), or the epoch's last loss. */
  check: { nabla: number; tfjs: number; jax: number };
}

export interface BenchResult {
  phase: 'running' | 'done' | 'error';
  step?: string;
  error?: string;
  userAgent: string;
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  nabla?: { backend: string; threads?: number; simd?: string };
  tfjs?: { backend: string; threads: number; simd: boolean; multithread: boolean };
  jax?: { device: string; threads: number };
  rows: BenchRow[];
}

const params = new URLSearchParams(location.search);
const num = (key: string) => (params.has(key) ? Number(params.get(key)) : undefined);
const sizes = (params.get('sizes') ?? '256,512,1024').split(',').map(Number);

const state: BenchResult = {
  phase: 'running',
  userAgent: navigator.userAgent,
  crossOriginIsolated: globalThis.crossOriginIsolated,
  hardwareConcurrency: navigator.hardwareConcurrency,
  rows: [],
};
(window as unknown as { nablaBench: BenchResult }).nablaBench = state;

function uniform(length: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length }, () => (s = (s * 1103515245 + 12345) >>> 0) / 4294967296);
}

async function matmulRow(n: number): Promise<BenchRow> {
  state.step = `matmul ${n}`;
  const work = matmulWork(n);
  const opts = { reps: num('reps') ?? work.reps, warmup: num('warmup') ?? work.warmup, budgetMs: 30_000 };
  const [av, bv] = [uniform(n * n, 1), uniform(n * n, 2)];
  const gflops = (ms: number) => work.flops / (ms * 1e6);

  const a = nb.tensor(av, [n, n]);
  const b = nb.tensor(bv, [n, n]);
  let nablaOut: Float32Array = new Float32Array();
  const nablaMs = await medianMs(() => {
    const c = nb.matmul(a, b);
    nablaOut = c.dataSync() as Float32Array;
    c.dispose();
  }, opts);
  a.dispose();
  b.dispose();

  const ta = tf.tensor(av, [n, n]);
  const tb = tf.tensor(bv, [n, n]);
  let tfOut: Float32Array = new Float32Array();
  let tfShape: number[] = [];
  const tfMs = await medianMs(async () => {
    const c = tf.matMul(ta, tb);
    tfShape = c.shape;
    tfOut = (await c.data()) as Float32Array;
    c.dispose();
  }, opts);
  ta.dispose();
  tb.dispose();

  const ja = np.array(av, { shape: [n, n] });
  const jb = np.array(bv, { shape: [n, n] });
  let jaxOut: Float32Array = new Float32Array();
  let jaxShape: number[] = [];
  // jax-js arrays are reference counted: .ref keeps ja and jb alive across calls; data() consumes c.
  const jaxMs = await medianMs(async () => {
    const c = np.matmul(ja.ref, jb.ref);
    jaxShape = c.shape;
    jaxOut = (await c.data()) as Float32Array;
  }, opts);
  ja.dispose();
  jb.dispose();

  const sum = (v: Float32Array) => v.reduce((s, x) => s + x, 0);
  return {
    name: `matmul ${n}`,
    unit: 'GFLOP/s',
    nabla: gflops(nablaMs),
    tfjs: gflops(tfMs),
    jax: gflops(jaxMs),
    shapes: { nabla: nablaOut.length === n * n ? [n, n] : [nablaOut.length], tfjs: tfShape, jax: jaxShape },
    check: { nabla: sum(nablaOut), tfjs: sum(tfOut), jax: sum(jaxOut) },
  };
}

async function nablaFit(work: Work, samples: number, jitCompile: boolean, reps: number): Promise<{ rate: number; loss: number; shape: number[] }> {
  const { x, y } = syntheticData(work, samples);
  const xs = nb.tensor(x, [samples, ...work.inputShape]);
  const ys = nb.tensor(y, [samples, 10]);
  const model = work.nabla();
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', jitCompile });
  let loss = NaN;
  const ms = await medianMs(async () => {
    const history = await model.fit(xs, ys, { batchSize: work.batchSize, epochs: 1, verbose: 0 });
    loss = history.history.loss!.at(-1) as number;
  }, { reps, warmup: 1, budgetMs: 60_000 });
  const shape = [...(model.predict(xs.slice([0], [2])) as nb.Tensor).shape];
  return { rate: (samples / ms) * 1000, loss, shape };
}

async function tfFit(work: Work, samples: number, reps: number): Promise<{ rate: number; loss: number; shape: number[] }> {
  const { x, y } = syntheticData(work, samples);
  const xs = tf.tensor(x, [samples, ...work.inputShape]);
  const ys = tf.tensor(y, [samples, 10]);
  const model = work.tfModel();
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  let loss = NaN;
  const ms = await medianMs(async () => {
    const history = await model.fit(xs, ys, { batchSize: work.batchSize, epochs: 1, verbose: 0 });
    loss = history.history.loss!.at(-1) as number;
  }, { reps, warmup: 1, budgetMs: 60_000 });
  const shape = (model.predict(xs.slice([0], [2])) as tf.Tensor).shape;
  xs.dispose();
  ys.dispose();
  model.dispose();
  return { rate: (samples / ms) * 1000, loss, shape };
}

async function mlpRow(): Promise<BenchRow> {
  const samples = num('samples') ?? MLP.samples;
  const fitReps = num('fitReps');
  state.step = 'MLP fit (nabla)';
  const eager = await nablaFit(MLP, samples, false, fitReps ?? 5);
  state.step = 'MLP fit (nabla jit)';
  const jitted = await nablaFit(MLP, samples, true, fitReps ?? 5);
  state.step = 'MLP fit (TF.js)';
  const peer = await tfFit(MLP, samples, fitReps ?? 3);
  state.step = 'MLP fit (jax-js)';
  const epoch = jaxMlpEpoch(MLP, samples);
  let jaxLoss = NaN;
  const jaxMs = await medianMs(async () => {
    jaxLoss = await epoch.run();
  }, { reps: fitReps ?? 3, warmup: 1, budgetMs: 60_000 });
  epoch.dispose();
  return {
    name: MLP.name,
    unit: 'samples/s',
    nabla: eager.rate,
    nablaJit: jitted.rate,
    tfjs: peer.rate,
    jax: (samples / jaxMs) * 1000,
    shapes: { nabla: jitted.shape, tfjs: peer.shape },
    check: { nabla: jitted.loss, tfjs: peer.loss, jax: jaxLoss },
  };
}

try {
  setWasmPaths(new URL('tfjs/', location.href).href);
  const tfThreads = num('tfThreads');
  if (tfThreads !== undefined) setThreadsCount(tfThreads);
  await tf.setBackend('wasm');
  await tf.ready();
  const info = nb.backendInfo() as { name: string; threads?: number; simd?: string };
  state.nabla = { backend: info.name, threads: info.threads, simd: info.simd };
  const [simd, multithread] = await Promise.all([tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'), tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')]);
  state.tfjs = { backend: tf.getBackend(), threads: getThreadsCount(), simd: simd as boolean, multithread: multithread as boolean };
  if (!(await jaxWasmDevice())) throw new Error('jax-js has no wasm device in this page');
  state.jax = { device: 'wasm', threads: jaxThreads() };
  for (const n of sizes) state.rows.push(await matmulRow(n));
  state.rows.push(await mlpRow());
  state.phase = 'done';
} catch (e) {
  state.error = e instanceof Error ? `${e.message}\n${e.stack}` : String(e);
  state.phase = 'error';
}
