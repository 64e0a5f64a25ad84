// Operators the PyTorch fixtures do not reach, each as a one-node model run by nabla and by
// onnxruntime on the same seeded inputs.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import * as nb from '../../../src/index.js';
import { encodeModelProto, type AttributeProto } from '../../../src/io/onnx/proto.js';
import { maxRelError, seededFloats } from './onnx-fixtures.js';

const FLOAT = 1;
const SHAPE = [3, 4];

interface Case {
  op: string;
  inputs?: number;
  attrs?: AttributeProto[];
  /** Map the seeded values in [-1, 1) into the op's domain. */
  domain?: (v: number) => number;
  opset?: number;
  /** Constant int64 inputs after the float ones (axes, split sizes, pads), as initializers. */
  ints?: number[][];
  outputs?: number;
}

const int = (name: string, i: number): AttributeProto => ({ name, type: 2, i });
const ints = (name: string, v: number[]): AttributeProto => ({ name, type: 7, ints: v });
const float = (name: string, f: number): AttributeProto => ({ name, type: 1, f });
const positive = (v: number) => v + 1.5;

const CASES: Case[] = [
  { op: 'Sin' }, { op: 'Cos' }, { op: 'Tan' }, { op: 'Atan' }, { op: 'Floor', domain: (v) => v * 3 }, { op: 'Ceil', domain: (v) => v * 3 },
  { op: 'Round', domain: (v) => v * 3 }, { op: 'Sign' }, { op: 'Reciprocal', domain: positive }, { op: 'Softsign' },
  { op: 'Elu', attrs: [float('alpha', 0.7)] }, { op: 'Selu' }, { op: 'HardSigmoid', attrs: [float('alpha', 0.3), float('beta', 0.4)] },
  { op: 'Gelu', opset: 20 }, { op: 'Gelu', opset: 20, attrs: [{ name: 'approximate', type: 3, s: new TextEncoder().encode('tanh') }] },
  { op: 'Max', inputs: 3 }, { op: 'Min', inputs: 3 }, { op: 'Sum', inputs: 3 }, { op: 'Mean', inputs: 3 },
  { op: 'Pow', inputs: 2, domain: positive }, { op: 'Mod', inputs: 2, domain: (v) => v * 5, attrs: [int('fmod', 1)] },
  { op: 'ReduceL2', attrs: [ints('axes', [1]), int('keepdims', 0)] },
  { op: 'ReduceLogSumExp', attrs: [ints('axes', [0])] },
  { op: 'ReduceProd', attrs: [ints('axes', [1])] },
  { op: 'ReduceSumSquare', attrs: [int('keepdims', 0)] },
  { op: 'Softmax', attrs: [int('axis', 0)] },
  { op: 'LogSoftmax', opset: 11, attrs: [int('axis', 1)] },
  { op: 'Transpose' },
  // Opset 18 moved these arguments from attributes to inputs.
  { op: 'ReduceMean', opset: 18, ints: [[1]], attrs: [int('keepdims', 0)] },
  { op: 'ReduceMax', opset: 18, ints: [[0]] },
  { op: 'Split', opset: 18, attrs: [int('axis', 1), int('num_outputs', 2)], outputs: 2 },
  { op: 'Split', opset: 13, ints: [[1, 2]], attrs: [int('axis', 0)], outputs: 2 },
  { op: 'Pad', opset: 18, ints: [[2, 0, 1, 3]], attrs: [{ name: 'mode', type: 3, s: new TextEncoder().encode('edge') }] },
  { op: 'Pad', opset: 11, ints: [[1, -1, 0, 2]], attrs: [{ name: 'mode', type: 3, s: new TextEncoder().encode('reflect') }] },
  { op: 'TopK', opset: 11, ints: [[2]], attrs: [int('axis', 0), int('largest', 0)], outputs: 2 },
  { op: 'CumSum', opset: 14, ints: [[1]], attrs: [int('exclusive', 1), int('reverse', 1)] },
  { op: 'Unsqueeze', opset: 13, ints: [[0, 3]] },
  { op: 'Flatten', attrs: [int('axis', 0)] },
];

function oneNode(c: Case): Uint8Array {
  const names = Array.from({ length: c.inputs ?? 1 }, (_, i) => `x${i}`);
  const consts = (c.ints ?? []).map((values, i) => ({ name: `c${i}`, dims: [values.length], dataType: 7, int64Data: values }));
  const outputs = Array.from({ length: c.outputs ?? 1 }, (_, i) => (i ? `y${i}` : 'y'));
  const tensorType = (dims?: number[]) => ({ tensorType: { elemType: FLOAT, ...(dims ? { shape: { dim: dims.map((d) => ({ dimValue: d })) } } : {}) } });
  return encodeModelProto({
    irVersion: 8,
    opsetImport: [{ domain: '', version: c.opset ?? 17 }],
    graph: {
      name: 'single',
      node: [{ opType: c.op, name: 'n', input: [...names, ...consts.map((t) => t.name)], output: outputs, attribute: c.attrs ?? [] }],
      initializer: consts,
      input: names.map((name) => ({ name, type: tensorType(SHAPE) })),
      output: outputs.map((name, i) => ({ name, type: c.op === 'TopK' && i === 1 ? { tensorType: { elemType: 7 } } : tensorType() })),
    },
  });
}

describe('onnx single operators against onnxruntime', () => {
  for (const c of CASES) {
    const label = `${c.op}${c.attrs?.length ? ` ${c.attrs.map((a) => a.name).join(',')}` : ''} (opset ${c.opset ?? 17})`;
    it(label, async () => {
      const bytes = oneNode(c);
      const feeds = Array.from({ length: c.inputs ?? 1 }, (_, i) => Float32Array.from(seededFloats(12, 40 + i), c.domain ?? ((v) => v)));
      const session = await ort.InferenceSession.create(bytes);
      const wants = await session.run(Object.fromEntries(feeds.map((d, i) => [`x${i}`, new ort.Tensor('float32', d, SHAPE)])));
      const model = nb.onnx.fromBytes(bytes);
      const gots = model.predict(Object.fromEntries(feeds.map((d, i) => [`x${i}`, nb.tensor(d, SHAPE)])));
      for (const [name, want] of Object.entries(wants)) {
        const got = gots[name]!;
        expect(got.shape, name).toEqual([...want.dims]);
        expect(maxRelError(Array.from(got.dataSync(), Number), Array.from(want.data as ArrayLike<number | bigint>, Number)), name).toBeLessThan(1e-4);
      }
    });
  }
});
