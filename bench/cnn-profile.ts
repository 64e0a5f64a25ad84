// Where the bench CNN's compiled predict (batch 256, native) spends its time on 1 and 2 threads,
// with fusedConvPool's two thread splits (NABLA_CONV_POOL_SPLIT: `steps`, pieces one after
// another with each step split between the threads, as before; `pieces`, threads claim whole
// pieces): CPU and wall µs per batch, the four variants alternating round by round in one process
// so that load from other processes hits all alike, and with NABLA_PROFILE=1 each plan kernel's
// wall µs per batch (the addon's planProfile). UNFUSED=1 hides the fusedConvPool kernel.
// `npx tsx bench/cnn-profile.ts` (ROUNDS, default 5; not part of `npm run bench`).
import * as os from 'node:os';
import { engine } from '../src/engine/engine.js';
import * as nb from '../src/index.js';
import type { NativeBackend } from '../src/backends/native/native-backend.js';
import { cnn } from './inference-models.js';

const backend = engine.backend as unknown as NativeBackend;
const addon = (backend as unknown as { addon: { planProfile(on?: boolean): { entry: string; op: number; calls: number; ms: number }[] } }).addon;
const profile = process.env.NABLA_PROFILE === '1';
const CALLS = Number(process.env.CALLS ?? 20);
const rounds = Number(process.env.ROUNDS ?? 5);
const BATCH = Number(process.env.BATCH ?? 256);
let s = 2024;
const big = Float32Array.from({ length: BATCH * 784 }, () => (s = (s * 1103515245 + 12345) >>> 0) / 4294967296);
if (process.env.UNFUSED === '1') delete (engine.backend.kernels as Record<string, unknown>).fusedConvPool;
const model = cnn();
const x = nb.tensor(big, [BATCH, 28, 28, 1]);
const call = () => model.predict(x, { batchSize: BATCH }).dispose();
const load0 = os.loadavg()[0]!;
const variants = [1, 2].flatMap((threads) => (['steps', 'pieces'] as const).map((split) => ({ threads, split, name: `${threads}t ${split}` })));
const res = new Map(variants.map((v) => [v.name, { cpu: [] as number[], wall: [] as number[], prof: new Map<string, number>() }]));
const use = (v: (typeof variants)[number]) => {
  backend.setThreads(v.threads);
  process.env.NABLA_CONV_POOL_SPLIT = v.split;
};
for (const v of variants) {
  use(v);
  for (let i = 0; i < 3; i++) call();
}
for (let r = 0; r < rounds; r++) {
  for (const v of variants) {
    use(v);
    call();
    const out = res.get(v.name)!;
    if (profile) addon.planProfile(true);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < CALLS; i++) call();
    out.wall.push(((performance.now() - t0) * 1000) / CALLS);
    const c = process.cpuUsage(c0);
    out.cpu.push((c.user + c.system) / CALLS);
    if (profile) for (const row of addon.planProfile(false)) {
      const key = `${row.entry}:${row.op}`;
      out.prof.set(key, (out.prof.get(key) ?? 0) + (row.ms * 1000) / CALLS / rounds);
    }
  }
}
const med = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
console.log(`bench CNN predict batch ${BATCH} native, ${rounds} rounds of ${CALLS} calls; load ${load0.toFixed(2)} -> ${os.loadavg()[0]!.toFixed(2)}`);
for (const [name, v] of res)
  console.log(`${name.padEnd(10)} CPU µs/batch median ${med(v.cpu).toFixed(0).padStart(6)} (min ${Math.min(...v.cpu).toFixed(0).padStart(6)}), wall µs median ${med(v.wall).toFixed(0).padStart(6)} (min ${Math.min(...v.wall).toFixed(0).padStart(6)}), ${(BATCH * 1e6 / Math.min(...v.wall)).toFixed(0)} samples/s at min`);
if (profile) {
  console.log(`entry:op  wall µs/batch: ${variants.map((v) => v.name).join(', ')}`);
  const keys = [...res.get(variants[0]!.name)!.prof].sort((a, b) => b[1] - a[1]).map(([k]) => k);
  for (const k of keys) console.log(`${k.padEnd(24)} ${variants.map((v) => (res.get(v.name)!.prof.get(k) ?? 0).toFixed(1).padStart(9)).join('')}`);
}
