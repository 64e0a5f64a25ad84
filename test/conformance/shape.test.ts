import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { backendsUnderTest, checkGrad, expectClose, expectExact, on, sample, widestFloat } from './harness.js';
import { Rng, operand, randomShape, ravel, sizeOf, unravel } from './random-cases.js';

const M = [[1, 2, 3], [4, 5, 6]];

/** The indices Python's `range(d)[start:stop:step]` selects, enumerated the slow way. */
function pySlice(d: number, start: number | undefined, stop: number | undefined, step: number): number[] {
  const out: number[] = [];
  if (step > 0) {
    const s = start === undefined ? 0 : start < 0 ? Math.max(0, start + d) : Math.min(start, d);
    const e = stop === undefined ? d : stop < 0 ? Math.max(0, stop + d) : Math.min(stop, d);
    for (let i = s; i < e; i += step) out.push(i);
  } else {
    const s = start === undefined ? d - 1 : start < 0 ? Math.max(-1, start + d) : Math.min(start, d - 1);
    const e = stop === undefined ? -1 : stop < 0 ? Math.max(-1, stop + d) : Math.min(stop, d - 1);
    for (let i = s; i > e; i += step) out.push(i);
  }
  return out;
}

/** 0..n-1 as float32 in the given shape. */
const iota = (shape: number[]) => nb.reshape(nb.range(0, shape.reduce((a, b) => a * b, 1), 1, 'float32'), shape);

