// Every layer constructor checks its options (an unknown key is an error naming it) and accepts
// Keras's positional arguments either positionally or in the trailing options object.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { registeredLayerClasses } from '../../src/nn/layers/registry.js';

const L = nb.layers;
type Opts = Record<string, unknown>;

/** One way to construct each registered layer class, with extra options merged in. */
const MAKE: Record<string, (o: Opts) => nb.layers.Layer> = {
  Dense: (o) => new L.Dense(4, o),
  Activation: (o) => new L.Activation('relu', o),
  Softmax: (o) => new L.Softmax(o),
  Dropout: (o) => new L.Dropout(0.5, o),
  Lambda: (o) => new L.Lambda((x: nb.Tensor) => x, o),
  Flatten: (o) => new L.Flatten(o),
  Reshape: (o) => new L.Reshape([2, 2], o),
  Permute: (o) => new L.Permute([2, 1], o),
  RepeatVector: (o) => new L.RepeatVector(3, o),
  BatchNormalization: (o) => new L.BatchNormalization(o),
  LayerNormalization: (o) => new L.LayerNormalization(o),
  Normalization: (o) => new L.Normalization(o),
  Rescaling: (o) => new L.Rescaling(1 / 255, o),
  Add: (o) => new L.Add(o),
  Subtract: (o) => new L.Subtract(o),
  Multiply: (o) => new L.Multiply(o),
  Average: (o) => new L.Average(o),
  Maximum: (o) => new L.Maximum(o),
  Minimum: (o) => new L.Minimum(o),
  Concatenate: (o) => new L.Concatenate(o),
  Dot: (o) => new L.Dot(1, o),
  Embedding: (o) => new L.Embedding(10, 4, o),
  InputLayer: (o) => new L.InputLayer({ shape: [3], ...o }),
  Conv1D: (o) => new L.Conv1D(4, 3, o),
  Conv2D: (o) => new L.Conv2D(4, 3, o),
  Conv2DTranspose: (o) => new L.Conv2DTranspose(4, 3, o),
  DepthwiseConv2D: (o) => new L.DepthwiseConv2D(3, o),
  SeparableConv2D: (o) => new L.SeparableConv2D(4, 3, o),
  MaxPooling1D: (o) => new L.MaxPooling1D(2, o),
  MaxPooling2D: (o) => new L.MaxPooling2D(2, o),
  AveragePooling1D: (o) => new L.AveragePooling1D(2, o),
  AveragePooling2D: (o) => new L.AveragePooling2D(2, o),
  GlobalAveragePooling1D: (o) => new L.GlobalAveragePooling1D(o),
  GlobalMaxPooling1D: (o) => new L.GlobalMaxPooling1D(o),
  GlobalAveragePooling2D: (o) => new L.GlobalAveragePooling2D(o),
  GlobalMaxPooling2D: (o) => new L.GlobalMaxPooling2D(o),
  SimpleRNN: (o) => new L.SimpleRNN(4, o),
  LSTM: (o) => new L.LSTM(4, o),
  GRU: (o) => new L.GRU(4, o),
  MultiHeadAttention: (o) => new L.MultiHeadAttention(2, 4, o),
  TimeDistributed: (o) => new L.TimeDistributed(new L.Dense(2), o),
  Bidirectional: (o) => new L.Bidirectional(new L.LSTM(2), o),
  Masking: (o) => new L.Masking(o),
  RandomFlip: (o) => new L.RandomFlip(o),
  RandomRotation: (o) => new L.RandomRotation(0.1, o),
  RandomZoom: (o) => new L.RandomZoom(0.1, o),
  RandomTranslation: (o) => new L.RandomTranslation(0.1, 0.1, o),
  RandomContrast: (o) => new L.RandomContrast(0.1, o),
  Resizing: (o) => new L.Resizing(4, 4, o),
  CenterCrop: (o) => new L.CenterCrop(4, 4, o),
  StringLookup: (o) => new L.StringLookup(o),
  IntegerLookup: (o) => new L.IntegerLookup(o),
  CategoryEncoding: (o) => new L.CategoryEncoding(4, o),
  Hashing: (o) => new L.Hashing(4, o),
  Discretization: (o) => new L.Discretization({ binBoundaries: [0], ...o }),
  TextVectorization: (o) => new L.TextVectorization(o),
  ReLU: (o) => new L.ReLU(o),
  LeakyReLU: (o) => new L.LeakyReLU(0.2, o),
  PReLU: (o) => new L.PReLU(o),
  ELU: (o) => new L.ELU(1, o),
  ThresholdedReLU: (o) => new L.ThresholdedReLU(1, o),
  ZeroPadding1D: (o) => new L.ZeroPadding1D(1, o),
  ZeroPadding2D: (o) => new L.ZeroPadding2D(1, o),
  ZeroPadding3D: (o) => new L.ZeroPadding3D(1, o),
  Cropping1D: (o) => new L.Cropping1D(1, o),
  Cropping2D: (o) => new L.Cropping2D(1, o),
  Cropping3D: (o) => new L.Cropping3D(1, o),
  UpSampling1D: (o) => new L.UpSampling1D(2, o),
  UpSampling2D: (o) => new L.UpSampling2D(2, o),
  UpSampling3D: (o) => new L.UpSampling3D(2, o),
  GaussianNoise: (o) => new L.GaussianNoise(0.1, o),
  GaussianDropout: (o) => new L.GaussianDropout(0.1, o),
  AlphaDropout: (o) => new L.AlphaDropout(0.1, o),
  SpatialDropout1D: (o) => new L.SpatialDropout1D(0.1, o),
  SpatialDropout2D: (o) => new L.SpatialDropout2D(0.1, o),
  SpatialDropout3D: (o) => new L.SpatialDropout3D(0.1, o),
  ActivityRegularization: (o) => new L.ActivityRegularization(o),
  Conv3D: (o) => new L.Conv3D(4, 3, o),
  Conv3DTranspose: (o) => new L.Conv3DTranspose(4, 3, o),
  MaxPooling3D: (o) => new L.MaxPooling3D(2, o),
  AveragePooling3D: (o) => new L.AveragePooling3D(2, o),
  GlobalAveragePooling3D: (o) => new L.GlobalAveragePooling3D(o),
  GlobalMaxPooling3D: (o) => new L.GlobalMaxPooling3D(o),
  ConvLSTM2D: (o) => new L.ConvLSTM2D(2, 3, o),
  ConvLSTM2DCell: (o) => new L.ConvLSTM2DCell(2, 3, o),
  EinsumDense: (o) => new L.EinsumDense('ab,bc->ac', 4, o),
  SeparableConv1D: (o) => new L.SeparableConv1D(4, 3, o),
  DepthwiseConv1D: (o) => new L.DepthwiseConv1D(3, o),
  Conv1DTranspose: (o) => new L.Conv1DTranspose(4, 3, o),
  RNN: (o) => new L.RNN(new L.LSTMCell(2), o),
  SimpleRNNCell: (o) => new L.SimpleRNNCell(2, o),
  LSTMCell: (o) => new L.LSTMCell(2, o),
  GRUCell: (o) => new L.GRUCell(2, o),
  StackedRNNCells: (o) => new L.StackedRNNCells([new L.LSTMCell(2)], o),
  RandomHeight: (o) => new L.RandomHeight(0.2, o),
  RandomWidth: (o) => new L.RandomWidth(0.2, o),
  GroupNormalization: (o) => new L.GroupNormalization(o),
  UnitNormalization: (o) => new L.UnitNormalization(o),
  Identity: (o) => new L.Identity(o),
  Attention: (o) => new L.Attention(o),
  AdditiveAttention: (o) => new L.AdditiveAttention(o),
  RandomCrop: (o) => new L.RandomCrop(2, 2, o),
  RandomBrightness: (o) => new L.RandomBrightness(0.2, o),
  Model: (o) => new nb.Model(o),
  Sequential: (o) => new nb.Sequential([], o),
};

