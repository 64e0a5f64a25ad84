// GEMM throughput of the built addon, called directly (no nabla dispatch): float32 square
// matmuls, median and best of several runs, GFLOP/s. `node native/bench-gemm.mjs [sizes]`;
// NABLA_NUM_THREADS and NABLA_SIMD=avx2|scalar pick the configuration. Also GFLOP per CPU-second
// per thread (process CPU time over all runs, divided among the pool's threads): on a busy
// machine wall-clock rates swing with the load, this one much less. It also counts spin-waits
// and Node's own background threads, so it reads low for short runs; with 2 threads this VM's
// CPU accounting came out too low (above the per-core peak), so trust it for 1 thread only.
import { createRequire } from 'node:module';
import { randomFloat32 } from './bench-inputs.mjs';

const addon = createRequire(import.meta.url)('./build/Release/nabla.node');
const args = new Float64Array(1024);
addon.setArgs(args);

function measure(n) {
  const a = randomFloat32(n * n, 1);
  const b = randomFloat32(n * n, 2);
  const c = new Float32Array(n * n);
  args.set([2, n, n, 2, n, n, 0, 0]);
  addon.matmul(a, b, c);
  const reps = Math.max(5, Math.min(200, Math.round(2e10 / (2 * n * n * n))));
  const times = [];
  const cpu0 = process.cpuUsage();
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    addon.matmul(a, b, c);
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuSecondsPerRun = (cpu.user + cpu.system) / 1e6 / reps;
  times.sort((x, y) => x - y);
  const gflops = (t) => ((2 * n * n * n) / t / 1e9).toFixed(1);
  const threads = addon.info().threads;
  return { n, reps, median: gflops(times[times.length >> 1]), best: gflops(times[0]), perCpu: gflops(cpuSecondsPerRun / threads) };
}

const sizes = (process.argv[2] ?? '128,256,512,1024,2048').split(',').map(Number);
console.log(JSON.stringify(addon.info()));
for (const n of sizes) {
  const r = measure(n);
  console.log(`matmul ${n}x${n} float32: median ${r.median} GFLOP/s, best ${r.best} GFLOP/s, ${r.perCpu} GFLOP per CPU-second per thread (${r.reps} runs)`);
}
