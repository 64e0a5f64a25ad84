// The C++ kernels of the native and wasm backends (native/src/linalg/, native/src/fft.cc) against
// the TypeScript reference kernels on js, primitive by primitive: many shapes (square, tall, wide,
// batched, across the block sizes), float32 and float64, and the NaN/Inf of bad inputs.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { run, run1, NO_ATTRS } from '../../src/ops/run.js';
import { choleskyOp } from '../../src/linalg/cholesky.js';
import { qrOp } from '../../src/linalg/qr.js';
import { triangularSolveOp } from '../../src/linalg/triangular-solve.js';
import { luOp } from '../../src/linalg/lu.js';
import { fftOp, irfftOp, rfftOp } from '../../src/signal/fft-ops.js';
import { backendsUnderTest, on } from '../conformance/harness.js';

type Float = 'float32' | 'float64';

/** Deterministic values in [-1, 1). */
function values(size: number, seed: number): Float64Array {
  let s = seed * 2654435761 + 12345;
  const v = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    v[i] = s / 2 ** 31 - 1;
  }
  return v;
}

/** Symmetric positive definite matrices [batch..., n, n]: X Xᵀ / n + I. */
function spdValues(batch: number[], n: number, seed: number): Float64Array {
  const count = batch.reduce((a, b) => a * b, 1);
  const x = values(count * n * n, seed);
  const out = new Float64Array(count * n * n);
  for (let b = 0; b < count; b++) {
    const o = b * n * n;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let s = i === j ? 1 : 0;
        for (let k = 0; k < n; k++) s += (x[o + i * n + k]! * x[o + j * n + k]!) / n;
        out[o + i * n + j] = out[o + j * n + i] = s;
      }
    }
  }
  return out;
}

/** Triangular factors well away from singular: a dominant diagonal of either sign. */
function triangularValues(batch: number[], n: number, seed: number): Float64Array {
  const count = batch.reduce((a, b) => a * b, 1);
  const v = values(count * n * n, seed);
  for (let b = 0; b < count; b++) for (let i = 0; i < n; i++) v[b * n * n + i * n + i] = (i % 2 ? -1 : 1) * (2 + Math.abs(v[b * n * n + i * n + i]!));
  for (let i = 0; i < v.length; i++) if (i % (n * n) % (n + 1) !== 0) v[i] = v[i]! / Math.sqrt(n);
  return v;
}

/** Run a primitive on `backend` from host values, returning its outputs' values. */
function outputsOn(backend: string, f: () => nb.Tensor[]): Float64Array[] {
  return on(backend, () => f().map((t) => Float64Array.from(t.dataSync() as ArrayLike<number>)));
}

/** Equal within atol + rtol * max|expected|, with non-finite entries in the same places. */
function expectNear(actual: Float64Array, expected: Float64Array, rtol: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  let scale = 0;
  for (const e of expected) if (Number.isFinite(e)) scale = Math.max(scale, Math.abs(e));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      expect(Number.isNaN(a), `${what}: entry ${i} is ${a}, reference ${e}`).toBe(Number.isNaN(e));
      if (!Number.isNaN(e)) expect(a, `${what}: entry ${i}`).toBe(e);
      continue;
    }
    worst = Math.max(worst, Math.abs(a - e));
  }
  expect(worst, `${what}: largest difference (scale ${scale})`).toBeLessThanOrEqual(rtol * Math.max(scale, 1));
}

const tol = (dtype: Float, n: number) => (dtype === 'float64' ? 1e-12 * Math.max(n, 10) : 2e-6 * Math.max(n, 10));
const dtypes: Float[] = ['float32', 'float64'];

const compiled = backendsUnderTest().filter((b) => b === 'native' || b === 'wasm');

