// 1 vs 2 threads on the jitted MLP 784-128-10 fit (batch 128, Adam), each run in its own process
// started with NABLA_NUM_THREADS (so the pool is the one a user gets, not one resized in
// between), rounds taking turns so that load from other processes hits all alike. With addons
// (paths separated by commas, given to NABLA_NATIVE_PATH) it compares builds as well.
// `npx tsx bench/mlp-threads-processes.ts [addon.node,...]` (ROUNDS, default 6; not part of `npm run bench`).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';

const EPOCHS = 10;

async function child(): Promise<void> {
  const { nb } = await import('./common.js');
  const { mlp } = await import('./inference-models.js');
  const { engine } = await import('../src/engine/engine.js');
  await nb.setBackend('native');
  // Each jit plan's thread choice (plan-thread-choice.ts), printed with the rate.
  const capture = engine.instance('native')!.capture!;
  const compile = capture.compile.bind(capture);
  const plans: { threadChoice?(): number | null }[] = [];
  capture.compile = (...args: Parameters<typeof compile>) => {
    const plan = compile(...args);
    if (plan) plans.push(plan);
    return plan;
  };
  const samples = 8192;
  nb.random.seed(3);
  const xs = nb.random.uniform([samples, 784]);
  const labels = new Float32Array(samples * 10);
  for (let i = 0; i < samples; i++) labels[i * 10 + ((i * 7) % 10)] = 1;
  const ys = nb.tensor(labels, [samples, 10]);
  const model = mlp();
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', jitCompile: true });
  await model.fit(xs, ys, { batchSize: 128, epochs: 2, verbose: 0 });
  const t0 = performance.now();
  await model.fit(xs, ys, { batchSize: 128, epochs: EPOCHS, verbose: 0 });
  console.log(JSON.stringify({ rate: (EPOCHS * samples) / ((performance.now() - t0) / 1000), choices: plans.map((p) => p.threadChoice?.() ?? null) }));
}

function runChild(threads: number, addon: string | undefined): number {
  const env: NodeJS.ProcessEnv = { ...process.env, NABLA_NUM_THREADS: String(threads), MLP_THREADS_CHILD: '1' };
  if (addon) env.NABLA_NATIVE_PATH = addon;
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  const { rate, choices } = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { rate: number; choices: (number | null)[] };
  if (threads > 1) console.log(`  ${threads} threads: ${rate.toFixed(0)}/s; plans' thread caps ${JSON.stringify(choices)} (0: all, 1: one)`);
  return rate;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;

async function main(): Promise<void> {
  const addons: (string | undefined)[] = process.argv[2] ? process.argv[2].split(',') : [undefined];
  const rounds = Number(process.env.ROUNDS ?? 6);
  const rates = new Map<string, number[]>();
  const key = (addon: string | undefined, threads: number) => `${addon ?? 'this build'} ${threads}t`;
  for (let r = 0; r < rounds; r++) {
    for (const addon of addons)
      for (const threads of [1, 2]) {
        const k = key(addon, threads);
        rates.set(k, [...(rates.get(k) ?? []), runChild(threads, addon)]);
      }
    console.log(`round ${r + 1} done; load ${loadavg()[0]!.toFixed(1)}`);
  }
  for (const addon of addons) {
    const one = rates.get(key(addon, 1))!, two = rates.get(key(addon, 2))!;
    const ratios = two.map((v, i) => v / one[i]!);
    console.log(`${addon ?? 'this build'}: 1 thread median ${median(one).toFixed(0)}/s, 2 threads ${median(two).toFixed(0)}/s; 2/1 per round ${ratios.map((v) => v.toFixed(2)).join(' ')} (median ${median(ratios).toFixed(2)})`);
  }
}

if (process.env.MLP_THREADS_CHILD) await child();
else await main();
