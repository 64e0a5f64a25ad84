// The wasm backend as users see it: what backendInfo says, its thread count, results bit for bit equal
// to js where the native kernels give js's bits, and jit plans recorded and replayed in the module.
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import type { NativeBackend } from '../../src/backends/native/native-backend.js';
import { runOn, type Input } from '../native/compare-backends.js';
import { randomArray } from '../native/random-inputs.js';
import { threadsFromEnvironment } from '../../src/backends/wasm/wasm-thread-count.js';

const input = (dtype: nb.DType, shape: number[], seed: number, opts: { specials?: boolean; lo?: number; hi?: number } = { specials: true }): Input => ({
  data: randomArray(dtype, shape.reduce((a, b) => a * b, 1), seed, opts),
  shape,
  dtype,
});

describe('wasm backend', () => {
  afterEach(() => vi.restoreAllMocks());

  it('says it runs the SIMD build, threaded in Node on the cores (NABLA_NUM_THREADS), and takes another thread count', () => {
    const info = nb.backendInfo('wasm') as unknown as { linearMemoryBytes: number };
    const threads = threadsFromEnvironment().threads;
    expect(info).toEqual({ available: true, name: 'wasm', simd: 'simd128', threads, blas: 'nabla-gemm', linearMemoryBytes: expect.any(Number) });
    // 16 MiB to start with, growing in 64 KiB pages.
    expect(info.linearMemoryBytes).toBeGreaterThanOrEqual(16 * 2 ** 20);
    expect(info.linearMemoryBytes % 65536).toBe(0);
    const wasm = engine.instance('wasm') as NativeBackend;
    try {
      wasm.setThreads(threads === 1 ? 2 : 1);
      expect(wasm.info().threads).toBe(threads === 1 ? 2 : 1);
    } finally {
      wasm.setThreads(threads);
    }
    expect(() => wasm.setThreads(0)).toThrow(nb.ValueError);
  });

  it('elementwise ops, casts and reductions equal js bit for bit (NaN, infinities, odd lengths)', () => {
    const a = input('float32', [7, 67], 1);
    const b = input('float32', [67], 2);
    const cases: [string, Input[], (...x: nb.Tensor[]) => nb.Tensor][] = [
      ['add with broadcasting', [a, b], (x, y) => nb.add(x!, y!)],
      ['div', [a, b], (x, y) => nb.div(x!, y!)],
      ['relu of sqrt', [a], (x) => nb.relu(nb.sqrt(x!))],
      ['maximum, then greater', [a, b], (x, y) => nb.greater(nb.maximum(x!, y!), y!)],
      ['cast to int32', [a], (x) => nb.cast(x!, 'int32')],
      ['sum over the last axis', [a], (x) => nb.sum(x!, -1)],
    ];
    for (const [label, inputs, fn] of cases) {
      const js = runOn('js', inputs, fn);
      const wasm = runOn('wasm', inputs, fn);
      expect(wasm.dtype, label).toBe(js.dtype);
      expect(wasm.shape, label).toEqual(js.shape);
      expect(Array.from(wasm.values), label).toEqual(Array.from(js.values));
    }
  });

  it('matmul agrees with js on edge tiles (4 x 8 float32 and 4 x 4 float64 micro-kernels)', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const inputs = [input(dtype, [13, 37], 3, { lo: -2, hi: 2 }), input(dtype, [37, 11], 4, { lo: -2, hi: 2 })];
      const js = runOn('js', inputs, (x, y) => nb.matmul(x!, y!));
      const wasm = runOn('wasm', inputs, (x, y) => nb.matmul(x!, y!));
      const tol = dtype === 'float32' ? 1e-4 : 1e-12;
      js.values.forEach((v, i) => expect(Math.abs(wasm.values[i]! - v), `${dtype} element ${i}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(v))));
    }
  });

  it('a jitted train step is recorded once and replayed as a plan in the module, equal to eager', () => {
    nb.withBackend('wasm', () => {
      const capture = (engine.instance('wasm') as NativeBackend).capture;
      const compile = vi.spyOn(capture, 'compile');
      const run = (jitted: boolean) => {
        nb.random.seed(7);
        const w = new nb.Variable(nb.random.normal([12, 5], { stddev: 0.3 }));
        const x = nb.random.uniform([16, 12]);
        const step = (xs: nb.Tensor) => {
          const tape = new nb.GradientTape();
          const loss = nb.mean(nb.square(nb.relu(nb.matmul(xs, w))));
          const [g] = tape.gradient(loss, [w]);
          w.assignSub(g!.mul(0.5));
          return loss;
        };
        const f = jitted ? nb.jit(step) : step;
        const losses = [0, 1, 2, 3].map(() => f(x).dataSync()[0]!);
        return { losses, w: Array.from(w.dataSync()) };
      };
      const eager = run(false);
      const jitted = run(true);
      expect(compile.mock.results.some((r) => r.value !== null)).toBe(true);
      expect(jitted.losses).toEqual(eager.losses);
      expect(jitted.w).toEqual(eager.w);
      expect(eager.losses[3]!).toBeLessThan(eager.losses[0]!);
    });
  });
});
