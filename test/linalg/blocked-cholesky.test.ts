// The blocked Cholesky (diagonal blocks by the kernel, panels by triangularSolve, trailing updates by
// matmul) against the unblocked primitive, in values and gradients; and the decompositions under nb.jit.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { blockedCholesky, CHOLESKY_BLOCKED_ABOVE } from '../../src/linalg/decompositions.js';
import { backendsUnderTest, checkGrad, expectClose, on, sample } from '../conformance/harness.js';

const la = nb.linalg;

function spd(x: nb.Tensor): nb.Tensor {
  const n = x.shape[x.rank - 1]!;
  return nb.add(nb.matmul(x, x, { transposeB: true }), nb.mul(nb.eye(n, n, x.dtype), n));
}

for (const backend of backendsUnderTest().filter((b) => b !== 'webgpu')) {
  describe(`blocked cholesky on ${backend}`, () => {
    it('blocks of 2 on 5 x 5 matrices equal the unblocked factor, and so do their gradients', () =>
      on(backend, () => {
        const a = spd(sample([2, 5, 5]));
        expectClose(blockedCholesky(a, 2), la.cholesky(a).arraySync() as number[][][]);
        checkGrad((x) => blockedCholesky(spd(x), 2), [sample([2, 5, 5], -1, 1, 3)], { rtol: 1e-4, atol: 1e-6 });
      }));

    it(`matrices above ${CHOLESKY_BLOCKED_ABOVE} go through the blocks: L Lᵀ = A with L lower triangular`, () =>
      on(backend, () => {
        const n = CHOLESKY_BLOCKED_ABOVE + 9;
        const a = spd(sample([n, n]));
        const l = la.cholesky(a);
        const err = nb.max(nb.abs(nb.sub(nb.matmul(l, l, { transposeB: true }), a))).item();
        expect(err).toBeLessThan(1e-9 * n);
        expect(nb.max(nb.abs(nb.sub(l, la.bandPart(l, -1, 0)))).item()).toBe(0);
      }));

    // The second call replays a plan; on wasm its in-place step writes into a plan input (the
    // output of a host kernel), which the wasm addon must copy back (it returned -1, det's sign, before).
    it('decompositions and solves inside nb.jit equal eager', () =>
      on(backend, () => {
        const f = (a: nb.Tensor, b: nb.Tensor) => {
          const l = la.cholesky(spd(a));
          const alpha = la.triangularSolve(l, la.triangularSolve(l, b), { transposeA: true });
          return nb.add(nb.sum(alpha), nb.add(la.svd(a).s.sum(), la.det(a)));
        };
        const a = sample([3, 3], -1, 1, 5);
        const b = sample([3, 1], -1, 1, 6);
        const jitted = nb.jit(f);
        expectClose(jitted(a, b), f(a, b).item(), { rtol: 1e-9 });
        expectClose(jitted(a, b), f(a, b).item(), { rtol: 1e-9 });
      }));
  });
}
