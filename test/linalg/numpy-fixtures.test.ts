// nb.linalg against numpy.linalg (test/fixtures/linalg.json, written by scripts/make-linalg-fixtures.py),
// in float64 and float32, on every backend with host kernels. For qr/svd/eigh the fixtures hold
// convention-free quantities; the factors themselves are checked by reconstruction and orthogonality.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import * as nb from '../../src/index.js';
import { backendsUnderTest, expectClose, on } from '../conformance/harness.js';

type Nested = number | Nested[];
const fx = JSON.parse(readFileSync(join(__dirname, '../fixtures/linalg.json'), 'utf8')) as Record<string, Record<string, Nested & Record<string, Nested>>>;
const la = nb.linalg;

const TOL: Record<'float32' | 'float64', { rtol: number; atol: number }> = {
  float64: { rtol: 1e-9, atol: 1e-10 },
  float32: { rtol: 2e-4, atol: 2e-5 },
};

function identity(n: number, batch: number[] = []): Nested {
  const eye = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  return batch.reduceRight<Nested>((inner, b) => Array.from({ length: b }, () => inner), eye);
}

const backends = backendsUnderTest().filter((b) => b !== 'webgpu');
for (const backend of backends) {
  for (const dtype of ['float64', 'float32'] as const) {
    const tol = TOL[dtype];
    const t = (v: Nested) => nb.tensor(v as never, dtype);
    describe(`linalg vs numpy on ${backend} in ${dtype}`, () => {
      it('cholesky, eigenvalues, det, slogdet and inv of SPD matrices (batched)', () =>
        on(backend, () => {
          const a = t(fx.spd!.a!);
          expectClose(la.cholesky(a), fx.spd!.cholesky!, tol);
          expectClose(la.eigh(a).values, fx.spd!.eigvalsh!, tol);
          expectClose(la.det(a), fx.spd!.det!, tol);
          expectClose(la.slogdet(a).sign, fx.spd!.slogdet!.sign!, tol);
          expectClose(la.slogdet(a).logAbsDet, fx.spd!.slogdet!.logabsdet!, tol);
          expectClose(la.inv(a), fx.spd!.inv!, tol);
          const { values, vectors } = la.eigh(a);
          const rebuilt = nb.matmul(nb.mul(vectors, nb.expandDims(values, -2)), vectors, { transposeB: true });
          expectClose(rebuilt, fx.spd!.a!, { ...tol, atol: tol.atol * 100 });
          expectClose(nb.matmul(vectors, vectors, { transposeA: true }), identity(4, [2]), tol);
        }));

      it('solve, inv, det, slogdet and singular values of general square matrices', () =>
        on(backend, () => {
          const a = t(fx.square!.a!);
          expectClose(la.solve(a, t(fx.square!.b!)), fx.square!.solve!, tol);
          expectClose(la.inv(a), fx.square!.inv!, tol);
          expectClose(la.det(a), fx.square!.det!, tol);
          expectClose(la.slogdet(a).sign, fx.square!.slogdet!.sign!, tol);
          expectClose(la.slogdet(a).logAbsDet, fx.square!.slogdet!.logabsdet!, tol);
          expectClose(la.svd(a).s, fx.square!.singular_values!, tol);
        }));

      it('tall and wide: lstsq, |diag R|, singular values, reconstruction and orthogonality', () =>
        on(backend, () => {
          for (const [name, m, n] of [['tall', 5, 3], ['wide', 3, 5]] as const) {
            const a = t(fx[name]!.a!);
            const k = Math.min(m, n);
            expectClose(la.lstsq(a, t(fx[name]!.b!)), fx[name]!.lstsq!, tol);
            const { q, r } = la.qr(a);
            expectClose(nb.abs(la.diagPart(r)), fx[name]!.abs_diag_r!, tol);
            expectClose(nb.matmul(q, r), fx[name]!.a!, tol);
            expectClose(nb.matmul(q, q, { transposeA: true }), identity(k), tol);
            expectClose(la.bandPart(r, 0, -1), r.arraySync() as Nested, tol);
            const { u, s, v } = la.svd(a);
            expectClose(s, fx[name]!.singular_values!, tol);
            expectClose(nb.matmul(nb.mul(u, nb.expandDims(s, -2)), v, { transposeB: true }), fx[name]!.a!, tol);
            expectClose(nb.matmul(u, u, { transposeA: true }), identity(k), tol);
            expectClose(nb.matmul(v, v, { transposeA: true }), identity(k), tol);
          }
        }));

      it('matrix and vector norms of every order', () =>
        on(backend, () => {
          const m = t(fx.tall!.a!);
          const orders: Record<string, nb.linalg.NormOrder> = { fro: 'fro', nuc: 'nuc', '1': 1, '-1': -1, '2': 2, '-2': -2, inf: Infinity, '-inf': -Infinity };
          for (const [key, ord] of Object.entries(orders)) expectClose(la.norm(m, { ord }), (fx.tall!.norms as Record<string, number>)[key]!, tol);
          const v = t(fx.vector!.x!);
          const vOrders: Record<string, number> = { '1': 1, '2': 2, '3': 3, '0.5': 0.5, inf: Infinity, '-inf': -Infinity, '0': 0 };
          for (const [key, ord] of Object.entries(vOrders)) expectClose(la.norm(v, { ord }), (fx.vector!.norms as Record<string, number>)[key]!, tol);
        }));

      it('batched singular values, norms, trace, diagPart and bandPart', () =>
        on(backend, () => {
          const a = t(fx.batch!.a!);
          expectClose(la.svd(a).s, fx.batch!.singular_values!, tol);
          expectClose(la.norm(a), fx.batch!.fro!, tol);
          expectClose(la.norm(a, { ord: 'nuc' }), fx.batch!.nuc!, tol);
          expectClose(la.norm(a, { ord: 'nuc', axis: [-2, -1], keepDims: true }), (fx.batch!.nuc! as number[]).map((x) => [[x]]), tol);
          expectClose(la.trace(a), fx.batch!.trace!, tol);
          expectClose(la.diagPart(a), fx.batch!.diag_part!, tol);
          expectClose(la.bandPart(a, 1, 0), fx.batch!.band_1_0!, tol);
        }));
    });
  }
}
