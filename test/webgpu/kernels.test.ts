// WebGPU reductions, matmul, conv/pool, indexing, structure, views, random and fused kernels
// against the js reference backend, plus hand-checked values.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import type { WebGpuBackend } from '../../src/backends/webgpu/webgpu-backend.js';
import type { GpuHandle } from '../../src/backends/webgpu/gpu-context.js';
import { expectSameAsJs, onGpu, rand, startWebGpu } from './gpu-test-utils.js';

const started = await startWebGpu();

if (started === true) describe('webgpu kernels', () => {
  describe('reductions', () => {
    const ops = ['sum', 'prod', 'max', 'min'] as const;
    for (const op of ops) {
      it(`${op} over no axis, one axis, several axes, keepDims`, async () => {
        const f = (nb as unknown as Record<string, (x: nb.Tensor, a?: unknown, k?: boolean) => nb.Tensor>)[op]!;
        await expectSameAsJs(() => f(rand([3, 4, 5], 0.5, 1.5, 1)), { rtol: 1e-5 });
        await expectSameAsJs(() => f(rand([3, 4, 5], 0.5, 1.5, 2), 1), { rtol: 1e-5 });
        await expectSameAsJs(() => f(rand([3, 4, 5], 0.5, 1.5, 3), [0, 2], true), { rtol: 1e-5 });
        await expectSameAsJs(() => f(nb.tensor([[1, -2, 3], [4, 5, -6]], 'int32'), -1));
        await expectSameAsJs(() => f(nb.tensor([[1, NaN, 3], [4, 5, 6]]), 1));
        await expectSameAsJs(() => f(nb.zeros([2, 0]), 1));
      });
    }

    it('sum of 3000 elements (many per invocation) and a bool sum', async () => {
      await expectSameAsJs(() => nb.sum(rand([3000], 0, 1, 4)), { rtol: 1e-5 });
      await expectSameAsJs(() => nb.sum(nb.tensor([true, false, true, true])));
    });

    it('all and any', async () => {
      const b = () => nb.tensor([[true, false, true], [true, true, true]]);
      await expectSameAsJs(() => [nb.all(b()), nb.all(b(), 1), nb.any(b(), 0), nb.any(nb.zeros([2, 0], 'bool'), 1)]);
    });

    it('argmax and argmin: first of ties, NaN wins, int32', async () => {
      const [amax, amin] = await onGpu(() => {
        const x = nb.tensor([[1, 3, 3, 0], [2, NaN, 5, NaN]]);
        return [nb.argmax(x, 1), nb.argmin(x, 1)];
      });
      expect(amax!.values).toEqual([1, 1]);
      expect(amin!.values).toEqual([3, 1]);
      await expectSameAsJs(() => [nb.argmax(rand([4, 5, 6], -1, 1, 5), 1), nb.argmin(nb.tensor([[4, 1, 1], [0, 9, -3]], 'int32'), 0)]);
    });
  });

  describe('matmul', () => {
    it('hand-checked 2x3 @ 3x2', async () => {
      const [c] = await onGpu(() => nb.matmul(nb.tensor([[1, 2, 3], [4, 5, 6]]), nb.tensor([[1, 0], [0, 1], [1, 1]])));
      expect(c!.values).toEqual([4, 5, 10, 11]);
    });

    it('sizes that are not multiples of the tile, transposes, batch broadcasting, int32', async () => {
      const opts = { rtol: 1e-5, atol: 1e-5 };
      await expectSameAsJs(() => nb.matmul(rand([17, 33], -1, 1, 1), rand([33, 9], -1, 1, 2)), opts);
      await expectSameAsJs(() => nb.matmul(rand([5, 7], -1, 1, 3), rand([6, 5], -1, 1, 4), { transposeA: true, transposeB: true }), opts);
      await expectSameAsJs(() => nb.matmul(rand([2, 1, 4, 3], -1, 1, 5), rand([3, 3, 2], -1, 1, 6)), opts);
      await expectSameAsJs(() => nb.matmul(nb.tensor([[1, 2], [3, 4]], 'int32'), nb.tensor([[5], [-6]], 'int32')));
      await expectSameAsJs(() => nb.matmul(nb.zeros([2, 0]), nb.zeros([0, 3])));
    });
  });

  describe('convolution and pooling', () => {
    const cases = [
      { strides: 1, padding: 'valid' as const },
      { strides: 2, padding: 'same' as const },
      { strides: 1, padding: 'same' as const, dilations: 2 },
    ];
    for (const opts of cases) {
      it(`conv2d and both gradients (${JSON.stringify(opts)})`, async () => {
        const loss = () => {
          const x = rand([2, 6, 5, 3], -1, 1, 7);
          const f = rand([3, 3, 3, 4], -1, 1, 8);
          const tape = new nb.GradientTape();
          tape.watch(x);
          tape.watch(f);
          const y = nb.conv2d(x, f, opts);
          const l = nb.sum(nb.mul(y, y));
          return [y, ...tape.gradient(l, [x, f])];
        };
        await expectSameAsJs(loss, { rtol: 1e-4, atol: 1e-4 });
      });
    }

    it('grouped and depthwise convolution', async () => {
      await expectSameAsJs(() => nb.conv2d(rand([1, 5, 5, 4], -1, 1, 9), rand([2, 2, 2, 6], -1, 1, 10), { groups: 2 }), { rtol: 1e-5 });
      await expectSameAsJs(() => nb.depthwiseConv2d(rand([1, 5, 5, 3], -1, 1, 11), rand([3, 3, 3, 2], -1, 1, 12), { padding: 'same' }), { rtol: 1e-5 });
    });

    for (const pool of ['maxPool', 'avgPool'] as const) {
      it(`${pool}, its gradient and second derivative`, async () => {
        await expectSameAsJs(() => {
          const x = rand([2, 5, 6, 3], -1, 1, 13);
          const outer = new nb.GradientTape();
          const inner = new nb.GradientTape();
          outer.watch(x);
          inner.watch(x);
          const y = nb[pool](x, { poolSize: 3, strides: 2, padding: 'same' });
          const g = inner.gradient(nb.sum(nb.mul(y, y)), x);
          const gg = outer.gradient(nb.sum(nb.mul(g, g)), x);
          return [y, g, gg];
        }, { rtol: 1e-4, atol: 1e-5 });
      });
    }
  });

  describe('indexing and structure', () => {
    it('gather (axis, batchDims) and its gradient unsortedSegmentSum', async () => {
      await expectSameAsJs(() => nb.gather(rand([4, 3, 2], -1, 1, 14), nb.tensor([[3, 0], [1, 1]], 'int32'), { axis: 0 }));
      await expectSameAsJs(() => nb.gather(nb.tensor([[1, 2, 3], [4, 5, 6]], 'int32'), nb.tensor([[2, 0], [1, 1]], 'int32'), { axis: 1, batchDims: 1 }));
      await expectSameAsJs(() => nb.unsortedSegmentSum(rand([5, 3], -1, 1, 15), nb.tensor([2, -1, 0, 2, 1], 'int32'), 4));
      await expectSameAsJs(() => {
        const x = rand([4, 3], -1, 1, 16);
        const tape = new nb.GradientTape();
        tape.watch(x);
        const y = nb.gather(x, nb.tensor([3, 3, 0], 'int32'));
        return tape.gradient(nb.sum(nb.mul(y, y)), x);
      });
    });

    it('gatherND, scatterND (duplicates sum) and tensorScatterUpdate (last duplicate wins)', async () => {
      const [g, s, u] = await onGpu(() => [
        nb.gatherND(nb.tensor([[1, 2], [3, 4]]), nb.tensor([[1, 0], [0, 1]], 'int32')),
        nb.scatterND(nb.tensor([[1], [1], [0]], 'int32'), nb.tensor([5, 6, 7]), [3]),
        nb.tensorScatterUpdate(nb.tensor([1, 2, 3], 'int32'), nb.tensor([[2], [2]], 'int32'), nb.tensor([8, 9], 'int32')),
      ]);
      expect(g!.values).toEqual([3, 2]);
      expect(s!.values).toEqual([7, 11, 0]);
      expect(u!.values).toEqual([1, 2, 9]);
      await expectSameAsJs(() => nb.gatherND(rand([3, 4, 2], -1, 1, 32), nb.tensor([[[2], [0]], [[1], [1]]], 'int32')));
      await expectSameAsJs(() => nb.scatterND(nb.tensor([[0, 1], [2, 3], [0, 1]], 'int32'), rand([3, 2], -1, 1, 33), [3, 4, 2]));
    });

    it('concat, pad (float, int, bool), cumsum and cumprod', async () => {
      await expectSameAsJs(() => nb.concat([rand([2, 3], -1, 1, 17), rand([2, 1], -1, 1, 18), nb.zeros([2, 0])], 1));
      await expectSameAsJs(() => nb.pad(rand([2, 3], -1, 1, 19), [[1, 0], [2, 1]], 1.5));
      await expectSameAsJs(() => nb.pad(nb.tensor([[1, 2]], 'int32'), [[0, 1], [1, 1]], -7));
      await expectSameAsJs(() => nb.pad(nb.tensor([true, false]), [[1, 1]]));
      await expectSameAsJs(() => [nb.cumsum(rand([3, 4], -1, 1, 20), 1), nb.cumsum(rand([3, 4], -1, 1, 21), 0, { exclusive: true, reverse: true })], { rtol: 1e-5 });
      await expectSameAsJs(() => nb.cumprod(nb.tensor([[1, 2, 3], [4, 5, 6]], 'int32'), 1, { reverse: true }));
    });

    it('views: transpose, slice, flip and broadcast are materialized; aligned and unaligned subranges', async () => {
      await expectSameAsJs(() => nb.add(nb.transpose(rand([3, 4, 5], -1, 1, 22), [2, 0, 1]), 1));
      await expectSameAsJs(() => nb.exp(nb.slice(rand([6, 7], -1, 1, 23), [1, 2], [3, 4])));
      await expectSameAsJs(() => nb.neg(nb.flip(rand([4, 3], -1, 1, 24), 0)));
      // Rows 64 (256 bytes, aligned) and 3 (12 bytes, copied) of a contiguous matrix.
      await expectSameAsJs(() => {
        const x = rand([100, 4], -1, 1, 25);
        return [nb.neg(nb.slice(x, [64, 0], [2, 4])), nb.neg(nb.slice(x, [3, 0], [2, 4]))];
      });
    });
  });

  it('random numbers equal the js backend for a seed', async () => {
    await expectSameAsJs(() => [
      nb.random.normal([50], { seed: 3 }),
      nb.random.uniform([20], { seed: 4 }),
      nb.random.int([20], 0, 10, { seed: 5 }),
    ]);
  });

  it('a jitted elementwise chain runs as one fused kernel with the eager values', async () => {
    const f = nb.jit((x: nb.Tensor, y: nb.Tensor) => nb.tanh(nb.add(nb.mul(x, 2), nb.exp(nb.neg(y)))));
    await expectSameAsJs(() => f(rand([4, 5], -1, 1, 26), rand([5], -1, 1, 27)), { rtol: 1e-5 });
  });

  it('argsort: stable ranks, NaN last ascending and first descending, int32, middle axis', async () => {
    const [asc] = await onGpu(() => nb.argsort(nb.tensor([3, 1, NaN, 1, -Infinity])));
    expect(asc!.values).toEqual([4, 1, 3, 0, 2]);
    await expectSameAsJs(() => [
      nb.argsort(nb.tensor([[2, NaN, 2, 0], [5, 5, -1, 7]]), { descending: true }),
      nb.argsort(nb.tensor([[4, 1], [1, 4], [0, 0]], 'int32'), { axis: 0 }),
      nb.argsort(rand([2, 5, 3], -1, 1, 28), { axis: 1 }),
    ]);
  });

  it('a jitted dense layer (matmul + bias + relu) runs as one fusedLinear with the eager values', async () => {
    const dense = nb.jit((x: nb.Tensor, w: nb.Tensor, b: nb.Tensor) => nb.relu(nb.add(nb.matmul(x, w), b)));
    await expectSameAsJs(() => dense(rand([5, 7], -1, 1, 29), rand([7, 3], -1, 1, 30), rand([3], -1, 1, 31)), { rtol: 1e-5 });
  });

  it('float64 is refused with a DTypeError that names webgpu', () => {
    nb.withBackend('webgpu', () => {
      expect(() => nb.tensor([1, 2], 'float64')).toThrow(nb.DTypeError);
      expect(() => nb.tensor([1, 2], 'float64')).toThrow(/webgpu/);
    });
  });

  it('a failed GPU command (here a kernel that does not compile) rejects the next read with the reason', async () => {
    const backend = engine.instance('webgpu') as WebGpuBackend;
    const x = nb.withBackend('webgpu', () => nb.tensor([1, 2, 3]));
    const out = backend.ctx.alloc(3);
    backend.ctx.dispatch('not wgsl', [x.storage.handle as GpuHandle, out], [3], 1);
    await expect(x.data()).rejects.toThrow(/GPU command failed.*WGSL/s);
    backend.ctx.free(out);
    expect(Array.from(await x.data())).toEqual([1, 2, 3]);
  });

  it('dataSync says to use data()', () => {
    nb.withBackend('webgpu', () => {
      expect(() => nb.tensor([1, 2]).dataSync()).toThrow(/await t\.data\(\)/);
    });
  });
});

else {
  describe('webgpu unavailable here', () => {
    it('setBackend rejected with a reason', () => {
      expect(started.message).toMatch(/webgpu/);
    });
  });
}
