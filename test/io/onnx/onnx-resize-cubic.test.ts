// ONNX Resize in 'cubic' mode (cubic_coeff_a, exclude_outside, each coordinate transformation
// mode, up- and downscaling, by scales and by sizes) against onnxruntime, one-node models.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import * as nb from '../../../src/index.js';
import { encodeModelProto, type AttributeProto } from '../../../src/io/onnx/proto.js';
import { maxRelError, seededFloats } from './onnx-fixtures.js';

const SHAPE = [1, 2, 5, 6];
const str = (name: string, v: string): AttributeProto => ({ name, type: 3, s: new TextEncoder().encode(v) });
const float = (name: string, f: number): AttributeProto => ({ name, type: 1, f });
const int = (name: string, i: number): AttributeProto => ({ name, type: 2, i });

interface Case {
  name: string;
  attrs: AttributeProto[];
  scales?: number[];
  sizes?: number[];
}

function resizeModel(c: Case): Uint8Array {
  // Scales come from a Constant node: a float initializer would be a (trainable) Variable.
  const scales = c.scales ? [{ opType: 'Constant', name: 'c', input: [], output: ['scales'], attribute: [{ name: 'value', type: 4, t: { dims: [4], dataType: 1, floatData: c.scales } }] }] : [];
  const initializer = c.sizes ? [{ name: 'sizes', dims: [4], dataType: 7, int64Data: c.sizes }] : [];
  const input = c.scales ? ['x', '', 'scales'] : ['x', '', '', 'sizes'];
  const tensorType = (dims?: number[]) => ({ tensorType: { elemType: 1, ...(dims ? { shape: { dim: dims.map((d) => ({ dimValue: d })) } } : {}) } });
  return encodeModelProto({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'resize',
      node: [...scales, { opType: 'Resize', name: 'r', input, output: ['y'], attribute: [str('mode', 'cubic'), ...c.attrs] }],
      initializer,
      input: [{ name: 'x', type: tensorType(SHAPE) }],
      output: [{ name: 'y', type: tensorType() }],
    },
  });
}

const CASES: Case[] = [
  { name: 'half_pixel upscale (default a = -0.75)', attrs: [], scales: [1, 1, 2, 1.5] },
  { name: 'half_pixel downscale, exclude_outside', attrs: [int('exclude_outside', 1)], scales: [1, 1, 0.6, 0.5] },
  { name: 'pytorch_half_pixel, a = -0.5 (PyTorch bicubic)', attrs: [str('coordinate_transformation_mode', 'pytorch_half_pixel'), float('cubic_coeff_a', -0.5)], sizes: [1, 2, 9, 1] },
  { name: 'align_corners by sizes', attrs: [str('coordinate_transformation_mode', 'align_corners')], sizes: [1, 2, 8, 11] },
  { name: 'asymmetric, exclude_outside, a = -0.5', attrs: [str('coordinate_transformation_mode', 'asymmetric'), int('exclude_outside', 1), float('cubic_coeff_a', -0.5)], scales: [1, 1, 1.7, 0.8] },
];

describe('onnx Resize cubic against onnxruntime', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const bytes = resizeModel(c);
      const data = Float32Array.from(seededFloats(60, 5));
      const session = await ort.InferenceSession.create(bytes);
      const want = (await session.run({ x: new ort.Tensor('float32', data, SHAPE) })).y!;
      const got = nb.onnx.fromBytes(bytes).predict(nb.tensor(data, SHAPE)) as nb.Tensor;
      expect(got.shape).toEqual([...want.dims]);
      expect(maxRelError(Array.from(got.dataSync(), Number), Array.from(want.data as Float32Array, Number))).toBeLessThan(1e-4);
    });
  }

  it('the gradient flows through a cubic resize (it is gathers and sums)', () => {
    const model = nb.onnx.fromBytes(resizeModel(CASES[0]!));
    const x = nb.tensor(Float32Array.from(seededFloats(60, 6)), SHAPE);
    const g = nb.grad((t: nb.Tensor) => nb.sum(model.predict(t) as nb.Tensor))(x) as nb.Tensor;
    expect(g.shape).toEqual(SHAPE);
    // Each output's weights sum to 1, so the input gradients sum to the output count.
    expect(nb.sum(g).item()).toBeCloseTo(1 * 2 * 10 * 9, 3);
  });
});
