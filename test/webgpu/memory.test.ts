// GPU memory on webgpu: released by dispose and tidy, by the garbage collector as a safety net,
// reported by nb.memory(), and flat over 200 training steps of a small MLP.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { collectGarbage } from '../engine/collect-garbage.js';
import { rand, startWebGpu } from './gpu-test-utils.js';

const started = await startWebGpu();

const gpuBytes = () => nb.memory().webgpu?.numBytes ?? 0;
const gpuBuffers = () => nb.memory().webgpu?.numBuffers ?? 0;

if (started === true) {
  describe('webgpu memory', () => {
    it('dispose and tidy give GPU bytes back; memory() counts them', () =>
      nb.withBackend('webgpu', () => {
        const before = gpuBytes();
        const a = nb.ones([1000]);
        expect(gpuBytes() - before).toBeGreaterThanOrEqual(4000);
        a.dispose();
        expect(gpuBytes()).toBe(before);
        const kept = nb.tidy(() => nb.add(nb.mul(nb.ones([64]), 2), 1));
        expect(gpuBuffers()).toBeGreaterThan(0);
        kept.dispose();
        expect(gpuBytes()).toBe(before);
      }));

    it('tensors dropped without dispose are freed when collected', async () => {
      const before = gpuBytes();
      nb.withBackend('webgpu', () => {
        for (let i = 0; i < 20; i++) nb.exp(nb.ones([256]));
      });
      expect(gpuBytes()).toBeGreaterThan(before);
      await collectGarbage(5);
      expect(gpuBytes()).toBe(before);
    });

    it('200 training steps of an MLP (tape + assignSub) end at the starting GPU bytes, with the loss falling', async () => {
      const x = nb.withBackend('webgpu', () => rand([32, 4], -1, 1, 1));
      // Target: a fixed smooth function of the inputs.
      const y = nb.withBackend('webgpu', () => nb.tanh(nb.sum(nb.mul(x, nb.tensor([0.5, -1, 0.25, 1])), 1, true)));
      const params = nb.withBackend('webgpu', () => [
        new nb.Variable(rand([4, 16], -0.5, 0.5, 2)),
        new nb.Variable(nb.zeros([16])),
        new nb.Variable(rand([16, 1], -0.5, 0.5, 3)),
        new nb.Variable(nb.zeros([1])),
      ]);
      const [w1, b1, w2, b2] = params as [nb.Variable, nb.Variable, nb.Variable, nb.Variable];
      const step = (): nb.Tensor =>
        nb.withBackend('webgpu', () =>
          nb.tidy(() => {
            const tape = new nb.GradientTape();
            const hidden = nb.relu(nb.add(nb.matmul(x, w1), b1));
            const pred = nb.add(nb.matmul(hidden, w2), b2);
            const loss = nb.mean(nb.square(nb.sub(pred, y)));
            const grads = tape.gradient(loss, params);
            params.forEach((p, i) => p.assignSub(nb.mul(grads[i]!, 0.1)));
            return loss;
          }),
        );
      const first = step();
      const firstLoss = (await first.data())[0]!;
      first.dispose();
      const start = gpuBytes();
      const startBuffers = gpuBuffers();
      let last: nb.Tensor | undefined;
      for (let i = 0; i < 200; i++) {
        last?.dispose();
        last = step();
      }
      const lastLoss = (await last!.data())[0]!;
      last!.dispose();
      expect(gpuBytes()).toBe(start);
      expect(gpuBuffers()).toBe(startBuffers);
      expect(lastLoss).toBeLessThan(firstLoss * 0.5);
    });
  });
} else {
  describe('webgpu memory (no adapter here)', () => {
    it('setBackend rejected with a reason', () => {
      expect(started.message).toMatch(/webgpu/);
    });
  });
}
