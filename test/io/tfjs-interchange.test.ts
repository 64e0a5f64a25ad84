// Interchange with TensorFlow.js: models built and saved by TF.js itself load into nabla with the
// same predictions, and nabla's TF.js export loads back into TF.js.
import * as tf from '@tensorflow/tfjs';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { floatToHalf } from '../../src/io/half-float.js';
import { capture, expectAllClose, inputs, nbPredict, randomizeTf, tempDirs, tfPredict, writeArtifacts as writeInto, type Artifacts } from './tfjs-artifacts.js';

const freshDir = tempDirs('nabla-tfjs-');
const writeArtifacts = (a: Artifacts) => writeInto(a, freshDir());

const tfModels: [string, () => tf.LayersModel, number[][], number?][] = [
  ['Sequential Dense, Dropout, BatchNormalization, Activation', () => tf.sequential({ layers: [
    tf.layers.dense({ units: 8, inputShape: [6], activation: 'relu' }),
    tf.layers.dropout({ rate: 0.3 }),
    tf.layers.batchNormalization(),
    tf.layers.dense({ units: 4 }),
    tf.layers.activation({ activation: 'softmax' }),
  ] }), [[5, 6]]],
  ['Sequential Conv2D, MaxPooling2D, Flatten', () => tf.sequential({ layers: [
    tf.layers.conv2d({ filters: 4, kernelSize: 3, inputShape: [8, 8, 2], activation: 'relu' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.conv2d({ filters: 3, kernelSize: [2, 3], strides: 2, padding: 'same' }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 2, activation: 'sigmoid' }),
  ] }), [[2, 8, 8, 2]]],
  ['functional Concatenate and Add with two outputs', () => {
    const x = tf.input({ shape: [5] });
    const y = tf.input({ shape: [5] });
    const a = tf.layers.dense({ units: 3, activation: 'tanh' }).apply(x) as tf.SymbolicTensor;
    const b = tf.layers.dense({ units: 3 }).apply(y) as tf.SymbolicTensor;
    const cat = tf.layers.concatenate().apply([a, b]) as tf.SymbolicTensor;
    const sum = tf.layers.add().apply([a, b]) as tf.SymbolicTensor;
    const out1 = tf.layers.dense({ units: 2 }).apply(cat) as tf.SymbolicTensor;
    const out2 = tf.layers.activation({ activation: 'relu' }).apply(sum) as tf.SymbolicTensor;
    return tf.model({ inputs: [x, y], outputs: [out1, out2] });
  }, [[4, 5], [4, 5]]],
  ['functional model holding a Sequential', () => {
    const inner = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [3], activation: 'elu' }), tf.layers.dense({ units: 2 })] });
    const x = tf.input({ shape: [3] });
    const y = tf.layers.dense({ units: 1 }).apply(inner.apply(x) as tf.SymbolicTensor) as tf.SymbolicTensor;
    return tf.model({ inputs: x, outputs: y });
  }, [[4, 3]]],
  ['Masking, Bidirectional(LSTM), TimeDistributed(Dense)', () => tf.sequential({ layers: [
    tf.layers.masking({ maskValue: 0, inputShape: [4, 3] }),
    tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 2, returnSequences: true, recurrentActivation: 'sigmoid' }) as tf.RNN }),
    tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2 }) }),
  ] }), [[2, 4, 3]]],
  ['Conv1D, MaxPooling1D, AveragePooling1D, GlobalAveragePooling1D', () => tf.sequential({ layers: [
    tf.layers.conv1d({ filters: 3, kernelSize: 3, inputShape: [10, 2], padding: 'same', activation: 'relu' }),
    tf.layers.maxPooling1d({ poolSize: 2 }),
    tf.layers.averagePooling1d({ poolSize: 2 }),
    tf.layers.globalAveragePooling1d(),
  ] }), [[2, 10, 2]]],
  ['DepthwiseConv2D, SeparableConv2D, AveragePooling2D, GlobalMaxPooling2D', () => tf.sequential({ layers: [
    tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, inputShape: [7, 7, 2] }),
    tf.layers.separableConv2d({ filters: 3, kernelSize: 2 }),
    tf.layers.averagePooling2d({ poolSize: 2 }),
    tf.layers.globalMaxPooling2d({}),
  ] }), [[2, 7, 7, 2]]],
  ['LayerNormalization, Reshape, Permute, RepeatVector, SimpleRNN', () => tf.sequential({ layers: [
    tf.layers.layerNormalization({ inputShape: [6] }),
    tf.layers.reshape({ targetShape: [2, 3] }),
    tf.layers.permute({ dims: [2, 1] }),
    tf.layers.simpleRNN({ units: 2 }),
    tf.layers.repeatVector({ n: 2 }),
    tf.layers.flatten(),
  ] }), [[3, 6]]],
  ['GRU (reset before, hard_sigmoid) and GRU with sigmoid', () => tf.sequential({ layers: [
    tf.layers.gru({ units: 3, inputShape: [5, 2], returnSequences: true }),
    tf.layers.gru({ units: 2, recurrentActivation: 'sigmoid', goBackwards: true }),
  ] }), [[3, 5, 2]]],
  ['Embedding + LSTM (hard_sigmoid recurrent activation)', () => tf.sequential({ layers: [
    tf.layers.embedding({ inputDim: 12, outputDim: 4, inputLength: 5 }),
    tf.layers.lstm({ units: 3, returnSequences: true }),
    tf.layers.lstm({ units: 2, recurrentActivation: 'sigmoid' }),
    tf.layers.dense({ units: 1 }),
  ] }), [[3, 5]], 12],
];

