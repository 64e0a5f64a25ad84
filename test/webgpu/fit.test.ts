// Keras fit on webgpu: losses and metrics are read asynchronously, and GPU memory stays flat.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { rand, startWebGpu } from './gpu-test-utils.js';

const started = await startWebGpu();

if (started === true) {
  describe('model.fit on webgpu', () => {
    it('trains a small classifier (jitted steps, shuffled batches) and does not grow GPU memory across epochs', async () => {
      const x = rand([64, 3], -1, 1, 11);
      const y = nb.cast(nb.greater(nb.sum(x, 1, true), 0), 'float32');
      const gpuBytes = () => nb.memory().webgpu?.numBytes ?? 0;
      await nb.setBackend('webgpu');
      try {
        const model = new nb.Sequential([
          new nb.layers.Dense(8, { activation: 'relu', inputShape: [3] }),
          new nb.layers.Dense(1, { activation: 'sigmoid' }),
        ]);
        model.compile({ optimizer: new nb.optimizers.Adam(0.05), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
        const first = await model.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0 });
        const after2 = gpuBytes();
        const more = await model.fit(x, y, { epochs: 8, batchSize: 16, verbose: 0 });
        expect(gpuBytes()).toBeLessThanOrEqual(after2);
        expect(more.history.loss!.at(-1)!).toBeLessThan(first.history.loss![0]!);
        expect(more.history.accuracy!.at(-1)!).toBeGreaterThan(0.8);
        const [, acc] = (await model.evaluate(x, y, { verbose: 0 })) as number[];
        expect(acc).toBeGreaterThan(0.8);
      } finally {
        await nb.setBackend('native').catch(() => nb.setBackend('js'));
      }
    });
  });
} else {
  describe('model.fit on webgpu (no adapter here)', () => {
    it('setBackend rejected with a reason', () => {
      expect(started.message).toMatch(/webgpu/);
    });
  });
}
