// One-thread float32 matmul n x n on nabla's wasm module, TF.js's wasm backend (XNNPACK) and jax-js's
// wasm device, taking turns each round so a shared machine slows them alike: median GFLOP/s over
// the calls by wall clock and by the process's CPU time (the steadier on a loaded machine; all
// three run on the calling thread), with the wall-clock range. jax-js runs twice: on random operands, and on np.ones,
// which it folds (its generated kernel adds 1.0 k times, with no loads of A or B).
// Run: npx tsx bench/wasm-matmul-peers.ts   (N=1024 ROUNDS=9)
import { numpy as np } from '@jax-js/jax';
import { nb, tf, useTf } from './common.js';
import { jaxWasmDevice } from './jax-work.js';
import { loadWasmModule } from '../src/backends/wasm/wasm-module.js';

const n = Number(process.env.N ?? 1024);
const rounds = Number(process.env.ROUNDS ?? 9);
const callsPerRound = Number(process.env.CALLS ?? 3);
const gflops = (ms: number) => (2 * n ** 3) / (ms * 1e6);

await nb.setBackend('wasm');
loadWasmModule().setThreads(1);
nb.random.seed(1);
const a = nb.random.uniform([n, n]);
const b = nb.random.uniform([n, n]);
await useTf('wasm');
const ta = tf.randomUniform([n, n]);
const tb = tf.randomUniform([n, n]);
if (!(await jaxWasmDevice())) throw new Error('jax-js has no wasm device here');
const random = () => np.array(Float32Array.from({ length: n * n }, Math.random), { shape: [n, n] });
const ja = random();
const jb = random();
const ones = [np.ones([n, n]), np.ones([n, n])] as const;

const contenders: Record<string, () => Promise<unknown> | unknown> = {
  'nabla wasm': () => {
    const c = nb.matmul(a, b);
    c.dataSync();
    c.dispose();
  },
  'tfjs-wasm': async () => {
    const c = tf.matMul(ta, tb);
    await c.data();
    c.dispose();
  },
  'jax-js random': async () => np.matmul(ja.ref, jb.ref).data(),
  'jax-js ones': async () => np.matmul(ones[0].ref, ones[1].ref).data(),
};
const names = Object.keys(contenders);
const times = new Map(names.map((k) => [k, [] as number[]]));
const cpuTimes = new Map(names.map((k) => [k, [] as number[]]));
for (const k of names) await contenders[k]!(); // warm-up (compiles, tiers up)
for (let r = 0; r < rounds; r++)
  for (const k of names)
    for (let i = 0; i < callsPerRound; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await contenders[k]!();
      times.get(k)!.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpuTimes.get(k)!.push((c.user + c.system) / 1000);
    }

const median = (v: number[]) => [...v].sort((x, y) => x - y)[v.length >> 1]!;
console.log(`matmul ${n}, 1 thread, GFLOP/s: wall median (min-max), CPU-time median, of ${rounds * callsPerRound} calls; load ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (const k of names) {
  const v = times.get(k)!;
  const cpu = gflops(median(cpuTimes.get(k)!)).toFixed(1);
  console.log(`${k.padEnd(14)} ${gflops(median(v)).toFixed(1)} (${gflops(Math.max(...v)).toFixed(1)}-${gflops(Math.min(...v)).toFixed(1)})  cpu ${cpu}`);
}