describe('TF.js models load into nabla', () => {
  tfModels.forEach(([what, make, shapes, ints], k) => {
    it(`${what}: same predictions as TF.js`, async () => {
      const model = make();
      randomizeTf(model, 10 * k + 1);
      const dir = writeArtifacts(await capture(model));
      let { tfx, nbx } = inputs(shapes, 50 + k, ints);
      if (what.startsWith('Masking')) {
        // Zero (mask) the last two steps of the first sequence, so that masks matter.
        const values = nbx[0]!.dataSync().map((v, i) => (i >= 6 && i < 12 ? 0 : v));
        tfx = [tf.tensor(values, shapes[0]!)];
        nbx = [nb.tensor(values, shapes[0]!)];
      }
      const loaded = await nb.models.load(dir);
      expect(loaded.weights.length).toBe(model.weights.length);
      expectAllClose(nbPredict(loaded, nbx), tfPredict(model, tfx));
    });
  });

  it('reads uint8, uint16 and float16 quantized weights as TF.js dequantizes them', async () => {
    const model = tfModels[0]![1]();
    randomizeTf(model, 3);
    const a = await capture(model);
    const quantized = quantize(a);
    const dir = writeArtifacts(quantized);
    expect(quantized.weightSpecs.map((s) => s.quantization?.dtype)).toEqual(['uint8', 'uint16', 'float16', 'uint8', 'uint16', 'float16', 'uint8', 'uint16']);
    const tfModel = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: quantized.modelTopology, weightSpecs: quantized.weightSpecs as tf.io.WeightsManifestEntry[], weightData: quantized.weightData }));
    const loaded = await nb.models.load(dir);
    const { tfx, nbx } = inputs([[5, 6]], 9);
    expectAllClose(nbPredict(loaded, nbx), tfPredict(tfModel, tfx));
    // Quantization really happened: the uint8 weights differ from the float32 originals.
    const original = model.weights[0]!.read().dataSync();
    const restored = loaded.weights[0]!.dataSync();
    expect(Math.max(...restored.map((v, i) => Math.abs(v - original[i]!)))).toBeGreaterThan(1e-5);
  });

  it('names an unknown layer class', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    const a = await capture(model);
    const topology = JSON.parse(JSON.stringify(a.modelTopology).replace('"Dense"', '"Wobble"'));
    await expect(nb.models.load(writeArtifacts({ ...a, modelTopology: topology }))).rejects.toThrow(/unknown layer class 'Wobble'/);
  });

  it('reads weights split over several shards, a Keras-converter topology wrapper and scoped weight names', async () => {
    const model = tfModels[0]![1]();
    randomizeTf(model, 21);
    const a = await capture(model);
    const dir = freshDir();
    const bytes = new Uint8Array(a.weightData);
    const cut = 37;
    const json = {
      format: 'layers-model',
      modelTopology: { keras_version: '2.15.0', backend: 'tensorflow', model_config: a.modelTopology },
      weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: a.weightSpecs.map((w) => ({ ...w, name: `outer_scope/${w.name}` })) }],
    };
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    writeFileSync(join(dir, 'group1-shard1of2.bin'), bytes.subarray(0, cut));
    writeFileSync(join(dir, 'group1-shard2of2.bin'), bytes.subarray(cut));
    const loaded = await nb.models.load(join(dir, 'model.json'));
    const { tfx, nbx } = inputs([[2, 6]], 4);
    expectAllClose(nbPredict(loaded, nbx), tfPredict(model, tfx));
  });

  it('reads a Keras 3 functional topology (batch_shape, dtype policies, keras_history nodes), hand-derived output', async () => {
    const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
    const tensorRef = (name: string) => ({ class_name: '__keras_tensor__', config: { shape: [null, 3], dtype: 'float32', keras_history: [name, 0, 0] } });
    const topology = {
      class_name: 'Functional',
      config: {
        name: 'k3',
        layers: [
          { module: 'keras.layers', class_name: 'InputLayer', name: 'input_layer', config: { batch_shape: [null, 3], dtype: 'float32', sparse: false, name: 'input_layer' }, inbound_nodes: [] },
          {
            module: 'keras.layers', class_name: 'Dense', name: 'dense',
            config: { name: 'dense', trainable: true, dtype: policy, units: 1, activation: 'linear', use_bias: true, kernel_initializer: { module: 'keras.initializers', class_name: 'GlorotUniform', config: { seed: null }, registered_name: null }, bias_initializer: { module: 'keras.initializers', class_name: 'Zeros', config: {}, registered_name: null }, kernel_regularizer: null, bias_regularizer: null, kernel_constraint: null, bias_constraint: null },
            inbound_nodes: [{ args: [tensorRef('input_layer')], kwargs: {} }],
          },
        ],
        input_layers: [['input_layer', 0, 0]],
        output_layers: [['dense', 0, 0]],
      },
    };
    const dir = freshDir();
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: topology, weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'dense/kernel', shape: [3, 1], dtype: 'float32' }, { name: 'dense/bias', shape: [1], dtype: 'float32' }] }] }));
    writeFileSync(join(dir, 'w.bin'), new Uint8Array(new Float32Array([1, 2, 3, 0.5]).buffer));
    const model = await nb.models.load(dir);
    // [1, 1, 1] . [1, 2, 3] + 0.5 = 6.5; [1, 0, -1] . [1, 2, 3] + 0.5 = -1.5
    expect([...(model.predict(nb.tensor([[1, 1, 1], [1, 0, -1]])) as nb.Tensor).dataSync()]).toEqual([6.5, -1.5]);
  });

  it('refuses a shard shorter than its manifest', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    const a = await capture(model);
    const dir = writeArtifacts({ ...a, weightData: a.weightData.slice(0, 10) });
    await expect(nb.models.load(dir)).rejects.toThrow(/need 32 bytes, but its files \(group1-shard1of1\.bin\) hold 10/);
    // The in-memory decoder checks the same.
    const manifest = JSON.parse(JSON.stringify([{ paths: ['x'], weights: a.weightSpecs }]));
    expect(() => nb.io.decodeTfjsWeights(manifest, [new Uint8Array(a.weightData.slice(0, 10))], 'mem')).toThrow(/truncated \.bin/);
  });
});

