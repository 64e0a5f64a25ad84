// Conv3D, Conv3DTranspose, MaxPooling3D, AveragePooling3D and global 3-D pooling: runLayerTest
// (gradients against finite differences included) and values against a direct loop.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose, sample } from '../conformance/harness.js';
import { runLayerTest } from './run-layer-test.js';

const L = nb.layers;

/** TensorFlow's 3-D convolution of one sample (channels last, 'same' padding half before, rounded down), as plain loops. */
function conv3dLoops(x: nb.Tensor, k: nb.Tensor, stride: number, same: boolean): number[] {
  const [, D, H, W, C] = x.shape as number[];
  const [KD, KH, KW, , F] = k.shape as number[];
  const xv = x.dataSync();
  const kv = k.dataSync();
  const outLen = (n: number, kk: number) => (same ? Math.ceil(n / stride) : Math.floor((n - kk) / stride) + 1);
  const before = (n: number, kk: number) => (same ? Math.floor(Math.max((outLen(n, kk) - 1) * stride + kk - n, 0) / 2) : 0);
  const out: number[] = [];
  for (let d = 0; d < outLen(D!, KD!); d++) for (let h = 0; h < outLen(H!, KH!); h++) for (let w = 0; w < outLen(W!, KW!); w++) for (let f = 0; f < F!; f++) {
    let acc = 0;
    for (let a = 0; a < KD!; a++) for (let b = 0; b < KH!; b++) for (let c = 0; c < KW!; c++) for (let ch = 0; ch < C!; ch++) {
      const id = d * stride + a - before(D!, KD!);
      const ih = h * stride + b - before(H!, KH!);
      const iw = w * stride + c - before(W!, KW!);
      if (id < 0 || id >= D! || ih < 0 || ih >= H! || iw < 0 || iw >= W!) continue;
      acc += xv[((id * H! + ih) * W! + iw) * C! + ch]! * kv[(((a * KH! + b) * KW! + c) * C! + ch) * F! + f]!;
    }
    out.push(acc);
  }
  return out;
}

describe('Conv3D / Conv3DTranspose', () => {
  it('Conv3D passes the layer checks (valid, same with strides, dilation)', () => {
    runLayerTest({ make: (a) => new L.Conv3D(2, 2, a), inputShape: [2, 3, 3, 3, 2], expectedOutputShape: [2, 2, 2, 2, 2], weights: 2 });
    runLayerTest({ make: (a) => new L.Conv3D(1, [3, 2, 2], { padding: 'same', strides: 2, ...a }), inputShape: [1, 4, 3, 3, 1], expectedOutputShape: [1, 2, 2, 2, 1], weights: 2 });
    runLayerTest({ make: (a) => new L.Conv3D(1, 2, { dilationRate: 2, useBias: false, ...a }), inputShape: [1, 4, 3, 3, 1], expectedOutputShape: [1, 2, 1, 1, 1], weights: 1 });
  });

  it('Conv3D computes what the loops compute, odd total padding included', () => {
    for (const [shape, kernel, stride, padding] of [
      [[1, 4, 5, 3, 2], [2, 3, 2, 2, 3], 1, 'valid'],
      [[1, 5, 6, 4, 2], [2, 2, 2, 2, 2], 3, 'same'],
      [[1, 5, 5, 5, 1], [3, 3, 3, 1, 2], 2, 'same'],
    ] as const) {
      const x = sample([...shape], -1, 1, 1).cast('float32');
      const layer = new L.Conv3D(kernel[4], kernel.slice(0, 3), { strides: stride, padding, useBias: false });
      layer.apply(x);
      const k = sample([...kernel], -1, 1, 2).cast('float32');
      layer.setWeights([k]);
      const y = layer.apply(x);
      const expected = conv3dLoops(x, k, stride, padding === 'same');
      expect(y.size).toBe(expected.length);
      expectClose(y.reshape([-1]), expected, { rtol: 1e-5, atol: 1e-5 });
    }
  });

  it('Conv3DTranspose passes the layer checks and is the gradient of Conv3D', () => {
    runLayerTest({ make: (a) => new L.Conv3DTranspose(2, 2, { strides: 2, ...a }), inputShape: [1, 2, 2, 1, 1], expectedOutputShape: [1, 4, 4, 2, 2], weights: 2 });
    runLayerTest({ make: (a) => new L.Conv3DTranspose(1, 3, { padding: 'same', strides: [2, 1, 1], ...a }), inputShape: [1, 2, 2, 2, 2], expectedOutputShape: [1, 4, 2, 2, 1], weights: 2 });
    // <conv3d(x), y> = <x, conv3dTranspose(y)> with the same kernel.
    for (const [stride, padding, depth] of [[1, 'valid', 6], [2, 'same', 6], [2, 'valid', 5]] as const) {
      const kernel = sample([3, 2, 2, 2, 3], -1, 1, 4).cast('float32');
      const conv = new L.Conv3D(3, [3, 2, 2], { strides: stride, padding, useBias: false });
      const x = sample([1, depth, 4, 4, 2], -1, 1, 5).cast('float32');
      conv.apply(x);
      conv.setWeights([kernel]);
      const y = conv.apply(x);
      const t = new L.Conv3DTranspose(2, [3, 2, 2], { strides: stride, padding, useBias: false });
      const cot = sample([...y.shape], -1, 1, 6).cast('float32');
      t.apply(cot);
      t.setWeights([kernel]);
      const back = t.apply(cot);
      expect(back.shape).toEqual(x.shape);
      expectClose(nb.sum(nb.mul(back, x)), nb.sum(nb.mul(y, cot)).item(), { rtol: 1e-4 });
    }
  });
});

