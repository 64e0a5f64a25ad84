// Conv, pooling and global pooling layers with dataFormat 'channelsFirst', and the `groups` option
// of Conv1D/2D/3D: runLayerTest, and each layer against its channels-last twin with the same
// weights on the transposed input.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose, sample } from '../conformance/harness.js';
import { runLayerTest } from './run-layer-test.js';

const L = nb.layers;
const CF = { dataFormat: 'channelsFirst' } as const;

/** [n, c, ...spatial] <-> [n, ...spatial, c]. */
const toLast = (t: nb.Tensor) => nb.transpose(t, [0, ...Array.from({ length: t.rank - 2 }, (_, i) => i + 2), 1]);
const toFirst = (t: nb.Tensor) => nb.transpose(t, [0, t.rank - 1, ...Array.from({ length: t.rank - 2 }, (_, i) => i + 1)]);

/** A channels-first layer equals its channels-last twin (same weights) on the transposed input. */
function expectTwins(first: nb.layers.Layer, last: nb.layers.Layer, xFirst: nb.Tensor, pooledToVector = false): void {
  const yFirst = first.apply(xFirst) as nb.Tensor;
  last.apply(toLast(xFirst));
  last.setWeights(first.getWeights());
  const yLast = last.apply(toLast(xFirst)) as nb.Tensor;
  const want = pooledToVector ? yLast : toFirst(yLast);
  expect(yFirst.shape).toEqual(want.shape);
  expectClose(yFirst, want.arraySync() as number[], { rtol: 1e-5, atol: 1e-6 });
}

describe("conv layers with dataFormat 'channelsFirst'", () => {
  it('pass the layer checks', () => {
    runLayerTest({ make: (a) => new L.Conv2D(3, 2, { ...CF, ...a }), inputShape: [2, 2, 5, 4], expectedOutputShape: [2, 3, 4, 3], weights: 2 });
    runLayerTest({ make: (a) => new L.Conv2D(4, 3, { strides: 2, padding: 'same', groups: 2, ...CF, ...a }), inputShape: [1, 4, 5, 5], expectedOutputShape: [1, 4, 3, 3], weights: 2 });
    runLayerTest({ make: (a) => new L.Conv1D(2, 3, { dilationRate: 2, padding: 'same', ...CF, ...a }), inputShape: [2, 3, 7], expectedOutputShape: [2, 2, 7], weights: 2 });
    runLayerTest({ make: (a) => new L.Conv2DTranspose(2, 3, { strides: 2, ...CF, ...a }), inputShape: [1, 3, 3, 2], expectedOutputShape: [1, 2, 7, 5], weights: 2 });
    runLayerTest({ make: (a) => new L.DepthwiseConv2D(3, { depthMultiplier: 2, padding: 'same', ...CF, ...a }), inputShape: [1, 2, 4, 4], expectedOutputShape: [1, 4, 4, 4], weights: 2 });
    runLayerTest({ make: (a) => new L.SeparableConv2D(3, 2, { ...CF, ...a }), inputShape: [1, 2, 4, 3], expectedOutputShape: [1, 3, 3, 2], weights: 3 });
    runLayerTest({ make: (a) => new L.SeparableConv1D(3, 2, { ...CF, ...a }), inputShape: [2, 2, 5], expectedOutputShape: [2, 3, 4], weights: 3 });
    runLayerTest({ make: (a) => new L.DepthwiseConv1D(2, { ...CF, ...a }), inputShape: [2, 3, 5], expectedOutputShape: [2, 3, 4], weights: 2 });
    runLayerTest({ make: (a) => new L.Conv1DTranspose(2, 3, { strides: 2, ...CF, ...a }), inputShape: [2, 2, 3], expectedOutputShape: [2, 2, 7], weights: 2 });
    runLayerTest({ make: (a) => new L.Conv3D(2, 2, { ...CF, ...a }), inputShape: [1, 2, 3, 4, 3], expectedOutputShape: [1, 2, 2, 3, 2], weights: 2 });
    runLayerTest({ make: (a) => new L.Conv3DTranspose(2, 2, { strides: 2, ...CF, ...a }), inputShape: [1, 1, 2, 2, 2], expectedOutputShape: [1, 2, 4, 4, 4], weights: 2 });
  });

  it('each equals its channels-last twin with the same weights', () => {
    const opts = { padding: 'same', strides: 2, activation: 'relu', biasInitializer: 'glorotUniform' } as const;
    const x4 = sample([2, 4, 6, 5], -1, 1, 1).cast('float32');
    expectTwins(new L.Conv2D(6, 3, { ...opts, groups: 2, ...CF }), new L.Conv2D(6, 3, { ...opts, groups: 2 }), x4);
    expectTwins(new L.Conv2DTranspose(3, 3, { ...opts, ...CF }), new L.Conv2DTranspose(3, 3, opts), x4);
    expectTwins(new L.DepthwiseConv2D(3, { ...opts, depthMultiplier: 2, ...CF }), new L.DepthwiseConv2D(3, { ...opts, depthMultiplier: 2 }), x4);
    expectTwins(new L.SeparableConv2D(3, 2, { ...opts, ...CF }), new L.SeparableConv2D(3, 2, opts), x4);
    const x3 = sample([2, 4, 7], -1, 1, 2).cast('float32');
    expectTwins(new L.Conv1D(2, 3, { ...opts, groups: 2, ...CF }), new L.Conv1D(2, 3, { ...opts, groups: 2 }), x3);
    expectTwins(new L.Conv1DTranspose(3, 2, { ...opts, ...CF }), new L.Conv1DTranspose(3, 2, opts), x3);
    const x5 = sample([1, 2, 4, 3, 4], -1, 1, 3).cast('float32');
    expectTwins(new L.Conv3D(4, 2, { ...opts, groups: 2, ...CF }), new L.Conv3D(4, 2, { ...opts, groups: 2 }), x5);
  });

  it('bad options and inputs fail naming the layer', () => {
    expect(() => new L.Conv2D(3, 2, { dataFormat: 'channels_first' as never })).toThrow(/Conv2D: dataFormat must be 'channelsLast' or 'channelsFirst'/);
    expect(() => new L.Conv2D(3, 2, { groups: 2 })).toThrow(/Conv2D: filters \(3\) must be divisible by groups \(2\)/);
    expect(() => new L.Conv2D(4, 2, { groups: 2 }).apply(nb.zeros([1, 4, 4, 3]))).toThrow(/Conv2D '.*': 3 input channels are not divisible into 2 groups/);
    expect(() => new L.DepthwiseConv2D(2, { groups: 2 } as never)).toThrow(/groups/);
    expect(() => new L.Conv2D(2, 2, CF).apply(nb.zeros([1, 4, 4]))).toThrow(/expects inputs of rank 4 \[batch, channels, \.\.\.spatial\]/);
  });
});

