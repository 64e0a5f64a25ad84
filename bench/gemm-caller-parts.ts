// What a column-split GEMM costs its caller when the pool thread never comes: the jitted MLP step's
// products (128 x 784 x 128, and 784 x 128 x 128 with A transposed: the weight gradient) on one
// thread whole (NABLA_NUM_THREADS=1) against split in two column parts both run by the caller
// (NABLA_GEMM_CALLER_PARTS=2, a test hook read at load, so each side runs in its own child
// process). Children alternate, ROUNDS each (default 6); each prints the median and p10 of 400
// calls' thread CPU time. NABLA_NATIVE_PATH picks the addon (an older build has no hook: its
// "split" side is then the whole product too).
// `npx tsx bench/gemm-caller-parts.ts`
import { spawnSync } from 'node:child_process';
import { addonPath } from '../src/backends/native/load-addon.js';

const CHILD = `
const addon = require(process.argv[1]);
const args = new Float64Array(64);
addon.setArgs(args);
const out = {};
// [label, A's shape, B's shape, transposeA]
for (const [label, aShape, bShape, ta] of [['128x784 by 784x128', [128, 784], [784, 128], 0], ['(128x784)T by 128x128', [128, 784], [128, 128], 1]]) {
  const a = Float32Array.from({ length: aShape[0] * aShape[1] }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const b = Float32Array.from({ length: bShape[0] * bShape[1] }, (_, i) => ((i * 104729) % 1000) / 1000 - 0.5);
  const c = new Float32Array((ta ? aShape[1] : aShape[0]) * bShape[1]);
  const call = () => {
    args.fill(0);
    args.set([2, ...aShape, 2, ...bShape, ta, 0]);
    addon.matmul(a, b, c);
  };
  for (let i = 0; i < 50; i++) call();
  const us = [];
  for (let i = 0; i < 400; i++) {
    const t0 = process.threadCpuUsage ? process.threadCpuUsage() : process.cpuUsage();
    call();
    const t1 = process.threadCpuUsage ? process.threadCpuUsage(t0) : process.cpuUsage(t0);
    us.push(t1.user + t1.system);
  }
  us.sort((x, y) => x - y);
  out[label] = [us[us.length >> 1], us[Math.floor(us.length / 10)]];
}
console.log(JSON.stringify(out));
`;

const rounds = Number(process.env.ROUNDS ?? 6);
const sides: [string, Record<string, string>][] = [
  ['whole, one thread', { NABLA_NUM_THREADS: '1', NABLA_GEMM_CALLER_PARTS: '' }],
  ['two parts on the caller', { NABLA_NUM_THREADS: '1', NABLA_GEMM_CALLER_PARTS: '2' }],
];
const results = new Map<string, Map<string, number[][]>>();
for (let r = 0; r < rounds; r++) {
  for (const [side, env] of sides) {
    const run = spawnSync(process.execPath, ['-e', CHILD, addonPath()], { env: { ...process.env, ...env }, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(run.stderr);
    const got = JSON.parse(run.stdout.trim()) as Record<string, number[]>;
    for (const [label, v] of Object.entries(got)) {
      const perSide = results.get(label) ?? new Map<string, number[][]>();
      perSide.set(side, [...(perSide.get(side) ?? []), v]);
      results.set(label, perSide);
    }
  }
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
for (const [label, perSide] of results) {
  console.log(label);
  for (const [side, v] of perSide)
    console.log(`  ${side.padEnd(26)} CPU us per call: median of medians ${median(v.map((x) => x[0]!))}, of p10s ${median(v.map((x) => x[1]!))} (rounds: ${v.map((x) => x[0]).join(' ')})`);
}
