// ONNX export of ordering, scatter, cumulative and random ops: each exported graph runs in
// onnxruntime with nabla's values (random ops: the same distribution, other numbers) and loads
// back through nabla's importer.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import * as nb from '../../../src/index.js';
import { decodeModelProto } from '../../../src/io/onnx/proto.js';
import { maxRelError, seededFloats } from './onnx-fixtures.js';

type Fn = (...xs: nb.Tensor[]) => nb.Tensor | nb.Tensor[];

async function ortRun(bytes: Uint8Array, xs: nb.Tensor[]): Promise<{ data: number[]; dims: number[] }[]> {
  const session = await ort.InferenceSession.create(bytes);
  const feeds = Object.fromEntries(xs.map((t, i) => [`input_${i}`, t.dtype === 'int32' ? new ort.Tensor('int32', Int32Array.from(t.dataSync()), [...t.shape]) : new ort.Tensor('float32', Float32Array.from(t.dataSync()), [...t.shape])]));
  const out = await session.run(feeds);
  return session.outputNames.map((k) => ({ data: Array.from(out[k]!.data as ArrayLike<number>, Number), dims: [...out[k]!.dims] }));
}

/** Export `f` at the inputs' shapes; onnxruntime and nabla's importer must both give f's outputs. */
async function expectExportMatches(f: Fn, xs: nb.Tensor[], tolerance = 1e-5): Promise<Uint8Array> {
  const bytes = nb.onnx.toBytes(f, { inputShapes: xs.map((x) => [...x.shape]), inputDTypes: xs.map((x) => x.dtype) });
  const r = f(...xs);
  const wants = Array.isArray(r) ? r : [r];
  const got = await ortRun(bytes, xs);
  const back = nb.onnx.fromBytes(bytes).run(xs);
  wants.forEach((w, i) => {
    expect(got[i]!.dims).toEqual([...w.shape]);
    expect(maxRelError(got[i]!.data, Array.from(w.dataSync(), Number))).toBeLessThan(tolerance);
    expect(back[i]!.shape).toEqual(w.shape);
    expect(back[i]!.dtype).toBe(w.dtype);
    expect(maxRelError(Array.from(back[i]!.dataSync(), Number), Array.from(w.dataSync(), Number))).toBeLessThan(tolerance);
  });
  return bytes;
}

const opTypes = (bytes: Uint8Array) => new Set(decodeModelProto(bytes, 'the export').graph!.node!.map((n) => n.opType));

describe('onnx export: sort, argsort, topk', () => {
  // Ties (the 0.5s and the 2s) check that the order is stable, lower index first, as in nabla.
  const x = nb.tensor([0.5, -1, 2, 0.5, 3, 2, -4, 0.5, 1, 2, -1, 0], [3, 4]);

  it('argsort and sort, ascending and descending, on the last and the first axis', async () => {
    const bytes = await expectExportMatches((t) => [nb.argsort(t), nb.sort(t, { descending: true }), nb.argsort(t, { axis: 0, descending: true }), nb.sort(t, 0)], [x]);
    expect(opTypes(bytes)).toContain('TopK');
    expect(opTypes(bytes)).toContain('GatherElements');
  });

  it('topk values and indices', async () => {
    await expectExportMatches((t) => {
      const { values, indices } = nb.topk(t, 2);
      return [values, indices];
    }, [x]);
  });
});

describe('onnx export: gathers and scatters', () => {
  const data = nb.tensor(seededFloats(20, 3), [5, 4]);

  it('scatterND (duplicates sum), tensorScatterUpdate, tensorScatterAdd and gatherND', async () => {
    const bytes = await expectExportMatches(
      (t) => {
        const idx = nb.tensor([[4], [1], [4]], [3, 1], 'int32');
        const rows = nb.tensor([[0, 1], [3, 2]], [2, 2], 'int32');
        return [nb.scatterND(idx, nb.slice(t, [0, 0], [3, 4]), [6, 4]), nb.tensorScatterUpdate(t, nb.tensor([[2], [0]], [2, 1], 'int32'), nb.mul(nb.slice(t, [3, 0], [2, 4]), 10)), nb.tensorScatterAdd(t, rows, nb.tensor([100, 200])), nb.gatherND(t, rows)];
      },
      [data],
    );
    expect(opTypes(bytes)).toContain('ScatterND');
    expect(opTypes(bytes)).toContain('GatherND');
  });

  it('unsortedSegmentSum of rows and of scalars; rows with a negative id are dropped, as in nabla', async () => {
    const ids = nb.tensor([2, 0, -1, 1, 0], [5], 'int32');
    await expectExportMatches((t) => [nb.unsortedSegmentSum(t, ids, 4), nb.unsortedSegmentSum(nb.tensor([1, 2, 3, 4, 5, 6], [2, 3]), nb.tensor([[0, -1, 0], [2, 2, 1]], [2, 3], 'int32'), 3)], [data]);
  });

  it("the gradient of a sorted sum (gather's transpose along an axis) is a ScatterElements", async () => {
    const w = nb.tensor([1, 2, 3, 4]);
    const g = nb.grad((t: nb.Tensor) => nb.sum(nb.mul(nb.sort(t), w)));
    const bytes = await expectExportMatches((t) => g(t), [data]);
    expect(opTypes(bytes)).toContain('ScatterElements');
  });

  it('refuses a gather it has no operator for, naming it', () => {
    expect(() => nb.onnx.toBytes((t: nb.Tensor) => nb.gather(t, nb.tensor([[0, 1], [1, 0]], [2, 2], 'int32'), { axis: 1, batchDims: 1 }), { inputShapes: [[2, 3, 4]] })).toThrow(
      /gather with batchDims 1 and axis 1 .* has no ONNX operator/,
    );
  });
});

