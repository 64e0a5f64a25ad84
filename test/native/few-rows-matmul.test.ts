// Products with at most 4 rows (batch-1 inference) take native's streamed path instead of the
// packed GEMM: the same values as the JS reference, for every transpose, batch and special value.
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { addonPath } from '../../src/backends/native/load-addon.js';

const start = nb.getBackend();
afterAll(() => nb.setBackend(start));
const compiled = ['native', 'wasm'].filter((b) => nb.backendInfo(b).available);

async function on<T>(backend: string, f: () => T): Promise<T> {
  await nb.setBackend(backend);
  return f();
}

function expectNear(got: Float32Array | Float64Array, want: Float32Array | Float64Array): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (Number.isNaN(want[i]!)) expect(got[i]).toBeNaN();
    else expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want[i]!)));
  }
}

describe.each(compiled)('few-row matmul on %s', (backend) => {
  it.each([1, 2, 3, 4, 5])('%i rows: equals the reference for each transpose of A, and batched', async (m) => {
    nb.random.seed(m);
    const a = Array.from(nb.random.normal([m, 300]).dataSync());
    const b = Array.from(nb.random.normal([300, 70]).dataSync());
    const cases = (t: typeof nb) => {
      const A = t.tensor(a, [m, 300]);
      const B = t.tensor(b, [300, 70]);
      const At = t.transpose(A).clone(); // [300, m], used transposed
      const batched = t.reshape(t.concat([A, t.mul(A, 2)], 0), [2, m, 300]);
      return [t.matmul(A, B), t.matmul(At, B, { transposeA: true }), t.matmul(batched, B)].map((r) => r.dataSync().slice());
    };
    const want = await on('js', () => cases(nb));
    const got = await on(backend, () => cases(nb));
    got.forEach((g, i) => expectNear(g as Float32Array, want[i] as Float32Array));
  });

  it('NaN and Infinity propagate as in the reference; float64 keeps its precision', async () => {
    const run = () => [
      nb.matmul(nb.tensor([[1, 0, 2]]), nb.tensor([[1, 2], [Infinity, 3], [NaN, 4]])).dataSync().slice(),
      nb.matmul(nb.tensor([[1, 1e-12]], 'float64'), nb.tensor([[1, 2], [1, 0]], 'float64')).dataSync().slice(),
    ];
    const want = await on('js', run);
    const got = await on(backend, run);
    expect(Array.from(got[0]!)).toEqual(Array.from(want[0]!));
    expect(got[1]![0]).toBe(1 + 1e-12);
    expect(Array.from(got[1]!)).toEqual(Array.from(want[1]!));
  });
});

// With a SIMD kernel where the CPU has one (native/src/gemm/kernel-avx512.cc, kernel-avx2.cc), every
// element must still be the float32 sum of a_ip * b_pj over p in order, each product rounded, then
// added (no fused multiply-add) — what the portable loop computes. Sizes around the kernels'
// 8-, 16- and 64-column blocks.
function sequentialProduct(a: Float32Array, b: Float32Array, m: number, k: number, n: number, transposeA: boolean): Float32Array {
  const fr = Math.fround;
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) acc = fr(acc + fr(a[transposeA ? p * m + i : i * k + p]! * b[p * n + j]!));
      c[i * n + j] = acc;
    }
  return c;
}

describe.each(compiled)('few-row matmul bit for bit on %s', (backend) => {
  const cases: [number, number, number][] = [
    [1, 784, 128],
    [1, 128, 10],
    [2, 5, 1],
    [3, 17, 15],
    [4, 33, 16],
    [1, 1, 17],
    [2, 70, 64],
    [3, 9, 65],
    [4, 300, 130],
  ];
  it.each(cases)('m=%i k=%i n=%i equals the in-order float32 sum bit for bit', async (m, k, n) => {
    await nb.setBackend(backend);
    nb.random.seed(m + k * 3 + n * 7);
    for (const transposeA of [false, true]) {
      const a = nb.random.normal(transposeA ? [k, m] : [m, k]);
      const b = nb.random.normal([k, n]);
      const want = sequentialProduct(a.dataSync() as Float32Array, b.dataSync() as Float32Array, m, k, n, transposeA);
      expect(Array.from(nb.matmul(a, b, { transposeA }).dataSync())).toEqual(Array.from(want));
    }
  });
});

// The addon picks its kernels at load: each SIMD level (NABLA_SIMD) runs in a child process,
// which counts the elements that differ from the in-order float32 sums.
const CHILD = `
const addon = require(process.argv[1]);
const args = new Float64Array(64);
addon.setArgs(args);
const fr = Math.fround;
let seed = 5;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296 - 0.5);
let wrong = 0, checked = 0;
for (const [m, k, n] of [[1, 784, 128], [1, 128, 10], [2, 5, 1], [3, 17, 15], [4, 33, 16], [2, 70, 7], [3, 9, 65], [4, 300, 130], [1, 50, 24]]) {
  const a = Float32Array.from({ length: m * k }, rand), b = Float32Array.from({ length: k * n }, rand), c = new Float32Array(m * n);
  args.set([2, m, k, 2, k, n, 0, 0]);
  addon.matmul(a, b, c);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let acc = 0;
    for (let p = 0; p < k; p++) acc = fr(acc + fr(a[i * k + p] * b[p * n + j]));
    checked++;
    if (!Object.is(acc, c[i * n + j])) wrong++;
  }
}
console.log(JSON.stringify({ simd: addon.info().simd, wrong, checked }));
`;

describe.runIf(nb.backendInfo('native').available)('few-row matmul at every SIMD level of this CPU', () => {
  const best = String((nb.backendInfo('native') as { simd?: string }).simd);
  const levels = best === 'avx512' ? ['avx512', 'avx2', 'scalar'] : best === 'avx2' ? ['avx2', 'scalar'] : [best];
  it.each(levels)('%s: bit-equal to the in-order float32 sums', (level) => {
    const r = spawnSync(process.execPath, ['-e', CHILD, addonPath()], { env: { ...process.env, NABLA_SIMD: level === best ? '' : level }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { simd: string; wrong: number; checked: number };
    expect(out.simd).toBe(level);
    expect(out.checked).toBeGreaterThan(1000);
    expect(out.wrong).toBe(0);
  });
});
