// ONNX's 3-D Conv, ConvTranspose, MaxPool and AveragePool (NCDHW) against onnxruntime, one-node
// models: padding, strides, dilations, groups, bias, auto_pad, output_padding, output_shape, ceil_mode
// and count_include_pad.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import * as nb from '../../../src/index.js';
import { encodeModelProto, type AttributeProto } from '../../../src/io/onnx/proto.js';
import { fixtureBytes, maxRelError, seededFloats } from './onnx-fixtures.js';

const ints = (name: string, v: number[]): AttributeProto => ({ name, type: 7, ints: v });
const int = (name: string, i: number): AttributeProto => ({ name, type: 2, i });
const str = (name: string, v: string): AttributeProto => ({ name, type: 3, s: new TextEncoder().encode(v) });

interface Case {
  name: string;
  op: 'Conv' | 'ConvTranspose' | 'MaxPool' | 'AveragePool';
  x: number[];
  attrs: AttributeProto[];
  /** Conv: weight shape [out, in / group, kd, kh, kw] (ConvTranspose: [in, out / group, ...]), and the bias's length if any. */
  w?: number[];
  bias?: number;
}

function model(c: Case): Uint8Array {
  const tensorType = (dims?: number[]) => ({ tensorType: { elemType: 1, ...(dims ? { shape: { dim: dims.map((d) => ({ dimValue: d })) } } : {}) } });
  const initializer = [];
  const input = ['x'];
  if (c.w) {
    initializer.push({ name: 'w', dims: c.w, dataType: 1, floatData: Array.from(seededFloats(c.w.reduce((a, b) => a * b, 1), 11)) });
    input.push('w');
    if (c.bias) {
      initializer.push({ name: 'b', dims: [c.bias], dataType: 1, floatData: Array.from(seededFloats(c.bias, 12)) });
      input.push('b');
    }
  }
  return encodeModelProto({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'volume',
      node: [{ opType: c.op, name: 'n', input, output: ['y'], attribute: c.attrs }],
      initializer,
      input: [{ name: 'x', type: tensorType(c.x) }],
      output: [{ name: 'y', type: tensorType() }],
    },
  });
}

