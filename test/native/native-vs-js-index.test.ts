// The native index and structure kernels (gather, unsortedSegmentSum, gatherND, scatterND,
// tensorScatterUpdate, concat, pad, copy) against the reference (js) kernels, bit for bit: every
// dtype, odd and threaded sizes, batch dims, edge and negative indices, duplicates, empty
// tensors, every pad mode and fill value, concat along each axis, and the same errors for
// out-of-range indices.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import { PRIMITIVES } from '../../src/ops/primitives/index.js';
import type { NativeBackend } from '../../src/backends/native/native-backend.js';
import type { NativeAddon } from '../../src/backends/native/load-addon.js';
import type { ArgWriter } from '../../src/backends/native/kernel-table.js';
import { expectSameOnBoth, type Input } from './compare-backends.js';
import { randomArray, rng } from './random-inputs.js';

const nativeUp = nb.backendInfo('native').available;
const DTYPES = ['float32', 'float64', 'int32', 'bool'] as const;
const NUMERIC = ['float32', 'float64', 'int32'] as const;

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function input(dtype: nb.DType, shape: number[], seed: number): Input {
  return { data: randomArray(dtype, size(shape), seed, { specials: true }), shape, dtype };
}

/** int32 indices in [lo, hi), with lo and hi - 1 themselves among them when there is room. */
function indices(shape: number[], lo: number, hi: number, seed: number): Input {
  const r = rng(seed);
  const data = Int32Array.from({ length: size(shape) }, () => lo + Math.floor(r() * (hi - lo)));
  if (data.length > 1) {
    data[0] = lo;
    data[data.length - 1] = hi - 1;
  }
  return { data, shape, dtype: 'int32' };
}

/** The error each backend raises for fn, as [class name, message]. */
function errorOn(backend: string, fn: () => unknown): [string, string] {
  return nb.withBackend(backend, () => {
    try {
      fn();
    } catch (e) {
      return [(e as Error).constructor.name, (e as Error).message];
    }
    throw new Error(`${backend}: expected an error`);
  });
}

function expectSameError(label: string, fn: () => unknown, pattern: RegExp): void {
  const js = errorOn('js', fn);
  expect(js[1], label).toMatch(pattern);
  expect(errorOn('native', fn), label).toEqual(js);
}

