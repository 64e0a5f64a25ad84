// The native line kernels (cumsum, cumprod, argsort) against the reference (js) kernels, bit for
// bit: every numeric dtype (and bool, which counts as int32), every axis and option, odd and
// threaded sizes, empty tensors, NaN/Inf/-0 and ties; int32 results that wrap or overflow as JS
// computes them; and bad input reaching the addon raising errors that name the op.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import type { NativeAddon } from '../../src/backends/native/load-addon.js';
import { NativeBackend } from '../../src/backends/native/native-backend.js';
import { cumprodOp, cumsumOp } from '../../src/ops/primitives/cumulative.js';
import { argsortOp } from '../../src/ops/primitives/sort.js';
import type { ArgWriter } from '../../src/backends/native/kernel-table.js';
import { expectSameOnBoth, runOn, type Input } from './compare-backends.js';
import { randomArray, rng } from './random-inputs.js';

const nativeUp = nb.backendInfo('native').available;
const NUMERIC = ['float32', 'float64', 'int32'] as const;
const MODES = [
  { exclusive: false, reverse: false },
  { exclusive: true, reverse: false },
  { exclusive: false, reverse: true },
  { exclusive: true, reverse: true },
];

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function input(dtype: nb.DType, shape: number[], seed: number, opts: { lo?: number; hi?: number } = {}): Input {
  return { data: randomArray(dtype, size(shape), seed, { specials: true, ...opts }), shape, dtype };
}

/** Values drawn from a handful of levels (NaN, infinities and both zeros among them): many ties. */
function tied(dtype: nb.DType, shape: number[], seed: number): Input {
  const r = rng(seed);
  const levels = dtype === 'int32' ? [-3, 0, 2, 2147483647, -2147483648] : [NaN, -Infinity, -1.5, -0, 0, 2, Infinity];
  const data = randomArray(dtype, size(shape), seed);
  for (let i = 0; i < data.length; i++) data[i] = levels[Math.floor(r() * levels.length)]!;
  return { data, shape, dtype };
}