for (const backend of compiled) {
  describe(`linalg and FFT kernels of ${backend} equal the reference kernels`, () => {
    const compare = (f: () => nb.Tensor[], rtol: number, what: string) => {
      const got = outputsOn(backend, f);
      const want = outputsOn('js', f);
      got.forEach((g, i) => expectNear(g, want[i]!, rtol, `${what} output ${i}`));
    };

    for (const dtype of dtypes) {
      it(`cholesky, ${dtype}: sizes around the block of 96, batched`, () => {
        const cases: [number[], number][] = [[[], 1], [[], 5], [[3], 17], [[], 95], [[], 96], [[], 97], [[2], 150], [[], 300], [[2, 3], 8], [[40], 12]];
        for (const [batch, n] of cases) {
          const a = spdValues(batch, n, n + batch.length);
          compare(() => [run1(choleskyOp, [nb.tensor(a, [...batch, n, n], dtype)], NO_ATTRS)], tol(dtype, n), `cholesky ${dtype} [${batch}] ${n}`);
        }
      });

      it(`cholesky, ${dtype}: a matrix that is not positive definite gives NaNs, its batch neighbours their factors`, () => {
        const n = 130;
        const a = spdValues([3], n, 7);
        a[n * n + 100 * n + 100] = -5; // the second matrix loses definiteness past the first block
        a[2 * n * n + 0] = NaN; // the third has a NaN pivot
        const got = outputsOn(backend, () => [run1(choleskyOp, [nb.tensor(a, [3, n, n], dtype)], NO_ATTRS)])[0]!;
        expect(got.subarray(n * n).every(Number.isNaN)).toBe(true);
        expect(got.subarray(0, n * n).every(Number.isFinite)).toBe(true);
        compare(() => [run1(choleskyOp, [nb.tensor(a, [3, n, n], dtype)], NO_ATTRS)], tol(dtype, n), `cholesky ${dtype} not PD`);
      });

      it(`triangularSolve, ${dtype}: lower/upper, transposed or not, across the block of 64`, () => {
        const cases: [number[], number, number][] = [[[], 1, 1], [[], 7, 3], [[2], 63, 1], [[], 64, 65], [[], 65, 5], [[3], 130, 7], [[], 200, 200], [[2, 2], 9, 4]];
        for (const [batch, n, k] of cases) {
          const a = triangularValues(batch, n, n);
          const b = values(batch.reduce((x, y) => x * y, 1) * n * k, k);
          for (const lower of [true, false]) {
            for (const transposeA of [false, true]) {
              compare(
                () => [run1(triangularSolveOp, [nb.tensor(a, [...batch, n, n], dtype), nb.tensor(b, [...batch, n, k], dtype)], { lower, transposeA })],
                tol(dtype, n),
                `triangularSolve ${dtype} [${batch}] ${n}x${k} lower=${lower} transposeA=${transposeA}`,
              );
            }
          }
        }
      });

      it(`triangularSolve, ${dtype}: a zero on the diagonal gives the reference's Inf/NaN`, () => {
        const n = 70;
        const a = triangularValues([], n, 3);
        a[66 * n + 66] = 0;
        const b = values(n * 2, 4);
        for (const lower of [true, false]) {
          compare(() => [run1(triangularSolveOp, [nb.tensor(a, [n, n], dtype), nb.tensor(b, [n, 2], dtype)], { lower, transposeA: false })], tol(dtype, n), `singular lower=${lower}`);
        }
      });

      it(`qr, ${dtype}: square, tall and wide, across the panel of 48, batched`, () => {
        const cases: [number[], number, number][] = [[[], 1, 1], [[], 5, 3], [[], 3, 5], [[2], 47, 47], [[], 48, 48], [[], 49, 49], [[], 100, 60], [[], 60, 100], [[], 130, 97], [[2, 3], 6, 4], [[], 200, 200]];
        for (const [batch, m, n] of cases) {
          const a = values(batch.reduce((x, y) => x * y, 1) * m * n, m + n);
          compare(() => run(qrOp, [nb.tensor(a, [...batch, m, n], dtype)], NO_ATTRS), 10 * tol(dtype, Math.max(m, n)), `qr ${dtype} [${batch}] ${m}x${n}`);
        }
      });

      it(`qr, ${dtype}: a zero column gives the reference's identity reflection; a repeated column still gives Q R = A`, () => {
        const m = 60;
        const n = 55;
        const a = values(m * n, 9);
        for (let i = 0; i < m; i++) a[i * n + 3] = 0;
        compare(() => run(qrOp, [nb.tensor(a, [m, n], dtype)], NO_ATTRS), 10 * tol(dtype, m), `qr ${dtype} zero column`);
        // A repeated column leaves a remainder of rounding noise, whose reflection no two kernels agree on.
        for (let i = 0; i < m; i++) a[i * n + 50] = a[i * n + 1]!;
        on(backend, () => {
          const [q, r] = run(qrOp, [nb.tensor(a, [m, n], dtype)], NO_ATTRS);
          const residual = nb.max(nb.abs(nb.sub(nb.matmul(q!, r!), nb.tensor(a, [m, n], dtype)))).item();
          const orthogonality = nb.max(nb.abs(nb.sub(nb.matmul(q!, q!, { transposeA: true }), nb.eye(n, n, dtype)))).item();
          expect(residual).toBeLessThan(tol(dtype, m));
          expect(orthogonality).toBeLessThan(tol(dtype, m));
        });
      });

      it(`lu, ${dtype}: the same pivots, factors and signs across the block of 64, batched`, () => {
        const cases: [number[], number][] = [[[], 1], [[], 2], [[3], 9], [[], 63], [[], 64], [[], 65], [[2], 130], [[], 200], [[2, 2], 5]];
        for (const [batch, n] of cases) {
          const a = values(batch.reduce((x, y) => x * y, 1) * n * n, 3 * n);
          compare(() => run(luOp, [nb.tensor(a, [...batch, n, n], dtype)], NO_ATTRS), 10 * tol(dtype, n), `lu ${dtype} [${batch}] ${n}`);
        }
      });

      it(`lu, ${dtype}: a singular matrix keeps its zero pivot as the reference does; solve and det agree`, () => {
        const n = 70;
        const a = values(n * n, 5);
        for (let i = 0; i < n; i++) a[i * n + 2] = 0; // a zero column: pivot 0 at step 2
        compare(() => run(luOp, [nb.tensor(a, [n, n], dtype)], NO_ATTRS), 10 * tol(dtype, n), `lu ${dtype} singular`);
        const b = values(n * 3, 6);
        compare(() => [nb.linalg.det(nb.tensor(a, [n, n], dtype)), nb.linalg.solve(nb.tensor(a, [n, n], dtype), nb.tensor(b, [n, 3], dtype))], 10 * tol(dtype, n), `det/solve ${dtype} singular`);
        const good = values(n * n, 8);
        compare(() => [nb.linalg.solve(nb.tensor(good, [n, n], dtype), nb.tensor(b, [n, 3], dtype)), nb.linalg.slogdet(nb.tensor(good, [n, n], dtype)).logAbsDet], 1e3 * tol(dtype, n), `solve ${dtype}`);
      });

      it(`fft, ifft, rfft, irfft, ${dtype}: powers of two and Bluestein lengths, batched`, () => {
        for (const n of [1, 2, 3, 5, 8, 16, 17, 100, 128, 1000, 1024]) {
          const rows = n > 200 ? 2 : 3;
          const z = values(rows * n * 2, n);
          const x = values(rows * n, n + 1);
          const half = Math.floor(n / 2) + 1;
          const h = values(rows * half * 2, n + 2);
          const rtol = (dtype === 'float64' ? 1e-13 : 1e-6) * Math.log2(n + 1) * 4;
          for (const inverse of [false, true]) compare(() => [run1(fftOp, [nb.tensor(z, [rows, n, 2], dtype)], { inverse })], rtol, `fft ${dtype} n=${n} inverse=${inverse}`);
          compare(() => [run1(rfftOp, [nb.tensor(x, [rows, n], dtype)], NO_ATTRS)], rtol, `rfft ${dtype} n=${n}`);
          for (const hermitian of [true, false]) compare(() => [run1(irfftOp, [nb.tensor(h, [rows, half, 2], dtype)], { n, hermitian })], rtol, `irfft ${dtype} n=${n} hermitian=${hermitian}`);
        }
      });
    }

    it('qr (two outputs in one array) and a solve inside nb.jit equal eager, twice', () =>
      on(backend, () => {
        const f = (a: nb.Tensor) => {
          const { q, r } = nb.linalg.qr(a);
          return nb.add(nb.sum(nb.mul(q, q)), nb.sum(nb.linalg.triangularSolve(r, nb.linalg.matrixTranspose(q), { lower: false })));
        };
        const a = nb.tensor(values(5 * 4, 3), [5, 4], 'float64');
        const jitted = nb.jit(f);
        const eager = f(a).item();
        expect(jitted(a).item()).toBeCloseTo(eager, 10);
        expect(jitted(a).item()).toBeCloseTo(eager, 10);
      }));

    it('cholesky above the TypeScript blocking threshold runs as one kernel call: L Lᵀ = A', () =>
      on(backend, () => {
        const n = 300;
        const a = nb.tensor(spdValues([], n, 2), [n, n], 'float64');
        const l = nb.linalg.cholesky(a);
        const err = nb.max(nb.abs(nb.sub(nb.matmul(l, l, { transposeB: true }), a))).item();
        expect(err).toBeLessThan(1e-12 * n);
      }));
  });
}
