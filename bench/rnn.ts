// LSTM training throughput (issue 18, fast RNNs): LSTM(64) -> Dense(1) on sequences of 100 steps
// of 32 features, MSE, Adam, batch 64. nabla eager and jitted (the LSTM's time loop is one scan
// node), TF.js cpu and wasm, and PyTorch (Debian's python3-torch, bench/rnn_torch.py) on the same
// shapes. Also prints each library's first epoch against its later ones (tracing cost).
// `npx tsx bench/rnn.ts` prints the lines below; `npm run bench -- rnn` gives the table row.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { medianMs, nablaOnly, nablaThreads, nb, tf, tfSide, useTf, type Row, type TfBackend } from './common.js';

const STEPS = Number(process.env.STEPS ?? 100);
const FEATURES = 32;
const UNITS = 64;
const BATCH = 64;
const SAMPLES = Number(process.env.SAMPLES ?? 512);
/** TF.js's cpu backend trains this slowly: fewer samples for it. */
const TF_SAMPLES = Number(process.env.TF_SAMPLES ?? 128);

function data(samples: number): { x: Float32Array; y: Float32Array } {
  let s = 12345;
  const r = () => ((s = (s * 1103515245 + 12345) >>> 0) / 4294967296);
  return { x: Float32Array.from({ length: samples * STEPS * FEATURES }, r), y: Float32Array.from({ length: samples }, r) };
}

interface Rate {
  samplesPerSec: number;
  firstEpochS: number;
  laterEpochS: number;
}

async function nablaRate(jitCompile: boolean, epochs: number): Promise<Rate> {
  const { x, y } = data(SAMPLES);
  const xs = nb.tensor(x, [SAMPLES, STEPS, FEATURES]);
  const ys = nb.tensor(y, [SAMPLES, 1]);
  const model = new nb.Sequential([new nb.layers.LSTM(UNITS, { inputShape: [STEPS, FEATURES] }), new nb.layers.Dense(1)]);
  model.compile({ optimizer: 'adam', loss: 'mse', jitCompile });
  const t0 = performance.now();
  await model.fit(xs, ys, { batchSize: BATCH, epochs: 1, verbose: 0 });
  const firstEpochS = (performance.now() - t0) / 1000;
  const ms = await medianMs(() => model.fit(xs, ys, { batchSize: BATCH, epochs: 1, verbose: 0 }), { reps: epochs, warmup: 0, budgetMs: 60_000 });
  return { samplesPerSec: (SAMPLES / ms) * 1000, firstEpochS, laterEpochS: ms / 1000 };
}

async function tfRate(backend: TfBackend): Promise<Rate | string> {
  await useTf(backend);
  const { x, y } = data(TF_SAMPLES);
  const xs = tf.tensor(x, [TF_SAMPLES, STEPS, FEATURES]);
  const ys = tf.tensor(y, [TF_SAMPLES, 1]);
  const model = tf.sequential({ layers: [tf.layers.lstm({ units: UNITS, inputShape: [STEPS, FEATURES] }), tf.layers.dense({ units: 1 })] });
  model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
  try {
    const t0 = performance.now();
    await model.fit(xs, ys, { batchSize: BATCH, epochs: 1, verbose: 0 });
    const firstEpochS = (performance.now() - t0) / 1000;
    const ms = await medianMs(() => model.fit(xs, ys, { batchSize: BATCH, epochs: 1, verbose: 0 }), { reps: 1, warmup: 0, budgetMs: 60_000 });
    return { samplesPerSec: (TF_SAMPLES / ms) * 1000, firstEpochS, laterEpochS: ms / 1000 };
  } catch (e) {
    return `fails: ${(e as Error).message.split('\n')[0]!.slice(0, 80)}`;
  } finally {
    xs.dispose();
    ys.dispose();
    model.dispose();
  }
}

/** PyTorch through /usr/bin/python3, with this machine's OpenBLAS overrides removed for that command only. */
function torchRate(epochs: number): (Rate & { threads: number; torch: string }) | string {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const script = fileURLToPath(new URL('./rnn_torch.py', import.meta.url));
  const r = spawnSync('/usr/bin/python3', [script, ...[STEPS, FEATURES, UNITS, BATCH, SAMPLES, epochs].map(String)], { env, encoding: 'utf8' });
  if (r.status !== 0) return `fails: ${(r.stderr || r.error?.message || '').trim().split('\n').at(-1)?.slice(0, 80)}`;
  const o = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { samplesPerSec: number; firstEpochS: number; threads: number; torch: string };
  return { ...o, laterEpochS: SAMPLES / o.samplesPerSec };
}

const rate = (r: Rate | string | undefined) => (typeof r === 'object' ? r.samplesPerSec : r);

function describe(name: string, r: Rate | string | undefined, samples: number): string {
  if (typeof r !== 'object') return `${name}: ${r ?? '-'}`;
  return `${name}: ${r.samplesPerSec.toFixed(1)} samples/s; first epoch ${r.firstEpochS.toFixed(2)} s, later epochs ${r.laterEpochS.toFixed(2)} s (${samples} samples)`;
}

/** Peak resident memory of this process so far, MB. */
const peakRssMB = () => process.resourceUsage().maxRSS / 1024;

export async function benchRnn(): Promise<Row[]> {
  // The jitted run first, so the peak memory after it is its own.
  const jitted = await nablaRate(true, 3);
  const jitPeak = peakRssMB();
  const eager = await nablaRate(false, 1);
  const eagerPeak = peakRssMB();
  const tfCpu = await tfSide(() => tfRate('cpu'));
  const tfWasm = await tfSide(() => tfRate('wasm'));
  console.error(describe(`nabla eager (${nablaThreads()} threads)`, eager, SAMPLES) + `; process peak RSS ${eagerPeak.toFixed(0)} MB`);
  console.error(describe(`nabla jit (${nablaThreads()} threads)`, jitted, SAMPLES) + `; process peak RSS ${jitPeak.toFixed(0)} MB`);
  if (!nablaOnly) {
    console.error(describe('tfjs-cpu (1 thread)', tfCpu, TF_SAMPLES));
    console.error(describe('tfjs-wasm', tfWasm, TF_SAMPLES));
    const torch = torchRate(3);
    console.error(describe(typeof torch === 'object' ? `pytorch ${torch.torch} (${torch.threads} threads)` : 'pytorch', torch, SAMPLES));
    if (typeof torch === 'object') console.error(`nabla jit / pytorch: ${(jitted.samplesPerSec / torch.samplesPerSec).toFixed(2)}x`);
  }
  return [
    {
      name: `LSTM(${UNITS}) fit, ${STEPS} steps x ${FEATURES} features (batch ${BATCH})`,
      unit: 'samples/s',
      higherIsBetter: true,
      nabla: eager.samplesPerSec,
      nablaJit: jitted.samplesPerSec,
      tfCpu: rate(tfCpu),
      tfWasm: rate(tfWasm),
    },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchRnn();
