// A GEMM whose A has contiguous rows and whose threads each multiply few columns (128 or fewer)
// reads A where it lies instead of packing it (gemm.cc: readsAInPlace). The same product with A
// given transposed (matmul(a^T, b, {transposeA}), A's column stride no longer 1) always packs A:
// both must give the same bits, on one thread and on two (where the column parts, or the row split
// of a tall packed A, take over), in float32 and float64, including rows short of a whole tile
// and a row stride of 2 KiB (packed either way). The same comparison runs in child processes at
// every SIMD level this machine has (NABLA_SIMD), each on 1 and 2 threads (NABLA_NUM_THREADS).
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import type { NativeBackend } from '../../src/backends/native/native-backend.js';
import { randomArray } from './random-inputs.js';
import { addonPath } from '../../src/backends/native/load-addon.js';
import { simdLevelsFrom } from './simd-levels.js';

const nativeUp = nb.backendInfo('native').available;

// [m, k, n, dtype]
const CASES: [number, number, number, 'float32' | 'float64'][] = [
  [128, 784, 128, 'float32'], // the MLP's forward product at batch 128
  [256, 784, 64, 'float32'],
  [1000, 256, 128, 'float32'], // rows 1 KiB apart: in place
  [37, 300, 100, 'float32'], // 37 rows: a short last tile
  [128, 512, 128, 'float32'], // rows 2 KiB apart: packed
  [128, 784, 128, 'float64'],
  [61, 130, 96, 'float64'],
];

const bitsOf = (v: nb.TypedArray) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');

describe.skipIf(!nativeUp)('native GEMM: A read in place gives the packed bits', () => {
  const backend = () => engine.instance('native') as NativeBackend;
  const before = nativeUp ? (backend().info().threads as number) : 1;
  afterAll(() => {
    if (nativeUp) backend().setThreads(before);
  });

  for (const [m, k, n, dtype] of CASES) {
    it(`${m}x${k} by ${k}x${n} ${dtype}`, () =>
      nb.withBackend('native', () => {
        const a = nb.tensor(randomArray(dtype, m * k, m + k, { lo: -1, hi: 1 }), [m, k], dtype);
        const b = nb.tensor(randomArray(dtype, k * n, k + n, { lo: -1, hi: 1 }), [k, n], dtype);
        const aT = nb.tensor(nb.transpose(a).dataSync(), [k, m], dtype);
        const results: string[] = [];
        for (const threads of [1, 2]) {
          backend().setThreads(threads);
          results.push(bitsOf(nb.matmul(a, b).dataSync()), bitsOf(nb.matmul(aT, b, { transposeA: true }).dataSync()));
        }
        for (let i = 1; i < results.length; i++) expect(results[i], `result ${i}`).toBe(results[0]);
        // And the product itself is right: one entry per row against a float64 sum.
        const av = a.dataSync(), bv = b.dataSync(), cv = nb.matmul(a, b).dataSync();
        for (let i = 0; i < m; i++) {
          const j = (i * 7) % n;
          let sum = 0;
          for (let p = 0; p < k; p++) sum += av[i * k + p]! * bv[p * n + j]!;
          expect(Math.abs(cv[i * n + j]! - sum)).toBeLessThan(1e-4 * (1 + Math.abs(sum)));
        }
      }));
  }
});

// Prints {simd, threads, unequal: [cases whose in-place and packed products differ in any bit]}.
const LEVEL_CHILD = `
const addon = require(process.argv[1]);
const cases = JSON.parse(process.argv[2]);
const args = new Float64Array(64);
addon.setArgs(args);
const unequal = [];
for (const [m, k, n, dtype] of cases) {
  let seed = m * 7919 + k * 31 + n;
  const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296 - 0.5);
  const Ctor = dtype === 'float64' ? Float64Array : Float32Array;
  const a = Ctor.from({ length: m * k }, rand), b = Ctor.from({ length: k * n }, rand);
  const aT = new Ctor(k * m);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) aT[p * m + i] = a[i * k + p];
  const product = (x, transposeA) => {
    const c = new Ctor(m * n);
    args.fill(0);
    args.set([2, transposeA ? k : m, transposeA ? m : k, 2, k, n, transposeA ? 1 : 0, 0]);
    addon.matmul(x, b, c);
    return Buffer.from(c.buffer).toString('base64');
  };
  if (product(a, false) !== product(aT, true)) unequal.push([m, k, n, dtype].join(','));
}
console.log(JSON.stringify({ simd: addon.info().simd, threads: addon.info().threads, unequal }));
`;


describe.skipIf(!nativeUp)('native GEMM: A read in place gives the packed bits at every SIMD level', () => {
  const best = nativeUp ? String((nb.backendInfo('native') as { simd?: string }).simd) : '';
  for (const level of nativeUp ? simdLevelsFrom(best) : [])
    for (const threads of ['1', '2'])
      it(`${level}, ${threads} thread(s)`, () => {
        const r = spawnSync(process.execPath, ['-e', LEVEL_CHILD, addonPath(), JSON.stringify(CASES)], {
          env: { ...process.env, NABLA_SIMD: level === best ? '' : level, NABLA_NUM_THREADS: threads },
          encoding: 'utf8',
        });
        expect(r.status, r.stderr).toBe(0);
        const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { simd: string; threads: number; unequal: string[] };
        expect(out.simd).toBe(level);
        expect(out.unequal).toEqual([]);
      });
});
