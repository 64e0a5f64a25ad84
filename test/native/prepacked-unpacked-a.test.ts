// The prepacked GEMM reads a row-major A where it lies (gemm/unpacked-a.h: no copy of A per call)
// on the AVX-512 and AVX2 levels, the half-width kernel for panels of at most nr/2 columns, and
// the short kernels for the rows below the last whole tile (m = 5, 13, 30, 49: 1 to 11 rows);
// the other levels and a transposed A pack as before. Every path must give the bits of the plain
// matmul (which packs both operands): at every SIMD level this machine has, at sizes around the
// micro-kernel's rows (12 or 6), the panel widths (32 or 16 columns, half of them) and the
// 1024-row k block, both dtypes and both layouts of A. NABLA_SIMD picks the level at load, so each
// level runs in its own child process.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { addonPath } from '../../src/backends/native/load-addon.js';
import { simdLevelsFrom } from './simd-levels.js';

const nativeUp = nb.backendInfo('native').available;

// Prints {simd, cases, mismatches: [case names]}. The plain weight handed beside the pack is
// zeros, so a result equal to the plain matmul's was read from the pack.
const CHILD = `
const addon = require(process.argv[1]);
const args = new Float64Array(64);
addon.setArgs(args);
let seed = 11;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296 - 0.5);
const mismatches = [];
let cases = 0;
for (const m of [5, 12, 13, 30, 49, 100])
  for (const n of [1, 10, 16, 17, 33, 70])
    for (const k of [1, 17, 300, 1030])
      for (const Ctor of [Float32Array, Float64Array])
        for (const ta of [0, 1]) {
          const a = Ctor.from({ length: m * k }, rand), b = Ctor.from({ length: k * n }, rand);
          const want = new Ctor(m * n), got = new Ctor(m * n);
          args.fill(0);
          args.set([2, ta ? k : m, ta ? m : k, 2, k, n, ta, 0]);
          addon.matmul(a, b, want);
          const packed = new Ctor(32 + k * Math.ceil(n / 32) * 32);
          args.fill(0);
          args.set([k, n, 1, n, 1]);
          addon.prepacked(2, b, packed);
          args.fill(0);
          args.set([2, ta ? k : m, ta ? m : k, 2, k, n, ta, 0]);
          addon.prepacked(3, a, new Ctor(k * n), packed, got);
          cases++;
          const same = Buffer.from(want.buffer).equals(Buffer.from(got.buffer));
          if (!same) mismatches.push(m + 'x' + k + 'x' + n + ' ' + Ctor.name + (ta ? ' transposeA' : ''));
        }
console.log(JSON.stringify({ simd: addon.info().simd, cases, mismatches }));
`;

/** The levels NABLA_SIMD can pick on a CPU whose best is `best`. */

describe('prepacked GEMM with A read in place: bit-equal to the plain matmul at every SIMD level', () => {
  if (!nativeUp) {
    it('(addon not built) the reason names the binary', () => expect(String(nb.backendInfo('native').reason)).toMatch(/nabla\.node/));
    return;
  }
  const best = String((nb.backendInfo('native') as { simd?: string }).simd);
  for (const level of simdLevelsFrom(best)) {
    it(`${level}: 576 products (m, n, k around tiles, half panels and k blocks; float32/64; A plain and transposed)`, () => {
      const r = spawnSync(process.execPath, ['-e', CHILD, addonPath()], { env: { ...process.env, NABLA_SIMD: level === best ? '' : level }, encoding: 'utf8', maxBuffer: 1 << 24 });
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { simd: string; cases: number; mismatches: string[] };
      expect(out.simd).toBe(level);
      expect(out.cases).toBe(576);
      expect(out.mismatches).toEqual([]);
    });
  }
});