const X = [2, 4, 5, 6, 7];
const CASES: Case[] = [
  { name: 'Conv 3-D, bias, pads', op: 'Conv', x: X, w: [3, 4, 2, 3, 2], bias: 3, attrs: [ints('pads', [1, 0, 1, 0, 2, 1])] },
  { name: 'Conv 3-D, strides, dilations, 2 groups', op: 'Conv', x: X, w: [6, 2, 2, 2, 3], attrs: [int('group', 2), ints('strides', [2, 1, 2]), ints('dilations', [1, 2, 1])] },
  { name: 'Conv 3-D, auto_pad SAME_UPPER, stride 2', op: 'Conv', x: X, w: [2, 4, 3, 3, 3], bias: 2, attrs: [str('auto_pad', 'SAME_UPPER'), ints('strides', [2, 2, 2])] },
  { name: 'ConvTranspose 3-D, stride 2, output_padding, pads, bias', op: 'ConvTranspose', x: X, w: [4, 3, 3, 2, 3], bias: 3, attrs: [ints('strides', [2, 2, 2]), ints('output_padding', [1, 0, 1]), ints('pads', [1, 0, 1, 1, 0, 0])] },
  { name: 'ConvTranspose 3-D, 2 groups, strides [1, 2, 3]', op: 'ConvTranspose', x: X, w: [4, 3, 2, 2, 2], bias: 6, attrs: [int('group', 2), ints('strides', [1, 2, 3])] },
  { name: 'ConvTranspose 3-D, dilations, stride 2, output_padding past the end pads', op: 'ConvTranspose', x: X, w: [4, 2, 2, 3, 2], attrs: [ints('dilations', [2, 1, 2]), ints('strides', [2, 3, 2]), ints('output_padding', [1, 2, 1]), ints('pads', [0, 1, 2, 0, 0, 1])] },
  { name: 'ConvTranspose 3-D, output_shape', op: 'ConvTranspose', x: X, w: [4, 2, 3, 3, 3], attrs: [ints('strides', [2, 2, 2]), ints('output_shape', [10, 12, 13])] },
  { name: 'ConvTranspose 3-D, auto_pad SAME_UPPER', op: 'ConvTranspose', x: X, w: [4, 2, 3, 2, 3], attrs: [str('auto_pad', 'SAME_UPPER'), ints('strides', [2, 1, 2])] },
  { name: 'ConvTranspose 3-D, auto_pad SAME_LOWER, kernel smaller than the stride', op: 'ConvTranspose', x: X, w: [4, 2, 3, 1, 2], attrs: [str('auto_pad', 'SAME_LOWER'), ints('strides', [2, 3, 3])] },
  { name: 'ConvTranspose 3-D, output_shape past the span (zeros at the end)', op: 'ConvTranspose', x: X, w: [4, 2, 1, 2, 1], attrs: [ints('strides', [3, 2, 2]), ints('output_shape', [15, 13, 14])] },
  { name: 'ConvTranspose 2-D, auto_pad SAME_LOWER, kernel smaller than the stride', op: 'ConvTranspose', x: [1, 4, 5, 6], w: [4, 2, 1, 2], attrs: [str('auto_pad', 'SAME_LOWER'), ints('strides', [3, 3])] },
  { name: 'MaxPool 3-D, pads, strides', op: 'MaxPool', x: X, attrs: [ints('kernel_shape', [2, 3, 2]), ints('strides', [1, 2, 2]), ints('pads', [1, 1, 0, 0, 1, 1])] },
  { name: 'MaxPool 3-D, ceil_mode', op: 'MaxPool', x: X, attrs: [ints('kernel_shape', [2, 2, 2]), ints('strides', [2, 2, 2]), int('ceil_mode', 1)] },
  { name: 'AveragePool 3-D, pads (padded cells not counted)', op: 'AveragePool', x: X, attrs: [ints('kernel_shape', [3, 2, 3]), ints('pads', [1, 1, 1, 1, 0, 1])] },
  { name: 'AveragePool 3-D, count_include_pad (padded cells counted)', op: 'AveragePool', x: X, attrs: [ints('kernel_shape', [2, 3, 3]), ints('strides', [2, 2, 2]), ints('pads', [1, 1, 1, 0, 1, 1]), int('count_include_pad', 1)] },
  { name: 'AveragePool 3-D, count_include_pad with ceil_mode (onnxruntime divides by the whole kernel)', op: 'AveragePool', x: X, attrs: [ints('kernel_shape', [2, 3, 3]), ints('strides', [2, 2, 2]), ints('pads', [1, 1, 1, 0, 1, 1]), int('count_include_pad', 1), int('ceil_mode', 1)] },
  { name: 'AveragePool 2-D, count_include_pad with ceil_mode', op: 'AveragePool', x: [1, 2, 6, 7], attrs: [ints('kernel_shape', [3, 3]), ints('strides', [2, 2]), ints('pads', [1, 1, 1, 0]), int('count_include_pad', 1), int('ceil_mode', 1)] },
  { name: 'AveragePool 3-D, ceil_mode', op: 'AveragePool', x: X, attrs: [ints('kernel_shape', [2, 3, 3]), ints('strides', [2, 2, 2]), int('ceil_mode', 1)] },
  { name: 'AveragePool 3-D, auto_pad SAME_LOWER', op: 'AveragePool', x: X, attrs: [ints('kernel_shape', [2, 2, 3]), str('auto_pad', 'SAME_LOWER')] },
];

