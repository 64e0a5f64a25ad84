// `npx tsx bench/linalg.ts [reps] [sizes] [cpu]`: the native backend's C++ kernels (native/src/linalg/,
// native/src/fft.cc) against the TypeScript reference kernels they replaced (called directly on
// the same typed arrays; for Cholesky above 256 also the TS blocking over native matmul that the
// native backend used before) and against PyTorch (bench/linalg_torch.py through /usr/bin/python3,
// with as many threads as nabla). Float64; medians of wall time (or, with `cpu`, of the process's
// CPU time: on a loaded machine a one-thread run's CPU time is its work, where wall time is mostly
// waiting for a core), kernels timed interleaved.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as nb from '../src/index.js';
import { blockedCholesky, CHOLESKY_BLOCK } from '../src/linalg/decompositions.js';
import { choleskyOp } from '../src/linalg/cholesky.js';
import { qrOp } from '../src/linalg/qr.js';
import { luOp } from '../src/linalg/lu.js';
import { run as runOp, NO_ATTRS } from '../src/ops/run.js';
import { triangularSolveOp } from '../src/linalg/triangular-solve.js';
import { fftOp, rfftOp } from '../src/signal/fft-ops.js';
import type { OpDef } from '../src/ops/define-op.js';
import type { TypedArray } from '../src/tensor/dtype.js';
import { loadavg } from 'node:os';

const reps = Number(process.argv[2] ?? 3);
const sizes = (process.argv[3] ?? '256,512,1024').split(',').map(Number);
const cpu = process.argv[4] === 'cpu';
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

function ms(f: () => void): number {
  if (cpu) {
    const t0 = process.cpuUsage();
    f();
    const d = process.cpuUsage(t0);
    return (d.user + d.system) / 1000;
  }
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}

/** Median times of several contenders, run in turn so load changes hit them alike. */
function interleaved(contenders: Record<string, () => void>): Record<string, number> {
  const times: Record<string, number[]> = {};
  for (const [k, f] of Object.entries(contenders)) {
    f();
    times[k] = [];
  }
  for (let i = 0; i < reps; i++) for (const [k, f] of Object.entries(contenders)) times[k]!.push(ms(f));
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}

/** The reference kernel of `op` on host arrays. */
function reference<A>(op: OpDef<A>, inputs: nb.Tensor[], attrs: A): () => void {
  const host = inputs.map((t) => ({ data: t.dataSync() as TypedArray, shape: t.shape, dtype: t.dtype }));
  const outs = op.infer!(host.map((h) => ({ shape: h.shape, dtype: h.dtype })), attrs);
  return () => void op.ref!(host, attrs, outs);
}

const force = (t: nb.Tensor | nb.Tensor[]) => {
  for (const x of Array.isArray(t) ? t : [t]) {
    x.dataSync();
    x.dispose();
  }
};

interface TorchTimes {
  torch: string;
  threads: number;
  sizes: Record<string, Record<string, number>>;
  fft: number;
  rfft: number;
}

function torchTimes(threads: number): TorchTimes | string {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const script = fileURLToPath(new URL('./linalg_torch.py', import.meta.url));
  const r = spawnSync('/usr/bin/python3', [script, String(threads), String(reps), sizes.join(','), cpu ? 'cpu' : 'wall'], { env, encoding: 'utf8' });
  if (r.status !== 0) return `fails: ${(r.stderr || r.error?.message || '').trim().split('\n').at(-1)?.slice(0, 80)}`;
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as TorchTimes;
}

nb.setBackend('native');
const info = nb.backendInfo('native');
const threads = (nb.backendInfo() as { threads?: number }).threads ?? 1;
console.log(`# ${new Date().toISOString()} load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}; native ${JSON.stringify(info)}; ${reps} runs each; ${cpu ? 'CPU' : 'wall'} time`);
const torch = torchTimes(threads);
const torchLabel = typeof torch === 'object' ? `PyTorch ${torch.torch} (${torch.threads} threads)` : `PyTorch: ${torch}`;
const torchOf = (n: number | null, k: string) => (typeof torch === 'object' ? (n === null ? (torch as unknown as Record<string, number>)[k] : torch.sizes[n]?.[k]) : undefined);
const f1 = (v: number | undefined) => (v === undefined ? '-' : v < 10 ? v.toFixed(2) : v.toFixed(1));

console.log(`| op (float64) | n | native C++ ms | TS reference ms | TS ref / native | ${torchLabel} ms | native / torch |`);
console.log('|---|---|---|---|---|---|---|');
const row = (op: string, n: string, t: Record<string, number>, torchMs: number | undefined, extra = '') => {
  console.log(`| ${op}${extra} | ${n} | ${f1(t.native)} | ${f1(t.ref)} | ${(t.ref! / t.native!).toFixed(1)}x | ${f1(torchMs)} | ${torchMs ? (t.native! / torchMs).toFixed(2) + 'x' : '-'} |`);
};
for (const n of sizes) {
  nb.random.seed(n);
  const x = nb.random.normal([n, n], 0, 1, 'float64');
  const a = nb.add(nb.matmul(x, x, { transposeB: true }), nb.mul(nb.eye(n, n, 'float64'), n));
  const l = nb.linalg.cholesky(a);
  const b = nb.random.normal([n, n], 0, 1, 'float64');
  const chol = interleaved({
    native: () => force(nb.linalg.cholesky(a)),
    ref: reference(choleskyOp, [a], {}),
    ...(n > 256 ? { tsBlocked: () => force(blockedCholesky(a, CHOLESKY_BLOCK)) } : {}),
  });
  row('cholesky', String(n), chol, torchOf(n, 'cholesky'));
  if (chol.tsBlocked !== undefined) console.log(`| cholesky, TS blocks of ${CHOLESKY_BLOCK} over native matmul (the old path above 256) | ${n} | | ${f1(chol.tsBlocked)} | ${(chol.tsBlocked / chol.native!).toFixed(1)}x | | |`);
  row('qr', String(n), interleaved({ native: () => { const { q, r } = nb.linalg.qr(x); force([q, r]); }, ref: reference(qrOp, [x], {}) }), torchOf(n, 'qr'));
  row('triangularSolve (n rhs)', String(n), interleaved({ native: () => force(nb.linalg.triangularSolve(l, b)), ref: reference(triangularSolveOp, [l, b], { lower: true, transposeA: false }) }), torchOf(n, 'triangularSolve'));
  row('lu (partial pivoting)', String(n), interleaved({ native: () => force(runOp(luOp, [x], NO_ATTRS)), ref: reference(luOp, [x], {}) }), undefined);
  const solve = interleaved({ native: () => force(nb.linalg.solve(x, b)) });
  console.log(`| solve (n rhs: native LU, then two native triangular solves) | ${n} | ${f1(solve.native)} | | | ${f1(torchOf(n, 'solve'))} | ${torchOf(n, 'solve') ? (solve.native! / torchOf(n, 'solve')!).toFixed(2) + 'x' : '-'} |`);
}
const len = 1 << 16;
const z = nb.random.normal([len, 2], 0, 1, 'float64');
const r = nb.random.normal([len], 0, 1, 'float64');
row('fft (complex)', '2^16', interleaved({ native: () => force(nb.signal.fft(z)), ref: reference(fftOp, [z], { inverse: false }) }), torchOf(null, 'fft'));
row('rfft', '2^16', interleaved({ native: () => force(nb.signal.rfft(r)), ref: reference(rfftOp, [r], {}) }), torchOf(null, 'rfft'));
