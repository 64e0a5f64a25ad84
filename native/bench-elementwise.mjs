// float32 elementwise kernels of one or more built addons, called directly (no nabla dispatch),
// at sizes from L1/L2-resident (a training step's activations, Adam's slots) to memory-bound.
// `node native/bench-elementwise.mjs [addon.node ...]` (default: the built addon). With several
// addons every measurement alternates between them in the same minute (A/B interleaved, so load on
// a shared machine hits both alike) and their outputs are checked bit for bit against each other.
// Reports the median over rounds of nanoseconds of process CPU time per element (NABLA_NUM_THREADS=1
// makes that single-thread kernel time); NABLA_SIMD=avx2|scalar picks each addon's level.
// NABLA_BENCH_SIZES=4096,..., NABLA_BENCH_ROUNDS=n and NABLA_BENCH_ONLY=regex (case names) override the defaults.
import { createRequire } from 'node:module';
import { randomFloat32 } from './bench-inputs.mjs';
import { resolve } from 'node:path';

const require = createRequire(import.meta.url);
const paths = process.argv.length > 2 ? process.argv.slice(2).map((p) => resolve(p)) : [resolve(import.meta.dirname, 'build/Release/nabla.node')];
const addons = paths.map((p) => require(p));
const args = new Float64Array(1024);
for (const a of addons) a.setArgs(args);

const F32 = 0;
const BOOL = 3;
const names = addons[0].opNames();
const unaryCode = (n) => names.unary.indexOf(n);
const binaryCode = (n) => names.binary.indexOf(n);

/** Fused program words: n, count, then per instruction kind, op, dtype, argument registers. */
function program(n, instrs) {
  const words = [n, instrs.length];
  for (const [kind, op, dtype, ...regs] of instrs) words.push(kind, op, dtype, ...regs);
  return [words.length, ...words];
}

/** The cases at n elements: a name and a call that sets its words and runs one kernel on `addon`. */
function cases(n) {
  const x = randomFloat32(n, 1), y = randomFloat32(n, 2), z = randomFloat32(n, 3);
  const cols = 256, rows = n / cols, short = Math.floor(n / 10);
  const row = randomFloat32(cols, 4), scalar = Float32Array.of(0.9), zero = Float32Array.of(0);
  const lr = Float32Array.of(1e-3), eps = Float32Array.of(1e-7), b1 = Float32Array.of(0.9), c1 = Float32Array.of(0.1);
  const binary = (op, aShape, bShape, a, b) => (addon, out) => {
    args.set([aShape.length, ...aShape, bShape.length, ...bShape, aShape.length, ...aShape]);
    addon.binary(binaryCode(op), a, b, out);
  };
  const unary = (op) => (addon, out) => addon.unary(unaryCode(op), x, out);
  // relu's gradient as the jit fuses it: where(x > 0, dy, 0).
  const reluGrad = program(n, [[1, binaryCode('greater'), BOOL, 0, 2], [2, 0, F32, 3, 1, 2]]);
  // An Adam-like update: m' = b1 m + c1 g; p - lr m' / (sqrt(m' m') + eps).
  const adam = program(n, [
    [1, binaryCode('mul'), F32, 1, 3], [1, binaryCode('mul'), F32, 2, 4], [1, binaryCode('add'), F32, 7, 8],
    [1, binaryCode('mul'), F32, 9, 9], [0, unaryCode('sqrt'), F32, 10], [1, binaryCode('add'), F32, 11, 6],
    [1, binaryCode('mul'), F32, 5, 9], [1, binaryCode('div'), F32, 13, 12], [1, binaryCode('sub'), F32, 0, 14],
  ]);
  const fused = (words, inputs) => (addon, out) => {
    args.set(words);
    addon.fusedElementwise(out, ...inputs);
  };
  const reduce = (op, axis) => (addon, out) => {
    args.set([2, rows, cols, 1, axis]);
    addon.reduce(names.reduce.indexOf(op), x, out);
  };
  return [
    ['add', binary('add', [n], [n], x, y)],
    ['mul', binary('mul', [n], [n], x, y)],
    ['maximum', binary('maximum', [n], [n], x, y)],
    ['mul scalar', binary('mul', [n], [], x, scalar)],
    ['add row', binary('add', [rows, cols], [cols], x, row)],
    // Rows of 10 (softmax's classes) divided by one value per row: runs of 10 elements.
    ['div short rows', (addon, out) => {
      args.set([2, short, 10, 2, short, 1, 2, short, 10]);
      addon.binary(binaryCode('div'), x.subarray(0, short * 10), y.subarray(0, short), out);
    }, short * 10],
    ['neg', unary('neg')],
    ['relu', unary('relu')],
    ['sqrt', unary('sqrt')],
    ['fused relu grad', fused(reluGrad, [x, y, zero])],
    ['fused adam', fused(adam, [x, y, z, b1, c1, lr, eps])],
    ['sum rows', reduce('sum', 1), rows],
    ['sum columns', reduce('sum', 0), cols],
    ['max rows', reduce('max', 1), rows],
    ['max columns', reduce('max', 0), cols],
  ];
}

function timeBatch(run, out, reps) {
  const c0 = process.cpuUsage();
  for (let r = 0; r < reps; r++) run(out);
  const c = process.cpuUsage(c0);
  return (c.user + c.system) * 1e3 / reps;
}

const median = (v) => [...v].sort((p, q) => p - q)[v.length >> 1];
const sizes = (process.env.NABLA_BENCH_SIZES ?? '4096,16384,65536,262144,4194304').split(',').map(Number);
const rounds = Number(process.env.NABLA_BENCH_ROUNDS ?? 15);
const only = process.env.NABLA_BENCH_ONLY ? new RegExp(process.env.NABLA_BENCH_ONLY) : null;

console.log(paths.map((p, i) => `${String.fromCharCode(65 + i)}: ${p} ${JSON.stringify(addons[i].info())}`).join('\n'));
console.log(`ns of CPU time per element, median of ${rounds} interleaved rounds`);
for (const n of sizes) {
  for (const [name, run, outLength = n] of cases(n)) {
    const outs = addons.map(() => new Float32Array(outLength));
    addons.forEach((a, i) => run(a, outs[i]));
    for (let i = 1; i < outs.length; i++) {
      const a = new Uint32Array(outs[0].buffer), b = new Uint32Array(outs[i].buffer);
      if (a.some((v, k) => v !== b[k])) throw new Error(`${name} at ${n}: addon ${i} differs from addon 0 in bits`);
    }
    // About 20 ms of work per batch at ~0.3 ns per element.
    const reps = Math.max(3, Math.round(6e7 / n));
    const samples = addons.map(() => []);
    if (only && !only.test(name)) continue;
    for (let r = 0; r < rounds; r++) addons.forEach((a, i) => samples[i].push(timeBatch((o) => run(a, o), outs[i], reps) / n));
    const meds = samples.map(median);
    const ratio = meds.length > 1 ? `  A/B ${(meds[0] / meds[1]).toFixed(2)}x` : '';
    console.log(`${name.padEnd(16)} n=${String(n).padStart(8)}  ${meds.map((m, i) => `${String.fromCharCode(65 + i)} ${m.toFixed(3)}`).join('  ')}${ratio}`);
  }
}
