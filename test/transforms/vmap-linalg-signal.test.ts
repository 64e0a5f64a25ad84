// vmap over the linear-algebra and FFT primitives equals stacking them over the examples, with the
// batch on any axis and with shared (unbatched) operands, on every backend under test.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { backendsUnderTest, expectClose, on, sampleFloat, widestFloat } from '../conformance/harness.js';

function spd(seed: number): nb.Tensor {
  const x = sampleFloat([3, 3], -1, 1, seed);
  return nb.add(nb.matmul(x, x, { transposeB: true }), nb.mul(nb.eye(3, undefined, x.dtype), 3));
}

/** The batched result equals the pieces stacked along axis 0: same shape, largest difference within the dtype's tolerance. */
function expectStacked(batched: nb.Tensor, pieces: nb.Tensor[]): void {
  const want = nb.stack(pieces, 0);
  expect(batched.shape).toEqual(want.shape);
  const tol = batched.dtype === 'float64' ? 1e-8 : 2e-4;
  const scale = nb.add(nb.max(nb.abs(want)), 1);
  expectClose(nb.div(nb.max(nb.abs(nb.sub(batched, want))), scale), 0, { atol: tol, rtol: 0 });
}

for (const backend of backendsUnderTest()) {
  describe(`vmap of linalg and signal primitives on ${backend}`, () => {
    const matrices = () => [spd(1), spd(2), spd(3), spd(4)];

    it('cholesky, eigh, qr, svd, det and inv map over the batch axis (first or last)', () =>
      on(backend, () => {
        const mats = matrices();
        const batch = nb.stack(mats, 0);
        expect(batch.dtype).toBe(widestFloat(backend));
        const ops: [string, (a: nb.Tensor) => nb.Tensor][] = [
          ['cholesky', (a) => nb.linalg.cholesky(a)],
          ['eigh values', (a) => nb.linalg.eigh(a).values],
          ['qr r', (a) => nb.linalg.qr(a).r.abs()],
          ['svd s', (a) => nb.linalg.svd(a).s],
          ['det', (a) => nb.linalg.det(a)],
          ['inv', (a) => nb.linalg.inv(a)],
        ];
        for (const [, f] of ops) {
          expectStacked(nb.vmap(f)(batch), mats.map(f));
          expectStacked(nb.vmap(f, { inAxes: 2 })(nb.transpose(batch, [1, 2, 0])), mats.map(f));
        }
      }));

    it('solve and triangularSolve with a shared matrix or a shared right-hand side', () =>
      on(backend, () => {
        const mats = matrices();
        const batch = nb.stack(mats, 0);
        const b = sampleFloat([3, 2], -1, 1, 9);
        expectStacked(nb.vmap((a: nb.Tensor) => nb.linalg.solve(a, b))(batch), mats.map((a) => nb.linalg.solve(a, b)));
        const bs = nb.stack([b, nb.mul(b, 2), nb.neg(b), nb.add(b, 1)], 0);
        const l = nb.linalg.cholesky(mats[0]!);
        expectStacked(
          nb.vmap((r: nb.Tensor) => nb.linalg.triangularSolve(l, r), { inAxes: 0 })(bs),
          [0, 1, 2, 3].map((i) => nb.linalg.triangularSolve(l, nb.gather(bs, i, 0).reshape([3, 2]))),
        );
      }));

    it('fft, rfft and irfft map over the batch', () =>
      on(backend, () => {
        const xs = sampleFloat([4, 6], -1, 1, 5);
        const rows = [0, 1, 2, 3].map((i) => nb.gather(xs, i, 0).reshape([6]));
        expectStacked(nb.vmap((x: nb.Tensor) => nb.signal.rfft(x))(xs), rows.map((x) => nb.signal.rfft(x)));
        expectStacked(nb.vmap((x: nb.Tensor) => nb.signal.irfft(nb.signal.rfft(x), 6))(xs), rows);
        const zs = nb.stack([xs, nb.neg(xs)], -1);
        expectStacked(nb.vmap((z: nb.Tensor) => nb.signal.fft(z), { inAxes: 1 })(zs), [0, 1, 2, 3, 4, 5].map((j) => nb.signal.fft(nb.gather(zs, j, 1).reshape([4, 2]))));
      }));

    it('per-example gradients through a decomposition (vmap of grad)', () =>
      on(backend, () => {
        const mats = matrices();
        const g = nb.vmap(nb.grad((a: nb.Tensor) => nb.linalg.slogdet(a).logAbsDet))(nb.stack(mats, 0)) as nb.Tensor;
        // d log|det A| / dA = A^-T.
        expectStacked(g, mats.map((a) => nb.transpose(nb.linalg.inv(a))));
      }));
  });
}
