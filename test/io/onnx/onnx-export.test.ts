// ONNX export: nabla models written with nb.onnx.save/toBytes run in onnxruntime with nabla's
// predictions (within 1e-4), and load back through nabla's own importer.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import * as nb from '../../../src/index.js';
import { decodeModelProto } from '../../../src/io/onnx/proto.js';
import { maxRelError, seededFloats } from './onnx-fixtures.js';

const TOLERANCE = 1e-4;

async function ortRun(bytes: Uint8Array, feeds: Record<string, nb.Tensor>): Promise<Record<string, { data: Float32Array; dims: number[] }>> {
  const session = await ort.InferenceSession.create(bytes);
  const ortFeeds = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ort.Tensor('float32', Float32Array.from(t.dataSync()), [...t.shape])]));
  const out = await session.run(ortFeeds);
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { data: v.data as Float32Array, dims: [...v.dims] }]));
}

function smallCnn(): nb.Sequential {
  nb.random.seed(5);
  const bn = new nb.layers.BatchNormalization();
  const model = new nb.Sequential([
    new nb.layers.Conv2D(6, 3, { activation: 'relu', inputShape: [9, 9, 3], padding: 'same' }),
    bn,
    new nb.layers.MaxPooling2D(2, { padding: 'same' }),
    new nb.layers.Conv2D(4, 2, { strides: 2, activation: 'elu' }),
    new nb.layers.Conv2DTranspose(5, 3, { strides: 2, padding: 'same' }),
    new nb.layers.DepthwiseConv2D(3, { depthMultiplier: 2, activation: 'sigmoid' }),
    new nb.layers.AveragePooling2D(2, { strides: 1 }),
    new nb.layers.Flatten(),
    new nb.layers.Dense(8, { activation: 'gelu' }),
    new nb.layers.Dropout(0.3),
    new nb.layers.Dense(3, { activation: 'softmax' }),
  ]);
  // Moving statistics that are not the identity, so the export must carry them.
  const [gamma, beta, mean, variance] = bn.getWeights();
  bn.setWeights([nb.add(gamma!, 0.5), nb.sub(beta!, 0.2), nb.add(mean!, 0.3), nb.mul(variance!, 1.7)]);
  return model;
}

