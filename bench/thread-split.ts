// 1 vs 2 threads on the jitted MLP 784-128-10 fit (batch 128, Adam) on one backend, alternating
// epoch by epoch in one process so that load from other processes hits both alike: epoch rates,
// the per-pair ratio, and quantiles of the step time (train-batch hooks, which also make fit
// compute the per-batch logs). NABLA_PROFILE=1 (native) adds each plan kernel's time per step.
// `npx tsx bench/thread-split.ts native|wasm` (ROUNDS=pairs, default 5; not part of `npm run bench`).
import { nb } from './common.js';
import { engine } from '../src/engine/engine.js';
import type { NativeBackend } from '../src/backends/native/native-backend.js';

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;

async function main(): Promise<void> {
  const name = process.argv[2] ?? 'native';
  await nb.setBackend(name);
  const backend = engine.instance(name) as NativeBackend;
  const addon = (backend as unknown as { addon: { planProfile(on?: boolean): { entry: string; op: number; calls: number; ms: number }[] } }).addon;
  const samples = 8192, batch = 128;
  nb.random.seed(3);
  const xs = nb.random.uniform([samples, 784]);
  const labels = new Float32Array(samples * 10);
  for (let i = 0; i < samples; i++) labels[i * 10 + ((i * 7) % 10)] = 1;
  const ys = nb.tensor(labels, [samples, 10]);
  const model = new nb.Sequential([new nb.layers.Dense(128, { activation: 'relu', inputShape: [784] }), new nb.layers.Dense(10, { activation: 'softmax' })]);
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', jitCompile: true });
  const profile = process.env.NABLA_PROFILE === '1';
  const steps: Record<number, number[]> = { 1: [], 2: [] };
  const q = (v: number[], f: number) => [...v].sort((a, b) => a - b)[Math.floor(v.length * f)]!;
  const epoch = async (threads: number) => {
    backend.setThreads(threads);
    if (profile) addon.planProfile(true);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let b0 = 0;
    const hooks = { onTrainBatchBegin: () => { b0 = performance.now(); }, onTrainBatchEnd: () => { steps[threads]!.push(performance.now() - b0); } };
    await model.fit(xs, ys, { batchSize: batch, epochs: 1, verbose: 0, callbacks: [hooks] });
    const dt = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    const rows = profile ? addon.planProfile(false) : [];
    return { rate: (samples / dt) * 1000, cpuPerStep: (cpu.user + cpu.system) / (samples / batch), rows };
  };
  await epoch(1);
  await epoch(2);
  steps[1] = [];
  steps[2] = [];
  const rounds = Number(process.env.ROUNDS ?? 5);
  const r1: number[] = [], r2: number[] = [], ratios: number[] = [];
  const cpu: Record<number, number[]> = { 1: [], 2: [] };
  const prof: Record<number, Map<string, number>> = { 1: new Map(), 2: new Map() };
  for (let r = 0; r < rounds; r++) {
    for (const t of [1, 2]) {
      const e = await epoch(t);
      (t === 1 ? r1 : r2).push(e.rate);
      cpu[t]!.push(e.cpuPerStep);
      for (const row of e.rows) {
        const key = `${row.entry}:${row.op}`;
        prof[t]!.set(key, (prof[t]!.get(key) ?? 0) + row.ms / rounds / (samples / batch) * 1000);
      }
    }
    ratios.push(r2[r]! / r1[r]!);
  }
  console.log(`${name} MLP jit fit: 1 thread ${median(r1).toFixed(0)}/s, 2 threads ${median(r2).toFixed(0)}/s, 2/1 per pair median ${median(ratios).toFixed(2)} (min ${Math.min(...ratios).toFixed(2)} max ${Math.max(...ratios).toFixed(2)})`);
  for (const t of [1, 2]) console.log(`  ${t} thread(s): step us p10 ${(q(steps[t]!, 0.1) * 1000).toFixed(0)}, p25 ${(q(steps[t]!, 0.25) * 1000).toFixed(0)}, median ${(q(steps[t]!, 0.5) * 1000).toFixed(0)} (${steps[t]!.length} steps); process CPU us/step median ${median(cpu[t]!).toFixed(0)}`);
  if (profile) {
    console.log('entry:op  us/step 1 thread, 2 threads');
    for (const [k, v] of [...prof[1]!].sort((a, b) => b[1] - a[1])) console.log(`${k.padEnd(28)} ${v.toFixed(1).padStart(8)} ${(prof[2]!.get(k) ?? 0).toFixed(1).padStart(8)}`);
  }
}
await main();
