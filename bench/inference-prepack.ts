// Prepacked weights, A/B in one process: the same ResNet-18 (nabla layers, bench/inference-models.ts)
// with the same weights, its predict compiled once with the native backend's weight prepacking
// (Backend.prepack) and once without, then timed alternately (CPU time per batch-1 predict, one
// thread; RESNET_SIZE, default 224). Outputs are checked bit-equal first. WINOGRAD=1: both with
// prepacking, the baseline without the Winograd filter pack (its Winograd convs transform per call).
// `npx tsx bench/inference-prepack.ts`.
import { engine } from '../src/engine/engine.js';
import { nb } from './common.js';
import { resnet18 } from './inference-models.js';

const SIZE = Number(process.env.RESNET_SIZE ?? 224);
const ROUNDS = 15;
const CALLS = 3;

await nb.setBackend('native');
const backend = engine.backend as { setThreads?: (n: number) => void; prepack?: { uses: unknown; winograd?: unknown } };
const winogradOnly = process.env.WINOGRAD === '1';
backend.setThreads?.(1);
const x = nb.random.uniform([1, SIZE, SIZE, 3]);
const withPacks = resnet18(SIZE);
const without = resnet18(SIZE);
without.setWeights(withPacks.getWeights());
const predict = (m: nb.Model) => (m.predict(x) as nb.Tensor).dispose();
// predict runs eagerly once, then compiles on its second call: three calls each settle the plans.
for (let i = 0; i < 3; i++) predict(withPacks);
const prepack = backend.prepack;
backend.prepack = winogradOnly && prepack ? { uses: prepack.uses } : undefined;
for (let i = 0; i < 3; i++) predict(without);
backend.prepack = prepack;
const a = (withPacks.predict(x) as nb.Tensor).dataSync();
const b = (without.predict(x) as nb.Tensor).dataSync();
if (!a.every((v, i) => Object.is(v, b[i]))) throw new Error('prepacked and unpacked predictions differ');

const cpuUs = (m: nb.Model) => {
  const c0 = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) predict(m);
  const d = process.cpuUsage(c0);
  return (d.user + d.system) / CALLS;
};
const off: number[] = [];
const on: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  off.push(cpuUs(without));
  on.push(cpuUs(withPacks));
}
const median = (v: number[]) => [...v].sort((p, q) => p - q)[v.length >> 1]!;
console.log(`ResNet-18 ${SIZE}x${SIZE}x3 batch-1 predict, 1 thread, CPU µs per call (median of ${ROUNDS} alternated runs of ${CALLS}; min):`);
console.log(`  ${winogradOnly ? 'Winograd filters transformed per call' : 'weights packed per call'}: ${median(off).toFixed(0)} (${Math.min(...off).toFixed(0)})`);
console.log(`  ${winogradOnly ? 'Winograd filters transformed once' : 'weights prepacked once'}:  ${median(on).toFixed(0)} (${Math.min(...on).toFixed(0)})  ${(median(off) / median(on)).toFixed(2)}x`);