/** Both backends give the same bytes (NaN payloads included), not just the same numbers. */
function expectSameBytes(label: string, inputs: Input[], fn: (...xs: nb.Tensor[]) => nb.Tensor): void {
  const bytes = (backend: string) => {
    const { values } = runOn(backend, inputs, fn);
    return Array.from(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  };
  expect(bytes('native'), label).toEqual(bytes('js'));
}

if (!nativeUp) {
  describe('native scan kernels (addon not built here)', () => {
    it('the native backend reports itself unavailable', () => expect(nb.backendInfo('native').available).toBe(false));
  });
} else {
  it('the native backend runs its own kernels for these primitives, not the reference ones', () => {
    const kernels = (engine.instance('native') as NativeBackend).kernels as Record<string, unknown>;
    for (const op of [cumsumOp, cumprodOp, argsortOp]) expect(kernels[op.name], op.name).not.toBe(op.ref);
    expect(NativeBackend.referenceOps()).not.toContain('cumsum');
  });

  describe('native vs js: cumsum and cumprod', () => {
    it('every dtype, axis (negative too) and mode on random inputs with NaN, infinities and signed zeros', () => {
      for (const dtype of [...NUMERIC, 'bool'] as const) {
        const x = input(dtype, [7, 5, 3], 1, { lo: -2, hi: 2 });
        for (const axis of [0, 1, 2, -1]) {
          for (const m of MODES) {
            const label = `${dtype} axis ${axis} ${JSON.stringify(m)}`;
            expectSameOnBoth(`cumsum ${label}`, [x], (a) => nb.cumsum(a!, axis, m));
            if (dtype !== 'bool') expectSameOnBoth(`cumprod ${label}`, [x], (a) => nb.cumprod(a!, axis, m));
          }
        }
      }
    });

    it('results are the same bytes as js, NaN payloads included', () => {
      for (const dtype of NUMERIC) {
        expectSameBytes(`cumsum ${dtype}`, [input(dtype, [9, 11], 2)], (a) => nb.cumsum(a!, 1));
        expectSameBytes(`cumprod ${dtype}`, [input(dtype, [9, 11], 3, { lo: -1.5, hi: 1.5 })], (a) => nb.cumprod(a!, 0, { reverse: true }));
      }
    });

    it('float32 accumulates in a double as the reference does, rounding once per stored element', () => {
      const x: Input = { data: Float32Array.from([16777216, 1, 1, 1]), shape: [4], dtype: 'float32' };
      // A float32 accumulator would stay at 2^24 (2^24 + 1 rounds back down each step).
      const y = runOn('native', [x], (a) => nb.cumsum(a!));
      expect(Array.from(y.values)).toEqual([16777216, 16777216, 16777218, 16777220]);
      expectSameOnBoth('float32 order', [x], (a) => nb.cumsum(a!));
      const r = rng(5);
      const spread = Float32Array.from({ length: 5003 }, (_, k) => (r() - 0.5) * 10 ** ((k % 9) - 4));
      expectSameOnBoth('float32 spread', [{ data: spread, shape: [5003], dtype: 'float32' }], (a) => nb.cumsum(a!, 0, { reverse: true }));
    });

    it('int32 wraps as ToInt32 of the exact double; products past 2^53 round, past 2^1024 become 0', () => {
      const big: Input = { data: Int32Array.from([2147483647, 2147483647, 1, -2147483648, -2147483648, -2147483648, 5]), shape: [7], dtype: 'int32' };
      for (const m of MODES) expectSameOnBoth(`int32 sum wrap ${JSON.stringify(m)}`, [big], (a) => nb.cumsum(a!, 0, m));
      const y = runOn('native', [big], (a) => nb.cumsum(a!));
      expect(Array.from(y.values)).toEqual([2147483647, -2, -1, 2147483647, -1, 2147483647, -2147483644]);
      const grow: Input = { data: Int32Array.from({ length: 45 }, (_, k) => (k === 40 ? 0 : k % 2 ? 2147483647 : -7919)), shape: [45], dtype: 'int32' };
      for (const m of MODES) expectSameOnBoth(`int32 product overflow ${JSON.stringify(m)}`, [grow], (a) => nb.cumprod(a!, 0, m));
      // 2147483647^k overflows a double after 33 factors: ToInt32(Infinity) and ToInt32(Infinity * 0 = NaN) are 0.
      const p = runOn('native', [{ data: Int32Array.from({ length: 36 }, () => 2147483647), shape: [36], dtype: 'int32' }], (a) => nb.cumprod(a!));
      expect(Array.from(p.values.slice(33))).toEqual([0, 0, 0]);
    });

    it('sizes that split across threads: many rows, wide rows with a partial column block, one long line', () => {
      for (const axis of [0, 1]) {
        expectSameOnBoth(`float32 [1000, 1000] axis ${axis}`, [input('float32', [1000, 1000], 6)], (a) => nb.cumsum(a!, axis));
        expectSameOnBoth(`float64 [1000, 1000] axis ${axis}`, [input('float64', [1000, 1000], 7, { lo: 0.5, hi: 1.5 })], (a) => nb.cumprod(a!, axis, { exclusive: true }));
      }
      expectSameOnBoth('int32 [5, 300, 257] axis 1', [input('int32', [5, 300, 257], 8)], (a) => nb.cumsum(a!, 1, { reverse: true }));
      expectSameOnBoth('float32 [3, 70001]', [input('float32', [3, 70001], 9)], (a) => nb.cumsum(a!, 1, { exclusive: true, reverse: true }));
      expectSameOnBoth('float64 [200003]', [input('float64', [200003], 10)], (a) => nb.cumsum(a!));
      expectSameOnBoth('float32 [13, 11] axis 1 (a partial row group)', [input('float32', [13, 11], 11)], (a) => nb.cumsum(a!, 1, { reverse: true }));
    });

    it('empty tensors and length-one axes', () => {
      for (const shape of [[0], [3, 0], [0, 4], [2, 0, 3]]) {
        for (let axis = 0; axis < shape.length; axis++) {
          expectSameOnBoth(`cumsum ${JSON.stringify(shape)} axis ${axis}`, [input('float32', shape, 1)], (a) => nb.cumsum(a!, axis, { exclusive: true }));
          expectSameOnBoth(`cumprod ${JSON.stringify(shape)} axis ${axis}`, [input('int32', shape, 1)], (a) => nb.cumprod(a!, axis));
        }
      }
      expectSameOnBoth('length one', [input('float64', [4, 1, 3], 12)], (a) => nb.cumprod(a!, 1, { exclusive: true, reverse: true }));
    });

    it('gradients (a reversed cumsum, and cumprod divided by x) run natively and match js', () => {
      const grad = (op: typeof nb.cumsum) => (x: nb.Tensor | undefined, w: nb.Tensor | undefined) => {
        const tape = new nb.GradientTape();
        tape.watch(x!);
        return tape.gradient(nb.sum(nb.mul(op(x!, 1, { exclusive: true }), w!)), [x!])[0]!;
      };
      const x = input('float64', [6, 40], 13, { lo: 0.5, hi: 2 });
      const w = input('float64', [6, 40], 14);
      expectSameOnBoth('cumsum grad', [x, w], grad(nb.cumsum));
      expectSameOnBoth('cumprod grad', [x, w], grad(nb.cumprod));
    });
  });

  describe('native vs js: argsort', () => {
    it('every dtype, axis and order on random inputs with NaN, infinities, signed zeros and ties', () => {
      for (const dtype of NUMERIC) {
        for (const x of [input(dtype, [7, 5, 6], 20), tied(dtype, [7, 5, 6], 21)]) {
          for (const axis of [0, 1, 2, -1]) {
            for (const descending of [false, true]) {
              expectSameOnBoth(`argsort ${dtype} axis ${axis} descending ${descending}`, [x], (a) => nb.argsort(a!, { axis, descending }));
            }
          }
        }
      }
    });

    it('NaN sorts last (first when descending), -0 ties with +0, equal values keep their order', () => {
      const x: Input = { data: Float64Array.from([NaN, 1, -0, -Infinity, 0, NaN, 1, Infinity, -0]), shape: [9], dtype: 'float64' };
      const up = runOn('native', [x], (a) => nb.argsort(a!));
      expect(Array.from(up.values)).toEqual([3, 2, 4, 8, 1, 6, 7, 0, 5]);
      const down = runOn('native', [x], (a) => nb.argsort(a!, { descending: true }));
      expect(Array.from(down.values)).toEqual([0, 5, 7, 1, 6, 2, 4, 8, 3]);
      expectSameOnBoth('specials up', [x], (a) => nb.argsort(a!));
      expectSameOnBoth('specials down', [x], (a) => nb.argsort(a!, { descending: true }));
    });

    it('line lengths around the switch to the radix sort, with heavy ties', () => {
      for (const n of [1, 2, 255, 1023, 1024, 1025, 3000]) {
        for (const dtype of NUMERIC) {
          for (const descending of [false, true]) {
            expectSameOnBoth(`tied ${dtype} n ${n} descending ${descending}`, [tied(dtype, [3, n], n)], (a) => nb.argsort(a!, { descending }));
            expectSameOnBoth(`random ${dtype} n ${n} descending ${descending}`, [input(dtype, [2, n], n + 1)], (a) => nb.argsort(a!, { descending }));
          }
        }
      }
    });

    it('sizes that split across threads, one long line, sort and topk on top of it, empty tensors', () => {
      expectSameOnBoth('rows', [input('float32', [300, 700], 30)], (a) => nb.argsort(a!, 1));
      expectSameOnBoth('columns', [input('float64', [300, 700], 31)], (a) => nb.argsort(a!, { axis: 0, descending: true }));
      expectSameOnBoth('long line float64', [tied('float64', [100001], 32)], (a) => nb.argsort(a!));
      expectSameOnBoth('long line int32', [input('int32', [100003], 33)], (a) => nb.argsort(a!, { descending: true }));
      expectSameOnBoth('sort', [input('float32', [40, 50], 34)], (a) => nb.sort(a!, 0));
      expectSameOnBoth('topk', [tied('float32', [6, 300], 35)], (a) => nb.topk(a!, 7).indices);
      for (const shape of [[0], [3, 0], [0, 4]]) {
        for (let axis = 0; axis < shape.length; axis++) expectSameOnBoth(`empty ${JSON.stringify(shape)} axis ${axis}`, [input('float32', shape, 1)], (a) => nb.argsort(a!, axis));
      }
    });
  });

  describe('native vs js: any thread count', () => {
    it('on 1, 2, 3 or 5 threads, lines shared out among them, results equal js', () => {
      const backend = engine.instance('native') as NativeBackend;
      const threads = backend.info().threads as number;
      try {
        for (const t of [1, 2, 3, 5]) {
          backend.setThreads(t);
          expectSameOnBoth(`tied float32 on ${t} threads`, [tied('float32', [7, 7001], 50 + t)], (a) => nb.argsort(a!));
          expectSameOnBoth(`int32 descending on ${t} threads`, [input('int32', [65537], 60 + t)], (a) => nb.argsort(a!, { descending: true }));
          expectSameOnBoth(`float64 columns on ${t} threads`, [input('float64', [2001, 9], 80 + t)], (a) => nb.argsort(a!, 0));
          expectSameOnBoth(`cumsum rows on ${t} threads`, [input('float32', [301, 257], 70 + t)], (a) => nb.cumsum(a!, 0, { reverse: true }));
        }
      } finally {
        backend.setThreads(threads);
      }
    });
  });

  describe('native scan kernels: bad input reaching the addon', () => {
    const { addon, args } = engine.instance('native') as unknown as { addon: NativeAddon; args: ArgWriter };
    const scanWords = (shape: number[], axis: number, exclusive = 0, reverse = 0) => args.begin().shape('scan', shape).int(axis).int(exclusive).int(reverse);

    it('scan: unknown op, axis out of range, flags that are not 0 or 1', () => {
      scanWords([2, 3], 0);
      expect(() => addon.scan(2, new Float32Array(6), new Float32Array(6))).toThrow(/scan: unknown op code 2/);
      scanWords([2, 3], 2);
      expect(() => addon.scan(0, new Float32Array(6), new Float32Array(6))).toThrow(/cumsum: axis 2 is out of range for shape \[2, 3\]; expected an axis in \[0, 1\]/);
      scanWords([2, 3], -1);
      expect(() => addon.scan(1, new Float32Array(6), new Float32Array(6))).toThrow(/cumprod: axis -1 is out of range/);
      scanWords([2, 3], 0, 2);
      expect(() => addon.scan(0, new Float32Array(6), new Float32Array(6))).toThrow(/cumsum: exclusive must be 0 or 1, got 2/);
      scanWords([2, 3], 0, 0, 0.5);
      expect(() => addon.scan(0, new Float32Array(6), new Float32Array(6))).toThrow(/reverse must be an integer/);
    });

    it('scan: wrong dtypes and lengths', () => {
      scanWords([2, 3], 1);
      expect(() => addon.scan(0, new Uint8Array(6), new Uint8Array(6))).toThrow(/cumsum: x must be float32, float64 or int32, got bool/);
      expect(() => addon.scan(1, new Float32Array(6), new Float64Array(6))).toThrow(/cumprod: the output must have x's dtype float32, got float64/);
      expect(() => addon.scan(0, new Float32Array(5), new Float32Array(6))).toThrow(/cumsum: x holds 5 elements, expected 6/);
      expect(() => addon.scan(0, new Int32Array(6), new Int32Array(7))).toThrow(/cumsum: output holds 7 elements, expected 6/);
      expect(() => (addon.scan as (...a: unknown[]) => void)(0, new Int32Array(6))).toThrow(/output must be a typed array/);
    });

    it('argsort: axis, flag, dtypes and lengths', () => {
      const words = (shape: number[], axis: number, descending = 0) => args.begin().shape('argsort', shape).int(axis).int(descending);
      words([4, 5], 2);
      expect(() => addon.argsort(new Float32Array(20), new Int32Array(20))).toThrow(/argsort: axis 2 is out of range for shape \[4, 5\]/);
      words([4, 5], 1, -1);
      expect(() => addon.argsort(new Float32Array(20), new Int32Array(20))).toThrow(/argsort: descending must be 0 or 1, got -1/);
      words([4, 5], 1);
      expect(() => addon.argsort(new Uint8Array(20), new Int32Array(20))).toThrow(/argsort: x must be float32, float64 or int32, got bool/);
      expect(() => addon.argsort(new Float32Array(20), new Float32Array(20) as never)).toThrow(/argsort: the output must be int32, got float32/);
      expect(() => addon.argsort(new Float64Array(19), new Int32Array(20))).toThrow(/argsort: x holds 19 elements, expected 20/);
      expect(() => addon.argsort(new Float64Array(20), new Int32Array(21))).toThrow(/argsort: output holds 21 elements, expected 20/);
      // The backend still works after the refusals.
      expectSameOnBoth('after errors', [input('float32', [4, 5], 40)], (a) => nb.argsort(a!));
    });
  });
}
