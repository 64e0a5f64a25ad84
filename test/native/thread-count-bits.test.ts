// The native kernels give the same bits whatever the pool's thread count (1 to 4): work is cut into
// parts fixed by the sizes, claimed by whichever threads are free (thread-pool.h), so neither the
// count nor which thread ran a part changes a result. Covers elementwise loops, fused jit loops,
// reductions large enough to fold in parts, GEMMs (team and column splits, batched), conv and
// pooling with their gradients, the bench CNN's compiled predict, and a few steps of the benchmark MLP's fit.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import type { NativeBackend } from '../../src/backends/native/native-backend.js';
import { runOn, type Input } from './compare-backends.js';
import { randomArray } from './random-inputs.js';
import { cnn } from '../../bench/inference-models.js';

const nativeUp = nb.backendInfo('native').available;
const THREADS = [1, 2, 3, 4];

function input(shape: number[], seed: number): Input {
  return { data: randomArray('float32', shape.reduce((a, b) => a * b, 1), seed, { lo: -1, hi: 1 }), shape, dtype: 'float32' };
}

const bitsOf = (v: nb.TypedArray) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');

describe.skipIf(!nativeUp)('native: results do not depend on the thread count', () => {
  const backend = () => engine.instance('native') as NativeBackend;

  /** fn's result bits on each thread count (each run twice: the claiming order varies). */
  function bitsPerThreadCount(run: () => nb.TypedArray[]): string[][] {
    const before = backend().info().threads as number;
    try {
      return THREADS.flatMap((t) => {
        backend().setThreads(t);
        return [run().map(bitsOf), run().map(bitsOf)];
      });
    } finally {
      backend().setThreads(before);
    }
  }

  function expectAllEqual(label: string, runs: string[][]): void {
    for (let i = 1; i < runs.length; i++) expect(runs[i], `${label}: run ${i} (${THREADS[i >> 1]} threads)`).toEqual(runs[0]);
  }

  const cases: [string, Input[], (...t: nb.Tensor[]) => nb.Tensor][] = [
    ['add of 300,001 elements', [input([300_001], 1), input([300_001], 2)], (a, b) => nb.add(a!, b!)],
    ['exp of 300,001 elements', [input([300_001], 3)], (a) => nb.exp(a!)],
    ['add with a broadcast row', [input([700, 513], 4), input([513], 5)], (a, b) => nb.add(a!, b!)],
    ['sum of all 630,000', [input([700, 900], 6)], (a) => nb.sum(a!)],
    ['sum over axis 0', [input([700, 900], 7)], (a) => nb.sum(a!, 0)],
    ['max over axis 1', [input([700, 900], 8)], (a) => nb.max(a!, 1)],
    ['mean over axis 1 of 3-d', [input([64, 96, 130], 9)], (a) => nb.mean(a!, 1)],
    ['matmul 300x517 by 517x290', [input([300, 517], 10), input([517, 290], 11)], (a, b) => nb.matmul(a!, b!)],
    ['matmul 1000x64 by 64x40 (narrow)', [input([1000, 64], 12), input([64, 40], 13)], (a, b) => nb.matmul(a!, b!)],
    // The MLP benchmark's products (12.8M multiply-adds), split since the threshold went down to 2M.
    ['matmul 128x784 by 784x128 (a dense layer at batch 128)', [input([128, 784], 22), input([784, 128], 23)], (a, b) => nb.matmul(a!, b!)],
    ['matmul 784x128 (transposed) by 128x128 (its weight gradient)', [input([128, 784], 24), input([128, 128], 25)], (a, b) => nb.matmul(a!, b!, { transposeA: true })],
    ['batched matmul 40 x 70x50x60', [input([40, 70, 50], 14), input([40, 50, 60], 15)], (a, b) => nb.matmul(a!, b!)],
    ['transpose copy 700x900', [input([700, 900], 16)], (a) => nb.transpose(a!).add(0)],
    ['conv2d 16x28x28x3 by 3x3x3x32', [input([16, 28, 28, 3], 17), input([3, 3, 3, 32], 18)], (x, f) => nb.conv2d(x!, f!, { strides: 1, padding: 'same' })],
    // Fewer output pixels than filter columns (ResNet-18's last layers at batch 1): split by columns.
    ['conv2d 1x7x7x256 by 3x3x256x512', [input([1, 7, 7, 256], 26), input([3, 3, 256, 512], 27)], (x, f) => nb.conv2d(x!, f!, { strides: 1, padding: 'same' })],
    // Batch-1 stride-2 convs on the tiled path (ResNet-18's downsampling): few output rows, blocks of a row or two.
    ['conv2d 1x28x28x64 by 3x3x64x128, stride 2', [input([1, 28, 28, 64], 30), input([3, 3, 64, 128], 31)], (x, f) => nb.conv2d(x!, f!, { strides: 2, padding: 'same' })],
    ['conv2d 1x14x14x128 by 1x1x128x256, stride 2', [input([1, 14, 14, 128], 32), input([1, 1, 128, 256], 33)], (x, f) => nb.conv2d(x!, f!, { strides: 2 })],
    ['conv2d 1x6x6x1024 by 1x1x1024x512 (pointwise)', [input([1, 6, 6, 1024], 28), input([1, 1, 1024, 512], 29)], (x, f) => nb.conv2d(x!, f!)],
    ['maxPool 16x28x28x32', [input([16, 28, 28, 32], 19)], (x) => nb.maxPool(x!, { poolSize: 2, strides: 2 })],
  ];

  for (const [label, inputs, fn] of cases) {
    it(label, () => {
      expectAllEqual(label, bitsPerThreadCount(() => [runOn('native', inputs, fn).values]));
    });
  }

  it('conv2d and maxPool gradients', () => {
    const [x, f] = [input([8, 20, 20, 4], 20), input([3, 3, 4, 16], 21)];
    const runs = bitsPerThreadCount(() =>
      nb.withBackend('native', () => {
        const loss = (xs: nb.Tensor, fs: nb.Tensor) => nb.sum(nb.square(nb.maxPool(nb.relu(nb.conv2d(xs, fs)), { poolSize: 2, strides: 2 })));
        const [gx, gf] = nb.grad(loss, { argnums: [0, 1] })(nb.tensor(x.data.slice(), x.shape), nb.tensor(f.data.slice(), f.shape)) as nb.Tensor[];
        return [gx!.dataSync(), gf!.dataSync()];
      }),
    );
    expectAllEqual('conv/pool gradients', runs);
  });

  it('the bench CNN compiled predict (fusedConvPool: threads claim whole pieces of the batch), batches 5, 37 and 256', () => {
    const model = nb.withBackend('native', () => {
      nb.random.seed(6);
      return cnn();
    });
    for (const n of [5, 37, 256]) {
      const x = input([n, 28, 28, 1], 40 + n);
      const runs = bitsPerThreadCount(() => nb.withBackend('native', () => [(model.predict(nb.tensor(x.data.slice(), x.shape), { batchSize: n }) as nb.Tensor).dataSync()]));
      expectAllEqual(`CNN predict batch ${n}`, runs);
    }
  });

  it('jobs whose caller waits for every thread (float64 conv) alternate with joinable ones (float32 add) without a lost or repeated job', () => {
    const before = backend().info().threads as number;
    try {
      backend().setThreads(3);
      nb.withBackend('native', () => {
        const a = nb.tensor(input([100_000], 30).data.slice(), [100_000]);
        const b = nb.tensor(input([100_000], 31).data.slice(), [100_000]);
        const x = nb.tensor(Float64Array.from(input([8, 16, 16, 8], 32).data), [8, 16, 16, 8], 'float64');
        const f = nb.tensor(Float64Array.from(input([3, 3, 8, 8], 33).data), [3, 3, 8, 8], 'float64');
        const sum = bitsOf(nb.add(a, b).dataSync());
        const conv = bitsOf(nb.conv2d(x, f, { padding: 'same' }).dataSync());
        for (let i = 0; i < 150; i++) {
          nb.tidy(() => {
            expect(bitsOf(nb.add(a, b).dataSync())).toBe(sum);
            expect(bitsOf(nb.conv2d(x, f, { padding: 'same' }).dataSync())).toBe(conv);
          });
        }
      });
    } finally {
      backend().setThreads(before);
    }
  });

  for (const jitCompile of [false, true]) {
    it(`three steps of the MLP 784-128-10 fit${jitCompile ? ' (jit)' : ''} end with the same weights`, async () => {
      const n = 384;
      const xs = input([n, 784], 22);
      const labels = Float32Array.from({ length: n * 10 }, (_, i) => (i % 10 === (Math.floor(i / 10) * 7) % 10 ? 1 : 0));
      const before = backend().info().threads as number;
      const runs: string[][] = [];
      try {
        for (const t of THREADS) {
          backend().setThreads(t);
          runs.push(
            await nb.withBackend('native', async () => {
              nb.random.seed(5);
              const model = new nb.Sequential([new nb.layers.Dense(128, { activation: 'relu', inputShape: [784] }), new nb.layers.Dense(10, { activation: 'softmax' })]);
              model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', jitCompile });
              await model.fit(nb.tensor(xs.data.slice(), xs.shape), nb.tensor(labels, [n, 10]), { batchSize: 128, epochs: 1, verbose: 0, shuffle: false });
              return model.getWeights().map((w) => bitsOf(w.dataSync()));
            }),
          );
        }
      } finally {
        backend().setThreads(before);
      }
      for (let i = 1; i < runs.length; i++) expect(runs[i], `${THREADS[i]} threads`).toEqual(runs[0]);
    });
  }
});
