// The bench CNN's compiled predict at batch 1 on native (issue 22): CPU and wall µs per call with
// fusedConvPool's direct kernel (native/src/conv-pool-direct.h) on and off
// (NABLA_CONV_POOL_DIRECT=0), on 1 and 2 threads, the variants alternating round by round in one
// process so that load from other processes hits all alike, beside onnxruntime-node's session.run
// on the same model (nb.onnx.toBytes, intra-op threads as ours; NO_ORT=1 leaves it out); medians
// over rounds. NABLA_PROFILE=1 adds each plan kernel's wall µs per call (the addon's planProfile).
// BATCH (default 1) for other batch sizes. `npx tsx bench/cnn-batch1.ts` (ROUNDS, default 9; CALLS,
// default 2000 / BATCH).
import * as os from 'node:os';
import { engine } from '../src/engine/engine.js';
import * as nb from '../src/index.js';
import type { NativeBackend } from '../src/backends/native/native-backend.js';
import { cnn } from './inference-models.js';

const backend = engine.backend as unknown as NativeBackend;
const addon = (backend as unknown as { addon: { planProfile(on?: boolean): { entry: string; op: number; calls: number; ms: number }[] } }).addon;
const profile = process.env.NABLA_PROFILE === '1';
const BATCH = Number(process.env.BATCH ?? 1);
const CALLS = Number(process.env.CALLS ?? Math.max(20, Math.round(2000 / BATCH)));
const ROUNDS = Number(process.env.ROUNDS ?? 9);
let s = 2024;
const data = Float32Array.from({ length: BATCH * 784 }, () => (s = (s * 1103515245 + 12345) >>> 0) / 4294967296);
const model = cnn();
const x = nb.tensor(data, [BATCH, 28, 28, 1]);
const call = () => model.predict(x, { batchSize: BATCH }).dispose();
type Variant = { threads: number; name: string; direct?: '0' | '1'; ort?: () => Promise<unknown> };
const variants: Variant[] = [1, 2].flatMap((threads) =>
  (['0', '1'] as const).map((direct) => ({ threads, direct, name: `${threads}t direct ${direct === '1' ? 'on' : 'off'}` })),
);
const res = new Map<string, { cpu: number[]; wall: number[]; prof: Map<string, number> }>();
const use = (v: Variant) => {
  backend.setThreads(v.threads);
  if (v.direct) process.env.NABLA_CONV_POOL_DIRECT = v.direct;
};
const load0 = os.loadavg()[0]!;
for (const v of variants) {
  use(v);
  for (let i = 0; i < 50; i++) call();
}
// onnxruntime is loaded after nabla's warm-up, as in bench/inference.ts (its threads must not run during it).
if (!process.env.NO_ORT) {
  const ort = await import('onnxruntime-node');
  const bytes = nb.onnx.toBytes(model, { inputNames: ['x'], outputNames: ['y'] });
  const input = new ort.Tensor('float32', data, [BATCH, 28, 28, 1]);
  for (const threads of [1, 2]) {
    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential' });
    const run = () => session.run({ x: input });
    for (let i = 0; i < 50; i++) await run();
    variants.push({ threads, name: `${threads}t onnxruntime`, ort: run });
  }
  variants.sort((a, b) => a.threads - b.threads);
}
for (const v of variants) res.set(v.name, { cpu: [], wall: [], prof: new Map() });
for (let r = 0; r < ROUNDS; r++) {
  for (const v of variants) {
    use(v);
    const out = res.get(v.name)!;
    if (v.ort) {
      await v.ort();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < CALLS; i++) await v.ort();
      out.wall.push(((performance.now() - t0) * 1000) / CALLS);
      const c = process.cpuUsage(c0);
      out.cpu.push((c.user + c.system) / CALLS);
      continue;
    }
    call();
    if (profile) addon.planProfile(true);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < CALLS; i++) call();
    out.wall.push(((performance.now() - t0) * 1000) / CALLS);
    const c = process.cpuUsage(c0);
    out.cpu.push((c.user + c.system) / CALLS);
    if (profile)
      for (const row of addon.planProfile(false)) {
        const key = `${row.entry}:${row.op}`;
        out.prof.set(key, (out.prof.get(key) ?? 0) + (row.ms * 1000) / CALLS / ROUNDS);
      }
  }
}
const med = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
console.log(`bench CNN predict batch ${BATCH} native, ${ROUNDS} rounds of ${CALLS} calls; load ${load0.toFixed(2)} -> ${os.loadavg()[0]!.toFixed(2)}`);
for (const [name, v] of res)
  console.log(`${name.padEnd(16)} CPU µs/call median ${med(v.cpu).toFixed(1).padStart(7)} (min ${Math.min(...v.cpu).toFixed(1).padStart(7)}), wall µs median ${med(v.wall).toFixed(1).padStart(7)} (min ${Math.min(...v.wall).toFixed(1).padStart(7)})`);
if (profile) {
  console.log(`entry:op  wall µs/call: ${variants.filter((v) => !v.ort).map((v) => v.name).join(', ')}`);
  const nablaVariants = variants.filter((v) => !v.ort);
  const keys = [...res.get(variants[0]!.name)!.prof].sort((a, b) => b[1] - a[1]).map(([k]) => k);
  for (const k of keys) console.log(`${k.padEnd(24)} ${nablaVariants.map((v) => (res.get(v.name)!.prof.get(k) ?? 0).toFixed(1).padStart(16)).join('')}`);
}
