// ONNX export of channels-first convolutions and pools: written as ONNX's NCHW Conv/ConvTranspose/
// pools with no Transpose around them, and onnxruntime computes what nabla computes.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import * as nb from '../../../src/index.js';
import { decodeModelProto } from '../../../src/io/onnx/proto.js';
import { maxRelError, seededFloats } from './onnx-fixtures.js';

describe('onnx export of channels-first convolutions and pools', () => {
  it('a channels-first Keras CNN: no Transpose on the activations, same predictions in onnxruntime', async () => {
    nb.random.seed(8);
    const cf = { dataFormat: 'channelsFirst' } as const;
    const model = new nb.Sequential([
      new nb.layers.Conv2D(4, 3, { padding: 'same', activation: 'relu', inputShape: [3, 8, 8], ...cf }),
      new nb.layers.MaxPooling2D({ poolSize: 2, ...cf }),
      new nb.layers.Conv2DTranspose(2, 2, { strides: 2, ...cf }),
      new nb.layers.AveragePooling2D({ poolSize: 2, strides: 1, ...cf }),
      new nb.layers.GlobalAveragePooling2D(cf),
    ]);
    const bytes = nb.onnx.toBytes(model, { inputShapes: [[2, 3, 8, 8]] });
    const imported = nb.onnx.fromBytes(bytes);
    const x = nb.tensor(Float32Array.from(seededFloats(2 * 3 * 8 * 8, 4)), [2, 3, 8, 8]);
    const session = await ort.InferenceSession.create(bytes);
    const out = await session.run({ [imported.inputNames[0]!]: new ort.Tensor('float32', Float32Array.from(x.dataSync()), [2, 3, 8, 8]) });
    const want = Object.values(out)[0]!;
    const got = model.predict(x) as nb.Tensor;
    expect([...want.dims]).toEqual(got.shape);
    expect(maxRelError(Array.from(got.dataSync(), Number), Array.from(want.data as Float32Array, Number))).toBeLessThan(1e-4);
    // The windows read and feed no Transpose: the only ones left turn weights ([kh, kw, in, out]) into ONNX's layout.
    const nodes = decodeModelProto(bytes, 'export').graph!.node ?? [];
    const producer = new Map(nodes.flatMap((n) => (n.output ?? []).map((o) => [o, n.opType] as const)));
    const windows = nodes.filter((n) => ['Conv', 'ConvTranspose', 'MaxPool', 'AveragePool'].includes(n.opType ?? ''));
    expect(windows.map((n) => n.opType)).toEqual(['Conv', 'MaxPool', 'ConvTranspose', 'AveragePool']);
    for (const w of windows) {
      expect(producer.get(w.input![0]!), `${w.opType}'s input`).not.toBe('Transpose');
      const consumers = nodes.filter((n) => (n.input ?? []).includes(w.output![0]!));
      expect(consumers.map((n) => n.opType), `${w.opType}'s consumers`).not.toContain('Transpose');
    }
  });
});
