// `npx tsx bench/linalg.ts [reps]`: eager Cholesky of float64 SPD matrices on the native backend,
// blocked (the default above 256: panels by triangularSolve, trailing updates by the native matmul)
// against the unblocked host kernel, runs interleaved so machine load hits both alike. Also the
// other decompositions' single-kernel times at one size. Prints medians of wall time.
import * as nb from '../src/index.js';
import { blockedCholesky, CHOLESKY_BLOCK } from '../src/linalg/decompositions.js';

const reps = Number(process.argv[2] ?? 5);
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

function time(f: () => nb.Tensor): number {
  const t0 = performance.now();
  const y = f();
  y.dataSync();
  const ms = performance.now() - t0;
  y.dispose();
  return ms;
}

nb.setBackend('native');
console.log(`# ${new Date().toISOString()} native ${JSON.stringify(nb.backendInfo('native'))}; ${reps} interleaved runs each`);
console.log(`| cholesky float64 | blocked (${CHOLESKY_BLOCK}) ms | unblocked ms | speed-up |`);
console.log('|---|---|---|---|');
for (const n of [256, 512, 1024]) {
  nb.random.seed(n);
  const x = nb.cast(nb.random.normal([n, n]), 'float64');
  const a = nb.add(nb.matmul(x, x, { transposeB: true }), nb.mul(nb.eye(n, n, 'float64'), n));
  const blocked = () => blockedCholesky(a, CHOLESKY_BLOCK);
  const unblocked = () => blockedCholesky(a, n);
  const t = { blocked: [] as number[], unblocked: [] as number[] };
  time(blocked);
  time(unblocked);
  for (let i = 0; i < reps; i++) {
    t.blocked.push(time(blocked));
    t.unblocked.push(time(unblocked));
  }
  const [b, u] = [median(t.blocked), median(t.unblocked)];
  console.log(`| ${n} x ${n} | ${b.toFixed(1)} | ${u.toFixed(1)} | ${(u / b).toFixed(2)}x |`);
}

console.log('| decomposition (float64, 128 x 128, host kernel) | ms |');
console.log('|---|---|');
const x = nb.cast(nb.random.normal([128, 128]), 'float64');
const sym = nb.add(x, nb.transpose(x));
for (const [name, f] of [
  ['qr', () => nb.linalg.qr(x).r],
  ['svd', () => nb.linalg.svd(x).s],
  ['eigh', () => nb.linalg.eigh(sym).values],
  ['lu (det)', () => nb.linalg.det(x)],
  ['inv', () => nb.linalg.inv(x)],
] as const) {
  time(f);
  console.log(`| ${name} | ${median(Array.from({ length: reps }, () => time(f))).toFixed(1)} |`);
}
