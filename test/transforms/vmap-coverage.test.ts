// Every op defined anywhere in nabla (primitives, fused jit ops, linalg, FFT, control flow, scan,
// checkpoint, custom gradients) has a batching rule, so nb.vmap never meets an op it cannot map
// (whileLoop's included: test/transforms/vmap-while-jit.test.ts).
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

  it('the whileLoop node is batched (per-example trip counts inside nb.jit), not refused', () => {
    const halve = (x: nb.Tensor) => nb.whileLoop((v) => nb.greater(v, 1), (v) => [nb.div(v, 2)], [x])[0]!;
    expect(nb.jit((x: nb.Tensor) => nb.vmap(halve)(x))(nb.tensor([10, 100, 0.5])).arraySync()).toEqual([0.625, 0.78125, 0.5]);
  });
});
