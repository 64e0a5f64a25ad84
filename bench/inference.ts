// Inference against onnxruntime-node (issue 22): `model.predict` (compiled by default) and
// onnxruntime's InferenceSession on the same model, exported with nb.onnx.toBytes (same weights,
// same graph; outputs checked to agree), CPU, 1 and 2 threads each side. Models: the MLP, the bench
// CNN, a ResNet-18 (bench/inference-models.ts; RESNET_SIZE, default 224, the torchvision input).
// Batch 1: µs per call (mean over a run of calls, median of runs); batch 256 (ResNet: RESNET_BATCH,
// default 8): samples/s and CPU µs per batch (all threads; steadier than wall time on a busy machine), each batch one `predict(x, { batchSize })` step as onnxruntime runs it
// whole (Keras's default batchSize 32 would cut a 256-row batch into 8 steps and join them).
// onnxruntime is loaded only after every nabla timing: its pool threads spin between runs and would
// take the cores from nabla. nabla's threads change in process
// (the native backend's setThreads); onnxruntime's per session (intraOpNumThreads).
// Also a ResNet-18 written in PyTorch and exported by torch.onnx (bench/resnet18_torch.py, channels
// first, BatchNormalization nodes kept), loaded by nb.onnx.fromBytes (predict compiled, BN folded)
// and by onnxruntime from the same file; skipped with the reason where Debian's python3-torch is missing.
// `npm run bench -- inference` (table rows for nabla, the comparison printed above the table) or
// `npx tsx bench/inference.ts`; INFERENCE_MODELS=MLP (a part of the names) and INFERENCE_THREADS=1 narrow it.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { engine } from '../src/engine/engine.js';
import { medianMs, nablaOnly, nb, type Row } from './common.js';
import { cnn, mlp, resnet18 } from './inference-models.js';

const RESNET_SIZE = Number(process.env.RESNET_SIZE ?? 224);
const RESNET_BATCH = Number(process.env.RESNET_BATCH ?? 8);
/** INFERENCE_THREADS=1 runs the one-thread rows only (a short check on a busy machine). */
const THREADS = process.env.INFERENCE_THREADS ? process.env.INFERENCE_THREADS.split(',').map(Number) : [1, 2];

interface Work {
  name: string;
  inputShape: number[];
  /** Samples of the throughput run and its batch. */
  samples: number;
  batch: number;
  /** Calls per timed batch-1 run, and untimed warm-up runs (V8 settles after a few thousand small calls). */
  calls: number;
  warmupRuns: number;
  reps: number;
  /** The nabla model and the ONNX bytes onnxruntime runs (the same weights). */
  build: () => Built | string;
}

interface Built {
  /** Runs one batch (batchSize: its rows in one step, as onnxruntime runs it, not Keras's default 32). */
  predict: (x: nb.Tensor, batchSize: number) => nb.Tensor;
  onnx: Uint8Array;
}

function keras(model: nb.Model): Built {
  return { predict: (x, batchSize) => model.predict(x, { batchSize }) as nb.Tensor, onnx: nb.onnx.toBytes(model, { inputNames: ['x'], outputNames: ['y'] }) };
}

/** The PyTorch ResNet-18, exported by torch.onnx into a temporary file, or why not. */
function torchResnet(): Built | string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nabla-bench-'));
  const file = path.join(dir, 'resnet18.onnx');
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const script = fileURLToPath(new URL('./resnet18_torch.py', import.meta.url));
  const r = spawnSync('/usr/bin/python3', [script, file, String(RESNET_SIZE)], { env, encoding: 'utf8' });
  if (r.status !== 0) return `skipped: ${(r.stderr || r.error?.message || '').trim().split('\n').at(-1)}`;
  const onnx = new Uint8Array(fs.readFileSync(file));
  fs.rmSync(dir, { recursive: true });
  const model = nb.onnx.fromBytes(onnx);
  // An OnnxModel runs its whole input in one call (no batchSize).
  return { predict: (x) => model.predict(x) as nb.Tensor, onnx };
}

const resnetRun = { samples: RESNET_BATCH * 2, batch: RESNET_BATCH, calls: 2, warmupRuns: 1, reps: 5 };