if (!nativeUp) {
  describe('native index kernels (addon not built here)', () => {
    it('the native backend reports itself unavailable', () => expect(nb.backendInfo('native').available).toBe(false));
  });
} else {
  describe('native vs js: gather', () => {
    it('every axis, dtype and index shape (scalar, vector, matrix), edges included', () => {
      for (const dtype of DTYPES) {
        for (const axis of [0, 1, 2, -1]) {
          const x = input(dtype, [7, 5, 3], 1);
          const n = [7, 5, 3][axis < 0 ? axis + 3 : axis]!;
          for (const shape of [[], [4], [2, 3]]) {
            expectSameOnBoth(`gather ${dtype} axis ${axis} indices ${JSON.stringify(shape)}`, [x, indices(shape, 0, n, 2)], (a, i) => nb.gather(a!, i!, axis));
          }
        }
      }
    });

    it('batch dims', () => {
      for (const dtype of DTYPES) {
        expectSameOnBoth(`gather ${dtype} batchDims 1`, [input(dtype, [3, 5, 4], 3), indices([3, 6], 0, 5, 4)], (a, i) => nb.gather(a!, i!, { axis: 1, batchDims: 1 }));
        expectSameOnBoth(`gather ${dtype} batchDims 2`, [input(dtype, [2, 3, 5, 2], 5), indices([2, 3, 4], 0, 5, 6)], (a, i) => nb.gather(a!, i!, { axis: 2, batchDims: -1 }));
      }
    });

    it('sizes that split across threads: wide rows, single elements, one huge slice', () => {
      expectSameOnBoth('rows', [input('float32', [2000, 64], 7), indices([3000], 0, 2000, 8)], (a, i) => nb.gather(a!, i!));
      expectSameOnBoth('elements', [input('float64', [100001], 9), indices([150001], 0, 100001, 10)], (a, i) => nb.gather(a!, i!));
      expectSameOnBoth('one slice', [input('int32', [3, 70001], 11), indices([1], 2, 3, 12)], (a, i) => nb.gather(a!, i!));
      expectSameOnBoth('bool columns', [input('bool', [301, 257], 13), indices([301], 0, 257, 14)], (a, i) => nb.gather(a!, i!, 1));
    });

    it('empty tensors', () => {
      expectSameOnBoth('no indices', [input('float32', [4, 3], 1), indices([0], 0, 4, 1)], (a, i) => nb.gather(a!, i!));
      expectSameOnBoth('empty rows', [input('float32', [4, 0], 1), indices([5], 0, 4, 1)], (a, i) => nb.gather(a!, i!));
      expectSameOnBoth('empty outer', [input('int32', [0, 4], 1), indices([2], 0, 4, 1)], (a, i) => nb.gather(a!, i!, 1));
    });
  });

  describe('native vs js: unsortedSegmentSum', () => {
    it('every numeric dtype, duplicate and negative (dropped) ids, unused segments', () => {
      for (const dtype of NUMERIC) {
        for (const shape of [[9], [9, 4], [3, 3, 5]]) {
          const ids = indices(shape.slice(0, shape.length > 2 ? 2 : 1), -2, 5, 20);
          expectSameOnBoth(`segment sum ${dtype} ${JSON.stringify(shape)}`, [input(dtype, shape, 21), ids], (d, i) => nb.unsortedSegmentSum(d!, i!, 7));
        }
      }
    });

    it('int32 sums wrap as JS typed arrays do; float32 sums round at each step in the reference order', () => {
      const big: Input = { data: Int32Array.from([2147483647, 1, -2147483648, -1, 5]), shape: [5], dtype: 'int32' };
      expectSameOnBoth('int32 wrap', [big, { data: Int32Array.from([0, 0, 1, 1, 0]), shape: [5], dtype: 'int32' }], (d, i) => nb.unsortedSegmentSum(d!, i!, 2));
      const r = rng(3);
      const spread = Float32Array.from({ length: 5000 }, (_, k) => (r() - 0.5) * 10 ** ((k % 9) - 4));
      expectSameOnBoth('float32 order', [{ data: spread, shape: [5000], dtype: 'float32' }, indices([5000], 0, 3, 4)], (d, i) => nb.unsortedSegmentSum(d!, i!, 3));
    });

    it('sizes that split across threads (many rows, wide rows, one narrow row)', () => {
      expectSameOnBoth('wide', [input('float32', [20000, 40], 1), indices([20000], -1, 300, 2)], (d, i) => nb.unsortedSegmentSum(d!, i!, 300));
      expectSameOnBoth('narrow', [input('float64', [200000], 3), indices([200000], -1, 50, 4)], (d, i) => nb.unsortedSegmentSum(d!, i!, 50));
      // The gradient of gather along axis 1 sums into many rows (outer = 400).
      const grad = (x: nb.Tensor | undefined, i: nb.Tensor | undefined, w: nb.Tensor | undefined) => {
        const tape = new nb.GradientTape();
        tape.watch(x!);
        return tape.gradient(nb.sum(nb.mul(nb.gather(x!, i!, 1), w!)), [x!])[0]!;
      };
      expectSameOnBoth('gather grad', [input('float32', [400, 90, 3], 5), indices([200], 0, 90, 6), input('float32', [400, 200, 3], 7)], grad);
    });

    it('batch dims (the gradient of a batched gather) and empty tensors', () => {
      const grad = (x: nb.Tensor | undefined, i: nb.Tensor | undefined) => {
        const tape = new nb.GradientTape();
        tape.watch(x!);
        return tape.gradient(nb.sum(nb.square(nb.gather(x!, i!, { axis: 1, batchDims: 1 }))), [x!])[0]!;
      };
      expectSameOnBoth('batched', [input('float64', [3, 6, 4], 8), indices([3, 9], 0, 6, 9)], grad);
      expectSameOnBoth('no data', [input('float32', [0, 3], 1), indices([0], 0, 1, 1)], (d, i) => nb.unsortedSegmentSum(d!, i!, 4));
      expectSameOnBoth('no segments', [input('float32', [2, 3], 1), indices([2], -1, 0, 1)], (d, i) => nb.unsortedSegmentSum(d!, i!, 0));
    });
  });

  describe('native vs js: gatherND, scatterND, tensorScatterUpdate', () => {
    it('gatherND with K = 0..3 coordinates, every dtype', () => {
      for (const dtype of DTYPES) {
        const x = input(dtype, [5, 6, 7], 30);
        for (const k of [0, 1, 2, 3]) {
          const r = rng(31 + k);
          const data = Int32Array.from({ length: 8 * k }, (_, j) => Math.floor(r() * [5, 6, 7][j % k]!));
          if (k > 0) data.set([4, 5, 6].slice(0, k), 0);
          expectSameOnBoth(`gatherND ${dtype} K=${k}`, [x, { data, shape: [2, 4, k], dtype: 'int32' }], (a, i) => nb.gatherND(a!, i!));
        }
      }
    });

    it('scatterND sums duplicates; tensorScatterUpdate keeps the last one', () => {
      const idx: Input = { data: Int32Array.from([1, 2, 0, 0, 1, 2, 3, 3, 1, 2]), shape: [5, 2], dtype: 'int32' };
      for (const dtype of NUMERIC) {
        expectSameOnBoth(`scatterND ${dtype}`, [idx, input(dtype, [5, 3], 40)], (i, u) => nb.scatterND(i!, u!, [4, 4, 3]));
      }
      for (const dtype of DTYPES) {
        expectSameOnBoth(`tensorScatterUpdate ${dtype}`, [input(dtype, [4, 4, 3], 41), idx, input(dtype, [5, 3], 42)], (t, i, u) => nb.tensorScatterUpdate(t!, i!, u!));
      }
    });

    it('sizes that split across threads and empty tensors', () => {
      const rows = indices([3000, 1], 0, 2000, 50);
      expectSameOnBoth('gatherND rows', [input('float32', [2000, 64], 51), rows], (a, i) => nb.gatherND(a!, i!));
      expectSameOnBoth('scatterND rows', [rows, input('float32', [3000, 64], 52)], (i, u) => nb.scatterND(i!, u!, [2000, 64]));
      expectSameOnBoth('scatterND elements', [indices([100000, 1], 0, 70000, 53), input('int32', [100000], 54)], (i, u) => nb.scatterND(i!, u!, [70000]));
      expectSameOnBoth('scatterND few into many', [indices([3, 1], 0, 90000, 55), input('float64', [3], 56)], (i, u) => nb.scatterND(i!, u!, [90000]));
      expectSameOnBoth('update rows', [input('float64', [2000, 64], 57), rows, input('float64', [3000, 64], 58)], (t, i, u) => nb.tensorScatterUpdate(t!, i!, u!));
      const none: Input = { data: new Int32Array(0), shape: [0, 2], dtype: 'int32' };
      expectSameOnBoth('gatherND none', [input('float32', [3, 4], 1), none], (a, i) => nb.gatherND(a!, i!));
      expectSameOnBoth('scatterND none', [none, input('float32', [0], 1)], (i, u) => nb.scatterND(i!, u!, [3, 4]));
      expectSameOnBoth('update none', [input('bool', [3, 4], 1), none, input('bool', [0], 1)], (t, i, u) => nb.tensorScatterUpdate(t!, i!, u!));
    });

    it('gradients route through the native scatter and gather', () => {
      const grad = (x: nb.Tensor | undefined, u: nb.Tensor | undefined) => {
        const tape = new nb.GradientTape();
        tape.watch([x!, u!]);
        const y = nb.tensorScatterUpdate(x!, [[0, 1], [2, 2], [0, 1]], u!);
        const [gx, gu] = tape.gradient(nb.sum(nb.mul(nb.gatherND(y, [[0], [2]]), y.slice([0, 0], [2, 3]).square().sum())), [x!, u!]);
        return nb.concat([gx!.reshape([-1]), gu!], 0);
      };
      expectSameOnBoth('grad', [input('float64', [3, 3], 60), input('float64', [3], 61)], grad);
    });
  });

  describe('native vs js: concat, pad, copy', () => {
    it('concat along each axis, every dtype, inputs empty along the axis', () => {
      for (const dtype of DTYPES) {
        for (const axis of [0, 1, 2]) {
          const shape = (d: number) => [2, 3, 4].map((v, i) => (i === axis ? d : v));
          const parts = [input(dtype, shape(3), 70), input(dtype, shape(0), 71), input(dtype, shape(1), 72), input(dtype, shape(2), 73)];
          expectSameOnBoth(`concat ${dtype} axis ${axis}`, parts, (...xs) => nb.concat(xs, axis));
        }
      }
      expectSameOnBoth('stack', [input('float32', [3, 5], 1), input('float32', [3, 5], 2)], (a, b) => nb.stack([a!, b!], 1));
    });

    it('concat at sizes that split across threads, of one tensor with itself, and of 1001 inputs', () => {
      expectSameOnBoth('axis 0', [input('float32', [300, 200], 1), input('float32', [500, 200], 2)], (a, b) => nb.concat([a!, b!], 0));
      expectSameOnBoth('axis 1', [input('float64', [30000, 3], 3), input('float64', [30000, 5], 4)], (a, b) => nb.concat([a!, b!], 1));
      expectSameOnBoth('itself', [input('int32', [100, 700], 5)], (a) => nb.concat([a!, a!, a!], 1));
      const many = Array.from({ length: 1001 }, (_, k) => input('float32', [2, 1], k));
      expectSameOnBoth('1001 inputs', many, (...xs) => nb.concat(xs, 1));
    });

    it('constant pad with every dtype and fill value (-0, fractions, NaN, out of range for ints and bools)', () => {
      for (const dtype of DTYPES) {
        for (const value of [0, -0, 2.7, -1, NaN, 300, 1e10]) {
          expectSameOnBoth(`pad ${dtype} ${value}`, [input(dtype, [3, 4, 2], 80)], (x) => nb.pad(x!, [[1, 2], [0, 3], [2, 1]], value));
        }
      }
    });

    it('pad: scalars, empty tensors, no padding, one dim, threaded sizes', () => {
      expectSameOnBoth('scalar', [input('float32', [], 1)], (x) => nb.pad(x!, [], 5));
      expectSameOnBoth('empty', [input('float32', [0, 3], 1)], (x) => nb.pad(x!, [[1, 1], [2, 0]], 5));
      expectSameOnBoth('empty row', [input('int32', [3, 0], 1)], (x) => nb.pad(x!, [[0, 1], [2, 2]], 5));
      expectSameOnBoth('to nothing', [input('int32', [0, 0], 1)], (x) => nb.pad(x!, [[0, 0], [0, 0]], 5));
      expectSameOnBoth('none', [input('float64', [5, 7], 2)], (x) => nb.pad(x!, [[0, 0], [0, 0]]));
      expectSameOnBoth('1-d', [input('float64', [100000], 3)], (x) => nb.pad(x!, [[3, 40000]], 1.5));
      expectSameOnBoth('images', [input('float32', [8, 60, 60, 16], 4)], (x) => nb.pad(x!, [[0, 0], [1, 2], [2, 1], [0, 0]]));
      expectSameOnBoth('narrow rows', [input('bool', [50000, 1], 5)], (x) => nb.pad(x!, [[2, 0], [1, 1]], 1));
    });

    it('reflect and symmetric modes (slices, flips and concat)', () => {
      for (const dtype of DTYPES) {
        for (const mode of ['reflect', 'symmetric'] as const) {
          expectSameOnBoth(`pad ${dtype} ${mode}`, [input(dtype, [4, 5, 3], 90)], (x) => nb.pad(x!, [[2, 3], [1, 4], [0, 2]], { mode }));
        }
      }
      expectSameOnBoth('reflect threaded', [input('float32', [4, 200, 200], 91)], (x) => nb.pad(x!, [[0, 0], [3, 3], [3, 3]], { mode: 'reflect' }));
    });

    it('copy of every dtype, empty and threaded', () => {
      for (const dtype of DTYPES) expectSameOnBoth(`copy ${dtype}`, [input(dtype, [3, 5], 1)], (x) => nb.copy(x!));
      expectSameOnBoth('copy empty', [input('float32', [0, 5], 1)], (x) => nb.copy(x!));
      expectSameOnBoth('copy large', [input('float64', [300000], 2)], (x) => nb.copy(x!));
    });
  });

  describe('native index kernels: bad indices raise the same error as on js', () => {
    const x = () => nb.tensor([[1, 2, 3], [4, 5, 6]]);
    it('gather and unsortedSegmentSum', () => {
      expectSameError('gather past the end', () => nb.gather(x(), [0, 2], 0), /gather: index 2 at indices\[1\] is out of range for axis 0 of x \[2, 3\] \(size 2\)/);
      expectSameError('gather negative', () => nb.gather(x(), [[0, 1], [-1, 0]], 1), /index -1 at indices\[1, 0\].*\[0, 2\]/);
      expectSameError('gather empty axis', () => nb.gather(nb.zeros([0, 2]), [0]), /no valid index/);
      expectSameError('segment id too big', () => nb.unsortedSegmentSum(nb.tensor([1, 2, 3]), [0, -1, 3], 3), /unsortedSegmentSum: index 3 at indices\[2\] is out of range for the segments \(size 3\)/);
    });

    it('gatherND, scatterND and tensorScatterUpdate', () => {
      expectSameError('gatherND', () => nb.gatherND(x(), [[1, 0], [1, 3]]), /gatherND: index 3 at indices\[1, 1\] is out of range for dim 1 of shape \[2, 3\]/);
      expectSameError('scatterND', () => nb.scatterND([[2]], [1], [2]), /scatterND: index 2 at indices\[0, 0\]/);
      expectSameError('tensorScatterUpdate', () => nb.tensorScatterUpdate(x(), [[-1, 0]], [7]), /tensorScatterUpdate: index -1/);
    });

    it('the addon raises the reference wording itself (as in a jit replay, where no TypeScript runs)', () => {
      const backend = engine.instance('native') as NativeBackend;
      const { addon, args } = backend as unknown as { addon: NativeAddon; args: ArgWriter };
      const want = errorOn('js', () => nb.gather(x(), [0, 2], 0))[1];
      args.begin().shape('gather', [2, 3]).shape('gather', [2]).int(0).int(0);
      const call = () => addon.gather(0, Float32Array.from([1, 2, 3, 4, 5, 6]), Int32Array.from([0, 2]), new Float32Array(6));
      expect(call).toThrow(want);
      args.begin().shape('indexND', [2, 3]).shape('indexND', [1, 2]);
      expect(() => addon.indexND(1, Int32Array.from([0, 3]), new Float32Array(1), new Float32Array(6))).toThrow(
        'scatterND: index 3 at indices[0, 1] is out of range for dim 1 of shape [2, 3] (size 3); expected an integer in [0, 2]',
      );
    });

    it('the addon rejects lengths and dtypes that do not match the shapes it is given', () => {
      const { addon, args } = engine.instance('native') as unknown as { addon: NativeAddon; args: ArgWriter };
      args.begin().shape('gather', [2, 3]).shape('gather', [2]).int(0).int(0);
      expect(() => addon.gather(0, new Float32Array(5), new Int32Array(2), new Float32Array(6))).toThrow(/x holds 5 elements, expected 6/);
      expect(() => addon.gather(0, new Float32Array(6), new Float32Array(2), new Float32Array(6))).toThrow(/indices must be int32/);
      expect(() => addon.gather(0, new Float32Array(6), new Int32Array(2), new Float32Array(7))).toThrow(/output holds 7/);
      expect(() => addon.gather(5, new Float32Array(6), new Int32Array(2), new Float32Array(6))).toThrow(/unknown op/);
      args.begin().int(2).int(2).int(3).int(3);
      expect(() => addon.concat(new Float32Array(6), new Float32Array(8), new Float32Array(12))).toThrow(/concat: an input holds 8 elements, expected 6/);
      expect(() => addon.concat(new Float32Array(6), new Float32Array(14))).toThrow(/expected 2 inputs/);
      args.begin().int(0).shape('pad', [2]).int(1).int(-1);
      expect(() => addon.pad(new Float32Array(2), new Float32Array(2))).toThrow(/non-negative/);
      args.begin().int(0).shape('pad', [2]).int(1).int(0.5);
      expect(() => addon.pad(new Float32Array(2), new Float32Array(3))).toThrow(/must be an integer/);
      args.begin().int(0).shape('pad', [2]).int(1).int(0);
      expect(() => addon.pad(new Float32Array(2), new Int32Array(3))).toThrow(/share a dtype/);
    });
  });

  describe('native index kernels: each writes all of its output', () => {
    it('the ops run the C++ kernels, not the reference ones', () => {
      const backend = engine.instance('native') as NativeBackend;
      for (const name of ['gather', 'unsortedSegmentSum', 'gatherND', 'scatterND', 'tensorScatterUpdate', 'concat', 'pad', 'copy'] as const) {
        expect(backend.kernels[name], name).toBeDefined();
        expect(backend.kernels[name], name).not.toBe(PRIMITIVES[name].ref);
      }
    });

    it('an output full of garbage ends up equal to a zeroed one (plans reuse buffers without zeroing)', () => {
      const { addon, args } = engine.instance('native') as unknown as { addon: NativeAddon; args: ArgWriter };
      const data = randomArray('float32', 6 * 70, 1);
      const ids = Int32Array.from({ length: 6 }, (_, k) => [2, -1, 0, 2, 4, -1][k]!);
      // [label, a call writing `out`, the output's length]
      const calls: [string, (out: Float32Array) => void, number][] = [
        ['unsortedSegmentSum', (out) => {
          args.begin().shape('s', [6, 70]).shape('s', [6]).int(0).int(0).int(5);
          addon.gather(1, data, ids, out);
        }, 5 * 70],
        ['gather', (out) => {
          args.begin().shape('g', [6, 70]).shape('g', [3]).int(0).int(0);
          addon.gather(0, data, Int32Array.from([5, 0, 5]), out);
        }, 3 * 70],
        ['scatterND', (out) => {
          args.begin().shape('s', [8, 70]).shape('s', [6, 1]);
          addon.indexND(1, Int32Array.from([1, 1, 7, 0, 3, 3]), data, out);
        }, 8 * 70],
        ['tensorScatterUpdate', (out) => {
          args.begin().shape('t', [6, 70]).shape('t', [2, 1]);
          addon.indexND(2, data, Int32Array.from([4, 4]), data.subarray(0, 140), out);
        }, 6 * 70],
        ['concat', (out) => {
          args.begin().int(6).int(2).int(70).int(30);
          addon.concat(data, data.subarray(0, 180), out);
        }, 6 * 100],
        ['pad', (out) => {
          args.begin().int(0).shape('p', [6, 70]).int(2).int(1).int(3).int(0);
          addon.pad(data, out);
        }, 9 * 73],
      ];
      for (const [label, run, n] of calls) {
        const zeroed = new Float32Array(n);
        run(zeroed);
        const garbage = Float32Array.from({ length: n }, (_, k) => [NaN, Infinity, -3e38, 7][k % 4]!);
        run(garbage);
        expect(Array.from(garbage), label).toEqual(Array.from(zeroed));
      }
    });
  });

  describe('native index kernels: results do not depend on the thread count', () => {
    it('1 thread and the pool give the same bits', () => {
      const backend = engine.instance('native') as NativeBackend;
      const threads = backend.info().threads as number;
      const run = () =>
        nb.withBackend('native', () => {
          const ids = nb.tensor(indices([60000], -1, 40, 1).data, [60000], 'int32');
          const data = nb.tensor(randomArray('float32', 60000 * 33, 2), [60000, 33]);
          return [nb.unsortedSegmentSum(data, ids, 40), nb.scatterND(ids.maximum(0).expandDims(1), data, [40, 33])].map((t) => Array.from(t.dataSync()));
        });
      try {
        backend.setThreads(1);
        const one = run();
        backend.setThreads(Math.max(2, threads));
        expect(run()).toEqual(one);
      } finally {
        backend.setThreads(threads);
      }
    });
  });
}
