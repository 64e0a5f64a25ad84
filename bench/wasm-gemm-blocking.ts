// The wasm GEMM's float32 cache blocking: CPU time of matmuls on one thread under each candidate
// (KC, MC, NC), the candidates taking turns within each round so a loaded machine slows them
// alike; median GFLOP/s over the rounds, with the range. The module's default blocking comes first.
// Run: npx tsx bench/wasm-gemm-blocking.ts
//   CANDIDATES="256,48,3072 512,48,3072" (KC,MC,NC each), ROUNDS=5, SHAPES="1024x1024x1024 128x784x128"
import * as nb from '../src/index.js';
import { loadWasmModule } from '../src/backends/wasm/wasm-module.js';

const candidates = (process.env.CANDIDATES ?? '1024,48,3072 256,48,3072 384,48,3072 512,48,3072 768,48,3072')
  .split(/\s+/)
  .filter(Boolean)
  .map((c) => c.split(',').map(Number) as [number, number, number]);
const shapes = (process.env.SHAPES ?? '1024x1024x1024 512x512x512 256x256x256 128x784x128 256x784x128')
  .split(/\s+/)
  .filter(Boolean)
  .map((s) => s.split('x').map(Number) as [number, number, number]);
const rounds = Number(process.env.ROUNDS ?? 5);

await nb.setBackend('wasm');
const mod = loadWasmModule();
mod.setThreads(1);

/** GFLOP/s from CPU time (user + system) of enough products (not read out) to pass ~120 ms. */
function rate(m: number, k: number, n: number, a: nb.Tensor, b: nb.Tensor): number {
  nb.matmul(a, b).dispose();
  const c0 = process.cpuUsage();
  let calls = 0;
  let used = 0;
  while (used < 120_000) {
    nb.matmul(a, b).dispose();
    calls++;
    const d = process.cpuUsage(c0);
    used = d.user + d.system;
  }
  return (2 * m * n * k * calls) / (used * 1e3);
}

const results = shapes.map(() => candidates.map(() => [] as number[]));
const operands = shapes.map(([m, k, n]) => [nb.random.uniform([m, k]), nb.random.uniform([k, n])] as const);
for (let r = 0; r < rounds; r++)
  for (let s = 0; s < shapes.length; s++)
    for (let c = 0; c < candidates.length; c++) {
      mod.setGemmBlocking(...candidates[c]!);
      const [m, k, n] = shapes[s]!;
      results[s]![c]!.push(rate(m, k, n, operands[s]![0], operands[s]![1]));
    }
mod.setGemmBlocking(...candidates[0]!);

const median = (v: number[]) => [...v].sort((x, y) => x - y)[v.length >> 1]!;
console.log(`wasm GEMM blocking, 1 thread, CPU-time GFLOP/s: median (min-max) of ${rounds} rounds; load ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (let s = 0; s < shapes.length; s++) {
  const row = candidates.map((c, i) => {
    const v = results[s]![i]!;
    return `${c.join(',')}: ${median(v).toFixed(1)} (${Math.min(...v).toFixed(1)}-${Math.max(...v).toFixed(1)})`;
  });
  console.log(`${shapes[s]!.join('x')}  ${row.join('  ')}`);
}
