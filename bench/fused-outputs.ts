// Adam's update of one weight as the jit runs it on native: one fused loop writing m, v and w
// (reads g, m, v, w) against the three loops it was before (m; v; w from the new m and v: reads
// 7 arrays), called on the addon directly, alternating, on arrays of N elements (default the MLP's
// 784 x 128 weight; N=4000000 for arrays that do not fit the caches).
// `npx tsx bench/fused-outputs.ts` (T=threads, default 1; not part of `npm run bench`).
import { loadAddon } from '../src/backends/native/load-addon.js';

const addon = loadAddon();
if (!addon) throw new Error('bench/fused-outputs.ts needs the native addon');
const threads = Number(process.env.T ?? 1);
addon.setThreads(threads);
const args = new Float64Array(1024);
addon.setArgs(args);
const program = (words: number[]) => {
  args.fill(0);
  args.set([words.length, ...words]);
};
const n = Number(process.env.N ?? 784 * 128);
const random = () => Float32Array.from({ length: n }, () => Math.random());
const [g, m, v, w] = [random(), random(), random(), random()];
const [mOut, vOut, wOut] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
const scalar = (x: number) => Float32Array.from([x]);
const [c1, c2, alpha, eps] = [scalar(0.1), scalar(0.001), scalar(0.01), scalar(1e-7)];
const names = addon.opNames();
const bin = (op: string, a: number, b: number) => [1, names.binary.indexOf(op), 0, a, b];
const un = (op: string, a: number) => [0, names.unary.indexOf(op), 0, a];

// One loop; inputs 0 g, 1 m, 2 c1, 3 v, 4 c2, 5 alpha, 6 eps, 7 w; outputs w (19), m (10), v (14).
const steps = [bin('sub', 0, 1), bin('mul', 8, 2), bin('add', 1, 9), un('square', 0), bin('sub', 11, 3), bin('mul', 12, 4), bin('add', 3, 13), bin('mul', 10, 5), un('sqrt', 14), bin('add', 16, 6), bin('div', 15, 17), bin('sub', 7, 18)];
const fused = [3, 19, 10, 14, n, steps.length, ...steps.flat()];
// Three loops: m from (g, m, c1); v from (g, v, c2); w from (w, m, alpha, v, eps).
const mLoop = [1, 5, n, 3, ...[bin('sub', 0, 1), bin('mul', 3, 2), bin('add', 1, 4)].flat()];
const vLoop = [1, 6, n, 4, ...[un('square', 0), bin('sub', 3, 1), bin('mul', 4, 2), bin('add', 1, 5)].flat()];
const wLoop = [1, 9, n, 5, ...[bin('mul', 1, 2), un('sqrt', 3), bin('add', 6, 4), bin('div', 5, 7), bin('sub', 0, 8)].flat()];

const calls = n > 1e6 ? 5 : 50;
/** Median microseconds per call over 21 batches. */
function time(f: () => void): number {
  for (let i = 0; i < calls; i++) f();
  const us: number[] = [];
  for (let r = 0; r < 21; r++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) f();
    us.push(((performance.now() - t0) * 1000) / calls);
  }
  return us.sort((a, b) => a - b)[10]!;
}

const oneLoop = () => {
  program(fused);
  addon.fusedElementwise(wOut, mOut, vOut, g, m, c1, v, c2, alpha, eps, w);
};
const threeLoops = () => {
  program(mLoop);
  addon.fusedElementwise(mOut, g, m, c1);
  program(vLoop);
  addon.fusedElementwise(vOut, g, v, c2);
  program(wLoop);
  addon.fusedElementwise(wOut, w, mOut, alpha, vOut, eps);
};
// Both compute the same update, bit for bit.
oneLoop();
const results = [wOut.slice(), mOut.slice(), vOut.slice()];
threeLoops();
if (![wOut, mOut, vOut].every((a, k) => a.every((x, i) => Object.is(x, results[k]![i])))) throw new Error('the one loop and the three loops differ');

for (let round = 0; round < 3; round++) {
  const one = time(oneLoop);
  const three = time(threeLoops);
  console.log(`n=${n}, ${threads} thread(s): one loop writing m, v, w ${one.toFixed(1)} us; three loops ${three.toFixed(1)} us (${(three / one).toFixed(2)}x)`);
}