const WORKS: Work[] = [
  { name: 'MLP 784-128-10', inputShape: [784], samples: 10_240, batch: 256, calls: 500, warmupRuns: 20, reps: 7, build: () => keras(mlp()) },
  { name: 'CNN conv32-pool-conv64-pool-dense10', inputShape: [28, 28, 1], samples: 2_048, batch: 256, calls: 100, warmupRuns: 5, reps: 7, build: () => keras(cnn()) },
  { name: `ResNet-18 ${RESNET_SIZE}x${RESNET_SIZE}x3 (nabla layers)`, inputShape: [RESNET_SIZE, RESNET_SIZE, 3], ...resnetRun, build: () => keras(resnet18(RESNET_SIZE)) },
  { name: `ResNet-18 3x${RESNET_SIZE}x${RESNET_SIZE} (PyTorch ONNX)`, inputShape: [3, RESNET_SIZE, RESNET_SIZE], ...resnetRun, build: torchResnet },
];

function uniform(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => (s = (s * 1103515245 + 12345) >>> 0) / 4294967296);
}

interface Timing {
  /** samples/s at the work's batch */
  rate: number;
  /** µs per batch-1 call */
  latencyUs: number;
  /** CPU µs per batch-1 call (all the process's threads; less disturbed by a busy machine than wall time) */
  cpuUs: number;
  /** CPU µs per batch of the throughput run (all the process's threads) */
  batchCpuUs: number;
}

/** CPU time per call of `calls` calls, µs (the fastest of 3 runs). */
async function cpuUsPerCall(calls: number, call: () => unknown): Promise<number> {
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < calls; i++) await call();
    const d = process.cpuUsage(c0);
    best = Math.min(best, (d.user + d.system) / calls);
  }
  return best;
}

