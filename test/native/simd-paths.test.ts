// Every GEMM micro-kernel this CPU can run (AVX-512, AVX2+FMA, portable scalar) against a plain
// triple loop, at sizes that leave edge tiles; and the float32 elementwise loops at every level,
// bit for bit against each other and against the js backend. NABLA_SIMD lowers the level the
// addon picks at load, so each level runs in its own child process.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { addonPath, type NativeAddon } from '../../src/backends/native/load-addon.js';
import { caseInputs, elementwiseCases, type RawCase } from './elementwise-cases.js';
import { simdLevelsFrom } from './simd-levels.js';

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

function runWith<T>(simd: string, child = CHILD, stdin = ''): T {
  const r = spawnSync(process.execPath, ['-e', child, addonPath()], { env: { ...process.env, NABLA_SIMD: simd }, encoding: 'utf8', input: stdin, maxBuffer: 1 << 26 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

// Reads {inputs: {name: base64 bytes}, cases: RawCase[]} from stdin; prints each case's output bytes.
const ELEMENTWISE_CHILD = `
const addon = require(process.argv[1]);
const args = new Float64Array(1024);
addon.setArgs(args);
const { inputs, cases } = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const bufs = {};
for (const [name, { b64, bool }] of Object.entries(inputs)) {
  const bytes = Buffer.from(b64, 'base64');
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  bufs[name] = bool ? copy : new Float32Array(copy.buffer);
}
const outputs = {};
for (const c of cases) {
  const out = c.out.bool ? new Uint8Array(c.out.length) : new Float32Array(c.out.length);
  args.fill(0);
  args.set(c.words);
  const ins = c.inputs.map((n) => bufs[n]);
  const buffers = c.entry === 'fusedElementwise' ? [out, ...ins] : [...ins, out];
  if (c.op === null) addon[c.entry](...buffers); else addon[c.entry](c.op, ...buffers);
  outputs[c.name] = Buffer.from(out.buffer).toString('base64');
}
console.log(JSON.stringify({ simd: addon.info().simd, outputs }));
`;

/** The levels NABLA_SIMD can pick on a CPU whose best is `best`. */

describe('GEMM micro-kernels at every SIMD level this machine has', () => {
  if (!nativeUp) {
    it('(addon not built) the reason names the binary', () => expect(String(nb.backendInfo('native').reason)).toMatch(/nabla\.node/));
    return;
  }
  const best = String((nb.backendInfo('native') as { simd?: string }).simd);
  for (const level of simdLevelsFrom(best)) {
    it(`${level}: odd sizes and transposes match a triple loop`, () => {
      const r = runWith<{ simd: string; worst: number }>(level === best ? '' : level);
      expect(r.simd).toBe(level);
      expect(r.worst).toBeLessThanOrEqual(1);
    });
  }
});

describe('float32 elementwise loops at every SIMD level this machine has', () => {
  if (!nativeUp) return;
  const best = String((nb.backendInfo('native') as { simd?: string }).simd);
  const inputs = caseInputs();
  const cases = elementwiseCases((createRequire(import.meta.url)(addonPath()) as NativeAddon).opNames());
  const stdin = JSON.stringify({
    inputs: Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, { b64: Buffer.from(v.data.buffer).toString('base64'), bool: v.dtype === 'bool' }])),
    cases: cases.map(({ name, entry, op, words, inputs: ins, out }): RawCase => ({ name, entry, op, words, inputs: ins, out })),
  });
  const outputsAt = new Map<string, Record<string, string>>();
  const outputs = (level: string) => {
    if (!outputsAt.has(level)) {
      const r = runWith<{ simd: string; outputs: Record<string, string> }>(level === best ? '' : level, ELEMENTWISE_CHILD, stdin);
      expect(r.simd).toBe(level);
      outputsAt.set(level, r.outputs);
    }
    return outputsAt.get(level)!;
  };

  /** Output bytes with every float32 NaN made the same: which NaN an add of two NaNs returns depends on the operand order the compiler picked. */
  const canonicalNaNs = (b64: string, bool: boolean) => {
    const bytes = new Uint8Array(Buffer.from(b64, 'base64'));
    if (bool) return bytes;
    const f = new Float32Array(bytes.buffer), bits = new Uint32Array(bytes.buffer);
    for (let i = 0; i < f.length; i++) if (Number.isNaN(f[i])) bits[i] = 0x7fc00000;
    return bytes;
  };

  for (const level of simdLevelsFrom(best).slice(1)) {
    it(`${level}: the same bits as ${best} in all ${cases.length} cases (any NaN equal to any NaN)`, () => {
      const got = outputs(level), want = outputs(best);
      for (const c of cases) expect(canonicalNaNs(got[c.name]!, c.out.bool), c.name).toEqual(canonicalNaNs(want[c.name]!, c.out.bool));
    });
  }

  it(`${best}: equal to the js backend (signed zeros and NaN positions; the lane sum within 1e-6)`, () => {
    const got = outputs(best);
    nb.withBackend('js', () => {
      const t = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, nb.tensor(v.data.slice(), v.shape, v.dtype)]));
      for (const c of cases) {
        const want = c.reference(t).dataSync();
        const bytes = Buffer.from(got[c.name]!, 'base64');
        const native = c.out.bool ? new Uint8Array(bytes) : new Float32Array(new Uint8Array(bytes).buffer);
        expect(native.length, c.name).toBe(want.length);
        for (let i = 0; i < want.length; i++) {
          const a = native[i]!, b = Number(want[i]!);
          if (Object.is(a, b) || (c.tolerance > 0 && Math.abs(a - b) <= c.tolerance * Math.max(1, Math.abs(b)))) continue;
          throw new Error(`${c.name}: element ${i} is ${a} on native (${best}), ${b} on js`);
        }
      }
    });
  });
});
