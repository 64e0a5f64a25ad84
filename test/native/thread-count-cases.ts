// The computations whose bits must not depend on the pool's thread count, on a backend with a
// thread pool (native, or the threaded wasm module): thread-count-bits.test.ts runs them in its own
// process, and thread-count-child.ts at a lower SIMD level than this CPU's best.
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import type { NativeBackend } from '../../src/backends/native/native-backend.js';
import { runOn, type Input } from './compare-backends.js';
import { randomArray } from './random-inputs.js';

export const THREADS = [1, 2, 3, 4];

export function input(shape: number[], seed: number, dtype: nb.DType = 'float32'): Input {
  return { data: randomArray(dtype, shape.reduce((a, b) => a * b, 1), seed, { lo: -1, hi: 1 }), shape, dtype };
}

export const bitsOf = (v: nb.TypedArray) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');

export interface ThreadCountCase {
  label: string;
  /** The result arrays, computed on `backend` with fresh tensors. */
  run: (backend: string) => nb.TypedArray[];
}

const forward = (label: string, inputs: Input[], fn: (...t: nb.Tensor[]) => nb.Tensor): ThreadCountCase => ({
  label,
  run: (backend) => [runOn(backend, inputs, fn).values],
});

/** The gradients of sum(loss(x, f)) with respect to x and f. */
const gradients = (label: string, x: Input, f: Input, loss: (x: nb.Tensor, f: nb.Tensor) => nb.Tensor): ThreadCountCase => ({
  label,
  run: (backend) =>
    nb.withBackend(backend, () => {
      const [gx, gf] = nb.grad((xs: nb.Tensor, fs: nb.Tensor) => nb.sum(loss(xs, fs)), { argnums: [0, 1] })(
        nb.tensor(x.data.slice(), x.shape, x.dtype),
        nb.tensor(f.data.slice(), f.shape, f.dtype),
      ) as nb.Tensor[];
      return [gx!.dataSync(), gf!.dataSync()];
    }),
});

export const THREAD_COUNT_CASES: ThreadCountCase[] = [
  forward('add of 300,001 elements', [input([300_001], 1), input([300_001], 2)], (a, b) => nb.add(a!, b!)),
  forward('exp of 300,001 elements', [input([300_001], 3)], (a) => nb.exp(a!)),
  forward('add with a broadcast row', [input([700, 513], 4), input([513], 5)], (a, b) => nb.add(a!, b!)),
  forward('sum of all 630,000', [input([700, 900], 6)], (a) => nb.sum(a!)),
  forward('sum over axis 0', [input([700, 900], 7)], (a) => nb.sum(a!, 0)),
  forward('max over axis 1', [input([700, 900], 8)], (a) => nb.max(a!, 1)),
  forward('mean over axis 1 of 3-d', [input([64, 96, 130], 9)], (a) => nb.mean(a!, 1)),
  forward('matmul 300x517 by 517x290', [input([300, 517], 10), input([517, 290], 11)], (a, b) => nb.matmul(a!, b!)),
  forward('matmul 1000x64 by 64x40 (narrow)', [input([1000, 64], 12), input([64, 40], 13)], (a, b) => nb.matmul(a!, b!)),
  // The MLP benchmark's products (12.8M multiply-adds), split since the threshold went down to 2M.
  forward('matmul 128x784 by 784x128 (a dense layer at batch 128)', [input([128, 784], 22), input([784, 128], 23)], (a, b) => nb.matmul(a!, b!)),
  forward('matmul 784x128 (transposed) by 128x128 (its weight gradient)', [input([128, 784], 24), input([128, 128], 25)], (a, b) =>
    nb.matmul(a!, b!, { transposeA: true }),
  ),
  forward('batched matmul 40 x 70x50x60', [input([40, 70, 50], 14), input([40, 50, 60], 15)], (a, b) => nb.matmul(a!, b!)),
  forward('transpose copy 700x900', [input([700, 900], 16)], (a) => nb.transpose(a!).add(0)),
  forward('conv2d 16x28x28x3 by 3x3x3x32', [input([16, 28, 28, 3], 17), input([3, 3, 3, 32], 18)], (x, f) => nb.conv2d(x!, f!, { strides: 1, padding: 'same' })),
  // Fewer output pixels than filter columns (ResNet-18's last layers at batch 1): split by columns.
  forward('conv2d 1x7x7x256 by 3x3x256x512', [input([1, 7, 7, 256], 26), input([3, 3, 256, 512], 27)], (x, f) => nb.conv2d(x!, f!, { strides: 1, padding: 'same' })),
  // Batch-1 stride-2 convs on the tiled path (ResNet-18's downsampling): few output rows, blocks of a row or two.
  forward('conv2d 1x28x28x64 by 3x3x64x128, stride 2', [input([1, 28, 28, 64], 30), input([3, 3, 64, 128], 31)], (x, f) =>
    nb.conv2d(x!, f!, { strides: 2, padding: 'same' }),
  ),
  forward('conv2d 1x14x14x128 by 1x1x128x256, stride 2', [input([1, 14, 14, 128], 32), input([1, 1, 128, 256], 33)], (x, f) => nb.conv2d(x!, f!, { strides: 2 })),
  forward('conv2d 1x6x6x1024 by 1x1x1024x512 (pointwise)', [input([1, 6, 6, 1024], 28), input([1, 1, 1024, 512], 29)], (x, f) => nb.conv2d(x!, f!)),
  forward('maxPool 16x28x28x32', [input([16, 28, 28, 32], 19)], (x) => nb.maxPool(x!, { poolSize: 2, strides: 2 })),
  // Filter gradients sum over every output pixel: in chunks fixed by the sizes, on every path (the
  // AVX-512 tiles, the GEMM path other CPUs and float64 take, the depthwise loops).
  gradients('conv2d and maxPool gradients', input([8, 20, 20, 4], 20), input([3, 3, 4, 16], 21), (x, f) =>
    nb.square(nb.maxPool(nb.relu(nb.conv2d(x, f)), { poolSize: 2, strides: 2 })),
  ),
  gradients('float64 conv2d gradients', input([8, 20, 20, 4], 34, 'float64'), input([3, 3, 4, 16], 35, 'float64'), (x, f) =>
    nb.square(nb.conv2d(x, f, { padding: 'same' })),
  ),
  gradients('depthwise conv2d gradients', input([8, 24, 24, 16], 36), input([3, 3, 16, 2], 37), (x, f) => nb.square(nb.depthwiseConv2d(x, f, { padding: 'same' }))),
];

/** Each case's result bits on each thread count of `backend`'s pool (each run twice: the claiming order varies). */
export function bitsPerThreadCount(backend: string, run: () => nb.TypedArray[], threads = THREADS): string[][] {
  const pool = engine.instance(backend) as NativeBackend;
  const before = pool.info().threads as number;
  try {
    return threads.flatMap((t) => {
      pool.setThreads(t);
      return [run().map(bitsOf), run().map(bitsOf)];
    });
  } finally {
    pool.setThreads(before);
  }
}

/** The labels of the cases whose bits on `backend` differ between runs or thread counts. */
export function casesWhoseBitsVary(backend: string, threads = THREADS): string[] {
  return THREAD_COUNT_CASES.filter((c) => {
    const runs = bitsPerThreadCount(backend, () => c.run(backend), threads);
    return runs.some((r) => r.join() !== runs[0]!.join());
  }).map((c) => c.label);
}