describe('3-D pooling', () => {
  it('MaxPooling3D / AveragePooling3D pass the layer checks', () => {
    runLayerTest({ make: (a) => new L.MaxPooling3D(2, a), inputShape: [2, 4, 4, 2, 2], expectedOutputShape: [2, 2, 2, 1, 2], weights: 0 });
    runLayerTest({ make: (a) => new L.AveragePooling3D({ poolSize: [2, 2, 1], strides: 1, padding: 'same', ...a }), inputShape: [1, 3, 3, 2, 1], expectedOutputShape: [1, 3, 3, 2, 1], weights: 0 });
  });

  it('take the max and the mean of each box (mean of in-bounds elements with same)', () => {
    const x = nb.tensor(Array.from({ length: 8 }, (_, i) => i + 1), [1, 2, 2, 2, 1]);
    expectClose(new L.MaxPooling3D(2).apply(x).reshape([1]), [8]);
    expectClose(new L.AveragePooling3D(2).apply(x).reshape([1]), [4.5]);
    // 'same' with 2x2x2 windows and stride 1: the last corner's window holds only element 8
    const same = new L.AveragePooling3D({ poolSize: 2, strides: 1, padding: 'same' }).apply(x).reshape([8]);
    expectClose(same, [4.5, 5, 5.5, 6, 6.5, 7, 7.5, 8]);
    expect(() => new L.MaxPooling3D(2).apply(nb.zeros([1, 4, 4, 1]))).toThrow(/MaxPooling3D '.*': expects inputs of rank 5/);
  });

  it('GlobalAveragePooling3D / GlobalMaxPooling3D', () => {
    runLayerTest({ make: (a) => new L.GlobalAveragePooling3D(a), inputShape: [2, 2, 3, 2, 3], expectedOutputShape: [2, 3], weights: 0 });
    runLayerTest({ make: (a) => new L.GlobalMaxPooling3D({ keepDims: true, ...a }), inputShape: [2, 2, 3, 2, 3], expectedOutputShape: [2, 1, 1, 1, 3], weights: 0 });
    const x = nb.tensor(Array.from({ length: 8 }, (_, i) => i + 1), [1, 2, 2, 2, 1]);
    expectClose(new L.GlobalAveragePooling3D().apply(x), [[4.5]]);
    expectClose(new L.GlobalMaxPooling3D().apply(x), [[8]]);
    expect(L.GlobalAvgPool3D).toBe(L.GlobalAveragePooling3D);
  });
});