describe("conv layers with groups", () => {
  it('pass the layer checks; the kernel is [...k, in / groups, filters]', () => {
    runLayerTest({ make: (a) => new L.Conv1D(4, 2, { groups: 2, ...a }), inputShape: [2, 5, 4], expectedOutputShape: [2, 4, 4], weights: 2 });
    runLayerTest({ make: (a) => new L.Conv2D(6, 2, { groups: 3, padding: 'same', ...a }), inputShape: [1, 3, 4, 3], expectedOutputShape: [1, 3, 4, 6], weights: 2 });
    runLayerTest({ make: (a) => new L.Conv3D(4, 2, { groups: 2, ...a }), inputShape: [1, 3, 3, 3, 2], expectedOutputShape: [1, 2, 2, 2, 4], weights: 2 });
    const c = new L.Conv2D(6, 3, { groups: 3 });
    c.apply(nb.zeros([1, 5, 5, 9]));
    expect(c.kernel.shape).toEqual([3, 3, 3, 6]);
    expect(c.getConfig()).toMatchObject({ groups: 3, dataFormat: 'channelsLast' });
  });

  it('each group sees only its own channels: zeroing one group of the input zeroes that group of the output', () => {
    const c = new L.Conv2D(4, 2, { groups: 2, useBias: false });
    const x = sample([1, 3, 3, 4], -1, 1, 4).cast('float32');
    const firstGroupOnly = nb.mul(x, nb.tensor([1, 1, 0, 0]));
    const y = c.apply(firstGroupOnly) as nb.Tensor;
    expect(Array.from(nb.slice(y, [0, 0, 0, 2], [-1, -1, -1, 2]).dataSync()).every((v) => v === 0)).toBe(true);
    expect(Array.from(nb.slice(y, [0, 0, 0, 0], [-1, -1, -1, 2]).dataSync()).some((v) => v !== 0)).toBe(true);
  });
});

