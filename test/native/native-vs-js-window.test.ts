// Native convolution and pooling against the reference (js) kernels on random inputs: odd sizes,
// strides, dilations, groups (depthwise with multipliers 1 and 3), 1x1 windows, 'valid'/'same'/
// explicit padding, both dtypes, forward and both gradients, threaded sizes, bitwise stability,
// and the jit's fused kernels (matmul/conv + bias + activation, elementwise chains).
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import type { NativeBackend } from '../../src/backends/native/native-backend.js';
import { expectSameOnBoth, runOn, type Input } from './compare-backends.js';
import { randomArray } from './random-inputs.js';
import type { Conv2DOptions } from '../../src/ops/primitives/conv.js';
import type { PoolOptions } from '../../src/ops/primitives/pool.js';

const nativeUp = nb.backendInfo('native').available;

function input(dtype: nb.DType, shape: number[], seed: number): Input {
  return { data: randomArray(dtype, shape.reduce((a, b) => a * b, 1), seed, { lo: -1, hi: 1 }), shape, dtype };
}

interface ConvCase {
  x: number[];
  f: number[];
  opts: Conv2DOptions;
}

const CONV_CASES: ConvCase[] = [
  { x: [2, 7, 9, 3], f: [3, 3, 3, 5], opts: {} },
  { x: [3, 11, 10, 4], f: [3, 2, 4, 6], opts: { strides: [2, 3], padding: 'same' } },
  { x: [1, 13, 12, 5], f: [3, 3, 5, 7], opts: { dilations: [2, 3], padding: 'same' } },
  { x: [2, 9, 8, 6], f: [2, 3, 3, 4], opts: { groups: 2, strides: 2, padding: [[1, 2], [0, 3]] } },
  { x: [2, 6, 7, 8], f: [1, 1, 8, 5], opts: {} },
  { x: [2, 6, 7, 6], f: [1, 1, 2, 9], opts: { groups: 3 } },
  { x: [2, 7, 6, 5], f: [1, 1, 5, 3], opts: { strides: 2 } },
  { x: [2, 8, 9, 6], f: [3, 3, 1, 6], opts: { groups: 6, padding: 'same' } },
  { x: [3, 10, 7, 4], f: [5, 3, 1, 12], opts: { groups: 4, strides: [2, 1], dilations: [1, 2], padding: 'same' } },
  { x: [1, 4, 4, 2], f: [4, 4, 2, 3], opts: {} },
  { x: [0, 5, 5, 2], f: [3, 3, 2, 3], opts: {} },
];

/** Gradients of sum(conv(x, f) * w) with respect to x (which = 0) or f (which = 1). */
function convGrad(opts: Conv2DOptions, which: 0 | 1) {
  return (x: nb.Tensor | undefined, f: nb.Tensor | undefined, w: nb.Tensor | undefined): nb.Tensor => {
    const tape = new nb.GradientTape();
    tape.watch([x!, f!]);
    const loss = nb.sum(nb.mul(nb.conv2d(x!, f!, opts), w!));
    return tape.gradient(loss, [x!, f!])[which]!;
  };
}

function outShape(c: ConvCase): number[] {
  return nb.withBackend('js', () => [...nb.conv2d(nb.zeros(c.x), nb.zeros(c.f), c.opts).shape]);
}

// float32 sums in the GEMM run in float32 (the reference sums in double): relative to the
// magnitude of the terms, a few ulps per hundred terms.
const convTol = (d: nb.DType, terms: number) => (d === 'float32' ? 3e-7 * Math.sqrt(terms) * 4 : 1e-13);
// Winograd F(4x4, 3x3) (native/src/conv-algorithm.h picks it for 3x3 stride-1 convs with enough
// channels and tiles) rounds about 7x more than the direct sums.
const winogradTol = (terms: number) => 7 * convTol('float32', terms);