interface Prepared extends Built {
  work: Work;
  data: Float32Array;
  one: Float32Array;
  /** nabla's batch-1 output, to check onnxruntime's against. */
  expected: Float32Array;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function setNablaThreads(n: number): void {
  const backend = engine.backend as { setThreads?: (n: number) => void };
  if (!backend.setThreads) throw new Error(`the ${nb.getBackend()} backend cannot change its thread count`);
  backend.setThreads(n);
}

async function nablaTiming(p: Prepared): Promise<Timing> {
  const { work } = p;
  const per = size(work.inputShape);
  const batches = Array.from({ length: work.samples / work.batch }, (_, i) =>
    nb.tensor(p.data.subarray(i * work.batch * per, (i + 1) * work.batch * per), [work.batch, ...work.inputShape]),
  );
  const one = nb.tensor(p.one, [1, ...work.inputShape]);
  const batchMs = await medianMs(
    () => {
      for (const b of batches) p.predict(b, work.batch).dispose();
    },
    { reps: work.reps, warmup: 2 },
  );
  const batchCpuUs = (await cpuUsPerCall(1, () => {
    for (const b of batches) p.predict(b, work.batch).dispose();
  })) / batches.length;
  const oneMs = await medianMs(
    () => {
      for (let i = 0; i < work.calls; i++) p.predict(one, 1).dispose();
    },
    { reps: work.reps, warmup: work.warmupRuns },
  );
  const cpuUs = await cpuUsPerCall(work.calls, () => p.predict(one, 1).dispose());
  nb.dispose([...batches, one]);
  return { rate: (work.samples / batchMs) * 1000, latencyUs: (oneMs / work.calls) * 1000, cpuUs, batchCpuUs };
}

type Ort = typeof import('onnxruntime-node');

async function ortTiming(ort: Ort, p: Prepared, threads: number): Promise<Timing> {
  const { work } = p;
  const per = size(work.inputShape);
  const session = await ort.InferenceSession.create(p.onnx, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential' });
  const batches = Array.from(
    { length: work.samples / work.batch },
    (_, i) => new ort.Tensor('float32', p.data.subarray(i * work.batch * per, (i + 1) * work.batch * per), [work.batch, ...work.inputShape]),
  );
  const one = new ort.Tensor('float32', p.one, [1, ...work.inputShape]);
  const theirs = (await session.run({ x: one })).y!.data as Float32Array;
  const scale = Math.max(1, ...Array.from(p.expected, Math.abs));
  const diff = Math.max(...Array.from(p.expected, (v, i) => Math.abs(v - theirs[i]!)));
  if (!(diff <= 1e-4 * scale)) throw new Error(`${work.name}: nabla and onnxruntime disagree by ${diff}`);
  const batchMs = await medianMs(
    async () => {
      for (const b of batches) await session.run({ x: b });
    },
    { reps: work.reps, warmup: 2 },
  );
  const batchCpuUs = (await cpuUsPerCall(1, async () => {
    for (const b of batches) await session.run({ x: b });
  })) / batches.length;
  const oneMs = await medianMs(
    async () => {
      for (let i = 0; i < work.calls; i++) await session.run({ x: one });
    },
    { reps: work.reps, warmup: work.warmupRuns },
  );
  const cpuUs = await cpuUsPerCall(work.calls, () => session.run({ x: one }));
  await session.release();
  return { rate: (work.samples / batchMs) * 1000, latencyUs: (oneMs / work.calls) * 1000, cpuUs, batchCpuUs };
}

function prepare(work: Work): Prepared | undefined {
  const built = work.build();
  if (typeof built === 'string') {
    console.error(`${work.name}: ${built}`);
    return undefined;
  }
  const data = uniform(work.samples * size(work.inputShape), 2024);
  const one = uniform(size(work.inputShape), 99);
  const expected = built.predict(nb.tensor(one, [1, ...work.inputShape]), 1).dataSync() as Float32Array;
  return { ...built, work, data, one, expected };
}

const fmtRate = (v: number) => Math.round(v).toLocaleString('en-US');
const fmtUs = (v: number) => (v >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1));

export async function benchInference(): Promise<Row[]> {
  // The one-thread child of run.ts has nothing to add: this suite measures 1 and 2 threads itself.
  if (nablaOnly) return [];
  const load0 = os.loadavg();
  const only = process.env.INFERENCE_MODELS?.split(',');
  const prepared = WORKS.filter((w) => !only || only.some((o) => w.name.includes(o))).map(prepare).filter((p) => p !== undefined);
  const mine = new Map<string, Timing>();
  for (const threads of THREADS) {
    setNablaThreads(threads);
    for (const p of prepared) mine.set(`${p.work.name}/${threads}`, await nablaTiming(p));
  }
  setNablaThreads(os.cpus().length);
  const ort = await import('onnxruntime-node');
  const theirs = new Map<string, Timing>();
  for (const threads of THREADS) for (const p of prepared) theirs.set(`${p.work.name}/${threads}`, await ortTiming(ort, p, threads));
  const load1 = os.loadavg();

  console.log(`\ninference vs onnxruntime-node ${ort.env.versions?.common ?? ''} (nabla ${nb.getBackend()}); load average ${load0[0]!.toFixed(2)} -> ${load1[0]!.toFixed(2)}`);
  console.log('| model | batch | unit | threads | nabla predict | onnxruntime | nabla / ort |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  const rows: Row[] = [];
  for (const p of prepared) {
    const { work } = p;
    for (const threads of THREADS) {
      const a = mine.get(`${work.name}/${threads}`)!;
      const b = theirs.get(`${work.name}/${threads}`)!;
      console.log(`| ${work.name} | ${work.batch} | samples/s | ${threads} | ${fmtRate(a.rate)} | ${fmtRate(b.rate)} | ${(a.rate / b.rate).toFixed(2)}x |`);
      console.log(`| ${work.name} | ${work.batch} | CPU µs/batch | ${threads} | ${fmtUs(a.batchCpuUs)} | ${fmtUs(b.batchCpuUs)} | ${(b.batchCpuUs / a.batchCpuUs).toFixed(2)}x |`);
      console.log(`| ${work.name} | 1 | µs/call | ${threads} | ${fmtUs(a.latencyUs)} | ${fmtUs(b.latencyUs)} | ${(b.latencyUs / a.latencyUs).toFixed(2)}x |`);
      console.log(`| ${work.name} | 1 | CPU µs/call | ${threads} | ${fmtUs(a.cpuUs)} | ${fmtUs(b.cpuUs)} | ${(b.cpuUs / a.cpuUs).toFixed(2)}x |`);
    }
    const one = mine.get(`${work.name}/1`) ?? mine.get(`${work.name}/${THREADS[0]}`)!;
    const two = mine.get(`${work.name}/2`) ?? one;
    rows.push(
      { name: `${work.name} predict (batch ${work.batch})`, unit: 'samples/s', higherIsBetter: true, nabla: two.rate, nabla1: one.rate },
      { name: `${work.name} predict (batch 1)`, unit: 'µs/call', higherIsBetter: false, nabla: two.latencyUs, nabla1: one.latencyUs },
    );
  }
  console.log('(nabla / ort above 1.00x: nabla faster)\n');
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchInference();
