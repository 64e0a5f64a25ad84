// Every op defined anywhere in nabla (primitives, fused jit ops, linalg, FFT, control flow, scan,
// checkpoint, custom gradients) has a batching rule, so nb.vmap never meets an op it cannot map;
// an op that cannot be batched says so with a clear error from its rule (whileLoop's trip count).
import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { definedOps } from '../../src/ops/define-op.js';

describe('vmap coverage', () => {
  it('every defined op has a batching rule', () => {
    // The registry really sees the ops of every layer (a broken registry would pass vacuously).
    const names = new Set(definedOps.map((op) => op.name));
    for (const n of ['matmul', 'scan', 'checkpoint', 'recomputeBarrier', 'whileLoop', 'cholesky', 'customGradient', 'fusedElementwise']) {
      expect(names.has(n), `op '${n}' is registered`).toBe(true);
    }
    const missing = definedOps.filter((op) => typeof op.batch !== 'function').map((op) => op.name);
    expect(missing).toEqual([]);
  });

  it('the one op that cannot be batched (a jitted whileLoop node with a per-example trip count) refuses with the reason', () => {
    const whileOp = definedOps.find((op) => op.name === 'whileLoop')!;
    const x = nb.zeros([3]);
    expect(() => whileOp.batch!([x], [0], {} as never, {} as never)).toThrow(/vmap: whileLoop cannot run a different number of iterations per example/);
  });
});
