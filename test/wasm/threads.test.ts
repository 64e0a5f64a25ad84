// The threaded wasm module (wasm/nabla-threads.wasm): its pool runs on Node worker threads over a
// shared memory, and gives the one-thread module's bits (the split is fixed by the sizes, whichever
// thread claims a part), reports its thread count, turns a C++ exception on a worker into the
// caller's error and serves on, and refuses what 4 GiB cannot hold as clearly as the other.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import { createWasmBackend } from '../../src/backends/wasm/wasm-backend.js';
import { readWasmBinary, WASM_THREADS_FILE, WasmModule } from '../../src/backends/wasm/wasm-module.js';
import type { NativeBackend } from '../../src/backends/native/native-backend.js';
import { runOn, type Input } from '../native/compare-backends.js';
import { randomArray } from '../native/random-inputs.js';

const THREADED = 'wasm-threads-under-test';
const ONE = 'wasm-one-thread-under-test';

function input(shape: number[], seed: number, dtype: nb.DType = 'float32'): Input {
  return { data: randomArray(dtype, shape.reduce((a, b) => a * b, 1), seed, { lo: -1, hi: 1 }), shape, dtype };
}

const bitsOf = (v: nb.TypedArray) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');

describe('threaded wasm module', () => {
  const threaded = new WasmModule(readWasmBinary(WASM_THREADS_FILE));
  const one = new WasmModule(readWasmBinary());

  beforeAll(() => {
    threaded.setThreads(2);
    engine.registerBackend({ name: THREADED, priority: -100, create: () => createWasmBackend(threaded, THREADED) });
    engine.registerBackend({ name: ONE, priority: -100, create: () => createWasmBackend(one, ONE) });
  });
  afterAll(() => threaded.setThreads(1));

  it('runs its pool on workers over a shared memory, and says how many threads', () => {
    expect(threaded.threaded).toBe(true);
    expect(threaded.heap.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(one.threaded).toBe(false);
    expect(threaded.attachedWorkers).toBe(1);
    const info = (engine.instance(THREADED) as NativeBackend).info();
    expect(info).toMatchObject({ name: THREADED, threads: 2, simd: 'simd128' });
    expect(info.oneThreadReason).toBeUndefined();
    expect((engine.instance(ONE) as NativeBackend).info()).toMatchObject({ threads: 1 });
  });

  it('the default wasm backend in Node is the threaded module', () => {
    const info = nb.backendInfo('wasm') as Record<string, unknown>;
    expect(info).toMatchObject({ available: true, name: 'wasm' });
    expect(info.threads as number).toBeGreaterThanOrEqual(1);
    expect(info.oneThreadReason).toBeUndefined();
  });

  const cases: [string, Input[], (...t: nb.Tensor[]) => nb.Tensor][] = [
    ['matmul 300x517 by 517x290', [input([300, 517], 10), input([517, 290], 11)], (a, b) => nb.matmul(a!, b!)],
    // The MLP benchmark's products (12.8M multiply-adds): split since the GEMM threshold went down to 2M.
    ['matmul 128x784 by 784x128 (a dense layer at batch 128)', [input([128, 784], 22), input([784, 128], 23)], (a, b) => nb.matmul(a!, b!)],
    ['matmul 784x128 (transposed) by 128x128 (its weight gradient)', [input([128, 784], 24), input([128, 128], 25)], (a, b) => nb.matmul(a!, b!, { transposeA: true })],
    ['batched matmul 40 x 70x50x60', [input([40, 70, 50], 14), input([40, 50, 60], 15)], (a, b) => nb.matmul(a!, b!)],
    ['float64 matmul 130x257 by 257x120', [input([130, 257], 12, 'float64'), input([257, 120], 13, 'float64')], (a, b) => nb.matmul(a!, b!)],
    ['conv2d 16x28x28x3 by 3x3x3x32', [input([16, 28, 28, 3], 17), input([3, 3, 3, 32], 18)], (x, f) => nb.conv2d(x!, f!, { strides: 1, padding: 'same' })],
    ['float64 conv2d 4x20x20x3 by 3x3x3x16', [input([4, 20, 20, 3], 19, 'float64'), input([3, 3, 3, 16], 20, 'float64')], (x, f) => nb.conv2d(x!, f!)],
    ['sum of all 630,000', [input([700, 900], 6)], (a) => nb.sum(a!)],
    ['sum over axis 0', [input([700, 900], 7)], (a) => nb.sum(a!, 0)],
    ['max over axis 1', [input([700, 900], 8)], (a) => nb.max(a!, 1)],
    ['add of 300,001 elements', [input([300_001], 1), input([300_001], 2)], (a, b) => nb.add(a!, b!)],
  ];
  for (const [label, inputs, fn] of cases) {
    it(`${label}: the same bits on two threads as on the one-thread module`, () => {
      const want = bitsOf(runOn(ONE, inputs, fn).values);
      // Twice: which thread claims which part varies between runs.
      expect(bitsOf(runOn(THREADED, inputs, fn).values), label).toBe(want);
      expect(bitsOf(runOn(THREADED, inputs, fn).values), label).toBe(want);
    });
  }

  for (const jitCompile of [false, true]) {
    it(`three steps of the MLP 784-128-10 fit${jitCompile ? ' (jit)' : ''} end with the same weights`, async () => {
      const n = 384;
      const xs = input([n, 784], 22);
      const labels = Float32Array.from({ length: n * 10 }, (_, i) => (i % 10 === (Math.floor(i / 10) * 7) % 10 ? 1 : 0));
      const weightsOn = (backend: string) =>
        nb.withBackend(backend, async () => {
          nb.random.seed(5);
          const model = new nb.Sequential([new nb.layers.Dense(128, { activation: 'relu', inputShape: [784] }), new nb.layers.Dense(10, { activation: 'softmax' })]);
          model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', jitCompile });
          await model.fit(nb.tensor(xs.data.slice(), xs.shape), nb.tensor(labels, [n, 10]), { batchSize: 128, epochs: 1, verbose: 0, shuffle: false });
          return model.getWeights().map((w) => bitsOf(w.dataSync()));
        });
      expect(await weightsOn(THREADED)).toEqual(await weightsOn(ONE));
    });
  }

  it("a C++ exception in a worker's share is the caller's error, and the pool serves on", () => {
    expect(() => threaded.poolCheck(2)).toThrow('pool check: share 1 of 2 failed on purpose on a worker');
    expect(() => threaded.poolCheck(2)).toThrow(/on a worker/);
    // On the caller's own share, and on one thread.
    expect(() => threaded.poolCheck(1)).toThrow('pool check: share 0 of 1 failed on purpose on the calling thread');
    const [a, b] = [input([300, 517], 30), input([517, 290], 31)];
    expect(bitsOf(runOn(THREADED, [a, b], (x, y) => nb.matmul(x!, y!)).values)).toBe(bitsOf(runOn(ONE, [a, b], (x, y) => nb.matmul(x!, y!)).values));
  });

  it('setThreads changes the count backendInfo reports, and 1 thread gives the same bits', () => {
    const backend = engine.instance(THREADED) as NativeBackend;
    const [a, b] = [input([200, 300], 40), input([300, 250], 41)];
    const two = bitsOf(runOn(THREADED, [a, b], (x, y) => nb.matmul(x!, y!)).values);
    backend.setThreads(1);
    try {
      expect(backend.info().threads).toBe(1);
      expect(bitsOf(runOn(THREADED, [a, b], (x, y) => nb.matmul(x!, y!)).values)).toBe(two);
    } finally {
      backend.setThreads(2);
    }
    expect(backend.info().threads).toBe(2);
    expect(() => (engine.instance(ONE) as NativeBackend).setThreads(2)).toThrow(/one-thread module/);
  });

  it('an allocation 4 GiB cannot hold is a RangeError, and later calls work', () => {
    expect(() => threaded.alloc(4 * 1024 ** 3 - 2 ** 20, 'a test')).toThrow(/out of memory allocating 4293918720 bytes for a test .*4 GiB/);
    const x = input([1000], 50);
    expect(Array.from(runOn(THREADED, [x], (t) => nb.mul(t!, 2)).values)).toEqual(Array.from(x.data as Float32Array, (v) => Math.fround(v * 2)));
  });
});

describe('a process using the threaded wasm module', () => {
  it('starts its workers at the first op, not at import, and ends by itself once its work is done (they are unreferenced)', () => {
    const child = fileURLToPath(new URL('./threads-exit-child.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', child], {
      encoding: 'utf8',
      env: { ...process.env, NABLA_NATIVE_PATH: '/nonexistent/nabla.node', NABLA_NUM_THREADS: '2' },
      timeout: 60_000,
    });
    expect(r.signal, `the child was killed (${r.signal}), so it did not end by itself: ${r.stderr}`).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toEqual({ backend: 'wasm', threads: 2, sum: 256 * 256 * 256, afterImport: 0, afterUse: 1 });
  }, 90_000);
});
