// The native backend against the reference (js) on random inputs, for every op it runs in C++:
// odd sizes (GEMM edge tiles, loop tails), big sizes (thread splits), NaN/infinities/int32
// extremes, broadcasting, and bitwise stability run to run.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import type { NativeBackend } from '../../src/backends/native/native-backend.js';
import { expectSameOnBoth, runOn, type Input } from './compare-backends.js';
import { randomArray } from './random-inputs.js';

const nativeUp = nb.backendInfo('native').available;
const call = (name: string) => (nb as unknown as Record<string, (...a: unknown[]) => nb.Tensor>)[name]!;

function input(dtype: nb.DType, shape: number[], seed: number, opts: { specials?: boolean; lo?: number; hi?: number } = { specials: true }): Input {
  return { data: randomArray(dtype, shape.reduce((a, b) => a * b, 1), seed, opts), shape, dtype };
}

// Ops whose native result is one rounding of the exact value, as js computes it: bitwise equal.
const EXACT_UNARY = ['neg', 'abs', 'sign', 'sqrt', 'rsqrt', 'square', 'reciprocal', 'relu', 'floor', 'ceil', 'round', 'isNaN', 'isFinite', 'isInf', 'logicalNot'];
// libm and V8 may differ in the last bit of a double; after rounding to float32 rarely at all.
const LIBM_UNARY = ['sigmoid', 'exp', 'expm1', 'log', 'log1p', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'erf'];
const ARITH = ['add', 'sub', 'mul', 'div', 'floorDiv', 'mod', 'pow', 'maximum', 'minimum', 'atan2'];
const COMPARE = ['equal', 'notEqual', 'less', 'lessEqual', 'greater', 'greaterEqual', 'logicalAnd', 'logicalOr', 'logicalXor'];
const libmTol = (d: nb.DType) => (d === 'float64' ? 4e-16 : 1.2e-7);
// The reference's erf (series / continued fraction) is good to a few 1e-15; native uses libm's.
const unaryTol = (name: string, d: nb.DType) => (name === 'erf' && d !== 'float32' ? 1e-14 : LIBM_UNARY.includes(name) ? libmTol(d) : 0);

