// Forward mode through nb.linalg and nb.signal on every backend: each case's JVP against central
// finite differences (float64 on js), with outputs made unique where a decomposition is only
// unique up to signs (QR with a positive diagonal of R, eigen/singular vectors with a positive first
// row), so that backends with other sign conventions compare. The coverage test holds every linalg
// and FFT primitive to at least one case.
import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { LINALG_OPS } from '../../src/linalg/primitives.js';
import { SIGNAL_OPS } from '../../src/signal/primitives.js';
import { backendsUnderTest, expectClose, on, sample, widestFloat } from './harness.js';

type T = nb.Tensor;
type Primitive = keyof typeof LINALG_OPS | keyof typeof SIGNAL_OPS;

interface Case {
  name: string;
  /** The primitives the function runs (its JVP goes through their rules). */
  covers: Primitive[];
  shapes: number[][];
  f: (...xs: T[]) => T;
}

const eye = (n: number, like: T) => nb.eye(n, undefined, like.dtype);
/** A well-conditioned square matrix from a raw one: a + 3I. */
const wellConditioned = (a: T) => nb.add(a, nb.mul(eye(a.shape[0]!, a), 3));
/** A symmetric positive-definite matrix from a raw one: a aᵀ + 3I. */
const spd = (a: T) => nb.add(nb.matmul(a, a, { transposeB: true }), nb.mul(eye(a.shape[0]!, a), 3));
/** A symmetric matrix from a raw one. */
const sym = (a: T) => nb.mul(nb.add(a, nb.transpose(a)), 0.5);
/** Columns of `m` times the signs of `row` (each column made unique up to sign by fixing one of its entries' sign). */
const signed = (m: T, row: T) => nb.mul(m, nb.sign(row));
const flat = (...ts: T[]) => nb.concat(ts.map((t) => nb.reshape(t, [t.size])));
const firstRow = (m: T) => nb.reshape(nb.slice(m, [0, 0], [1, -1]), [m.shape[1]!]);

const cases: Case[] = [
  { name: 'cholesky of an SPD matrix', covers: ['cholesky'], shapes: [[3, 3]], f: (a) => nb.linalg.cholesky(spd(a)) },
  {
    name: 'triangularSolve (lower, and upper transposed)',
    covers: ['triangularSolve'],
    shapes: [[3, 3], [3, 2]],
    f: (l, b) => flat(nb.linalg.triangularSolve(wellConditioned(l), b), nb.linalg.triangularSolve(wellConditioned(l), b, { lower: false, transposeA: true })),
  },
  {
    name: 'qr (R with a positive diagonal)',
    covers: ['qr'],
    shapes: [[4, 3]],
    f: (a) => {
      const { q, r } = nb.linalg.qr(a);
      const s = nb.sign(nb.linalg.diagPart(r));
      return flat(nb.mul(q, s), nb.mul(r, nb.reshape(s, [3, 1])));
    },
  },
  {
    name: 'eigh (eigenvectors with a positive first row)',
    covers: ['eigh'],
    shapes: [[3, 3]],
    f: (a) => {
      const { values, vectors } = nb.linalg.eigh(sym(a));
      return flat(values, signed(vectors, firstRow(vectors)));
    },
  },
  {
    name: 'svd (u with a positive first row, v flipped alike)',
    covers: ['svd'],
    shapes: [[4, 3]],
    f: (a) => {
      const { u, s, v } = nb.linalg.svd(a);
      const row = firstRow(u);
      return flat(s, signed(u, row), signed(v, row));
    },
  },
  { name: 'solve', covers: ['lu', 'triangularSolve'], shapes: [[3, 3], [3, 2]], f: (a, b) => nb.linalg.solve(wellConditioned(a), b) },
  { name: 'inv', covers: ['lu'], shapes: [[3, 3]], f: (a) => nb.linalg.inv(wellConditioned(a)) },
  { name: 'det', covers: ['lu'], shapes: [[3, 3]], f: (a) => nb.linalg.det(wellConditioned(a)) },
  { name: 'slogdet', covers: ['lu'], shapes: [[3, 3]], f: (a) => nb.linalg.slogdet(wellConditioned(a)).logAbsDet },
  { name: 'fft', covers: ['fft'], shapes: [[5, 2]], f: (z) => nb.signal.fft(z) },
  { name: 'ifft', covers: ['fft'], shapes: [[6, 2]], f: (z) => nb.signal.ifft(z) },
  { name: 'rfft', covers: ['rfft'], shapes: [[6]], f: (x) => nb.signal.rfft(x) },
  { name: 'irfft (odd length)', covers: ['irfft'], shapes: [[4, 2]], f: (z) => nb.signal.irfft(z, 7) },
  { name: 'irfft of rfft, batched rows', covers: ['rfft', 'irfft'], shapes: [[2, 8]], f: (x) => nb.signal.irfft(nb.mul(nb.signal.rfft(x), nb.signal.rfft(x)), 8) },
];

describe('the linalg/signal JVP table covers every linalg and FFT primitive', () => {
  it('each primitive of LINALG_OPS and SIGNAL_OPS has a case', () => {
    const covered = new Set(cases.flatMap((c) => c.covers));
    const all = [...Object.keys(LINALG_OPS), ...Object.keys(SIGNAL_OPS)];
    expect(all.length).toBeGreaterThanOrEqual(9);
    expect(all.filter((n) => !covered.has(n as Primitive))).toEqual([]);
  });
});

/** Float64 primals and tangents of a case (deterministic). */
function caseValues(c: Case): { xs: Float64Array[]; vs: Float64Array[] } {
  return nb.withBackend('js', () => ({
    xs: c.shapes.map((s, k) => sample(s, -1, 1, 3 + k).dataSync() as Float64Array),
    vs: c.shapes.map((s, k) => sample(s, -1, 1, 17 + k).dataSync() as Float64Array),
  }));
}

function finiteDifference(c: Case, eps = 1e-6): number[] {
  const { xs, vs } = caseValues(c);
  return nb.withBackend('js', () => {
    const at = (sign: number) =>
      Array.from(c.f(...xs.map((x, k) => nb.tensor(x.map((v, j) => v + sign * eps * vs[k]![j]!), c.shapes[k]!, 'float64'))).dataSync() as Float64Array);
    const plus = at(1);
    const minus = at(-1);
    return plus.map((p, j) => (p - minus[j]!) / (2 * eps));
  });
}

const references = new Map<Case, number[]>();
const reference = (c: Case) => references.get(c) ?? references.set(c, finiteDifference(c)).get(c)!;
const tolerance = (dtype: nb.DType) => (dtype === 'float64' ? { rtol: 1e-5, atol: 1e-7 } : { rtol: 5e-3, atol: 5e-4 });

for (const backend of backendsUnderTest()) {
  describe(`jvp of linalg and signal on ${backend}`, () => {
    for (const c of cases) {
      it(`${c.name}: jvp vs central differences`, () =>
        on(backend, () => {
          const dtype = widestFloat(backend);
          const { xs, vs } = caseValues(c);
          const make = (v: Float64Array, k: number) => nb.tensor(dtype === 'float64' ? v : Float32Array.from(v), c.shapes[k]!, dtype);
          const [, t] = nb.jvp(c.f, xs.map(make), vs.map(make));
          expectClose(nb.reshape(t, [t.size]), reference(c), tolerance(dtype));
        }));
    }
  });
}
