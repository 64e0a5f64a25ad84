// Keras-style training throughput (samples/s), nabla's Sequential/compile/fit against TF.js's
// tf.sequential/model.fit (and, for the MLP, a jitted jax-js training step: bench/jax-work.ts) on the same synthetic data: the 784-128-10 MLP (batch 128, 10,000
// samples) and a small CNN on 28x28x1 inputs (batch 64, 2,048 samples). One untimed warm-up epoch,
// then timed epochs; medians.
import { medianMs, nb, peerThreads, tf, tfSide, useTf, type Row, type TfBackend } from './common.js';
import { jaxMlpRate, jaxThreads } from './jax.js';
import { torchRates } from './torch.js';
import { CNN, MLP, syntheticData as data, type Work } from './workloads.js';

async function nablaRate(work: Work, jitCompile: boolean, reps: number): Promise<number> {
  const { x, y } = data(work, work.samples);
  const xs = nb.tensor(x, [work.samples, ...work.inputShape]);
  const ys = nb.tensor(y, [work.samples, 10]);
  const model = work.nabla();
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', jitCompile });
  const ms = await medianMs(() => model.fit(xs, ys, { batchSize: work.batchSize, epochs: 1, verbose: 0 }), { reps, warmup: 1, budgetMs: 60_000 });
  return (work.samples / ms) * 1000;
}

/** TF.js samples/s; `samples` may be cut where a backend would take many minutes. */
async function tfRate(work: Work, backend: TfBackend, samples: number, reps: number, warmup = 1): Promise<number | string> {
  await useTf(backend);
  const { x, y } = data(work, samples);
  const xs = tf.tensor(x, [samples, ...work.inputShape]);
  const ys = tf.tensor(y, [samples, 10]);
  const model = work.tfModel();
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  try {
    const ms = await medianMs(() => model.fit(xs, ys, { batchSize: work.batchSize, epochs: 1, verbose: 0 }), { reps, warmup, budgetMs: 60_000 });
    return (samples / ms) * 1000;
  } catch (e) {
    return `fails: ${(e as Error).message.split('\n')[0]!.slice(0, 80)}`;
  } finally {
    xs.dispose();
    ys.dispose();
    model.dispose();
  }
}

/** `tfBackends`: the TF.js backends to measure beside nabla's current one. */
export async function benchMlp(tfBackends: readonly TfBackend[] = ['cpu', 'wasm']): Promise<Row[]> {
  const torch = torchRates(['mlp']);
  if (torch) peerThreads.torch = torch.bestThreads;
  peerThreads.jax = jaxThreads();
  return [
    {
      name: MLP.name,
      unit: 'samples/s',
      higherIsBetter: true,
      nabla: await nablaRate(MLP, false, 5),
      nablaJit: await nablaRate(MLP, true, 5),
      tfCpu: tfBackends.includes('cpu') ? await tfSide(() => tfRate(MLP, 'cpu', MLP.samples, 3)) : undefined,
      tfWasm: tfBackends.includes('wasm') ? await tfSide(() => tfRate(MLP, 'wasm', MLP.samples, 3)) : undefined,
      jax: await jaxMlpRate(3),
      torch: torch?.best.mlp,
      torch1: torch?.one.mlp,
    },
  ];
}

export async function benchCnn(): Promise<Row[]> {
  // TF.js's cpu backend trains this at about one sample per second on a loaded 2-core machine:
  // one timed batch, after one untimed batch like nabla's warm-up epoch.
  const torch = torchRates(['cnn']);
  if (torch) peerThreads.torch = torch.bestThreads;
  return [
    {
      name: CNN.name,
      unit: 'samples/s',
      higherIsBetter: true,
      nabla: await nablaRate(CNN, false, 3),
      nablaJit: await nablaRate(CNN, true, 3),
      tfCpu: await tfSide(() => tfRate(CNN, 'cpu', CNN.batchSize, 1)),
      tfWasm: await tfSide(() => tfRate(CNN, 'wasm', CNN.batchSize, 1)),
      torch: torch?.best.cnn,
      torch1: torch?.one.cnn,
    },
  ];
}