/** Quantize the weights as TF.js's converter does, cycling uint8, uint16 and float16. */
function quantize(a: Artifacts): Artifacts {
  const src = new Float32Array(a.weightData);
  const chunks: Uint8Array[] = [];
  let at = 0;
  const specs = a.weightSpecs.map((spec, i) => {
    const n = spec.shape.reduce((x, y) => x * y, 1);
    const values = src.subarray(at, at + n);
    at += n;
    const kind = (['uint8', 'uint16', 'float16'] as const)[i % 3]!;
    if (kind === 'float16') {
      chunks.push(new Uint8Array(Uint16Array.from(values, floatToHalf).buffer));
      return { ...spec, quantization: { dtype: kind } };
    }
    const levels = kind === 'uint8' ? 255 : 65535;
    const min = Math.min(...values);
    const max = Math.max(...values);
    const scale = max > min ? (max - min) / levels : 1;
    const codes = Array.from(values, (v) => Math.round((v - min) / scale));
    chunks.push(kind === 'uint8' ? Uint8Array.from(codes) : new Uint8Array(Uint16Array.from(codes).buffer));
    return { ...spec, quantization: { dtype: kind, scale, min } };
  });
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const data = new Uint8Array(total);
  chunks.reduce((o, c) => (data.set(c, o), o + c.length), 0);
  return { ...a, weightSpecs: specs, weightData: data.buffer };
}