describe('onnx 3-D Conv and pooling against onnxruntime', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const bytes = model(c);
      const data = Float32Array.from(seededFloats(c.x.reduce((a, b) => a * b, 1), 3));
      const session = await ort.InferenceSession.create(bytes);
      const want = (await session.run({ x: new ort.Tensor('float32', data, c.x) })).y!;
      const got = nb.onnx.fromBytes(bytes).predict(nb.tensor(data, c.x)) as nb.Tensor;
      expect(got.shape).toEqual([...want.dims]);
      expect(maxRelError(Array.from(got.dataSync(), Number), Array.from(want.data as Float32Array, Number))).toBeLessThan(1e-4);
    });
  }

  it('a 4-D ConvTranspose fails at load, naming the node', () => {
    const t = encodeModelProto({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: 'ct',
        node: [{ opType: 'ConvTranspose', name: 'up', input: ['x', 'w'], output: ['y'], attribute: [ints('kernel_shape', [2, 2, 2, 2])] }],
        initializer: [{ name: 'w', dims: [4, 2, 2, 2, 2, 2], dataType: 1, floatData: Array.from(seededFloats(128, 1)) }],
        input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [...X, 3].map((d) => ({ dimValue: d })) } } } }],
        output: [{ name: 'y', type: { tensorType: { elemType: 1 } } }],
      },
    });
    expect(() => nb.onnx.fromBytes(t)).toThrow(/ConvTranspose node 'up': a 4-D window .* only 1-D to 3-D are/);
  });

  it('volume.onnx (PyTorch ConvTranspose3d) fine-tunes: tape gradients match finite differences, an SGD step lowers the loss', () => {
    const model = nb.onnx.fromBytes(fixtureBytes('volume.onnx'));
    const x = nb.tensor(seededFloats(2 * 3 * 4 * 6 * 5, 5), [2, 3, 4, 6, 5]);
    const y0 = model.predict(x) as nb.Tensor;
    const target = nb.tensor(seededFloats(y0.size, 6), y0.shape as number[]);
    const lossOf = () => nb.mean(nb.square(nb.sub(model.predict(x) as nb.Tensor, target)));
    const vars = model.trainableWeights;
    const tape = new nb.GradientTape();
    const loss = lossOf();
    const grads = tape.gradient(loss, vars);
    grads.forEach((g, i) => {
      expect(g?.shape, vars[i]!.name).toEqual(vars[i]!.shape);
      expect(Math.max(...Array.from(g!.dataSync(), (v) => Math.abs(Number(v)))), `${vars[i]!.name} has a gradient`).toBeGreaterThan(0);
    });
    // Central differences (float32, so a coarse step) on a few entries of each ConvTranspose weight.
    for (const name of ['up.weight', 'grouped.weight', 'dilated.weight']) {
      const v = model.weights[name]!;
      const g = grads[vars.indexOf(v)]!.dataSync();
      const base = Float32Array.from(v.dataSync() as Float32Array);
      for (const k of [0, Math.floor(base.length / 2), base.length - 1]) {
        const at = (delta: number) => {
          const moved = base.slice();
          moved[k]! += delta;
          v.assign(nb.tensor(moved, v.shape as number[]));
          return lossOf().item();
        };
        const eps = 1e-2;
        const numeric = (at(eps) - at(-eps)) / (2 * eps);
        v.assign(nb.tensor(base, v.shape as number[]));
        expect(Math.abs(Number(g[k]) - numeric), `${name}[${k}]: tape ${g[k]}, finite difference ${numeric}`).toBeLessThan(2e-3 + 2e-2 * Math.abs(numeric));
      }
    }
    const before = loss.item();
    new nb.optimizers.SGD(0.02).applyGradients(grads.map((g, i) => [g!, vars[i]!]));
    expect(lossOf().item()).toBeLessThan(before - 1e-5);
  });

  it('a 2-D ConvTranspose whose output_shape is past the span is a ShapeError naming the node and the sizes', () => {
    const c: Case = { name: '', op: 'ConvTranspose', x: [1, 4, 5, 6], w: [4, 2, 2, 1], attrs: [ints('strides', [2, 3]), ints('output_shape', [12, 19])] };
    const m = nb.onnx.fromBytes(model(c));
    expect(() => m.predict(nb.zeros([1, 4, 5, 6]))).toThrow(nb.ShapeError);
    expect(() => m.predict(nb.zeros([1, 4, 5, 6]))).toThrow(/ConvTranspose node 'n': output_shape \[12,19\] is larger than the transposed convolution produces \(\[10, 16\]/);
  });

  it('3-D Conv and ConvTranspose weights that do not fit the input are ShapeErrors naming the node and both shapes', () => {
    const conv = nb.onnx.fromBytes(model({ name: '', op: 'Conv', x: X, w: [3, 3, 2, 2, 2], attrs: [] }));
    expect(() => conv.predict(nb.zeros(X))).toThrow(/Conv node 'n': input \[2, 4, 5, 6, 7\] has 4 channels, the weight \[3, 3, 2, 2, 2\] expects 3 in 1 groups/);
    const up = nb.onnx.fromBytes(model({ name: '', op: 'ConvTranspose', x: X, w: [4, 2, 2, 2, 2], attrs: [int('group', 3)] }));
    expect(() => up.predict(nb.zeros(X))).toThrow(/ConvTranspose node 'n': input \[2, 4, 5, 6, 7\] has 4 channels, the weight \[4, 2, 2, 2, 2\] expects 4 in 3 groups/);
  });
});
