// DESIGN.md §6: a user who never calls dispose on CPU must not leak, even in a long synchronous
// loop (where FinalizationRegistry callbacks cannot run until the loop yields).
import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { backendsUnderTest, on } from '../conformance/harness.js';
import { collectGarbage, collectNow } from './collect-garbage.js';
import { MAX_SHARED_GROUP } from '../../src/engine/memory.js';

const MB = 1 << 20;
const used = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

for (const backend of backendsUnderTest()) {
  describe(`an eager loop that never disposes, on ${backend}`, () => {
    it('100,000 iterations of x = x.mul(0.999).add(0.001) on [100] stay within a fixed memory bound', async () => {
      await collectGarbage();
      let x = on(backend, () => nb.zeros([100]));
      const run = (n: number) =>
        on(backend, () => {
          for (let i = 0; i < n; i++) x = x.mul(0.999).add(0.001);
        });
      collectNow();
      const start = used();
      run(50_000);
      collectNow(); // same task: nothing the registry holds has been given back yet
      const half = used();
      run(50_000);
      collectNow();
      const end = used();
      // Each half allocates 200,000 tensors, 20 MB of float32 buffers of [100] alone. Holding them (or
      // even ~100 bytes of bookkeeping per tensor) until the loop yields would break these bounds.
      expect((half - start) / MB, 'growth over the first 50,000 iterations (MB)').toBeLessThan(12);
      expect((end - half) / MB, 'growth over the next 50,000 iterations (MB)').toBeLessThan(8);
      // x_n = 1 - 0.999^n, which is 1 within float32 rounding after 100,000 steps.
      const v = x.dataSync();
      expect(v.length).toBe(100);
      for (const e of v) expect(Math.abs(e - 1)).toBeLessThan(1e-3);
      // Once the loop has yielded, the counts come back down too, but for the group the survivor
      // \`x\` is counted in (groups grow while a loop never yields, up to MAX_SHARED_GROUP).
      await collectGarbage();
      expect(nb.memory()[backend]!.numTensors).toBeLessThan(100 + MAX_SHARED_GROUP);
    });

    it('100,000 variable updates (v.assignSub(v.mul(1e-5))) stay within a fixed memory bound', async () => {
      await collectGarbage();
      const v = on(backend, () => new nb.Variable(nb.ones([100])));
      const run = (n: number) =>
        on(backend, () => {
          for (let i = 0; i < n; i++) v.assignSub(v.mul(1e-5));
        });
      collectNow();
      const start = used();
      run(50_000);
      collectNow();
      const half = used();
      run(50_000);
      collectNow();
      const end = used();
      // A registry entry per assign (~200 bytes) would already cost ~10 MB per half. The first half
      // also pays for warm-up (compiled code, the native backend's first output slabs): it measured
      // 6.07 MB once on a loaded machine, so it gets more room than the steady second half.
      expect((half - start) / MB, 'growth over the first 50,000 updates (MB)').toBeLessThan(9);
      expect((end - half) / MB, 'growth over the next 50,000 updates (MB)').toBeLessThan(6);
      expectCloseTo(v.dataSync()[0]!, Math.pow(1 - 1e-5, 100_000), 1e-2); // about 1/e
      await collectGarbage();
      expect(nb.memory()[backend]!.numTensors).toBeLessThan(100 + MAX_SHARED_GROUP);
    });
  });
}

function expectCloseTo(actual: number, expected: number, rtol: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rtol * Math.abs(expected));
}
