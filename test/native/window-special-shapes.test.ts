// Native convolution and pooling against the reference (js) kernels on the shapes the native
// kernels treat specially: disjoint max-pool windows with gaps between them, channel counts past
// the 64-channel chunks, windows in the padding; convolutions with few patch elements (the
// first layer of a CNN: one input channel), whose forward and filter gradient run in register
// tiles, at sizes that do and do not fill a tile, and unpadded ones (strided, dilated, output
// rows wider than a tile), whose forward tiles read the input without im2col.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import type { NativeBackend } from '../../src/backends/native/native-backend.js';
import { expectSameOnBoth, runOn, type Input } from './compare-backends.js';
import { randomArray } from './random-inputs.js';
import type { Conv2DOptions } from '../../src/ops/primitives/conv.js';
import type { PoolOptions } from '../../src/ops/primitives/pool.js';

const nativeUp = nb.backendInfo('native').available;

function input(dtype: nb.DType, shape: number[], seed: number, specials = false): Input {
  return { data: randomArray(dtype, shape.reduce((a, b) => a * b, 1), seed, { lo: -1, hi: 1, specials }), shape, dtype };
}

/** Gradient of sum(op(x, ...) * w) with respect to input `which`. */
function gradOf(op: (...xs: nb.Tensor[]) => nb.Tensor, arity: number, which: number) {
  return (...xs: (nb.Tensor | undefined)[]): nb.Tensor => {
    const operands = xs.slice(0, arity) as nb.Tensor[];
    const tape = new nb.GradientTape();
    tape.watch(operands);
    const loss = nb.sum(nb.mul(op(...operands), xs[arity]!));
    return tape.gradient(loss, operands)[which]!;
  };
}

const POOL_CASES: [number[], PoolOptions][] = [
  [[2, 8, 9, 70], { poolSize: 2, strides: 3 }],
  [[3, 11, 11, 64], { poolSize: 2 }],
  [[2, 7, 5, 3], { poolSize: [2, 1], strides: [3, 2], padding: 'same' }],
  [[1, 5, 5, 130], { poolSize: 3, strides: 3, padding: 'same' }],
];

const CONV_CASES: { x: number[]; f: number[]; opts: Conv2DOptions }[] = [
  { x: [3, 28, 28, 1], f: [3, 3, 1, 32], opts: {} },
  { x: [2, 9, 10, 1], f: [3, 3, 1, 20], opts: { padding: 'same' } },
  { x: [2, 11, 9, 2], f: [5, 3, 2, 7], opts: { strides: [2, 1], dilations: [1, 2], padding: 'same' } },
  { x: [1, 13, 13, 3], f: [2, 2, 3, 48], opts: { strides: 2 } },
  { x: [1, 6, 6, 1], f: [3, 3, 1, 1], opts: {} },
  { x: [2, 12, 11, 3], f: [3, 2, 3, 40], opts: { strides: [1, 2], dilations: [2, 3] } },
  { x: [1, 9, 30, 2], f: [2, 3, 2, 17], opts: { strides: [3, 1] } },
];

if (!nativeUp) {
  describe('native special shapes (addon not built here)', () => {
    it('the native backend reports itself unavailable', () => expect(nb.backendInfo('native').available).toBe(false));
  });
} else {
  describe('native vs js: disjoint max-pool windows (bitwise)', () => {
    POOL_CASES.forEach(([shape, opts], k) => {
      it(`x ${JSON.stringify(shape)} ${JSON.stringify(opts)}`, () => {
        for (const d of ['float32', 'float64'] as const) {
          const x = input(d, shape, 70 + k, true);
          // Few distinct values: ties, where the first maximum must win.
          const tied = { ...x, data: x.data.map((v) => (Number.isFinite(v) ? Math.round(v * 2) / 2 : v)) };
          const yShape = nb.withBackend('js', () => [...nb.maxPool(nb.zeros(shape), opts).shape]);
          const w = input(d, yShape, 80 + k, true);
          const pool = (t: nb.Tensor) => nb.maxPool(t, opts);
          for (const [name, data] of [['random', x], ['tied', tied]] as const) {
            expectSameOnBoth(`maxPool ${name} ${d}`, [data], (a) => pool(a!));
            expectSameOnBoth(`maxPool grad ${name} ${d}`, [data, w], gradOf(pool, 1, 0));
          }
        }
      });
    });
  });

  describe('native vs js: convolutions with few patch elements', () => {
    CONV_CASES.forEach((c, k) => {
      it(`x ${JSON.stringify(c.x)} f ${JSON.stringify(c.f)} ${JSON.stringify(c.opts)}`, () => {
        const terms = c.f[0]! * c.f[1]! * c.f[2]!;
        for (const d of ['float32', 'float64'] as const) {
          const tol = d === 'float32' ? 1.2e-6 * Math.sqrt(terms) : 1e-13;
          const conv = (a: nb.Tensor, f: nb.Tensor) => nb.conv2d(a, f, c.opts);
          const x = input(d, c.x, 90 + k);
          const f = input(d, c.f, 100 + k);
          const yShape = nb.withBackend('js', () => [...conv(nb.zeros(c.x), nb.zeros(c.f)).shape]);
          const w = input(d, yShape, 110 + k);
          const pixels = yShape.slice(0, 3).reduce((a, b) => a * b, 1);
          expectSameOnBoth(`conv2d ${d}`, [x, f], (a, b) => conv(a!, b!), tol);
          expectSameOnBoth(`conv2d df ${d}`, [x, f, w], gradOf(conv, 2, 1), d === 'float32' ? 1.2e-6 * Math.sqrt(pixels) : 1e-12);
          expectSameOnBoth(`conv2d dx ${d}`, [x, f, w], gradOf(conv, 2, 0), d === 'float32' ? 1.2e-6 * Math.sqrt(c.f[0]! * c.f[1]! * c.f[3]!) : 1e-13);
        }
      });
    });

    it('float32 convs and their gradients give the same bits for 1 and 2 threads (each sum has one fixed order)', () => {
      const backend = engine.instance('native') as NativeBackend;
      const threads = backend.info().threads as number;
      const x = input('float32', [16, 13, 13, 32], 1);
      const f = input('float32', [3, 3, 32, 64], 2);
      const w = input('float32', [16, 11, 11, 64], 3);
      const conv = (a: nb.Tensor, b: nb.Tensor) => nb.conv2d(a, b);
      const work = [(a?: nb.Tensor, b?: nb.Tensor) => conv(a!, b!), gradOf(conv, 2, 0), gradOf(conv, 2, 1)];
      const bits = (v: nb.TypedArray) => Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      const run = (t: number) => {
        backend.setThreads(t);
        return work.map((fn) => bits(runOn('native', [x, f, w], fn).values));
      };
      try {
        const one = run(1);
        const two = run(2);
        expect(two).toEqual(one);
      } finally {
        backend.setThreads(threads);
      }
    });

    it('NaN and infinities in the input propagate through the register tiles', () => {
      const x = input('float32', [1, 8, 8, 1], 5, true);
      const f = input('float32', [3, 3, 1, 32], 6);
      const w = input('float32', [1, 6, 6, 32], 7);
      expectSameOnBoth('conv2d specials', [x, f], (a, b) => nb.conv2d(a!, b!), 1e-5);
      expectSameOnBoth('conv2d df specials', [x, f, w], gradOf((a, b) => nb.conv2d(a, b), 2, 1), 1e-5);
    });
  });
}
