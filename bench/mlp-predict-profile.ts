// Where the compiled MLP predict's time goes on native, one thread, batch 256: each replayed plan
// kernel's time per batch (NABLA_PROFILE=1 turns the addon's per-kernel clock on), and CPU µs per batch.
// `NABLA_PROFILE=1 npx tsx bench/mlp-predict-profile.ts` (ROUNDS, default 20 passes of 40 batches).
import { nb } from './common.js';
import { engine } from '../src/engine/engine.js';
import type { NativeBackend } from '../src/backends/native/native-backend.js';
import { mlp } from './inference-models.js';

async function main(): Promise<void> {
  await nb.setBackend('native');
  const backend = engine.instance('native') as NativeBackend;
  backend.setThreads(Number(process.env.THREADS ?? 1));
  const addon = (backend as unknown as { addon: { planProfile(on?: boolean): { entry: string; op: number; calls: number; ms: number }[] } }).addon;
  const model = mlp();
  nb.random.seed(5);
  const batches = Array.from({ length: 40 }, () => nb.random.uniform([256, 784]));
  for (let i = 0; i < 3; i++) for (const b of batches) model.predict(b, { batchSize: 256 }).dispose();
  const profile = process.env.NABLA_PROFILE === '1';
  const rounds = Number(process.env.ROUNDS ?? 20);
  const per = new Map<string, number>();
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    if (profile) addon.planProfile(true);
    const c0 = process.cpuUsage();
    for (const b of batches) model.predict(b, { batchSize: 256 }).dispose();
    const d = process.cpuUsage(c0);
    best = Math.min(best, (d.user + d.system) / batches.length);
    if (profile) for (const row of addon.planProfile(false)) {
      const key = `${row.entry}:${row.op}`;
      per.set(key, (per.get(key) ?? 0) + (row.ms * 1000) / rounds / batches.length);
    }
  }
  console.log(`CPU us/batch (best of ${rounds}): ${best.toFixed(1)}`);
  for (const [k, v] of [...per].sort((a, b) => b[1] - a[1])) console.log(`${k.padEnd(28)} ${v.toFixed(1).padStart(8)}`);
}
await main();
