// A thread that runs two or more column parts of one split GEMM (the pool thread was late, so the
// caller claimed them all) packs A once and multiplies every part with it (gemm.cc: KeptA). The
// hook NABLA_GEMM_CALLER_PARTS=n splits every product into n column parts run by the calling
// thread alone, so each child below takes that path on every product, whatever the pool and the
// timing; its bits must equal the one-thread product's. The shapes cover the MLP's products
// (A plain and transposed), edge rows and panels, k over one k block (1024), several row blocks,
// parts wider than a column block (3072), a transposed B, float64, and an A too large to keep.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { addonPath } from '../../src/backends/native/load-addon.js';

const nativeUp = nb.backendInfo('native').available;

// [m, k, n, transposeA, transposeB, float64]
const CASES: [number, number, number, 0 | 1, 0 | 1, 0 | 1][] = [
  [128, 784, 128, 0, 0, 0],
  [784, 128, 128, 1, 0, 0],
  [128, 784, 128, 0, 0, 1],
  [13, 1030, 100, 0, 0, 0],
  [13, 1030, 100, 1, 0, 1],
  [300, 2100, 290, 0, 0, 0],
  [50, 300, 200, 0, 1, 0],
  [13, 20, 6500, 0, 0, 0],
  [1100, 1030, 130, 0, 0, 0],
];

// Prints {products: {case: base64 bits}, worstError: largest |got - float64 sum| / (1 + |sum|)}.
const CHILD = `
const addon = require(process.argv[1]);
const cases = JSON.parse(process.argv[2]);
const args = new Float64Array(64);
addon.setArgs(args);
const products = {};
let worstError = 0;
for (const [m, k, n, ta, tb, f64] of cases) {
  let seed = m * 7919 + k * 31 + n;
  const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296 - 0.5);
  const Ctor = f64 ? Float64Array : Float32Array;
  const a = Ctor.from({ length: m * k }, rand), b = Ctor.from({ length: k * n }, rand), c = new Ctor(m * n);
  args.fill(0);
  args.set([2, ta ? k : m, ta ? m : k, 2, tb ? n : k, tb ? k : n, ta, tb]);
  addon.matmul(a, b, c);
  products[[m, k, n, ta, tb, f64].join(',')] = Buffer.from(c.buffer).toString('base64');
  for (let i = 0; i < m; i += 7)
    for (let j = 0; j < n; j += 5) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += a[ta ? p * m + i : i * k + p] * b[tb ? j * k + p : p * n + j];
      worstError = Math.max(worstError, Math.abs(c[i * n + j] - sum) / (1 + Math.abs(sum)));
    }
}
console.log(JSON.stringify({ products, worstError }));
`;

function productsWith(env: Record<string, string>): { products: Record<string, string>; worstError: number } {
  const r = spawnSync(process.execPath, ['-e', CHILD, addonPath(), JSON.stringify(CASES)], {
    env: { ...process.env, NABLA_NUM_THREADS: '', NABLA_GEMM_CALLER_PARTS: '', ...env },
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe.skipIf(!nativeUp)('split GEMM: a thread running several column parts reuses its packed A, same bits', () => {
  let oneThread: ReturnType<typeof productsWith>;
  // A child process: seconds under an emulator (npm run test:arm64), past the default hook timeout.
  beforeAll(() => {
    oneThread = productsWith({ NABLA_NUM_THREADS: '1' });
  }, 120_000);

  it('the one-thread products are right (float64 sums of sampled entries)', () => {
    expect(Object.keys(oneThread.products)).toHaveLength(CASES.length);
    expect(oneThread.worstError).toBeLessThan(1e-4);
  });

  for (const parts of [2, 3, 4]) {
    it(`${parts} column parts all on the caller give the one-thread bits`, () => {
      const split = productsWith({ NABLA_NUM_THREADS: '1', NABLA_GEMM_CALLER_PARTS: String(parts) });
      for (const key of Object.keys(oneThread.products)) expect(split.products[key], key).toBe(oneThread.products[key]);
    });
  }
});
