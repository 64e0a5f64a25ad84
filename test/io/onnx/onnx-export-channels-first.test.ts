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

  for (const dataFormat of ['channelsLast', 'channelsFirst'] as const) {
    it(`a ${dataFormat} 3-D model (Conv3D, Conv3DTranspose, 3-D pools) predicts in onnxruntime and through nabla's importer what nabla predicts`, async () => {
      nb.random.seed(9);
      const cf = dataFormat === 'channelsFirst';
      const shape = cf ? [2, 3, 4, 6, 5] : [2, 4, 6, 5, 3];
      const model = new nb.Sequential([
        new nb.layers.Conv3D(4, 3, { padding: 'same', strides: [1, 2, 1], activation: 'relu', inputShape: shape.slice(1), dataFormat }),
        new nb.layers.MaxPooling3D({ poolSize: 2, strides: 1, dataFormat }),
        new nb.layers.Conv3DTranspose(3, [3, 2, 3], { strides: 2, padding: 'same', activation: 'tanh', dataFormat }),
        new nb.layers.Conv3DTranspose(2, 2, { strides: [1, 3, 2], dilationRate: 1, dataFormat }),
        new nb.layers.AveragePooling3D({ poolSize: 2, padding: 'same', dataFormat }),
      ]);
      const bytes = nb.onnx.toBytes(model, { inputShapes: [shape] });
      const x = nb.tensor(Float32Array.from(seededFloats(shape.reduce((a, b) => a * b, 1), 5)), shape);
      const got = model.predict(x) as nb.Tensor;
      const session = await ort.InferenceSession.create(bytes);
      const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', Float32Array.from(x.dataSync()), shape) });
      const want = Object.values(out)[0]!;
      expect([...want.dims]).toEqual(got.shape);
      expect(maxRelError(Array.from(got.dataSync(), Number), Array.from(want.data as Float32Array, Number))).toBeLessThan(1e-4);
      const back = nb.onnx.fromBytes(bytes).predict(x) as nb.Tensor;
      expect(maxRelError(Array.from(back.dataSync(), Number), Array.from(got.dataSync(), Number))).toBeLessThan(1e-5);
      if (cf) {
        // Channels first, every Transpose left reads a weight (initializer), never an activation.
        const graph = decodeModelProto(bytes, 'export').graph!;
        const weights = new Set((graph.initializer ?? []).map((t) => t.name));
        const producer = new Map((graph.node ?? []).flatMap((n) => (n.output ?? []).map((o) => [o, n] as const)));
        const fromWeights = (name: string): boolean => weights.has(name) || ((producer.get(name)?.input ?? []).length > 0 && producer.get(name)!.input!.every(fromWeights));
        for (const t of (graph.node ?? []).filter((n) => n.opType === 'Transpose')) expect(fromWeights(t.input![0]!), `Transpose of ${t.input![0]}`).toBe(true);
      }
    });
  }
});
