// The importer's GatherElements, GatherND, ScatterElements and ScatterND (negative indices,
// duplicate indices with reduction 'add') and RandomUniformLike, each as a one-node model run by
// nabla and by onnxruntime.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import * as nb from '../../../src/index.js';
import { encodeModelProto, type AttributeProto } from '../../../src/io/onnx/proto.js';
import { seededFloats } from './onnx-fixtures.js';

const FLOAT = 1;
const INT64 = 7;
const int = (name: string, i: number): AttributeProto => ({ name, type: 2, i });
const str = (name: string, s: string): AttributeProto => ({ name, type: 3, s: new TextEncoder().encode(s) });

interface Case {
  what: string;
  op: string;
  indices: { dims: number[]; values: number[] };
  /** Shape of the float updates input (the scatters). */
  updates?: number[];
  attrs?: AttributeProto[];
}

const X = [3, 4];
const CASES: Case[] = [
  { what: 'GatherElements on axis 1, negative indices', op: 'GatherElements', indices: { dims: [3, 2], values: [0, -1, 3, 1, 2, 2] }, attrs: [int('axis', 1)] },
  { what: 'GatherElements on axis 0, fewer columns', op: 'GatherElements', indices: { dims: [2, 3], values: [2, 0, 1, 0, -3, 2] }, attrs: [int('axis', 0)] },
  { what: 'GatherND of elements', op: 'GatherND', indices: { dims: [2, 2], values: [0, 1, -1, 3] } },
  { what: 'GatherND of rows', op: 'GatherND', indices: { dims: [2, 1], values: [2, 0] } },
  { what: 'ScatterElements on axis 1', op: 'ScatterElements', indices: { dims: [3, 2], values: [1, 0, 3, 2, 0, -1] }, updates: [3, 2], attrs: [int('axis', 1)] },
  { what: "ScatterElements with reduction 'add' and duplicates", op: 'ScatterElements', indices: { dims: [3, 2], values: [1, 1, 0, 0, 2, 2] }, updates: [3, 2], attrs: [int('axis', 1), str('reduction', 'add')] },
  { what: 'ScatterND of rows', op: 'ScatterND', indices: { dims: [2, 1], values: [1, -1] }, updates: [2, 4] },
  { what: "ScatterND with reduction 'add' and duplicates", op: 'ScatterND', indices: { dims: [3, 2], values: [0, 1, 0, 1, -1, 0] }, updates: [3], attrs: [str('reduction', 'add')] },
];

function oneNode(c: Case): Uint8Array {
  const inputs = ['x', ...(c.updates ? ['u'] : [])];
  const floatType = (dims: number[]) => ({ tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } });
  return encodeModelProto({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'single',
      node: [{ opType: c.op, name: 'n', input: c.updates ? ['x', 'i', 'u'] : ['x', 'i'], output: ['y'], attribute: c.attrs ?? [] }],
      initializer: [{ name: 'i', dims: c.indices.dims, dataType: INT64, int64Data: c.indices.values }],
      input: inputs.map((name) => ({ name, type: floatType(name === 'x' ? X : c.updates!) })),
      output: [{ name: 'y', type: { tensorType: { elemType: FLOAT } } }],
    },
  });
}

describe('onnx gather/scatter import against onnxruntime', () => {
  for (const c of CASES) {
    it(c.what, async () => {
      const bytes = oneNode(c);
      const x = seededFloats(12, 3);
      const u = c.updates ? seededFloats(c.updates.reduce((a, b) => a * b, 1), 4).map((v) => v * 10) : undefined;
      const session = await ort.InferenceSession.create(bytes);
      const feeds: Record<string, ort.Tensor> = { x: new ort.Tensor('float32', x, X) };
      if (u) feeds.u = new ort.Tensor('float32', u, c.updates!);
      const want = (await session.run(feeds)).y!;
      const model = nb.onnx.fromBytes(bytes);
      const got = model.run(u ? [nb.tensor(x, X), nb.tensor(u, c.updates!)] : [nb.tensor(x, X)])[0]!;
      expect(got.shape).toEqual([...want.dims]);
      Array.from(got.dataSync()).forEach((v, k) => expect(v).toBeCloseTo((want.data as Float32Array)[k]!, 5));
    });
  }

  it('RandomUniformLike draws the input\'s shape within [low, high), anew on each run', () => {
    const bytes = encodeModelProto({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: 'random',
        node: [{ opType: 'RandomUniformLike', name: 'r', input: ['x'], output: ['y'], attribute: [{ name: 'low', type: 1, f: 2 }, { name: 'high', type: 1, f: 5 }] }],
        input: [{ name: 'x', type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimValue: 50 }, { dimValue: 40 }] } } } }],
        output: [{ name: 'y', type: { tensorType: { elemType: FLOAT } } }],
      },
    });
    const model = nb.onnx.fromBytes(bytes);
    const a = model.run([nb.zeros([50, 40])])[0]!;
    const b = model.run([nb.zeros([50, 40])])[0]!;
    expect(a.shape).toEqual([50, 40]);
    const values = Array.from(a.dataSync());
    expect(Math.min(...values)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...values)).toBeLessThan(5);
    expect(values.reduce((s, v) => s + v, 0) / values.length).toBeCloseTo(3.5, 1);
    expect(Array.from(b.dataSync())).not.toEqual(values);
  });
});
