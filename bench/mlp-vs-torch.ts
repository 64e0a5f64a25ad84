// The `mlp` suite's two numbers that issue 15 compares, taking turns so that load from other
// processes hits them alike: nabla's jitted MLP 784-128-10 fit (batch 128, Adam, 10,000 samples)
// on native with 1 and 2 threads, and PyTorch's on 2 threads (bench/torch_bench.py), ROUNDS rounds
// (default 5). Per round nabla's rate is a median of 3 epochs; prints the per-round ratios and
// their medians. `npx tsx bench/mlp-vs-torch.ts` (not part of `npm run bench`).
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { medianMs, nb } from './common.js';
import { engine } from '../src/engine/engine.js';
import type { NativeBackend } from '../src/backends/native/native-backend.js';
import { MLP, syntheticData } from './workloads.js';

function torchRate(threads: number): number {
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const script = fileURLToPath(new URL('./torch_bench.py', import.meta.url));
  const r = spawnSync('/usr/bin/python3', [script, String(threads), 'mlp'], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`torch_bench.py failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!).rates.mlp as number;
}

await nb.setBackend('native');
const backend = engine.instance('native') as NativeBackend;
const { x, y } = syntheticData(MLP, MLP.samples);
const xs = nb.tensor(x, [MLP.samples, ...MLP.inputShape]);
const ys = nb.tensor(y, [MLP.samples, 10]);
const model = MLP.nabla();
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', jitCompile: true });
const nablaRate = async (threads: number) => {
  backend.setThreads(threads);
  const ms = await medianMs(() => model.fit(xs, ys, { batchSize: MLP.batchSize, epochs: 1, verbose: 0 }), { reps: 3, warmup: 1, budgetMs: 30_000 });
  return (MLP.samples / ms) * 1000;
};

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
const rounds = Number(process.env.ROUNDS ?? 5);
const n1: number[] = [], n2: number[] = [], t2: number[] = [];
for (let r = 0; r < rounds; r++) {
  n1.push(await nablaRate(1));
  n2.push(await nablaRate(2));
  t2.push(torchRate(2));
  console.log(`round ${r + 1}: nabla 1t ${n1[r]!.toFixed(0)}/s, 2t ${n2[r]!.toFixed(0)}/s, torch 2t ${t2[r]!.toFixed(0)}/s; load ${loadavg()[0]!.toFixed(1)}`);
}
const r21 = n2.map((v, i) => v / n1[i]!), rTorch = n2.map((v, i) => v / t2[i]!);
console.log(`medians: nabla 1t ${median(n1).toFixed(0)}, 2t ${median(n2).toFixed(0)}, torch 2t ${median(t2).toFixed(0)} samples/s`);
console.log(`per round nabla 2t/1t ${r21.map((v) => v.toFixed(2)).join(' ')} (median ${median(r21).toFixed(2)}); nabla 2t / torch 2t ${rTorch.map((v) => v.toFixed(2)).join(' ')} (median ${median(rTorch).toFixed(2)})`);
