// vmap over the linear-algebra and FFT primitives equals stacking them over the examples, with the
// batch on any axis and with shared (unbatched) operands.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { sample } from '../conformance/harness.js';

function spd(seed: number): nb.Tensor {
  const x = sample([3, 3], -1, 1, seed);
  return nb.add(nb.matmul(x, x, { transposeB: true }), nb.mul(nb.eye(3, undefined, 'float64'), 3));
}

function expectStacked(batched: nb.Tensor, pieces: nb.Tensor[]): void {
  const want = nb.stack(pieces, 0).arraySync();
  const got = batched.arraySync() as unknown;
  const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);
  const a = flat(got);
  const b = flat(want);
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 8));
}

describe('vmap of linalg and signal primitives', () => {
  const mats = [spd(1), spd(2), spd(3), spd(4)];
  const batch = nb.stack(mats, 0);

  it('cholesky, eigh, qr, svd, det and inv map over the batch axis (first or last)', () => {
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
  });

  it('solve and triangularSolve with a shared matrix or a shared right-hand side', () => {
    const b = sample([3, 2], -1, 1, 9);
    expectStacked(nb.vmap((a: nb.Tensor) => nb.linalg.solve(a, b))(batch), mats.map((a) => nb.linalg.solve(a, b)));
    const bs = nb.stack([b, nb.mul(b, 2), nb.neg(b), nb.add(b, 1)], 0);
    const l = nb.linalg.cholesky(mats[0]!);
    expectStacked(
      nb.vmap((r: nb.Tensor) => nb.linalg.triangularSolve(l, r), { inAxes: 0 })(bs),
      [0, 1, 2, 3].map((i) => nb.linalg.triangularSolve(l, nb.gather(bs, i, 0).reshape([3, 2]))),
    );
  });

  it('fft, rfft and irfft map over the batch', () => {
    const xs = sample([4, 6], -1, 1, 5);
    const rows = [0, 1, 2, 3].map((i) => nb.gather(xs, i, 0).reshape([6]));
    expectStacked(nb.vmap((x: nb.Tensor) => nb.signal.rfft(x))(xs), rows.map((x) => nb.signal.rfft(x)));
    expectStacked(nb.vmap((x: nb.Tensor) => nb.signal.irfft(nb.signal.rfft(x), 6))(xs), rows);
    const zs = nb.stack([xs, nb.neg(xs)], -1);
    expectStacked(nb.vmap((z: nb.Tensor) => nb.signal.fft(z), { inAxes: 1 })(zs), [0, 1, 2, 3, 4, 5].map((j) => nb.signal.fft(nb.gather(zs, j, 1).reshape([4, 2]))));
  });

  it('per-example gradients through a decomposition (vmap of grad)', () => {
    const g = nb.vmap(nb.grad((a: nb.Tensor) => nb.linalg.slogdet(a).logAbsDet))(batch) as nb.Tensor;
    // d log|det A| / dA = A^-T.
    expectStacked(g, mats.map((a) => nb.transpose(nb.linalg.inv(a))));
  });
});