describe('layer options are checked', () => {
  const classes = [...registeredLayerClasses().keys()];

  it('covers every registered layer class (a new layer must be added to MAKE)', () => {
    expect(classes.length).toBeGreaterThan(40);
    expect(classes.filter((c) => !(c in MAKE))).toEqual([]);
  });

  it.each(classes)('%s lists its option keys and accepts the valid ones', (name) => {
    const keys = registeredLayerClasses().get(name)!.optionKeys;
    expect(keys).toContain('name');
    expect(MAKE[name]!({ name: `${name.toLowerCase()}_ok` }).name).toBe(`${name.toLowerCase()}_ok`);
  });

  it.each(classes)('%s rejects an unknown key, naming it', (name) => {
    expect(() => MAKE[name]!({ no_such_option: 1 })).toThrow(nb.ValueError);
    expect(() => MAKE[name]!({ no_such_option: 1 })).toThrow(/unknown option 'no_such_option'/);
  });

  it('suggests the camelCase spelling of a Keras snake_case key, and a close spelling of a typo', () => {
    expect(() => new L.Dense(4, { kernel_initializer: 'zeros' } as Opts)).toThrow(/Dense: unknown option 'kernel_initializer'; did you mean 'kernelInitializer'\?/);
    expect(() => new L.Conv2D(8, 3, { activaton: 'relu' } as Opts)).toThrow(/unknown option 'activaton'; did you mean 'activation'\?/);
    expect(() => new L.LSTM(4, { return_sequences: true } as Opts)).toThrow(/did you mean 'returnSequences'/);
    expect(() => new L.Dense(4, { zzzzzzzz: 1 } as Opts)).not.toThrow(/did you mean/);
    // Sequential takes its input shape from its first layer: an inputShape here would be ignored, so it is refused.
    expect(() => new nb.Sequential([], { inputShape: [3] } as Opts)).toThrow(/Sequential: unknown option 'inputShape'/);
    expect(() => new L.Dense(4, { zzzzzzzz: 1 } as Opts)).toThrow(/options: activation, .*units/);
  });
});

