// The wasm GEMM on one and two threads: wall-clock GFLOP/s of an N x N float32 matmul, the thread
// counts taking turns within each round (the machine is shared, so both see the same load), each
// turn ~400 ms of back-to-back products; per count the median and range over the rounds, and the
// two-thread/one-thread ratio of each round's pair, and of the CPU time (all threads) per product:
// above 1, the second thread spends time waiting or repeating work.
// READ=1 reads each product out (dataSync, as the bench suite's row: ~12 ms of one thread's time per
// 4 MB here, a fresh buffer's first touch), else only computes it.
// Run: npx tsx bench/wasm-gemm-threads.ts (N=1024, ROUNDS=7; BLOCKING=kc,mc,nc to try a blocking)
import { loadavg } from 'node:os';
import * as nb from '../src/index.js';
import { loadWasmModule } from '../src/backends/wasm/wasm-module.js';

const n = Number(process.env.N ?? 1024);
const rounds = Number(process.env.ROUNDS ?? 7);
const read = process.env.READ === '1';

await nb.setBackend('wasm');
const mod = loadWasmModule();
if (process.env.BLOCKING) mod.setGemmBlocking(...(process.env.BLOCKING.split(',').map(Number) as [number, number, number]));
const a = nb.random.uniform([n, n]);
const b = nb.random.uniform([n, n]);

/** Wall-clock GFLOP/s, and CPU milliseconds (every thread's) per product. */
function rate(threads: number): [number, number] {
  mod.setThreads(threads);
  nb.matmul(a, b).dispose();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let reps = 0;
  while (performance.now() - t0 < 400) {
    const c = nb.matmul(a, b);
    if (read) c.dataSync();
    c.dispose();
    reps++;
  }
  const cpu = process.cpuUsage(c0);
  return [(2 * n ** 3 * reps) / ((performance.now() - t0) * 1e6), (cpu.user + cpu.system) / 1e3 / reps];
}

const one: number[] = [];
const two: number[] = [];
const cpuRatio: number[] = [];
for (let r = 0; r < rounds; r++) {
  const [r1, c1] = rate(1);
  const [r2, c2] = rate(2);
  one.push(r1);
  two.push(r2);
  cpuRatio.push(c2 / c1);
}
mod.setThreads(1);
const median = (v: number[]) => [...v].sort((x, y) => x - y)[v.length >> 1]!;
const range = (v: number[]) => `${median(v).toFixed(1)} (${Math.min(...v).toFixed(1)}-${Math.max(...v).toFixed(1)})`;
const ratios = one.map((o, i) => two[i]! / o);
console.log(
  `wasm matmul ${n}${read ? ' and dataSync' : ''}, wall GFLOP/s, median (range) of ${rounds} rounds: 1 thread ${range(one)}, 2 threads ${range(two)}, ` +
    `2t/1t ${range(ratios)}, CPU time per product 2t/1t ${range(cpuRatio)}; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
);
