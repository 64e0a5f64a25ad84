// Inference throughput and latency of `model.predict` on the 784-128-10 MLP: eager
// (`compile({ jitCompile: false })`) against the default compiled predict, and TF.js's
// `model.predict` on the same weights-shape model. Batch 256 over 10,240 samples (samples/s), and
// one sample per call (µs per call, the mean of 200 calls per timed run); medians.
import { medianMs, nb, tf, useTf, type Row, type TfBackend } from './common.js';

const SAMPLES = 10_240;
const BATCH = 256;
const LATENCY_CALLS = 200;

function nablaMlp(jitCompile: boolean): nb.Sequential {
  const m = new nb.Sequential([new nb.layers.Dense(128, { activation: 'relu', inputShape: [784] }), new nb.layers.Dense(10, { activation: 'softmax' })]);
  if (!jitCompile) m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', jitCompile });
  return m;
}

function tfMlp(): tf.Sequential {
  return tf.sequential({ layers: [tf.layers.dense({ units: 128, activation: 'relu', inputShape: [784] }), tf.layers.dense({ units: 10, activation: 'softmax' })] });
}

function inputs(samples: number): Float32Array {
  let s = 2024;
  return Float32Array.from({ length: samples * 784 }, () => (s = (s * 1103515245 + 12345) >>> 0) / 4294967296);
}

interface Timings {
  rate: number;
  latencyUs: number;
}

async function nablaTimings(jitCompile: boolean): Promise<Timings> {
  const model = nablaMlp(jitCompile);
  const x = nb.tensor(inputs(SAMPLES), [SAMPLES, 784]);
  const one = nb.tensor(inputs(1), [1, 784]);
  const ms = await medianMs(() => model.predict(x, { batchSize: BATCH }).dispose(), { reps: 7, warmup: 2 });
  const callsMs = await medianMs(
    () => {
      for (let i = 0; i < LATENCY_CALLS; i++) model.predict(one).dispose();
    },
    // Batch-1 predict reaches its steady speed only after several thousand calls (V8 optimising
    // the JS around the kernels): one 200-call warm-up measured mostly that warm-up.
    { reps: 7, warmup: 30 },
  );
  x.dispose();
  one.dispose();
  return { rate: (SAMPLES / ms) * 1000, latencyUs: (callsMs / LATENCY_CALLS) * 1000 };
}

async function tfTimings(backend: TfBackend): Promise<Timings> {
  await useTf(backend);
  const model = tfMlp();
  const x = tf.tensor(inputs(SAMPLES), [SAMPLES, 784]);
  const one = tf.tensor(inputs(1), [1, 784]);
  const ms = await medianMs(() => (model.predict(x, { batchSize: BATCH }) as tf.Tensor).dataSync(), { reps: 5, warmup: 1, budgetMs: 30_000 });
  const callsMs = await medianMs(
    () => {
      for (let i = 0; i < LATENCY_CALLS; i++) {
        const y = model.predict(one) as tf.Tensor;
        y.dataSync();
        y.dispose();
      }
    },
    { reps: 5, warmup: 1 },
  );
  x.dispose();
  one.dispose();
  model.dispose();
  return { rate: (SAMPLES / ms) * 1000, latencyUs: (callsMs / LATENCY_CALLS) * 1000 };
}

export async function benchPredict(): Promise<Row[]> {
  const eager = await nablaTimings(false);
  const compiled = await nablaTimings(true);
  const cpu = await tfTimings('cpu');
  const wasm = await tfTimings('wasm');
  return [
    { name: `MLP 784-128-10 predict (batch ${BATCH})`, unit: 'samples/s', higherIsBetter: true, nabla: eager.rate, nablaJit: compiled.rate, tfCpu: cpu.rate, tfWasm: wasm.rate },
    { name: 'MLP 784-128-10 predict (batch 1)', unit: 'µs/call', higherIsBetter: false, nabla: eager.latencyUs, nablaJit: compiled.latencyUs, tfCpu: cpu.latencyUs, tfWasm: wasm.latencyUs },
  ];
}
