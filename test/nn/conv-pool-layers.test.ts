import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose } from '../conformance/harness.js';
import { runLayerTest } from './run-layer-test.js';

const L = nb.layers;
const img = (n: number) => nb.tensor(Array.from({ length: n * n }, (_, i) => i + 1), [1, n, n, 1]);

describe('convolution layers', () => {
  it('Conv1D passes the layer checks (valid and same, strides, dilation)', () => {
    runLayerTest({ make: (a) => new L.Conv1D(2, 3, a), inputShape: [2, 5, 2], expectedOutputShape: [2, 3, 2], weights: 2 });
    runLayerTest({ make: (a) => new L.Conv1D(2, 2, { padding: 'same', strides: 2, ...a }), inputShape: [1, 5, 1], expectedOutputShape: [1, 3, 2], weights: 2 });
    runLayerTest({ make: (a) => new L.Conv1D(1, 2, { dilationRate: 2, useBias: false, ...a }), inputShape: [1, 5, 1], expectedOutputShape: [1, 3, 1], weights: 1 });
  });

  it('Conv2D passes the layer checks and sums windows with a ones kernel', () => {
    runLayerTest({ make: (a) => new L.Conv2D(2, 2, { activation: 'tanh', ...a }), inputShape: [2, 4, 3, 2], expectedOutputShape: [2, 3, 2, 2], weights: 2 });
    runLayerTest({ make: (a) => new L.Conv2D(1, [3, 2], { padding: 'same', strides: 2, ...a }), inputShape: [1, 4, 4, 1], expectedOutputShape: [1, 2, 2, 1], weights: 2 });
    const c = new L.Conv2D(1, 2, { kernelInitializer: 'ones', biasInitializer: { className: 'Constant', config: { value: 1 } } });
    // windows of [[1,2,3],[4,5,6],[7,8,9]]: 1+2+4+5 = 12, 16, 24, 28; plus bias 1
    expectClose(c.apply(img(3)).reshape([2, 2]), [[13, 17], [25, 29]]);
    expect(() => c.apply(nb.zeros([1, 3, 3, 2]))).toThrow(nb.ShapeError);
    expect(() => new L.Conv2D(1, 2, { padding: 'full' as never })).toThrow(/padding must be 'valid' or 'same'/);
  });

  it('Conv2DTranspose upsamples and passes the layer checks', () => {
    runLayerTest({ make: (a) => new L.Conv2DTranspose(2, 2, { strides: 2, ...a }), inputShape: [1, 2, 3, 1], expectedOutputShape: [1, 4, 6, 2], weights: 2 });
    runLayerTest({ make: (a) => new L.Conv2DTranspose(1, 3, { padding: 'same', ...a }), inputShape: [2, 3, 3, 2], expectedOutputShape: [2, 3, 3, 1], weights: 2 });
    // a 1x1 input and a ones 2x2 kernel with stride 2 paint a 2x2 block with the input value
    const t = new L.Conv2DTranspose(1, 2, { strides: 2, kernelInitializer: 'ones', useBias: false });
    expectClose(t.apply(nb.tensor([5], [1, 1, 1, 1])).reshape([2, 2]), [[5, 5], [5, 5]]);
  });

  it('DepthwiseConv2D and SeparableConv2D pass the layer checks', () => {
    runLayerTest({ make: (a) => new L.DepthwiseConv2D(2, { depthMultiplier: 2, ...a }), inputShape: [1, 3, 3, 2], expectedOutputShape: [1, 2, 2, 4], weights: 2 });
    runLayerTest({ make: (a) => new L.SeparableConv2D(3, 2, a), inputShape: [1, 3, 3, 2], expectedOutputShape: [1, 2, 2, 3], weights: 3 });
    const d = new L.DepthwiseConv2D(2, { kernelInitializer: 'ones', useBias: false });
    expectClose(d.apply(img(3)).reshape([2, 2]), [[12, 16], [24, 28]]);
  });
});

describe('pooling layers', () => {
  it('MaxPooling2D / AveragePooling2D', () => {
    runLayerTest({ make: (a) => new L.MaxPooling2D(2, a), inputShape: [2, 4, 4, 2], expectedOutputShape: [2, 2, 2, 2], weights: 0 });
    runLayerTest({ make: (a) => new L.AveragePooling2D({ poolSize: 2, strides: 1, padding: 'same', ...a }), inputShape: [1, 3, 3, 1], expectedOutputShape: [1, 3, 3, 1], weights: 0 });
    expectClose(new L.MaxPooling2D(2).apply(img(4)).reshape([2, 2]), [[6, 8], [14, 16]]);
    expectClose(new L.AveragePooling2D(2).apply(img(4)).reshape([2, 2]), [[3.5, 5.5], [11.5, 13.5]]);
  });

  it('MaxPooling1D / AveragePooling1D', () => {
    runLayerTest({ make: (a) => new L.MaxPooling1D(2, a), inputShape: [2, 5, 3], expectedOutputShape: [2, 2, 3], weights: 0 });
    runLayerTest({ make: (a) => new L.AveragePooling1D({ poolSize: 2, padding: 'same', ...a }), inputShape: [2, 5, 3], expectedOutputShape: [2, 3, 3], weights: 0 });
    expectClose(new L.MaxPooling1D(2).apply(nb.tensor([[[1], [3], [2], [0]]])), [[[3], [2]]]);
    expectClose(new L.AveragePooling1D(2).apply(nb.tensor([[[1], [3], [2], [0]]])), [[[2], [1]]]);
  });

  it('global pooling', () => {
    runLayerTest({ make: (a) => new L.GlobalAveragePooling2D(a), inputShape: [2, 3, 3, 2], expectedOutputShape: [2, 2], weights: 0 });
    runLayerTest({ make: (a) => new L.GlobalMaxPooling2D({ keepDims: true, ...a }), inputShape: [2, 3, 3, 2], expectedOutputShape: [2, 1, 1, 2], weights: 0 });
    runLayerTest({ make: (a) => new L.GlobalAveragePooling1D(a), inputShape: [2, 4, 3], expectedOutputShape: [2, 3], weights: 0 });
    runLayerTest({ make: (a) => new L.GlobalMaxPooling1D(a), inputShape: [2, 4, 3], expectedOutputShape: [2, 3], weights: 0 });
    expectClose(new L.GlobalAveragePooling2D().apply(img(3)), [[5]]);
    expectClose(new L.GlobalMaxPooling2D().apply(img(3)), [[9]]);
  });
});
