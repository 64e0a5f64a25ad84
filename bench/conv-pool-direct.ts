// fusedConvPool's direct kernel (native/src/conv-pool-direct.h) against the steps it replaces
// (NABLA_CONV_POOL_DIRECT=0) on shapes that take the tiled conv path besides the bench CNN's:
// a compiled conv → bias → relu → 2x2 max pool, one thread, CPU µs per call, the two variants
// alternating round by round; medians over rounds. `npx tsx bench/conv-pool-direct.ts` (ROUNDS, default 7).
import * as os from 'node:os';
import { engine } from '../src/engine/engine.js';
import * as nb from '../src/index.js';
import type { NativeBackend } from '../src/backends/native/native-backend.js';

const backend = engine.backend as unknown as NativeBackend;
backend.setThreads(Number(process.env.THREADS ?? 1));
const ROUNDS = Number(process.env.ROUNDS ?? 7);
/** batch, height = width, input channels, outputs, window */
const shapes: [number, number, number, number, number][] = [
  [1, 28, 1, 32, 3],
  [1, 13, 32, 64, 3],
  [32, 28, 1, 32, 3],
  [32, 32, 16, 32, 3],
  [2, 16, 32, 32, 3],
  [16, 28, 32, 32, 3],
  [8, 56, 3, 64, 3],
  [4, 30, 8, 96, 5],
];
const med = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
console.log(`conv → bias → relu → 2x2 max pool, native, ${ROUNDS} rounds; load ${os.loadavg()[0]!.toFixed(2)}`);
console.log('| shape (n, hw, c → o, k) | steps CPU µs | direct CPU µs | steps / direct |');
console.log('| --- | --- | --- | --- |');
for (const [n, hw, c, o, k] of shapes) {
  nb.random.seed(1);
  const x = nb.random.normal([n, hw, hw, c]);
  const f = new nb.Variable(nb.random.normal([k, k, c, o]));
  const b = new nb.Variable(nb.random.normal([o]));
  const fn = nb.jit((x: nb.Tensor) => nb.maxPool(nb.relu(nb.add(nb.conv2d(x, f), b)), { poolSize: 2 }), { inference: true });
  const calls = Math.max(5, Math.round(2e6 / (n * hw * hw * c * o * k * k)));
  const times: Record<'0' | '1', number[]> = { '0': [], '1': [] };
  for (const d of ['0', '1'] as const) {
    process.env.NABLA_CONV_POOL_DIRECT = d;
    for (let i = 0; i < 5; i++) fn(x).dispose();
  }
  for (let r = 0; r < ROUNDS; r++)
    for (const d of ['0', '1'] as const) {
      process.env.NABLA_CONV_POOL_DIRECT = d;
      fn(x).dispose();
      const c0 = process.cpuUsage();
      for (let i = 0; i < calls; i++) fn(x).dispose();
      const u = process.cpuUsage(c0);
      times[d].push((u.user + u.system) / calls);
    }
  const steps = med(times['0']), direct = med(times['1']);
  console.log(`| ${n}, ${hw}, ${c} → ${o}, ${k}x${k} | ${steps.toFixed(1)} | ${direct.toFixed(1)} | ${(steps / direct).toFixed(2)}x |`);
}
console.log(`load ${os.loadavg()[0]!.toFixed(2)}`);
