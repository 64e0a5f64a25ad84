// fit and evaluate let the event loop turn while they run: before, a fit's awaits all resolved as
// microtasks, so a 10 ms timer never ticked during it (a server using nabla stopped answering).
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';

const L = nb.layers;

async function ticksDuring(work: () => Promise<unknown>): Promise<{ ticks: number; ms: number }> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  const t0 = performance.now();
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return { ticks, ms: performance.now() - t0 };
}

describe('training loops yield to the event loop', () => {
  nb.random.seed(5);
  const x = nb.random.normal([2048, 16]);
  const y = nb.random.uniform([2048, 1]);
  const model = new nb.Sequential([new L.Dense(32, { inputShape: [16], activation: 'relu' }), new L.Dense(1)]);
  model.compile({ optimizer: 'sgd', loss: 'mse' });

  it('a 10 ms timer ticks during fit', async () => {
    const { ticks, ms } = await ticksDuring(() => model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 }));
    // 1024 steps: long enough for several ticks on any machine (checked so that 0 ticks would mean something).
    expect(ms).toBeGreaterThan(50);
    expect(ticks).toBeGreaterThanOrEqual(Math.min(3, Math.floor(ms / 40)));
    expect(ticks).toBeGreaterThan(0);
  });

  it('a 10 ms timer ticks during evaluate', async () => {
    const { ticks, ms } = await ticksDuring(() => model.evaluate(x, y, { batchSize: 1, verbose: 0 }));
    expect(ms).toBeGreaterThan(50);
    expect(ticks).toBeGreaterThan(0);
  });
});
