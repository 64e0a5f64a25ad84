// ONNX LSTM with peephole weights (P) and LSTM/GRU with sequence_lens (a variable-length batch)
// against onnxruntime: Y, Y_h and Y_c, forward, reverse and bidirectional.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import * as nb from '../../../src/index.js';
import { encodeModelProto, type AttributeProto } from '../../../src/io/onnx/proto.js';
import { maxRelError, seededFloats } from './onnx-fixtures.js';

const SEQ = 5;
const BATCH = 3;
const IN = 2;
const H = 4;
const str = (name: string, v: string): AttributeProto => ({ name, type: 3, s: new TextEncoder().encode(v) });
const int = (name: string, i: number): AttributeProto => ({ name, type: 2, i });

interface Case {
  name: string;
  op: 'LSTM' | 'GRU';
  direction: 'forward' | 'reverse' | 'bidirectional';
  peepholes?: boolean;
  lens?: number[];
}

function model(c: Case): Uint8Array {
  const dirs = c.direction === 'bidirectional' ? 2 : 1;
  const gates = c.op === 'LSTM' ? 4 : 3;
  const weight = (name: string, dims: number[], seed: number) => ({ name, dims, dataType: 1, floatData: Array.from(seededFloats(dims.reduce((a, b) => a * b, 1), seed), (v) => v * 0.8) });
  const initializer = [weight('W', [dirs, gates * H, IN], 1), weight('R', [dirs, gates * H, H], 2), weight('B', [dirs, 2 * gates * H], 3)];
  const input = ['X', 'W', 'R', 'B', c.lens ? 'lens' : '', ...(c.op === 'LSTM' ? ['', ''] : [''])];
  if (c.peepholes) {
    initializer.push(weight('P', [dirs, 3 * H], 4));
    input.push('P');
  }
  const outputs = c.op === 'LSTM' ? ['Y', 'Y_h', 'Y_c'] : ['Y', 'Y_h'];
  const floats = (dims: number[]) => ({ tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } });
  return encodeModelProto({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 14 }],
    graph: {
      name: 'rnn',
      node: [{ opType: c.op, name: 'rnn', input, output: outputs, attribute: [int('hidden_size', H), str('direction', c.direction)] }],
      initializer,
      input: [{ name: 'X', type: floats([SEQ, BATCH, IN]) }, ...(c.lens ? [{ name: 'lens', type: { tensorType: { elemType: 6, shape: { dim: [{ dimValue: BATCH }] } } } }] : [])],
      output: outputs.map((name) => ({ name, type: { tensorType: { elemType: 1 } } })),
    },
  });
}

const CASES: Case[] = [
  { name: 'LSTM forward with peepholes', op: 'LSTM', direction: 'forward', peepholes: true },
  { name: 'LSTM bidirectional with peepholes and sequence_lens', op: 'LSTM', direction: 'bidirectional', peepholes: true, lens: [5, 2, 3] },
  { name: 'LSTM reverse with sequence_lens', op: 'LSTM', direction: 'reverse', lens: [1, 5, 4] },
  { name: 'GRU bidirectional with sequence_lens', op: 'GRU', direction: 'bidirectional', lens: [3, 5, 1] },
];

describe('onnx LSTM peepholes and sequence_lens against onnxruntime', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const bytes = model(c);
      const x = Float32Array.from(seededFloats(SEQ * BATCH * IN, 9));
      const feeds: Record<string, ort.Tensor> = { X: new ort.Tensor('float32', x, [SEQ, BATCH, IN]) };
      if (c.lens) feeds.lens = new ort.Tensor('int32', Int32Array.from(c.lens), [BATCH]);
      const session = await ort.InferenceSession.create(bytes);
      const wants = await session.run(feeds);
      const inputs: Record<string, nb.Tensor> = { X: nb.tensor(x, [SEQ, BATCH, IN]) };
      if (c.lens) inputs.lens = nb.tensor(c.lens, [BATCH], 'int32');
      const gots = nb.onnx.fromBytes(bytes).predict(inputs);
      for (const [name, want] of Object.entries(wants)) {
        const got = gots[name]!;
        expect(got.shape, name).toEqual([...want.dims]);
        expect(maxRelError(Array.from(got.dataSync(), Number), Array.from(want.data as Float32Array, Number)), name).toBeLessThan(1e-4);
      }
    });
  }
});
