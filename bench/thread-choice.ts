// The native pool's thread choice on the training benchmarks: the MLP and CNN `fit` (eager and
// jitted) on 1 thread and on all cores, alternating epoch by epoch in one process, so load from
// other processes hits both alike. Medians of the per-epoch rates and of the per-pair ratios.
// `npx tsx bench/thread-choice.ts` (native backend; not part of `npm run bench`).
import { availableParallelism } from 'node:os';
import { nb } from './common.js';
import { engine } from '../src/engine/engine.js';
import type { NativeBackend } from '../src/backends/native/native-backend.js';
import { cnn } from './inference-models.js';

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;

interface Work {
  name: string;
  shape: number[];
  samples: number;
  batch: number;
  model: () => nb.Sequential;
}

const works: Work[] = [
  {
    name: 'MLP 784-128-10 fit (batch 128)',
    shape: [784],
    samples: 10_000,
    batch: 128,
    model: () => new nb.Sequential([new nb.layers.Dense(128, { activation: 'relu', inputShape: [784] }), new nb.layers.Dense(10, { activation: 'softmax' })]),
  },
  {
    name: 'CNN conv32-pool-conv64-pool-dense10 fit (batch 64)',
    shape: [28, 28, 1],
    samples: 2048,
    batch: 64,
    model: cnn,
  },
];

async function main(): Promise<void> {
  await nb.setBackend('native');
  const backend = engine.instance('native') as NativeBackend;
  const cores = availableParallelism();
  const rounds = Number(process.env.NABLA_BENCH_ROUNDS ?? 7);
  for (const work of works) {
    for (const jitCompile of [false, true]) {
      nb.random.seed(3);
      const xs = nb.random.uniform([work.samples, ...work.shape]);
      const labels = new Float32Array(work.samples * 10);
      for (let i = 0; i < work.samples; i++) labels[i * 10 + ((i * 7) % 10)] = 1;
      const ys = nb.tensor(labels, [work.samples, 10]);
      const model = work.model();
      model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', jitCompile });
      const rate: Record<number, number[]> = { 1: [], [cores]: [] };
      const epoch = async (threads: number) => {
        backend.setThreads(threads);
        const t0 = performance.now();
        await model.fit(xs, ys, { batchSize: work.batch, epochs: 1, verbose: 0 });
        return (work.samples / (performance.now() - t0)) * 1000;
      };
      await epoch(1);
      await epoch(cores);
      const ratios: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const one = await epoch(1);
        const all = await epoch(cores);
        rate[1]!.push(one);
        rate[cores]!.push(all);
        ratios.push(all / one);
      }
      backend.setThreads(cores);
      console.log(
        `${work.name}${jitCompile ? ' jit' : ''}: 1 thread ${median(rate[1]!).toFixed(0)} samples/s, ${cores} threads ${median(rate[cores]!).toFixed(0)} samples/s, ` +
          `${cores} / 1 per pair: median ${median(ratios).toFixed(2)}x (min ${Math.min(...ratios).toFixed(2)}, max ${Math.max(...ratios).toFixed(2)})`,
      );
    }
  }
}

await main();