describe('positional arguments may be given in the options object', () => {
  const same = (a: nb.layers.Layer, b: nb.layers.Layer) => {
    const strip = (c: Record<string, unknown>) => ({ ...c, name: undefined });
    expect(strip(a.getConfig())).toEqual(strip(b.getConfig()));
  };

  it('Conv2D(64, { kernelSize }) works like Conv2D(64, kernelSize) and Conv2D({ filters, kernelSize })', () => {
    const c = new L.Conv2D(64, { kernelSize: [3, 3], padding: 'same' });
    expect(c.filters).toBe(64);
    expect(c.kernelSize).toEqual([3, 3]);
    same(c, new L.Conv2D(64, [3, 3], { padding: 'same' }));
    same(c, new L.Conv2D({ filters: 64, kernelSize: 3, padding: 'same' }));
    const y = c.apply(nb.zeros([1, 5, 5, 2]));
    expect(y.shape).toEqual([1, 5, 5, 64]);
  });

  it('the same for the other layers with positional Keras arguments', () => {
    same(new L.Conv1D(4, { kernelSize: 3 }), new L.Conv1D(4, 3));
    same(new L.Conv2DTranspose(4, { kernelSize: 2, strides: 2 }), new L.Conv2DTranspose(4, 2, { strides: 2 }));
    same(new L.SeparableConv2D(4, { kernelSize: 3 }), new L.SeparableConv2D(4, 3));
    same(new L.DepthwiseConv2D({ kernelSize: 3, depthMultiplier: 2 }), new L.DepthwiseConv2D(3, { depthMultiplier: 2 }));
    same(new L.MaxPooling2D({ poolSize: 3 }), new L.MaxPooling2D(3));
    same(new L.AveragePooling1D({ poolSize: 4, strides: 2 }), new L.AveragePooling1D(4, { strides: 2 }));
    same(new L.Embedding(100, { outputDim: 8, maskZero: true }), new L.Embedding(100, 8, { maskZero: true }));
    same(new L.Embedding({ inputDim: 100, outputDim: 8 }), new L.Embedding(100, 8));
    same(new L.Dense({ units: 3, activation: 'relu' }), new L.Dense(3, { activation: 'relu' }));
    same(new L.Dropout({ rate: 0.25 }), new L.Dropout(0.25));
    same(new L.LSTM({ units: 5, returnSequences: true }), new L.LSTM(5, { returnSequences: true }));
    same(new L.GRU({ units: 5, resetAfter: false }), new L.GRU(5, { resetAfter: false }));
    same(new L.Reshape({ targetShape: [4, 1] }), new L.Reshape([4, 1]));
    same(new L.RepeatVector({ n: 2 }), new L.RepeatVector(2));
    same(new L.Concatenate({ axis: 1 }), new L.Concatenate(1));
    same(new L.MultiHeadAttention({ numHeads: 2, keyDim: 8 }), new L.MultiHeadAttention(2, 8));
    same(new L.RandomZoom({ heightFactor: 0.2, widthFactor: 0.1 }), new L.RandomZoom(0.2, 0.1));
    same(new L.RandomTranslation(0.2, { widthFactor: 0.1 }), new L.RandomTranslation(0.2, 0.1));
    same(new L.Resizing({ height: 8, width: 6 }), new L.Resizing(8, 6));
    same(new L.RandomFlip({ mode: 'vertical' }), new L.RandomFlip('vertical'));
    same(new L.Rescaling({ scale: 0.5, offset: 1 }), new L.Rescaling(0.5, { offset: 1 }));
    same(new L.Masking({ maskValue: -1 }), new L.Masking(-1));
  });

  it('refuses a value given both ways, too many positional values, and options not last', () => {
    expect(() => new L.Conv2D(64, 3, { kernelSize: 5 })).toThrow(/'kernelSize' given both as an argument \(3\) and in the options \(5\)/);
    expect(() => new L.Dense(4, { units: 5 })).toThrow(/'units' given both/);
    expect(() => new (L.Dense as unknown as new (...a: unknown[]) => nb.layers.Layer)(4, 5)).toThrow(/at most 1 positional argument/);
    expect(() => new (L.Conv2D as unknown as new (...a: unknown[]) => nb.layers.Layer)({ filters: 4 }, 3)).toThrow(/options object must be the last argument/);
  });
});