if (!nativeUp) {
  describe('native conv/pool (addon not built here)', () => {
    it('the native backend reports itself unavailable', () => expect(nb.backendInfo('native').available).toBe(false));
  });
} else {
  describe('native vs js: conv2d and its gradients', () => {
    CONV_CASES.forEach((c, k) => {
      it(`x ${JSON.stringify(c.x)} f ${JSON.stringify(c.f)} ${JSON.stringify(c.opts)}`, () => {
        const terms = c.f[0]! * c.f[1]! * c.f[2]!;
        for (const d of ['float32', 'float64'] as const) {
          const x = input(d, c.x, 10 + k);
          const f = input(d, c.f, 20 + k);
          const w = input(d, outShape(c), 30 + k);
          expectSameOnBoth(`conv2d ${d}`, [x, f], (a, b) => nb.conv2d(a!, b!, c.opts), convTol(d, terms));
          const outPixels = outShape(c).slice(0, 3).reduce((a, b) => a * b, 1);
          expectSameOnBoth(`conv2d dx ${d}`, [x, f, w], convGrad(c.opts, 0), convTol(d, c.f[3]! * c.f[0]! * c.f[1]!));
          expectSameOnBoth(`conv2d df ${d}`, [x, f, w], convGrad(c.opts, 1), convTol(d, outPixels));
        }
      });
    });

    it('conv2dTranspose and depthwiseConv2d with a channel multiplier', () => {
      const x = input('float32', [2, 5, 6, 4], 1);
      const f = input('float32', [3, 3, 3, 4], 2);
      expectSameOnBoth('conv2dTranspose', [x, f], (a, b) => nb.conv2dTranspose(a!, b!, [2, 10, 12, 3], { strides: 2, padding: 'same' }), convTol('float32', 36));
      const dw = input('float64', [3, 3, 4, 3], 3);
      expectSameOnBoth('depthwise x3', [{ ...x, data: Float64Array.from(x.data), dtype: 'float64' }, dw], (a, b) => nb.depthwiseConv2d(a!, b!, { padding: 'same' }), 1e-13);
    });

    it('sizes that split across threads (the CNN benchmark layers)', () => {
      const x = input('float32', [64, 28, 28, 1], 4);
      const f1 = input('float32', [3, 3, 1, 32], 5);
      expectSameOnBoth('conv 1->32', [x, f1], (a, b) => nb.conv2d(a!, b!), convTol('float32', 9));
      const h = input('float32', [64, 13, 13, 32], 6);
      const f2 = input('float32', [3, 3, 32, 64], 7);
      const w2 = input('float32', [64, 11, 11, 64], 8);
      expectSameOnBoth('conv 32->64 (Winograd)', [h, f2], (a, b) => nb.conv2d(a!, b!), winogradTol(288));
      expectSameOnBoth('conv 32->64 dx', [h, f2, w2], convGrad({}, 0), convTol('float32', 576));
      expectSameOnBoth('conv 32->64 df', [h, f2, w2], convGrad({}, 1), convTol('float32', 64 * 121));
    });

    it('NaN and infinities propagate', () => {
      const x = { data: Float32Array.from([NaN, 1, 2, 3, Infinity, 5, 6, 7, 8]), shape: [1, 3, 3, 1], dtype: 'float32' as const };
      const f = { data: Float32Array.from([1, 1, 1, 1]), shape: [2, 2, 1, 1], dtype: 'float32' as const };
      expectSameOnBoth('conv nan', [x, f], (a, b) => nb.conv2d(a!, b!));
      expectSameOnBoth('depthwise nan', [x, f], (a, b) => nb.depthwiseConv2d(a!, b!));
    });
  });

  describe('native vs js: pooling and its gradients (bitwise)', () => {
    const cases: [number[], PoolOptions][] = [
      [[2, 7, 9, 3], { poolSize: 2 }],
      [[2, 7, 9, 3], { poolSize: 2, padding: 'same' }],
      [[3, 10, 11, 5], { poolSize: [3, 2], strides: [1, 2], padding: 'same' }],
      [[1, 9, 9, 4], { poolSize: 3, strides: 2 }],
      [[2, 5, 6, 2], { poolSize: 3, strides: 1 }],
      [[64, 26, 26, 32], { poolSize: 2 }],
      [[0, 4, 4, 2], { poolSize: 2 }],
    ];
    const grad = (pool: (x: nb.Tensor) => nb.Tensor) => (x: nb.Tensor | undefined, w: nb.Tensor | undefined) => {
      const tape = new nb.GradientTape();
      tape.watch(x!);
      return tape.gradient(nb.sum(nb.mul(pool(x!), w!)), x!) as nb.Tensor;
    };
    cases.forEach(([shape, opts], k) => {
      it(`x ${JSON.stringify(shape)} ${JSON.stringify(opts)}`, () => {
        for (const d of ['float32', 'float64'] as const) {
          // Ties (a few distinct values) check that the first maximum wins.
          const x = input(d, shape, 40 + k);
          const tied = { ...x, data: x.data.map((v) => Math.round(v * 2) / 2) };
          const yShape = nb.withBackend('js', () => nb.maxPool(nb.zeros(shape), opts).shape);
          const w = input(d, [...yShape], 50 + k);
          for (const [name, pool] of [['maxPool', nb.maxPool], ['avgPool', nb.avgPool]] as const) {
            const f = (t: nb.Tensor) => pool(t, opts);
            expectSameOnBoth(`${name} ${d}`, [x], (a) => f(a!));
            expectSameOnBoth(`${name} tied ${d}`, [tied], (a) => f(a!));
            expectSameOnBoth(`${name} grad ${d}`, [tied, w], grad(f));
          }
          const second = (a: nb.Tensor | undefined, w2: nb.Tensor | undefined, v: nb.Tensor | undefined) => {
            const outer = new nb.GradientTape();
            outer.watch(w2!);
            const g = grad((t) => nb.maxPool(t, opts))(a, w2);
            return outer.gradient(nb.sum(nb.mul(g, v!)), w2!) as nb.Tensor;
          };
          expectSameOnBoth(`maxPool second order ${d}`, [tied, w, input(d, shape, 60 + k)], second);
        }
      });
    });

    it('NaN wins a max window; -infinity windows stay -infinity', () => {
      const x = { data: Float32Array.from([1, NaN, 3, 4, -Infinity, -Infinity, -Infinity, -Infinity]), shape: [2, 2, 2, 1], dtype: 'float32' as const };
      const y = runOn('native', [x], (a) => nb.maxPool(a!, { poolSize: 2 }));
      expect(Array.from(y.values)).toEqual([NaN, -Infinity]);
      expectSameOnBoth('maxPool nan', [x], (a) => nb.maxPool(a!, { poolSize: 2 }));
      expectSameOnBoth('avgPool nan', [x], (a) => nb.avgPool(a!, { poolSize: 2 }));
    });
  });

  describe('native: conv is bitwise stable run to run, for 1 and 2 threads', () => {
    it('forward and gradients', () => {
      const backend = engine.instance('native') as NativeBackend;
      const threads = backend.info().threads as number;
      const x = input('float32', [16, 14, 14, 8], 1);
      const f = input('float32', [3, 3, 8, 16], 2);
      const w = input('float32', [16, 12, 12, 16], 3);
      const work = [(a?: nb.Tensor, b?: nb.Tensor) => nb.conv2d(a!, b!), convGrad({}, 0), convGrad({}, 1)];
      const bits = (v: nb.TypedArray) => Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      try {
        for (const t of [1, 2]) {
          backend.setThreads(t);
          const first = work.map((fn) => bits(runOn('native', [x, f, w], fn).values));
          const second = work.map((fn) => bits(runOn('native', [x, f, w], fn).values));
          expect(second).toEqual(first);
        }
      } finally {
        backend.setThreads(threads);
      }
    });
  });

  describe('native vs js: fused kernels under nb.jit', () => {
    it('dense and conv layers with bias and relu/sigmoid, jitted, match eager js', () => {
      const x = input('float32', [33, 17], 1);
      const wt = input('float32', [17, 9], 2);
      const b = input('float32', [9], 3);
      for (const act of ['relu', 'sigmoid', 'tanh'] as const) {
        const dense = nb.jit((a: nb.Tensor, w: nb.Tensor, bias: nb.Tensor) => (nb as unknown as Record<string, (t: nb.Tensor) => nb.Tensor>)[act]!(nb.add(nb.matmul(a, w), bias)));
        expectSameOnBoth(`dense ${act}`, [x, wt, b], (a, w, bias) => dense(a!, w!, bias!) as nb.Tensor, 1e-6);
      }
      const img = input('float32', [2, 8, 8, 3], 4);
      const f = input('float32', [3, 3, 3, 5], 5);
      const cb = input('float32', [5], 6);
      const conv = nb.jit((a: nb.Tensor, k: nb.Tensor, bias: nb.Tensor) => nb.relu(nb.add(nb.conv2d(a, k, { padding: 'same' }), bias)));
      expectSameOnBoth('conv relu', [img, f, cb], (a, k, bias) => conv(a!, k!, bias!) as nb.Tensor, 1e-6);
    });

    it('elementwise chains (scalars, compare, where, cast, int32) match eager js bit for bit', () => {
      const chain = nb.jit((a: nb.Tensor, b: nb.Tensor, s: nb.Tensor) => {
        const t = nb.add(nb.mul(a, 0.5), nb.square(b));
        const picked = nb.where(nb.greater(t, s), nb.sqrt(nb.abs(t)), nb.neg(t));
        return nb.add(nb.cast(nb.floor(nb.mul(picked, 3)), 'int32'), nb.cast(nb.less(a, b), 'int32'));
      });
      const a = input('float32', [37, 29], 7);
      const b = input('float32', [37, 29], 8);
      const s = input('float32', [1], 9);
      expectSameOnBoth('chain', [a, b, s], (x, y, z) => chain(x!, y!, z!) as nb.Tensor);
      // Mixed-dtype arithmetic (int32 + float32) runs op by op, widened as eager does.
      const mixed = nb.jit((i: nb.Tensor, x: nb.Tensor) => nb.mul(nb.add(i, x), x));
      expectSameOnBoth('mixed dtypes', [input('int32', [37, 29], 10), a], (i, x) => mixed(i!, x!) as nb.Tensor);
      const scalarOnly = nb.jit((x: nb.Tensor, z: nb.Tensor) => nb.add(nb.exp(nb.mul(z, 2)), nb.zerosLike(x)));
      expectSameOnBoth('scalar operands', [a, s], (x, z) => scalarOnly(x!, z!) as nb.Tensor, 1.2e-7);
    });
  });
}