describe("pooling layers with dataFormat 'channelsFirst'", () => {
  it('pass the layer checks', () => {
    runLayerTest({ make: (a) => new L.MaxPooling2D({ poolSize: 2, ...CF, ...a }), inputShape: [2, 3, 4, 5], expectedOutputShape: [2, 3, 2, 2], weights: 0 });
    runLayerTest({ make: (a) => new L.AveragePooling2D({ poolSize: 3, strides: 2, padding: 'same', ...CF, ...a }), inputShape: [1, 2, 5, 5], expectedOutputShape: [1, 2, 3, 3], weights: 0 });
    runLayerTest({ make: (a) => new L.MaxPooling1D({ poolSize: 2, ...CF, ...a }), inputShape: [2, 3, 5], expectedOutputShape: [2, 3, 2], weights: 0 });
    runLayerTest({ make: (a) => new L.AveragePooling1D({ poolSize: 2, strides: 1, ...CF, ...a }), inputShape: [2, 3, 5], expectedOutputShape: [2, 3, 4], weights: 0 });
    runLayerTest({ make: (a) => new L.MaxPooling3D({ poolSize: 2, ...CF, ...a }), inputShape: [1, 2, 4, 4, 3], expectedOutputShape: [1, 2, 2, 2, 1], weights: 0 });
    runLayerTest({ make: (a) => new L.AveragePooling3D({ poolSize: [2, 1, 2], padding: 'same', ...CF, ...a }), inputShape: [1, 2, 3, 2, 3], expectedOutputShape: [1, 2, 2, 2, 2], weights: 0 });
    runLayerTest({ make: (a) => new L.GlobalAveragePooling2D({ ...CF, ...a }), inputShape: [2, 3, 4, 5], expectedOutputShape: [2, 3], weights: 0 });
    runLayerTest({ make: (a) => new L.GlobalMaxPooling2D({ keepDims: true, ...CF, ...a }), inputShape: [2, 3, 4, 5], expectedOutputShape: [2, 3, 1, 1], weights: 0 });
    runLayerTest({ make: (a) => new L.GlobalAveragePooling1D({ ...CF, ...a }), inputShape: [2, 3, 4], expectedOutputShape: [2, 3], weights: 0 });
    runLayerTest({ make: (a) => new L.GlobalMaxPooling1D({ ...CF, ...a }), inputShape: [2, 3, 4], expectedOutputShape: [2, 3], weights: 0 });
    runLayerTest({ make: (a) => new L.GlobalAveragePooling3D({ keepDims: true, ...CF, ...a }), inputShape: [1, 2, 3, 2, 2], expectedOutputShape: [1, 2, 1, 1, 1], weights: 0 });
    runLayerTest({ make: (a) => new L.GlobalMaxPooling3D({ ...CF, ...a }), inputShape: [1, 2, 3, 2, 2], expectedOutputShape: [1, 2], weights: 0 });
  });

  it('each equals its channels-last twin', () => {
    const x4 = sample([2, 3, 5, 6], -1, 1, 5).cast('float32');
    const p2 = { poolSize: [2, 3], strides: [1, 2], padding: 'same' as const };
    expectTwins(new L.MaxPooling2D({ ...p2, ...CF }), new L.MaxPooling2D(p2), x4);
    expectTwins(new L.AveragePooling2D({ ...p2, ...CF }), new L.AveragePooling2D(p2), x4);
    expectTwins(new L.GlobalAveragePooling2D(CF), new L.GlobalAveragePooling2D(), x4, true);
    expectTwins(new L.GlobalMaxPooling2D(CF), new L.GlobalMaxPooling2D(), x4, true);
    const x3 = sample([2, 3, 7], -1, 1, 6).cast('float32');
    expectTwins(new L.MaxPooling1D({ poolSize: 3, strides: 2, padding: 'same', ...CF }), new L.MaxPooling1D({ poolSize: 3, strides: 2, padding: 'same' }), x3);
    expectTwins(new L.AveragePooling1D({ poolSize: 2, ...CF }), new L.AveragePooling1D({ poolSize: 2 }), x3);
    const x5 = sample([2, 2, 4, 5, 3], -1, 1, 7).cast('float32');
    const p3 = { poolSize: [2, 2, 3], strides: [2, 1, 2], padding: 'same' as const };
    expectTwins(new L.MaxPooling3D({ ...p3, ...CF }), new L.MaxPooling3D(p3), x5);
    expectTwins(new L.AveragePooling3D({ ...p3, ...CF }), new L.AveragePooling3D(p3), x5);
    expectTwins(new L.GlobalMaxPooling3D(CF), new L.GlobalMaxPooling3D(), x5, true);
  });

  it('GlobalAveragePooling1D with a mask averages the unmasked steps, channels first', () => {
    const x = nb.tensor([[[1, 2, 3, 100], [10, 20, 30, 1000]]]); // [1, 2 channels, 4 steps]
    const mask = nb.tensor([[true, true, true, false]]);
    expectClose(new L.GlobalAveragePooling1D(CF).apply(x, { mask }) as nb.Tensor, [[2, 20]]);
  });
});
