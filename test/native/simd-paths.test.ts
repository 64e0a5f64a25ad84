// Every GEMM micro-kernel this CPU can run (AVX-512, AVX2+FMA, portable scalar) against a plain
// triple loop, at sizes that leave edge tiles. NABLA_SIMD lowers the level the addon picks at
// load, so each level runs in its own child process.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { addonPath } from '../../src/backends/native/load-addon.js';

const nativeUp = nb.backendInfo('native').available;

const CHILD = `
const addon = require(process.argv[1]);
const args = new Float64Array(1024);
addon.setArgs(args);
let seed = 7;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296 - 0.5);
let worst = 0;
for (const [m, k, n, ta, tb] of [[1, 1, 1, 0, 0], [13, 37, 45, 0, 0], [29, 300, 70, 1, 0], [50, 19, 33, 0, 1], [131, 257, 97, 1, 1]]) {
  for (const Ctor of [Float32Array, Float64Array]) {
    const a = Ctor.from({ length: m * k }, rand), b = Ctor.from({ length: k * n }, rand), c = new Ctor(m * n);
    args.set([2, ta ? k : m, ta ? m : k, 2, tb ? n : k, tb ? k : n, ta, tb]);
    addon.matmul(a, b, c);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ta ? p * m + i : i * k + p] * b[tb ? j * k + p : p * n + j];
      const tol = (Ctor === Float32Array ? 1e-5 : 1e-13) * Math.sqrt(k);
      worst = Math.max(worst, Math.abs(c[i * n + j] - s) / tol);
    }
  }
}
console.log(JSON.stringify({ simd: addon.info().simd, worst }));
`;

function runWith(simd: string): { simd: string; worst: number } {
  const r = spawnSync(process.execPath, ['-e', CHILD, addonPath()], { env: { ...process.env, NABLA_SIMD: simd }, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe('GEMM micro-kernels at every SIMD level this machine has', () => {
  if (!nativeUp) {
    it('(addon not built) the reason names the binary', () => expect(String(nb.backendInfo('native').reason)).toMatch(/nabla\.node/));
    return;
  }
  const best = String((nb.backendInfo('native') as { simd?: string }).simd);
  const levels = best === 'avx512' ? ['avx512', 'avx2', 'scalar'] : best === 'avx2' ? ['avx2', 'scalar'] : [best, 'scalar'];
  for (const level of levels) {
    it(`${level}: odd sizes and transposes match a triple loop`, () => {
      const r = runWith(level === best ? '' : level);
      expect(r.simd).toBe(level);
      expect(r.worst).toBeLessThanOrEqual(1);
    });
  }
});