describe('onnx export', () => {
  it('a Sequential CNN (Conv2D, Conv2DTranspose, DepthwiseConv2D, BatchNorm, pooling, Flatten, Dense, activations) runs in onnxruntime with nabla predictions', async () => {
    const model = smallCnn();
    const x = nb.tensor(seededFloats(2 * 9 * 9 * 3, 1), [2, 9, 9, 3]);
    const bytes = nb.onnx.toBytes(model, { inputShapes: [[2, 9, 9, 3]] });
    const want = model.predict(x);
    const got = await ortRun(bytes, { input_0: x });
    expect(got.output_0!.dims).toEqual([2, 3]);
    expect(maxRelError(got.output_0!.data, want.dataSync())).toBeLessThan(TOLERANCE);
    // and back through nabla's importer; the BatchNormalization after the relu cannot fold into the
    // conv, but its statistics fold into one scale and shift
    const back = nb.onnx.fromBytes(bytes);
    expect(Object.keys(back.weights)).toContain('conv2d/kernel');
    expect(Object.keys(back.weights)).not.toContain('batch_normalization/moving_variance');
    expect(maxRelError((back.predict(x) as nb.Tensor).dataSync(), want.dataSync())).toBeLessThan(TOLERANCE);
    // unfolded, every variable keeps its layer's name
    const plain = nb.onnx.fromBytes(nb.onnx.toBytes(model, { inputShapes: [[2, 9, 9, 3]], foldWeights: false }));
    expect(Object.keys(plain.weights)).toContain('batch_normalization/moving_variance');
    expect(maxRelError((plain.predict(x) as nb.Tensor).dataSync(), want.dataSync())).toBeLessThan(TOLERANCE);
  });

  it('folds BatchNormalization into the conv and dense before it: no normalization nodes, the same predictions in onnxruntime', async () => {
    nb.random.seed(11);
    const bns = [new nb.layers.BatchNormalization(), new nb.layers.BatchNormalization()];
    const model = new nb.Sequential([
      new nb.layers.Conv2D(5, 3, { inputShape: [7, 7, 2] }),
      bns[0]!,
      new nb.layers.ReLU(),
      new nb.layers.Flatten(),
      new nb.layers.Dense(4),
      bns[1]!,
    ]);
    for (const bn of bns) {
      const [gamma, beta, mean, variance] = bn.getWeights();
      bn.setWeights([nb.add(gamma!, 0.5), nb.sub(beta!, 0.2), nb.add(mean!, 0.3), nb.mul(variance!, 1.7)]);
    }
    const x = nb.tensor(seededFloats(3 * 7 * 7 * 2, 4), [3, 7, 7, 2]);
    const want = model.predict(x).dataSync();
    const opTypes = (bytes: Uint8Array) => (decodeModelProto(bytes, 'export').graph?.node ?? []).map((n) => n.opType ?? '');
    const folded = nb.onnx.toBytes(model);
    expect(opTypes(folded).filter((t) => ['Sqrt', 'Reciprocal', 'Sub', 'Mul', 'Div'].includes(t))).toEqual([]);
    expect(opTypes(folded).filter((t) => t === 'Conv' || t === 'MatMul')).toEqual(['Conv', 'MatMul']);
    const got = await ortRun(folded, { input_0: x });
    expect(maxRelError(got.output_0!.data, want)).toBeLessThan(TOLERANCE);
    // Folded weights are named after the variables they were computed from.
    const variableNames = model.weights.map((w) => w.name);
    const initializers = (decodeModelProto(folded, 'export').graph?.initializer ?? []).map((t) => t.name ?? '').filter((n) => n.endsWith('/folded'));
    expect(initializers.length).toBeGreaterThanOrEqual(4);
    for (const name of initializers) expect(variableNames.some((v) => name.startsWith(`${v}/folded`))).toBe(true);
    const conv = (decodeModelProto(folded, 'export').graph?.node ?? []).find((n) => n.opType === 'Conv')!;
    expect(conv.input![1]).toBe(`${model.layers[0]!.weights[0]!.name}/folded`);
    const unfolded = nb.onnx.toBytes(model, { foldWeights: false });
    expect(opTypes(unfolded).filter((t) => t === 'Sqrt')).toHaveLength(2);
    expect(maxRelError((await ortRun(unfolded, { input_0: x })).output_0!.data, want)).toBeLessThan(TOLERANCE);
  });

  it('writes a channels-last residual CNN as NCHW from conv to conv: one Transpose (the input\'s), biases inside the Convs', async () => {
    nb.random.seed(12);
    const input = nb.keras.Input([8, 8, 3]);
    const stem = new nb.layers.Conv2D(6, 3, { padding: 'same', activation: 'relu' }).apply(input);
    const branch = new nb.layers.BatchNormalization().apply(new nb.layers.Conv2D(6, 3, { padding: 'same' }).apply(stem));
    const joined = new nb.layers.ReLU().apply(new nb.layers.Add().apply([branch, stem]));
    const pooled = new nb.layers.GlobalAveragePooling2D().apply(new nb.layers.MaxPooling2D(2).apply(joined));
    const model = new nb.Model({ inputs: input, outputs: new nb.layers.Dense(4).apply(pooled) });
    const x = nb.tensor(seededFloats(2 * 8 * 8 * 3, 6), [2, 8, 8, 3]);
    const want = (model.predict(x) as nb.Tensor).dataSync();
    const bytes = nb.onnx.toBytes(model);
    const nodes = decodeModelProto(bytes, 'export').graph?.node ?? [];
    expect(nodes.filter((n) => n.opType === 'Transpose').map((n) => n.input)).toEqual([['input_0']]);
    expect(nodes.filter((n) => n.opType === 'Conv').map((n) => n.input?.length)).toEqual([3, 3]);
    expect(maxRelError((await ortRun(bytes, { input_0: x })).output_0!.data, want)).toBeLessThan(TOLERANCE);
    expect(maxRelError((nb.onnx.fromBytes(bytes).predict(x) as nb.Tensor).dataSync(), want)).toBeLessThan(TOLERANCE);
    // A Flatten after a conv reads the channels-last order: the Transpose stays before it.
    const flat = new nb.Sequential([new nb.layers.Conv2D(3, 2, { inputShape: [4, 4, 2], activation: 'relu' }), new nb.layers.Flatten(), new nb.layers.Dense(2)]);
    const fx = nb.tensor(seededFloats(3 * 4 * 4 * 2, 8), [3, 4, 4, 2]);
    const flatBytes = nb.onnx.toBytes(flat);
    const flatOps = (decodeModelProto(flatBytes, 'export').graph?.node ?? []).map((n) => n.opType);
    expect(flatOps.filter((t) => t === 'Transpose')).toHaveLength(2);
    expect(flatOps.indexOf('Transpose', 1)).toBeLessThan(flatOps.indexOf('Reshape'));
    expect(maxRelError((await ortRun(flatBytes, { input_0: fx })).output_0!.data, flat.predict(fx).dataSync())).toBeLessThan(TOLERANCE);
  });

  it('a functional model with two inputs and two outputs keeps their order and names; save() writes a file load() reads', async () => {
    nb.random.seed(9);
    const a = nb.keras.Input([4]);
    const b = nb.keras.Input([4]);
    const h = new nb.layers.Dense(5, { activation: 'tanh' }).apply(new nb.layers.Concatenate().apply([a, b]));
    const out1 = new nb.layers.Dense(2, { activation: 'sigmoid' }).apply(h);
    const out2 = new nb.layers.Add().apply([new nb.layers.Dense(4, { activation: 'leakyRelu' }).apply(h), a]);
    const model = new nb.Model({ inputs: [a, b], outputs: [out1, out2] });
    const xa = nb.tensor(seededFloats(12, 2), [3, 4]);
    const xb = nb.tensor(seededFloats(12, 3), [3, 4]);
    const want = model.predictAll([xa, xb]);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nabla-onnx-')), 'two.onnx');
    await nb.onnx.save(model, file, { inputShapes: [[3, 4], [3, 4]], inputNames: ['left', 'right'], outputNames: ['p', 'q'] });
    const got = await ortRun(new Uint8Array(fs.readFileSync(file)), { left: xa, right: xb });
    expect(maxRelError(got.p!.data, want[0]!.dataSync())).toBeLessThan(TOLERANCE);
    expect(maxRelError(got.q!.data, want[1]!.dataSync())).toBeLessThan(TOLERANCE);
    const back = await nb.onnx.load(file);
    expect(back.inputNames).toEqual(['left', 'right']);
    const outs = back.predict({ left: xa, right: xb });
    expect(maxRelError(outs.q!.dataSync(), want[1]!.dataSync())).toBeLessThan(TOLERANCE);
  });

  it('a model whose batch is unknown exports a dynamic batch axis (any batch runs in onnxruntime)', async () => {
    const model = smallCnn();
    const bytes = nb.onnx.toBytes(model);
    expect(nb.onnx.fromBytes(bytes).inputs[0]!.shape).toEqual([null, 9, 9, 3]);
    for (const batch of [1, 4]) {
      const x = nb.tensor(seededFloats(batch * 9 * 9 * 3, batch), [batch, 9, 9, 3]);
      const got = await ortRun(bytes, { input_0: x });
      expect(got.output_0!.dims).toEqual([batch, 3]);
      expect(maxRelError(got.output_0!.data, model.predict(x).dataSync())).toBeLessThan(TOLERANCE);
    }
  });

  it('a model that bakes its traced batch size into the graph falls back to a fixed batch of 1', async () => {
    class AddsBatchColumn extends nb.layers.Layer {
      override call(x: nb.Tensor) {
        return nb.concat([x, nb.ones([x.shape[0]!, 1])], 1);
      }
    }
    const input = nb.keras.Input([3]);
    const model = new nb.Model({ inputs: input, outputs: new AddsBatchColumn().apply(input) });
    const bytes = nb.onnx.toBytes(model);
    expect(nb.onnx.fromBytes(bytes).inputs[0]!.shape).toEqual([1, 3]);
    const x = nb.tensor([[1, 2, 3]]);
    expect(Array.from((await ortRun(bytes, { input_0: x })).output_0!.data)).toEqual([1, 2, 3, 1]);
  });

  it('a plain function of tensors exports at the given shapes', async () => {
    const f = (x: nb.Tensor) => nb.softmax(nb.matmul(x, nb.transpose(x)).sub(x.max(-1, true)));
    const x = nb.tensor(seededFloats(15, 4), [3, 5]);
    const got = await ortRun(nb.onnx.toBytes(f, { inputShapes: [[3, 5]] }), { input_0: x });
    expect(maxRelError(got.output_0!.data, f(x).dataSync())).toBeLessThan(TOLERANCE);
  });

  it('a jitted function exports with the Variables it reads as initializers', async () => {
    const w = new nb.Variable(nb.tensor(seededFloats(6, 8), [3, 2]), { name: 'w' });
    const f = nb.jit((x: nb.Tensor) => nb.relu(nb.matmul(x, w)));
    const x = nb.tensor(seededFloats(12, 9), [4, 3]);
    const bytes = nb.onnx.toBytes(f, { inputShapes: [[4, 3]] });
    expect(Object.keys(nb.onnx.fromBytes(bytes).weights)).toEqual(['w']);
    expect(maxRelError((await ortRun(bytes, { input_0: x })).output_0!.data, f(x).dataSync())).toBeLessThan(TOLERANCE);
  });

  it('refuses what it cannot write, with the reason', () => {
    expect(() => nb.onnx.toBytes((x: nb.Tensor) => nb.atan(x), { inputShapes: [[4]] })).toThrow(/nabla op '\w+' has no ONNX export yet/);
    expect(() => nb.onnx.toBytes(new nb.Sequential([new nb.layers.Dense(2)]), {})).toThrow(/input shapes are unknown; pass \{ inputShapes/);
  });
});