describe('onnx export: cumulative ops', () => {
  const x = nb.tensor([1.5, -2, 0.5, 3, 1, -1, 2, 0.25, -0.5, 4, 2, 1], [3, 4]);

  it('cumsum with exclusive and reverse, on either axis', async () => {
    const bytes = await expectExportMatches((t) => [nb.cumsum(t, 1), nb.cumsum(t, 0, { exclusive: true }), nb.cumsum(t, 1, { reverse: true, exclusive: true })], [x]);
    expect(opTypes(bytes)).toContain('CumSum');
  });

  it('cumprod (no ONNX operator: a masked ReduceProd) with exclusive and reverse, on either axis, zeros included', async () => {
    const z = nb.tensor([1.5, -2, 0, 3, 1, -1, 2, 0.25, -0.5, 4, 2, 1], [3, 4]);
    const bytes = await expectExportMatches((t) => [nb.cumprod(t, 1), nb.cumprod(t, 0, { exclusive: true }), nb.cumprod(t, 1, { reverse: true }), nb.cumprod(t, 1, { reverse: true, exclusive: true })], [z]);
    expect(opTypes(bytes)).toContain('ReduceProd');
  });
});

describe('onnx export: random ops (same distribution; onnxruntime draws other numbers than nabla)', () => {
  const N = 20000;
  const stats = (d: number[]) => {
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / d.length);
    return { mean, sd, min: Math.min(...d), max: Math.max(...d) };
  };
  const f = (t: nb.Tensor) => [nb.add(nb.random.uniform([N], { min: -1, max: 3 }), t), nb.random.normal([N], { mean: 2, stddev: 0.5 }), nb.random.int([N], 3, 7)];
  const zero = nb.tensor([0]);

  it('RandomUniform / RandomNormal keep shape, dtype and statistics in onnxruntime and through the importer', async () => {
    const bytes = nb.onnx.toBytes(f, { inputShapes: [[1]] });
    expect(opTypes(bytes)).toEqual(new Set(['RandomUniform', 'RandomNormal', 'Add', 'Floor', 'Cast', 'Identity']));
    const check = (u: number[], n: number[], k: number[]) => {
      const su = stats(u);
      expect(su.min).toBeGreaterThanOrEqual(-1);
      expect(su.max).toBeLessThan(3);
      expect(su.mean).toBeCloseTo(1, 1);
      expect(su.sd).toBeCloseTo(4 / Math.sqrt(12), 1);
      const sn = stats(n);
      expect(sn.mean).toBeCloseTo(2, 1);
      expect(sn.sd).toBeCloseTo(0.5, 1);
      expect(new Set(k)).toEqual(new Set([3, 4, 5, 6]));
    };
    const [u, n, k] = await ortRun(bytes, [zero]);
    expect(u!.dims).toEqual([N]);
    check(u!.data, n!.data, k!.data);
    const back = nb.onnx.fromBytes(bytes);
    const [bu, bn, bk] = back.run([zero]);
    expect([bu!.dtype, bn!.dtype, bk!.dtype]).toEqual(['float32', 'float32', 'int32']);
    check(Array.from(bu!.dataSync()), Array.from(bn!.dataSync()), Array.from(bk!.dataSync()));
    // The importer draws anew on every run (no folding into a constant).
    expect(Array.from(back.run([zero])[0]!.dataSync().slice(0, 8))).not.toEqual(Array.from(bu!.dataSync().slice(0, 8)));
  });

  it('an op-level seed becomes the node seed: onnxruntime repeats its numbers', async () => {
    const bytes = nb.onnx.toBytes((t: nb.Tensor) => nb.add(nb.random.normal([64], { seed: 7 }), t), { inputShapes: [[1]] });
    const [a] = await ortRun(bytes, [zero]);
    const [b] = await ortRun(bytes, [zero]);
    expect(a!.data).toEqual(b!.data);
  });

  it('refuses truncatedNormal, which ONNX has no operator for', () => {
    expect(() => nb.onnx.toBytes(() => nb.random.truncatedNormal([3]), { inputShapes: [] })).toThrow(/truncatedNormal has no ONNX operator/);
  });
});