describe('nabla models export to TF.js', () => {
  const L = nb.layers;
  const cases: [string, () => nb.Model, number[][], number?][] = [
    ['Sequential Dense, Dropout, BatchNormalization, Activation', () => new nb.Sequential([
      new L.Dense(6, { inputShape: [4], activation: 'relu' }), new L.Dropout(0.2), new L.BatchNormalization(), new L.Dense(3), new L.Activation('softmax'),
    ]), [[3, 4]]],
    ['Sequential Conv2D, MaxPooling2D, Flatten', () => new nb.Sequential([
      new L.Conv2D(3, 3, { inputShape: [7, 7, 2], padding: 'same', activation: 'relu' }), new L.MaxPooling2D(2), new L.Flatten(), new L.Dense(2),
    ]), [[2, 7, 7, 2]]],
    ['functional Concatenate and Add', () => {
      const x = nb.keras.Input([4]);
      const a = new L.Dense(3, { activation: 'sigmoid' }).apply(x);
      const b = new L.Dense(3).apply(x);
      const out = new L.Dense(2).apply(new L.Concatenate().apply([a, b, new L.Add().apply([a, b])]));
      return new nb.Model({ inputs: x, outputs: out });
    }, [[3, 4]]],
    ['Bidirectional(LSTM), TimeDistributed(Dense)', () => new nb.Sequential([
      new L.Bidirectional(new L.LSTM(2, { returnSequences: true, inputShape: [3, 2] }), { inputShape: [3, 2] }), new L.TimeDistributed(new L.Dense(2)),
    ]), [[2, 3, 2]]],
    ['Conv1D and 1D pooling', () => new nb.Sequential([
      new L.Conv1D(3, 3, { inputShape: [10, 2], padding: 'same', activation: 'relu' }), new L.MaxPooling1D(2), new L.AveragePooling1D(2), new L.GlobalAveragePooling1D(),
    ]), [[2, 10, 2]]],
    ['DepthwiseConv2D, SeparableConv2D, AveragePooling2D, GlobalMaxPooling2D', () => new nb.Sequential([
      new L.DepthwiseConv2D(3, { inputShape: [7, 7, 2], depthMultiplier: 2 }), new L.SeparableConv2D(3, 2), new L.AveragePooling2D(2), new L.GlobalMaxPooling2D(),
    ]), [[2, 7, 7, 2]]],
    ['LayerNormalization, Reshape, Permute, SimpleRNN, RepeatVector', () => new nb.Sequential([
      new L.LayerNormalization({ inputShape: [6] }), new L.Reshape([2, 3]), new L.Permute([2, 1]), new L.SimpleRNN(2), new L.RepeatVector(2), new L.Flatten(),
    ]), [[3, 6]]],
    ['GRU (resetAfter false)', () => new nb.Sequential([new L.GRU(3, { inputShape: [4, 2], resetAfter: false, returnSequences: true }), new L.GRU(2, { resetAfter: false })]), [[2, 4, 2]]],
    ['Embedding + LSTM', () => new nb.Sequential([new L.Embedding(9, 3, { inputShape: [4] }), new L.LSTM(2), new L.Dense(1)]), [[2, 4]], 9],
  ];
  cases.forEach(([what, make, shapes, ints], k) => {
    it(`${what}: TF.js loads it and predicts the same`, async () => {
      const model = make();
      model.weights.forEach((w, i) => w.assign(w.name.includes('variance') ? nb.random.uniform(w.shape, { min: 0.5, max: 1.5, seed: i }) : nb.random.normal(w.shape, { stddev: 0.5, seed: 30 + i })));
      const dir = freshDir();
      await model.save(dir, { format: 'tfjs' });
      const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
      expect(json.format).toBe('layers-model');
      expect(json.weightsManifest[0].paths).toEqual([expect.stringMatching(/^group1-shard1of1\.g[0-9a-z-]+\.bin$/)]);
      expect(readdirSync(dir).sort()).toEqual([json.weightsManifest[0].paths[0], 'model.json']);
      const bin = readFileSync(join(dir, json.weightsManifest[0].paths[0]));
      const tfModel = await tf.loadLayersModel(tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      }));
      const { tfx, nbx } = inputs(shapes, 70 + k, ints);
      expectAllClose(tfPredict(tfModel, tfx), nbPredict(model, nbx));
      // And nabla reads its own export back.
      expectAllClose(nbPredict(await nb.models.load(dir), nbx), nbPredict(model, nbx), 0);
    });
  });

  it('a functional model holding a Sequential', async () => {
    const inner = new nb.Sequential([new L.Dense(3, { inputShape: [4], activation: 'relu' }), new L.Dense(2)]);
    const x = nb.keras.Input([4]);
    const model = new nb.Model({ inputs: x, outputs: new L.Dense(1).apply(inner.apply(x)) });
    model.weights.forEach((w, i) => w.assign(nb.random.normal(w.shape, { seed: 90 + i })));
    const dir = freshDir();
    await model.save(dir, { format: 'tfjs' });
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const bin = readFileSync(join(dir, json.weightsManifest[0].paths[0]));
    const tfModel = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) }));
    const { tfx, nbx } = inputs([[3, 4]], 5);
    expectAllClose(tfPredict(tfModel, tfx), nbPredict(model, nbx));
  });

  it('refuses what TF.js cannot run', async () => {
    const gru = new nb.Sequential([new L.GRU(2, { inputShape: [3, 2] })]);
    await expect(gru.save(freshDir(), { format: 'tfjs' })).rejects.toThrow(/resetAfter=true, which TensorFlow\.js's GRU cannot run/);
    const hard = new nb.Sequential([new L.Dense(2, { inputShape: [3], activation: 'hardSigmoid' })]);
    await expect(hard.save(freshDir(), { format: 'tfjs' })).rejects.toThrow(/TF\.js's hard_sigmoid is 0\.2 x \+ 0\.5/);
  });
});