if (!nativeUp) {
  describe('native backend (not built here)', () => {
    it('reports why it is unavailable', () => {
      const info = nb.backendInfo('native') as { available: boolean; reason?: string };
      expect(info.available).toBe(false);
      expect(info.reason).toMatch(/nabla\.node/);
    });
  });
} else {
  describe('native vs js: unary', () => {
    for (const name of [...EXACT_UNARY, ...LIBM_UNARY]) {
      it(`${name} on float32, float64 and int32, odd and threaded sizes`, () => {
        const tol = (d: nb.DType) => unaryTol(name, d);
        for (const [dtype, n] of [['float32', 1001], ['float64', 333], ['int32', 257], ['float32', 200_003]] as const) {
          expectSameOnBoth(`${name} ${dtype}[${n}]`, [input(dtype, [n], n + name.length)], call(name), tol(dtype));
        }
        if (['relu', 'floor', 'ceil', 'round', 'square', 'abs', 'neg', 'sign'].includes(name)) return;
        expectSameOnBoth(`${name} bool`, [input('bool', [33], 5)], call(name), libmTol('float32'));
      });
    }
  });

  describe('native vs js: binary and compare', () => {
    const shapes: [number[], number[]][] = [
      [[1001], [1001]],
      [[3, 1, 5], [4, 1]],
      [[17], []],
      [[], [2, 9]],
      [[2, 3, 0], [3, 1]],
      [[300, 701], [701]],
      [[701, 1], [701, 300]],
    ];
    for (const name of [...ARITH, ...COMPARE]) {
      it(`${name}: broadcasting, every dtype, mixed dtypes`, () => {
        const dtypes: nb.DType[] = COMPARE.includes(name) ? ['float32', 'float64', 'int32', 'bool'] : ['float32', 'float64', 'int32'];
        const tol = (d: nb.DType) => (['pow', 'atan2'].includes(name) ? libmTol(d) : 0);
        shapes.forEach(([sa, sb], k) => {
          for (const d of dtypes) {
            expectSameOnBoth(`${name} ${d} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`, [input(d, sa, 10 + k), input(d, sb, 20 + k)], call(name), tol(d));
          }
        });
        expectSameOnBoth(`${name} int32 + float32`, [input('int32', [40], 3), input('float32', [40], 4)], call(name), tol('float32'));
        expectSameOnBoth(`${name} float32 + float64`, [input('float32', [5, 8], 5), input('float64', [8], 6)], call(name), tol('float64'));
      });
    }

    it('int32 floor division and modulo: negatives, zero divisors, INT_MIN / -1', () => {
      const a = { data: Int32Array.from([7, -7, 7, -7, 5, -2147483648, -2147483648, 0, 9]), shape: [9], dtype: 'int32' as const };
      const b = { data: Int32Array.from([2, 2, -2, -2, 0, -1, 1, 0, 3]), shape: [9], dtype: 'int32' as const };
      for (const name of ['floorDiv', 'mod', 'pow', 'mul', 'add', 'sub']) expectSameOnBoth(name, [a, b], call(name));
      expect(runOn('native', [a, b], nb.floorDiv).values).toEqual(Int32Array.from([3, -4, -4, 3, 0, -2147483648, -2147483648, 0, 3]));
    });
  });

  describe('native vs js: where, cast, copies of views', () => {
    it('where broadcasts condition, x and y', () => {
      for (const d of ['float32', 'float64', 'int32', 'bool'] as const) {
        expectSameOnBoth(`where ${d}`, [input('bool', [4, 1, 6], 1), input(d, [5, 1], 2), input(d, [6], 3)], (c, x, y) => nb.where(c!, x!, y!));
      }
      expectSameOnBoth('where big', [input('bool', [600, 500], 4), input('float32', [600, 500], 5), input('float32', [500], 6)], (c, x, y) => nb.where(c!, x!, y!));
    });

    it('cast between every pair of dtypes (saturation, NaN, rounding)', () => {
      const all = ['float32', 'float64', 'int32', 'bool'] as const;
      for (const from of all) for (const to of all) expectSameOnBoth(`cast ${from}->${to}`, [input(from, [999], 7, { specials: true, lo: -3e9, hi: 3e9 })], (x) => nb.cast(x!, to));
    });

    it('strided views (transpose, slice, flip, broadcast) materialize identically', () => {
      const x = input('float32', [7, 9, 11], 8);
      expectSameOnBoth('transpose', [x], (t) => nb.copy(nb.transpose(t!, [2, 0, 1])));
      expectSameOnBoth('slice', [x], (t) => nb.copy(nb.slice(t!, [1, 2, 3], [5, 6, 7])));
      expectSameOnBoth('flip', [x], (t) => nb.copy(nb.flip(t!, [0, 2])));
      expectSameOnBoth('broadcast', [input('int32', [1, 11], 9)], (t) => nb.copy(nb.broadcastTo(t!, [6, 11])));
      expectSameOnBoth('big transpose', [input('float64', [513, 700], 10)], (t) => nb.add(nb.transpose(t!), 1));
      // Inner-two-dims transposes (copied in tiles), with batch dims and a sliced source.
      expectSameOnBoth('batched transpose', [input('int32', [3, 37, 45], 12)], (t) => nb.copy(nb.transpose(t!, [0, 2, 1])));
      expectSameOnBoth('sliced transpose', [input('float32', [4, 70, 90], 13)], (t) => nb.copy(nb.transpose(nb.slice(t!, [1, 3, 5], [2, 60, 33]), [0, 2, 1])));
      expectSameOnBoth('bool view', [input('bool', [5, 4], 11)], (t) => nb.logicalNot(nb.transpose(t!)));
    });
  });

  describe('native vs js: reductions', () => {
    const cases: [number[], number[] | null][] = [
      [[1001], [0]],
      [[6, 7, 8], [1]],
      [[6, 7, 8], [0, 2]],
      [[6, 7, 8], null],
      [[3, 1, 4, 5], [1, 3]],
      [[0, 4], [0]],
      [[600, 700], [0]],
      [[600, 700], [1]],
      // Short runs (a softmax's row max over 10 classes), with NaN and infinities among them.
      [[256, 10], [1]],
      [[300_001], null],
    ];
    for (const name of ['sum', 'prod', 'max', 'min', 'all', 'any']) {
      it(`${name} over axes, keepDims, dtypes, threaded sizes`, () => {
        const dtypes: nb.DType[] = name === 'all' || name === 'any' ? ['bool', 'float32'] : ['float32', 'float64', 'int32', 'bool'].filter((d) => !(d === 'bool' && (name === 'max' || name === 'min'))) as nb.DType[];
        for (const [shape, axes] of cases) {
          for (const d of dtypes) {
            const opts = name === 'prod' ? { specials: false, lo: 0.9, hi: 1.1 } : { specials: shape.length < 3 };
            // Native sums long runs in eight lanes: same value to rounding, not the same order.
            const tol = name === 'sum' && d !== 'int32' && d !== 'bool' ? (d === 'float64' ? 1e-12 : 1e-6) : name === 'prod' ? 1e-12 : 0;
            expectSameOnBoth(`${name} ${d}${JSON.stringify(shape)} axes ${JSON.stringify(axes)}`, [input(d, shape, shape.length + 3, opts)], (x) => call(name)(x, axes, axes?.length === 1), tol);
          }
        }
      });
    }

    it('argmax and argmin: ties take the first, NaN wins, every axis', () => {
      for (const name of ['argmax', 'argmin']) {
        for (const d of ['float32', 'float64', 'int32'] as const) {
          for (const axis of [0, 1, 2]) expectSameOnBoth(`${name} ${d} axis ${axis}`, [input(d, [5, 300, 7], 12, { specials: true, lo: -2, hi: 2 })], (x) => call(name)(x, axis));
        }
      }
      const tied = { data: Float32Array.from([1, 3, 3, NaN, 2, NaN]), shape: [6], dtype: 'float32' as const };
      expect(runOn('native', [tied], (x) => nb.argmax(x!)).values[0]).toBe(3);
    });
  });

  describe('native vs js: matmul', () => {
    const sizes = [[1, 1, 1], [7, 13, 5], [13, 300, 17], [64, 64, 64], [257, 129, 130], [12, 1, 32], [25, 40, 33]];
    it('float32/float64/int32 at odd sizes (edge tiles) with every transpose', () => {
      for (const [m, k, n] of sizes) {
        for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
          for (const d of ['float32', 'float64', 'int32'] as const) {
            const a = input(d, ta ? [k!, m!] : [m!, k!], m! + k!, { lo: -1, hi: 1 });
            const b = input(d, tb ? [n!, k!] : [k!, n!], k! + n!, { lo: -1, hi: 1 });
            const tol = d === 'int32' ? 0 : (d === 'float32' ? 2e-6 : 1e-14) * Math.sqrt(k!);
            expectSameOnBoth(`matmul ${d} ${m}x${k}x${n} ${ta} ${tb}`, [a, b], (x, y) => nb.matmul(x!, y!, { transposeA: ta, transposeB: tb }), tol);
          }
        }
      }
    });

    it('batched with broadcast batch dims, and sizes that split across threads', () => {
      expectSameOnBoth('batched', [input('float32', [2, 1, 5, 7], 1, { lo: -1, hi: 1 }), input('float32', [3, 7, 4], 2, { lo: -1, hi: 1 })], (x, y) => nb.matmul(x!, y!), 1e-5);
      expectSameOnBoth('many small', [input('float32', [64, 9, 10], 3, { lo: -1, hi: 1 }), input('float32', [64, 10, 11], 4, { lo: -1, hi: 1 })], (x, y) => nb.matmul(x!, y!), 1e-5);
      expectSameOnBoth('big', [input('float32', [300, 520], 5, { lo: -1, hi: 1 }), input('float32', [520, 333], 6, { lo: -1, hi: 1 })], (x, y) => nb.matmul(x!, y!), 5e-5);
      // Threads split the columns of a wide product, the rows of a narrow one; k past 1024 takes
      // two k blocks (the second accumulates into C).
      expectSameOnBoth('wide, long k', [input('float32', [40, 1300], 9, { lo: -1, hi: 1 }), input('float32', [1300, 350], 10, { lo: -1, hi: 1 })], (x, y) => nb.matmul(x!, y!), 1e-4);
      expectSameOnBoth('narrow, tall', [input('float32', [2000, 200], 11, { lo: -1, hi: 1 }), input('float32', [200, 64], 12, { lo: -1, hi: 1 })], (x, y) => nb.matmul(x!, y!), 5e-5);
      expectSameOnBoth('empty k', [input('float32', [3, 0], 7), input('float32', [0, 4], 8)], (x, y) => nb.matmul(x!, y!));
    });

    it('propagates NaN and infinities as IEEE says (0 * inf = NaN)', () => {
      const a = { data: Float32Array.from([0, 1, NaN, 2]), shape: [2, 2], dtype: 'float32' as const };
      const b = { data: Float32Array.from([Infinity, 1, 1, 1]), shape: [2, 2], dtype: 'float32' as const };
      expectSameOnBoth('nan/inf', [a, b], (x, y) => nb.matmul(x!, y!));
    });
  });

  describe('native: bitwise stability', () => {
    const backend = () => engine.instance('native') as NativeBackend;
    const bits = (r: { values: nb.TypedArray }) => Array.from(new Uint8Array(r.values.buffer, r.values.byteOffset, r.values.byteLength));

    it('big reductions and matmuls give the same bits run to run, for 1 and 2 threads', () => {
      const x = input('float32', [700, 900], 1, { lo: -1, hi: 1 });
      const y = input('float32', [900, 650], 2, { lo: -1, hi: 1 });
      const work: ((...t: nb.Tensor[]) => nb.Tensor)[] = [(a) => nb.sum(a!), (a) => nb.sum(a!, 0), (a) => nb.max(a!, 1), (a, b) => nb.matmul(a!, b!)];
      const threads = backend().info().threads as number;
      try {
        const byThreads: number[][][] = [];
        for (const t of [1, 2]) {
          backend().setThreads(t);
          const first = work.map((f) => bits(runOn('native', [x, y], f)));
          const second = work.map((f) => bits(runOn('native', [x, y], f)));
          expect(second).toEqual(first);
          byThreads.push(first);
        }
        // The GEMM's summation order does not depend on how rows or columns are split between threads.
        expect(byThreads[1]![3]).toEqual(byThreads[0]![3]);
      } finally {
        backend().setThreads(threads);
      }
    });
  });
}