for (const backend of backendsUnderTest()) {
  describe(`views on ${backend}`, () => {
    it('reshape: explicit shapes, -1, scalars, empty tensors; a view when contiguous', () =>
      on(backend, () => {
        const a = nb.tensor(M);
        expectClose(a.reshape([3, 2]), [[1, 2], [3, 4], [5, 6]]);
        expectClose(a.reshape([-1]), [1, 2, 3, 4, 5, 6]);
        expectClose(a.reshape([-1, 1]), [[1], [2], [3], [4], [5], [6]]);
        expect(a.reshape([1, -1, 1]).shape).toEqual([1, 6, 1]);
        expect(a.reshape([3, 2]).storage).toBe(a.storage);
        expectClose(nb.reshape(nb.tensor(7), [1, 1]), [[7]]);
        expectClose(nb.reshape(nb.tensor([[7]]), []), 7, { shape: [] });
        expect(nb.reshape(nb.zeros([0, 3]), [3, -1]).shape).toEqual([3, 0]);
        expect(a.flatten().shape).toEqual([6]);
      }));

    it('reshape errors name the shapes', () =>
      on(backend, () => {
        const a = nb.tensor(M);
        expect(() => a.reshape([4, -1])).toThrow(nb.ShapeError);
        expect(() => a.reshape([-1, -1])).toThrow(/only one dimension can be -1/);
        expect(() => a.reshape([5])).toThrow(/\[2, 3\].*\[5\]/);
        expect(() => a.reshape([2, -2])).toThrow(nb.ShapeError);
        expect(() => nb.reshape(nb.zeros([0, 3]), [-1, 0])).toThrow(nb.ShapeError);
      }));

    it('transpose: default reverses axes, perm, negative perm entries, .T, permute', () =>
      on(backend, () => {
        const a = nb.tensor(M);
        expectClose(a.transpose(), [[1, 4], [2, 5], [3, 6]]);
        expectClose(a.T, [[1, 4], [2, 5], [3, 6]]);
        expect(a.transpose().storage).toBe(a.storage);
        const x = iota([2, 3, 4]);
        const p = x.transpose([1, 0, 2]);
        expect(p.shape).toEqual([3, 2, 4]);
        expectClose(p.index('2, 1'), [20, 21, 22, 23]);
        expectClose(x.transpose([-1, 0, 1]).index(':, 1, 2'), [20, 21, 22, 23]);
        expect(x.transpose().shape).toEqual([4, 3, 2]);
        expectClose(x.transpose().index('3, 2'), [11, 23]);
        expectClose(nb.permute(x, [2, 1, 0]).index('3, 2'), [11, 23]);
        expectClose(x.permute([0, 2, 1]).index('1, 3'), [15, 19, 23]);
        expectClose(nb.transpose(nb.tensor(5)), 5);
      }));

    it('transpose errors', () =>
      on(backend, () => {
        const a = iota([2, 3, 4]);
        expect(() => a.transpose([0, 1])).toThrow(nb.ShapeError);
        expect(() => a.transpose([0, 0, 1])).toThrow(/not a permutation/);
        expect(() => a.transpose([0, 1, 3])).toThrow(nb.ShapeError);
      }));

    it('slice: begin/size with -1, negative begin, numbers, empty', () =>
      on(backend, () => {
        const a = nb.tensor(M);
        expectClose(a.slice([1, 0], [1, -1]), [[4, 5, 6]]);
        expectClose(a.slice([0, 1]), [[2, 3], [5, 6]]);
        expectClose(a.slice(1), [[4, 5, 6]]);
        expectClose(nb.slice(a, [0, -2], [2, 2]), [[2, 3], [5, 6]]);
        expectClose(nb.slice(a, [0, 1], [-1, 1]), [[2], [5]]);
        expect(a.slice([0, 1], [2, 0]).shape).toEqual([2, 0]);
        expect(a.slice([2, 0]).shape).toEqual([0, 3]);
        expect(a.slice([0, 1], [2, 2]).storage).toBe(a.storage);
      }));

    it('slice errors', () =>
      on(backend, () => {
        const a = nb.tensor(M);
        expect(() => a.slice([3])).toThrow(/slice: begin 3 out of range for axis 0 of size 2/);
        expect(() => a.slice([1, 0], [2, 3])).toThrow(nb.ShapeError);
        expect(() => a.slice([0, 0, 0])).toThrow(nb.ShapeError);
        expect(() => a.slice([0], [1, 1, 1])).toThrow(nb.ShapeError);
        expect(() => a.slice([0, 0], [1, -2])).toThrow(nb.ShapeError);
        expect(() => a.slice([-3])).toThrow(nb.ShapeError);
        expect(() => a.slice([0.5])).toThrow(nb.ShapeError);
      }));

    it("index: numpy basic indexing '1:3, :, ::2'", () =>
      on(backend, () => {
        const y = iota([4, 3, 4]);
        expectClose(y.index('1:3, :, ::2'), [
          [[12, 14], [16, 18], [20, 22]],
          [[24, 26], [28, 30], [32, 34]],
        ]);
        expectClose(nb.index(y, '-1, 1:, -1'), [43, 47]);
        expectClose(y.index([1, ':', 0]), [12, 16, 20]);
      }));

    it('index: negative steps, negative indices, clamped ranges', () =>
      on(backend, () => {
        const v = iota([5]);
        expectClose(v.index('::-1'), [4, 3, 2, 1, 0]);
        expectClose(v.index('3:0:-1'), [3, 2, 1]);
        expectClose(v.index('::-2'), [4, 2, 0]);
        expectClose(v.index('1::-1'), [1, 0]);
        expectClose(v.index('-1:-4:-1'), [4, 3, 2]);
        expectClose(v.index('-2:'), [3, 4]);
        expectClose(v.index(':-2'), [0, 1, 2]);
        expectClose(v.index('-10:2'), [0, 1]);
        expectClose(v.index('1:4:2'), [1, 3]);
        expectClose(v.index('-1'), 4, { shape: [] });
        expect(v.index('10:').shape).toEqual([0]);
        expect(v.index('3:1').shape).toEqual([0]);
        expect(v.index('1:3:-1').shape).toEqual([0]);
      }));

    it("index: '...', 'None'/'newaxis', integers drop axes", () =>
      on(backend, () => {
        const a = nb.tensor(M);
        expectClose(a.index('..., 0'), [1, 4]);
        expectClose(a.index('..., ::-1'), [[3, 2, 1], [6, 5, 4]]);
        expectClose(a.index('0, ..., 1'), 2, { shape: [] });
        expectClose(a.index('1'), [4, 5, 6]);
        expectClose(a.index('-1, -1'), 6, { shape: [] });
        expectClose(a.index('None, :'), [[[1, 2, 3], [4, 5, 6]]]);
        expectClose(a.index(':, None'), [[[1, 2, 3]], [[4, 5, 6]]]);
        expectClose(a.index('..., None'), [[[1], [2], [3]], [[4], [5], [6]]]);
        expectClose(a.index('1, newaxis, ::2'), [[4, 6]]);
        expectClose(a.index('...'), M);
        expectClose(a.index(''), M);
        expectClose(nb.tensor(4).index(''), 4, { shape: [] });
        expectClose(nb.tensor(4).index('None'), [4]);
      }));

    it('index matches Python slicing on random shapes and specs; its gradient scatters back', () =>
      on(backend, () => {
        const rng = new Rng(99);
        const dtype = widestFloat(backend);
        // Selected elements are exact in either width: the operand's values rounded to it.
        const round = dtype === 'float32' ? Math.fround : (v: number) => v;
        const opt = (d: number) => (rng.bool(0.3) ? undefined : rng.int(-d - 2, d + 2));
        for (let trial = 0; trial < 80; trial++) {
          const shape = randomShape(rng, 3, 5);
          const x = operand(rng, shape, dtype);
          const parts: string[] = [];
          // per input axis: the selected indices, and whether the axis is kept
          const picks: { idx: number[]; kept: boolean }[] = [];
          const outShape: number[] = [];
          shape.forEach((d) => {
            if (rng.bool(0.15)) {
              parts.push('None');
              outShape.push(1);
            }
            if (d > 0 && rng.bool(0.25)) {
              const i = rng.int(-d, d - 1);
              parts.push(String(i));
              picks.push({ idx: [i < 0 ? i + d : i], kept: false });
              return;
            }
            const [start, stop] = [opt(d), opt(d)];
            const step = rng.bool(0.3) ? undefined : [1, 2, 3, -1, -2, -3][rng.int(0, 5)]!;
            parts.push(`${start ?? ''}:${stop ?? ''}${step === undefined ? '' : `:${step}`}`);
            const idx = pySlice(d, start, stop, step ?? 1);
            picks.push({ idx, kept: true });
            outShape.push(idx.length);
          });
          const spec = parts.join(', ');
          const what = `${JSON.stringify(shape)}[${spec}]`;
          const got = x.tensor.index(spec);
          expect(got.shape, what).toEqual(outShape);
          const keptPicks = picks.filter((p) => p.kept);
          const selShape = keptPicks.map((p) => p.idx.length);
          const sources: number[] = [];
          for (let o = 0; o < sizeOf(selShape); o++) {
            const sel = unravel(o, selShape);
            let k = 0;
            sources.push(ravel(picks.map((p) => (p.kept ? p.idx[sel[k++]!]! : p.idx[0]!)), shape));
          }
          expectClose(got, sources.map((f) => round(x.at(unravel(f, shape)))), { shape: outShape, rtol: 0, atol: 0 });
          const tape = new nb.GradientTape();
          tape.watch(x.tensor);
          const g = tape.gradient(nb.sum(x.tensor.index(spec)), x.tensor, { unconnectedGradients: 'zero' });
          const counts = new Array<number>(sizeOf(shape)).fill(0);
          for (const f of sources) counts[f]!++;
          expect(g.shape, what).toEqual(shape);
          expectClose(g, counts, { shape, rtol: 0, atol: 0 });
        }
      }));

    it('index errors', () =>
      on(backend, () => {
        const a = nb.tensor(M);
        expect(() => a.index('2')).toThrow(/index 2 is out of range for axis 0 of size 2/);
        expect(() => a.index(':, -4')).toThrow(nb.ShapeError);
        expect(() => a.index('::0')).toThrow(nb.ValueError);
        expect(() => a.index('0, 0, 0')).toThrow(nb.ShapeError);
        expect(() => a.index('..., ...')).toThrow(nb.ValueError);
        expect(() => a.index('a')).toThrow(nb.ValueError);
        expect(() => a.index('1:2:3:4')).toThrow(nb.ValueError);
      }));

    it('broadcastTo: rows, columns, scalars, size 0; errors', () =>
      on(backend, () => {
        expectClose(nb.broadcastTo(nb.tensor([1, 2, 3]), [2, 3]), [[1, 2, 3], [1, 2, 3]]);
        expectClose(nb.tensor([[1], [2]]).broadcastTo([2, 3]), [[1, 1, 1], [2, 2, 2]]);
        expectClose(nb.broadcastTo(nb.tensor(5), [2, 2]), [[5, 5], [5, 5]]);
        expectClose(nb.broadcastTo(nb.tensor([[1], [2]]), [2, 2, 2]), [[[1, 1], [2, 2]], [[1, 1], [2, 2]]]);
        expect(nb.broadcastTo(nb.tensor([1, 2, 3]), [0, 3]).shape).toEqual([0, 3]);
        expect(() => nb.broadcastTo(nb.tensor([1, 2]), [3])).toThrow(nb.ShapeError);
        expect(() => nb.broadcastTo(nb.zeros([2, 3]), [3])).toThrow(/broadcastTo/);
        expect(() => nb.broadcastTo(nb.tensor([1, 2]), [-1, 2])).toThrow(nb.ShapeError);
      }));

    it('flip: one axis, several, all by default, negative', () =>
      on(backend, () => {
        const a = nb.tensor(M);
        expectClose(nb.flip(a, 0), [[4, 5, 6], [1, 2, 3]]);
        expectClose(a.flip(1), [[3, 2, 1], [6, 5, 4]]);
        expectClose(a.flip(-1), [[3, 2, 1], [6, 5, 4]]);
        expectClose(a.flip(), [[6, 5, 4], [3, 2, 1]]);
        expectClose(a.flip([0, 1]), [[6, 5, 4], [3, 2, 1]]);
        expect(nb.flip(nb.zeros([0, 2]), 0).shape).toEqual([0, 2]);
        expect(() => a.flip(2)).toThrow(nb.ShapeError);
      }));

    it('expandDims and squeeze', () =>
      on(backend, () => {
        const a = nb.tensor(M);
        expect(a.expandDims().shape).toEqual([1, 2, 3]);
        expect(a.expandDims(1).shape).toEqual([2, 1, 3]);
        expect(a.expandDims(2).shape).toEqual([2, 3, 1]);
        expect(a.expandDims(-1).shape).toEqual([2, 3, 1]);
        expect(nb.expandDims(nb.tensor(3), 0).shape).toEqual([1]);
        expect(() => a.expandDims(4)).toThrow(nb.ShapeError);
        const s = nb.zeros([1, 2, 1, 3, 1]);
        expect(s.squeeze().shape).toEqual([2, 3]);
        expect(s.squeeze(0).shape).toEqual([2, 1, 3, 1]);
        expect(nb.squeeze(s, [2, -1]).shape).toEqual([1, 2, 3]);
        expect(nb.squeeze(nb.tensor([[5]])).shape).toEqual([]);
        expect(() => s.squeeze(1)).toThrow(/axis 1 has size 2, expected 1/);
        expect(() => nb.squeeze(nb.tensor(5), 0)).toThrow(/squeeze: axis 0 is out of range for a tensor of rank 0/);
        expect(() => nb.flip(nb.tensor(5), 0)).toThrow(nb.ShapeError);
        expectClose(nb.flip(nb.tensor(5)), 5, { shape: [] });
        expectClose(a.expandDims(1).squeeze(1), M);
      }));

    it('views of views compose (transpose, slice, flip, broadcast, reshape)', () =>
      on(backend, () => {
        const x = iota([2, 3, 4]);
        // x[i, j, k] = 12i + 4j + k
        const v = x.transpose([2, 0, 1]).index('::-2, 1, 1:'); // k = 3, 1; i = 1; j = 1, 2
        expect(v.storage).toBe(x.storage);
        expectClose(v, [[19, 23], [17, 21]]);
        expectClose(v.flip(1), [[23, 19], [21, 17]]);
        expectClose(v.T.reshape([-1]), [19, 17, 23, 21]);
        expectClose(v.slice([1, 0], [1, 1]), [[17]]);
        expectClose(v.index(':, None, ::-1').broadcastTo([2, 2, 2]).index('1'), [[21, 17], [21, 17]]);
        expectClose(nb.add(v, 0), [[19, 23], [17, 21]]);
        const r = x.index('1, ::2, ::3').reshape([4]); // non-contiguous reshape copies
        expectClose(r, [12, 15, 20, 23]);
        expectClose(x.index('1, ::2, ::3'), [[12, 15], [20, 23]]);
        expectClose(x.flip(2).reshape([2, 12]).index(':, :4'), [[3, 2, 1, 0], [15, 14, 13, 12]]);
      }));

    it('views work on int32 and bool tensors', () =>
      on(backend, () => {
        expectExact(nb.tensor(M, 'int32').T.index('::-1'), [[3, 6], [2, 5], [1, 4]], 'int32');
        expectExact(nb.tensor([[true, false]]).broadcastTo([2, 2]).flip(1), [[false, true], [false, true]], 'bool');
      }));

    it('gradients through reshape, transpose, broadcastTo, flip, expandDims, squeeze', () =>
      on(backend, () => {
        const x = sample([2, 3, 4], -1, 1, 51);
        checkGrad((t) => t.reshape([4, -1]), [x]);
        checkGrad((t) => t.transpose([2, 0, 1]), [x]);
        checkGrad((t) => t.transpose(), [x]);
        checkGrad((t) => t.flip([0, 2]), [x]);
        checkGrad((t) => t.expandDims(1).squeeze(), [x]);
        checkGrad((t) => nb.broadcastTo(t, [5, 2, 3, 4]), [x]);
        checkGrad((t) => nb.broadcastTo(t, [2, 3, 4]), [sample([3, 1], -1, 1, 52)]);
        checkGrad((t) => t.transpose().reshape([-1]), [x]);
      }));

    it('gradients through slices, including strided and negative-step ones', () =>
      on(backend, () => {
        const x = sample([4, 5], -1, 1, 53);
        checkGrad((t) => t.slice([1, 2], [2, -1]), [x]);
        checkGrad((t) => t.index('1:, ::2'), [x]);
        checkGrad((t) => t.index('::-1, 3:0:-2'), [x]);
        checkGrad((t) => t.index('-1, ::-3'), [x]);
        checkGrad((t) => t.index('None, 1:3, ..., ::4'), [x]);
        checkGrad((t) => t.index('2:2'), [x]);
        checkGrad((t) => t.transpose().index('1::2, ::-1').flip(0), [x]);
        checkGrad((t) => nb.mul(t.index('::2'), t.index('1::2')), [x]);
      }));

    it('second derivative through a strided slice', () =>
      on(backend, () => {
        const first = (t: nb.Tensor) => {
          const tape = new nb.GradientTape();
          tape.watch(t);
          return tape.gradient(nb.sum(nb.square(t.index('::-2'))), t);
        };
        checkGrad(first, [sample([5], -1, 1, 54)], { eps: 1e-5, rtol: 1e-4, atol: 1e-6 });
      }));
  });
}
