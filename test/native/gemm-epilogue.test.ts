// The prepacked GEMM's epilogue (native/src/gemm/epilogue.h): the bias add and the activation
// applied to each finished block of the output must give the bits of the plain matmul followed by
// the separate biasActivation kernel, at every SIMD level this machine has (NABLA_SIMD picks the
// level at load, so each level runs in its own child process). Sizes: one row (batch 1), rows
// around the micro-kernel's 12 or 6, widths under a vector, around the 32- or 16-column panels and
// their halves, k = 1 and past the 1024-row k block; both dtypes, A plain and transposed, B plain
// and transposed; no activation, relu, sigmoid and tanh; and two products split between two threads.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { addonPath } from '../../src/backends/native/load-addon.js';
import { simdLevelsFrom } from './simd-levels.js';

const nativeUp = nb.backendInfo('native').available;

// Prints {simd, cases, mismatches: [case names], relus: how many outputs relu zeroed}.
const CHILD = `
const addon = require(process.argv[1]);
const args = new Float64Array(64);
addon.setArgs(args);
const unary = addon.opNames().unary;
const acts = [['none', -1], ...['relu', 'sigmoid', 'tanh'].map((n) => [n, unary.indexOf(n)])];
let seed = 7;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296 - 0.5);
// The plain matmul then the separate biasActivation (want), and the prepacked product with its epilogue (got).
function bothWays(Ctor, a, b, bias, act, m, k, n, ta, tb) {
  const shapes = [2, ta ? k : m, ta ? m : k, 2, tb ? n : k, tb ? k : n, ta, tb];
  const want = new Ctor(m * n), got = new Ctor(m * n);
  args.fill(0);
  args.set(shapes);
  addon.matmul(a, b, want);
  args.fill(0);
  args.set([m, n]);
  addon.biasActivation(act, want, bias);
  const packed = new Ctor(32 + k * Math.ceil(n / 32) * 32);
  args.fill(0);
  args.set(tb ? [k, n, 1, 1, k] : [k, n, 1, n, 1]);
  addon.prepacked(2, b, packed);
  args.fill(0);
  args.set([...shapes, act]);
  addon.prepacked(7, a, b, packed, bias, got);
  return { want, got };
}
const mismatches = [];
let cases = 0, zeroed = 0;
for (const m of [1, 5, 12, 13, 30])
  for (const n of [1, 3, 10, 17, 33, 70])
    for (const k of [1, 17, 1030])
      for (const Ctor of [Float32Array, Float64Array])
        for (const ta of [0, 1])
          for (const tb of [0, 1])
            for (const [name, act] of acts) {
              const a = Ctor.from({ length: m * k }, rand), b = Ctor.from({ length: k * n }, rand);
              const bias = Ctor.from({ length: n }, () => rand() * 4);
              const { want, got } = bothWays(Ctor, a, b, bias, act, m, k, n, ta, tb);
              cases++;
              if (name === 'relu') zeroed += want.filter((v) => v === 0).length;
              if (!Buffer.from(want.buffer).equals(Buffer.from(got.buffer)))
                mismatches.push(m + 'x' + k + 'x' + n + ' ' + Ctor.name + ' ' + name + (ta ? ' transposeA' : '') + (tb ? ' transposeB' : ''));
            }
// Products large enough to split between two threads (by columns, then by rows): each part
// applies the epilogue to its own blocks.
let threaded = 0;
for (const [m, k, n] of [[256, 784, 128], [600, 300, 64]]) {
  const a = Float32Array.from({ length: m * k }, rand), b = Float32Array.from({ length: k * n }, rand);
  const bias = Float32Array.from({ length: n }, rand);
  const { want, got } = bothWays(Float32Array, a, b, bias, unary.indexOf('relu'), m, k, n, 0, 0);
  if (Buffer.from(want.buffer).equals(Buffer.from(got.buffer))) threaded++;
  else mismatches.push(m + 'x' + k + 'x' + n + ' on ' + addon.info().threads + ' threads');
}

// A bias of the wrong length: a clear error naming the op.
let badBias = '';
try {
  args.fill(0);
  args.set([2, 6, 4, 2, 4, 3, 0, 0, -1]);
  const packed = new Float32Array(32 + 4 * 32);
  addon.prepacked(7, new Float32Array(24), new Float32Array(12), packed, new Float32Array(5), new Float32Array(18));
} catch (e) { badBias = String(e.message); }
console.log(JSON.stringify({ simd: addon.info().simd, cases, mismatches, zeroed, badBias, threaded }));
`;

/** The levels NABLA_SIMD can pick on a CPU whose best is `best`. */

describe('prepacked GEMM epilogue: bias + activation bit-equal to matmul then biasActivation', () => {
  if (!nativeUp) {
    it('(addon not built) the reason names the binary', () => expect(String(nb.backendInfo('native').reason)).toMatch(/nabla\.node/));
    return;
  }
  const best = String((nb.backendInfo('native') as { simd?: string }).simd);
  for (const level of simdLevelsFrom(best)) {
    it(`${level}: 2880 products (m, n, k around tiles and k blocks; float32/64; A, B plain/transposed; none/relu/sigmoid/tanh) and 2 on two threads`, () => {
      const r = spawnSync(process.execPath, ['-e', CHILD, addonPath()], { env: { ...process.env, NABLA_NUM_THREADS: '2', NABLA_SIMD: level === best ? '' : level }, encoding: 'utf8', maxBuffer: 1 << 24 });
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { simd: string; cases: number; mismatches: string[]; zeroed: number; badBias: string; threaded: number };
      expect(out.simd).toBe(level);
      expect(out.cases).toBe(2880);
      expect(out.threaded).toBe(2);
      expect(out.mismatches).toEqual([]);
      // relu did clip: the comparison would pass trivially if every output were positive.
      expect(out.zeroed).toBeGreaterThan(1000);
      expect(out.badBias).toMatch(/matmul epilogue: bias.*\b3\b/);
    });
  }

});
