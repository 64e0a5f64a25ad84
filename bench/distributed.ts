// Data-parallel fit against threads: samples/s of the MLP and the CNN fit with 2 processes x 1
// thread (nb.distribute over gloo on loopback, each rank on half of every batch) against
// 1 process x 2 threads (the addon's thread pool), same global batch, same data.
//   npx tsx bench/distributed.ts            (prints a Markdown table and the machine)
// Each configuration runs in fresh processes: one untimed warm-up epoch, then timed epochs; the
// median epoch gives samples/s (for the 2 ranks: the global samples over rank 0's epoch time).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import * as nb from '../src/index.js';
import { cnn } from './inference-models.js';

interface Work {
  name: string;
  inputShape: number[];
  samples: number;
  batchSize: number;
  epochs: number;
  model: () => nb.Sequential;
}

const WORKS: Record<string, Work> = {
  mlp: {
    name: 'MLP 784-128-10 fit (batch 128)',
    inputShape: [784],
    samples: 10_000,
    batchSize: 128,
    epochs: 5,
    model: () => new nb.Sequential([new nb.layers.Dense(128, { activation: 'relu', inputShape: [784] }), new nb.layers.Dense(10, { activation: 'softmax' })]),
  },
  cnn: {
    name: 'CNN conv32-pool-conv64-pool-dense10 fit (batch 64)',
    inputShape: [28, 28, 1],
    samples: 2048,
    batchSize: 64,
    epochs: 3,
    model: cnn,
  },
};

const RESULT = 'samples/s: ';

/** One process of a configuration: fit, and (rank 0) print samples/s of the median timed epoch. */
async function worker(kind: string): Promise<void> {
  const work = WORKS[kind]!;
  if (process.env.WORLD_SIZE) await nb.distribute.init();
  const x = nb.random.uniform([work.samples, ...work.inputShape], { seed: 1 });
  const y = nb.oneHot(nb.random.int([work.samples], 0, 10, { seed: 2 }), 10);
  const model = work.model();
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  const times: number[] = [];
  let start = 0;
  await model.fit(x, y, {
    batchSize: work.batchSize,
    epochs: work.epochs + 1,
    verbose: 0,
    callbacks: [{ onEpochBegin: () => void (start = performance.now()), onEpochEnd: (e: number) => void (e > 0 && times.push(performance.now() - start)) }],
  });
  times.sort((a, b) => a - b);
  if (nb.distribute.rank() === 0) console.log(`${RESULT}${(work.samples / times[Math.floor(times.length / 2)]!) * 1000}`);
  await nb.distribute.shutdown();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Run `processes` workers with `threads` threads each; rank 0's samples/s. */
async function measure(kind: string, processes: number, threads: number): Promise<number> {
  const port = await freePort();
  const runs = Array.from({ length: processes }, (_, rank) => {
    const env = { ...process.env, NABLA_NUM_THREADS: String(threads) };
    if (processes > 1) Object.assign(env, { RANK: String(rank), WORLD_SIZE: String(processes), MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port) });
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--worker', kind], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    return new Promise<string>((resolve, reject) => child.once('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${kind} worker exited with ${code}`)))));
  });
  const outs = await Promise.all(runs);
  const line = outs[0]!.split('\n').find((l) => l.startsWith(RESULT));
  if (!line) throw new Error(`${kind}: rank 0 printed no result`);
  return Number(line.slice(RESULT.length));
}

async function main(): Promise<void> {
  if (process.argv[2] === '--worker') return worker(process.argv[3]!);
  const info = nb.backendInfo('native') as { collectives?: string };
  if (info.collectives !== 'gloo') throw new Error('the native addon was built without gloo: apt-get install libgloo-dev, then npm run build:native');
  console.log(`# ${new Date().toISOString()} — ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)}`);
  console.log('| fit | 1 process x 2 threads | 2 processes x 1 thread | ratio |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const kind of Object.keys(WORKS)) {
    const threads = await measure(kind, 1, 2);
    const ranks = await measure(kind, 2, 1);
    console.log(`| ${WORKS[kind]!.name} | ${threads.toFixed(0)} samples/s | ${ranks.toFixed(0)} samples/s | ${(ranks / threads).toFixed(2)}x |`);
  }
}

await main();
