// SeparableConv1D, DepthwiseConv1D and Conv1DTranspose: runLayerTest, known values, and their
// relation to the 2-D layers and to Conv1D.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose, sample } from '../conformance/harness.js';
import { runLayerTest } from './run-layer-test.js';

const L = nb.layers;

describe('1-D separable, depthwise and transposed convolutions', () => {
  it('pass the layer checks', () => {
    runLayerTest({ make: (a) => new L.SeparableConv1D(3, 2, { depthMultiplier: 2, ...a }), inputShape: [2, 5, 2], expectedOutputShape: [2, 4, 3], weights: 3 });
    runLayerTest({ make: (a) => new L.SeparableConv1D(2, 3, { padding: 'same', strides: 2, ...a }), inputShape: [1, 5, 2], expectedOutputShape: [1, 3, 2], weights: 3 });
    runLayerTest({ make: (a) => new L.DepthwiseConv1D(2, { depthMultiplier: 2, ...a }), inputShape: [2, 4, 2], expectedOutputShape: [2, 3, 4], weights: 2 });
    runLayerTest({ make: (a) => new L.DepthwiseConv1D(3, { dilationRate: 2, padding: 'same', ...a }), inputShape: [1, 6, 2], expectedOutputShape: [1, 6, 2], weights: 2 });
    runLayerTest({ make: (a) => new L.Conv1DTranspose(2, 3, { strides: 2, ...a }), inputShape: [2, 3, 2], expectedOutputShape: [2, 7, 2], weights: 2 });
    runLayerTest({ make: (a) => new L.Conv1DTranspose(1, 2, { padding: 'same', strides: 2, ...a }), inputShape: [1, 3, 2], expectedOutputShape: [1, 6, 1], weights: 2 });
  });

  it('DepthwiseConv1D sums each channel over its windows with a ones kernel; weights have Keras 1-D shapes', () => {
    const d = new L.DepthwiseConv1D(2, { kernelInitializer: 'ones', useBias: false });
    expectClose(d.apply(nb.tensor([[[1, 10], [2, 20], [3, 30]]])), [[[3, 30], [5, 50]]]);
    expect(d.kernel.shape).toEqual([2, 2, 1]);
    const s = new L.SeparableConv1D(4, 3, { depthMultiplier: 2 });
    s.apply(nb.zeros([1, 5, 3]));
    expect(s.weights.map((w) => w.shape)).toEqual([[3, 3, 2], [1, 6, 4], [4]]);
  });

  it('SeparableConv1D is SeparableConv2D on a height-1 image', () => {
    const x = sample([2, 6, 3], -1, 1, 1).cast('float32');
    const one = new L.SeparableConv1D(4, 3, { depthMultiplier: 2, strides: 2, padding: 'same' });
    const two = new L.SeparableConv2D(4, [1, 3], { depthMultiplier: 2, strides: [1, 2], padding: 'same' });
    one.apply(x);
    two.apply(x.reshape([2, 1, 6, 3]));
    const ws = two.getWeights().map((w) => w.add(sample([...w.shape], -1, 1, 2).cast('float32')));
    two.setWeights(ws);
    one.setWeights([ws[0]!.reshape([3, 3, 2]), ws[1]!.reshape([1, 6, 4]), ws[2]!]);
    expectClose(one.apply(x), two.apply(x.reshape([2, 1, 6, 3])).reshape([2, 3, 4]).arraySync() as number[][][], { rtol: 1e-5, atol: 1e-6 });
  });

  it('Conv1DTranspose is the adjoint of Conv1D with the same kernel', () => {
    for (const [stride, padding, steps] of [[1, 'valid', 6], [2, 'same', 6], [2, 'valid', 7]] as const) {
      const kernel = sample([3, 2, 4], -1, 1, 3).cast('float32');
      const conv = new L.Conv1D(4, 3, { strides: stride, padding, useBias: false });
      const x = sample([2, steps, 2], -1, 1, 4).cast('float32');
      conv.apply(x);
      conv.setWeights([kernel]);
      const y = conv.apply(x);
      const t = new L.Conv1DTranspose(2, 3, { strides: stride, padding, useBias: false });
      const cot = sample([...y.shape], -1, 1, 5).cast('float32');
      t.apply(cot);
      t.setWeights([kernel]);
      const back = t.apply(cot);
      expect(back.shape).toEqual(x.shape);
      expectClose(nb.sum(nb.mul(back, x)), nb.sum(nb.mul(y, cot)).item(), { rtol: 1e-4 });
    }
  });
});
