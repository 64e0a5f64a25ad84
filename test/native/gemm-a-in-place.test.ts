// A GEMM whose A has contiguous rows and whose threads each multiply few columns (128 or fewer)
// reads A where it lies instead of packing it (gemm.cc: readsAInPlace). The same product with A
// given transposed (matmul(a^T, b, {transposeA}), A's column stride no longer 1) always packs A:
// both must give the same bits, on one thread and on two (where the column parts, or the row split
// of a tall packed A, take over), in float32 and float64, including rows short of a whole tile
// and a row stride of 2 KiB (packed either way).
import { afterAll, describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import type { NativeBackend } from '../../src/backends/native/native-backend.js';
import { randomArray } from './random-inputs.js';

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
