// Output arrays from 4 KiB up freed by the engine are reused by later outputs of the same size; arrays
// a user handed to nb.tensor never are, and reused arrays come back zero-filled.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { allocOutput, recycleOutput } from '../../src/backends/native/output-arrays.js';

const nativeUp = nb.backendInfo('native').available;
const big = 100_000; // 400 KB of float32: pooled

describe.runIf(nativeUp)('native output pool', () => {
  it('a disposed result\'s array is reused, zero-filled, by the next output of its size', () => {
    nb.withBackend('native', () => {
      const a = nb.ones([big]).mul(3);
      const first = a.add(1);
      const buffer = (first.storage.handle as Float32Array).buffer;
      first.dispose();
      const again = allocOutput('float32', big);
      expect(again.buffer).toBe(buffer);
      expect(again.every((v) => v === 0)).toBe(true);
      const next = a.mul(2);
      expect(Array.from(next.dataSync().subarray(0, 3))).toEqual([6, 6, 6]);
    });
  });

  it('never reuses an array the user gave to nb.tensor, nor one still viewed by a live tensor', () => {
    nb.withBackend('native', () => {
      const mine = new Float32Array(big).fill(7);
      const t = nb.tensor(mine, [big]);
      t.dispose();
      recycleOutput(mine);
      const out = nb.ones([big]).mul(1).add(1);
      expect((out.storage.handle as Float32Array).buffer).not.toBe(mine.buffer);
      expect(mine[0]).toBe(7);

      const base = nb.ones([big]).mul(2).add(0);
      const view = base.reshape([big / 2, 2]);
      base.dispose();
      const other = nb.ones([big]).mul(5).add(0);
      expect((other.storage.handle as Float32Array).buffer).not.toBe((view.storage.handle as Float32Array).buffer);
      expect(view.dataSync()[0]).toBe(2);
    });
  });

  it('a kernel that writes every element takes a reused array as it is, and overwrites it all', () => {
    nb.withBackend('native', () => {
      const n = 256; // 256 x 256 float32: 256 KiB, pooled
      const a = nb.ones([n, n]).mul(3);
      const b = nb.eye(n).mul(2);
      const first = a.add(1);
      const buffer = (first.storage.handle as Float32Array).buffer;
      first.dispose();
      const product = nb.matmul(a, b);
      expect((product.storage.handle as Float32Array).buffer).toBe(buffer);
      expect(product.dataSync().every((v) => v === 6)).toBe(true);
      // Pooled, not cleared: the recycled array reaches writesAll callers as the last user left it.
      product.dispose();
      expect(allocOutput('float32', n * n, true).every((v) => v === 6)).toBe(true);
    });
  });

  it('a batch-256 predict\'s 256 x 10 output (10 KiB) is pooled, and repeated predicts give the same values', () => {
    const a = allocOutput('float32', 2560);
    a.fill(4);
    recycleOutput(a);
    const again = allocOutput('float32', 2560);
    expect(again).toBe(a);
    expect(again.every((v) => v === 0)).toBe(true);
    nb.withBackend('native', () => {
      const model = new nb.Sequential([new nb.layers.Dense(10, { inputShape: [8] })]);
      const x = nb.random.normal([256, 8]);
      const first = model.predict(x, { batchSize: 256 }) as nb.Tensor;
      const want = Array.from(first.dataSync());
      first.dispose();
      for (let i = 0; i < 3; i++) {
        const y = model.predict(x, { batchSize: 256 }) as nb.Tensor;
        expect(Array.from(y.dataSync())).toEqual(want);
        y.dispose();
      }
      x.dispose();
    });
  });

  it('small outputs are not pooled', () => {
    const a = allocOutput('float32', 100);
    recycleOutput(a);
    expect(allocOutput('float32', 100)).not.toBe(a);
  });
  it('keeps up to 64 small arrays of one size (a predict frees every batch\'s output at once), 4 large ones', () => {
    nb.withBackend('native', () => {
      const keptAfterFreeing = (count: number, size: number) => {
        const base = nb.ones([size]);
        const outs = Array.from({ length: count }, (_, k) => base.add(k));
        const buffers = new Set(outs.map((t) => (t.storage.handle as Float32Array).buffer));
        nb.dispose([base, ...outs]);
        let reused = 0;
        for (let k = 0; k < count; k++) if (buffers.has(allocOutput('float32', size).buffer)) reused++;
        return reused;
      };
      // 40 outputs of 10 KiB + 4 bytes (a size no other test makes): all come back.
      expect(keptAfterFreeing(40, 2561)).toBe(40);
      // 8 outputs of 1 MiB + 4 bytes: the pool keeps 4 of them.
      expect(keptAfterFreeing(8, 262_145)).toBe(4);
    });
  });
});
