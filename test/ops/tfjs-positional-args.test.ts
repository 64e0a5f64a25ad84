// TF.js passes settings positionally where nabla takes an options object. Before, the positional
// values were silently ignored (tf-style `conv2d(x, f, 2, 'same')` ran with stride 1 and 'valid',
// `random.uniform([3], 5, 10)` gave values in [0, 1)). Now the unambiguous TF.js forms mean what
// they mean in TF.js, and anything else is a ValueError that shows nabla's form.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';

// Untyped, as a JavaScript caller (or code ported from TF.js) would call them.
const js = nb as unknown as Record<string, (...args: unknown[]) => unknown>;
const jsRandom = nb.random as unknown as Record<string, (...args: unknown[]) => nb.Tensor>;
const jsNn = nb.nn as unknown as Record<string, (...args: unknown[]) => unknown>;

const img = nb.reshape(nb.range(0, 16, 1, 'float32'), [1, 4, 4, 1]);
const ones2x2 = nb.ones([2, 2, 1, 1]);

function same(a: unknown, b: nb.Tensor): void {
  const t = a as nb.Tensor;
  expect(t.shape).toEqual(b.shape);
  expect(t.arraySync()).toEqual(b.arraySync());
}

describe('convolutions and pools: TF.js positional form', () => {
  it('conv2d(x, f, strides, pad) is conv2d(x, f, { strides, padding })', () => {
    same(js.conv2d!(img, ones2x2, 2, 'same'), nb.conv2d(img, ones2x2, { strides: 2, padding: 'same' }));
    expect((js.conv2d!(img, ones2x2, 2, 'same') as nb.Tensor).shape).toEqual([1, 2, 2, 1]);
    same(js.conv2d!(img, ones2x2, [1, 1], 'valid', 'NHWC', [2, 2]), nb.conv2d(img, ones2x2, { dilations: 2 }));
    // A number pads every side, as in TF.js.
    same(js.conv2d!(img, ones2x2, 1, 1), nb.conv2d(img, ones2x2, { padding: [[1, 1], [1, 1]] }));
  });

  it('conv1d, depthwiseConv2d, separableConv2d and conv2dTranspose take their TF.js forms', () => {
    const seq = nb.reshape(nb.range(0, 8, 1, 'float32'), [1, 8, 1]);
    const k = nb.ones([3, 1, 1]);
    same(js.conv1d!(seq, k, 2, 'same'), nb.conv1d(seq, k, { strides: 2, padding: 'same' }));
    same(js.depthwiseConv2d!(img, ones2x2, 2, 'valid'), nb.depthwiseConv2d(img, ones2x2, { strides: 2 }));
    const pw = nb.ones([1, 1, 1, 2]);
    // TF.js's separableConv2d puts dilation before dataFormat.
    same(js.separableConv2d!(img, ones2x2, pw, 1, 'valid', 2, 'NHWC'), nb.separableConv2d(img, ones2x2, pw, { dilations: 2 }));
    const y = nb.ones([1, 2, 2, 1]);
    same(js.conv2dTranspose!(y, ones2x2, [1, 4, 4, 1], 2, 'valid'), nb.conv2dTranspose(y, ones2x2, [1, 4, 4, 1], { strides: 2 }));
  });

  it("dataFormat 'NCHW' / 'NCW' is nabla's dataFormat: 'channelsFirst'", () => {
    const chw = nb.transpose(img, [0, 3, 1, 2]);
    same(js.conv2d!(chw, ones2x2, 1, 'same', 'NCHW'), nb.transpose(nb.conv2d(img, ones2x2, { padding: 'same' }), [0, 3, 1, 2]));
    same(js.depthwiseConv2d!(chw, ones2x2, 2, 'valid', 'NCHW'), nb.transpose(nb.depthwiseConv2d(img, ones2x2, { strides: 2 }), [0, 3, 1, 2]));
    const ncw = nb.transpose(nb.reshape(img, [1, 16, 1]), [0, 2, 1]);
    same(js.conv1d!(ncw, nb.ones([3, 1, 2]), 1, 'valid', 'NCW'), nb.transpose(nb.conv1d(nb.reshape(img, [1, 16, 1]), nb.ones([3, 1, 2])), [0, 2, 1]));
  });

  it('maxPool / avgPool(x, filterSize, strides, pad)', () => {
    same(js.maxPool!(img, 2, 1, 'valid'), nb.maxPool(img, { poolSize: 2, strides: 1 }));
    expect((js.maxPool!(img, 2, 1, 'valid') as nb.Tensor).shape).toEqual([1, 3, 3, 1]);
    same(js.avgPool!(img, 3, 2, 'same'), nb.avgPool(img, { poolSize: 3, strides: 2, padding: 'same' }));
  });

  it('what nabla cannot honour, or arguments after the options, is a ValueError showing nabla’s form', () => {
    expect(() => js.conv2d!(img, ones2x2, 1, 'same', 'NDHWC')).toThrow(/dataFormat 'NDHWC' is not supported: expected 'NHWC' or 'NCHW'/);
    expect(() => js.conv1d!(nb.ones([1, 4, 1]), nb.ones([2, 1, 1]), 1, 'same', 'NHWC')).toThrow(/expected 'NWC' or 'NCW'/);
    expect(() => js.conv2d!(img, ones2x2, 1, 'same', 'NHWC', 1, 'round')).toThrow(/dimRoundingMode/);
    expect(() => js.conv2d!(img, ones2x2, { strides: 2 }, 'same')).toThrow(/unexpected argument 'same'.*conv2d\(x, filter, \{ strides, padding/);
    expect(() => js.conv2d!(img, ones2x2, 'same')).toThrow(nb.ValueError);
    expect(() => js.maxPool!(img, 2, 2, 'valid', 'floor')).toThrow(/dimRoundingMode/);
    expect(() => js.maxPool1d!(nb.ones([1, 4, 1]), 2)).toThrow(/maxPool1d\(x, \{ poolSize, strides, padding \}\)/);
    expect(() => js.avgPool1d!(nb.ones([1, 4, 1]), {}, 2)).toThrow(nb.ValueError);
  });
});

describe('random: TF.js positional form', () => {
  it('uniform(shape, minval, maxval, dtype, seed)', () => {
    const u = jsRandom.uniform!([1000], 5, 10, 'float64', 7);
    expect(u.dtype).toBe('float64');
    const v = u.dataSync();
    expect(Math.min(...v)).toBeGreaterThanOrEqual(5);
    expect(Math.max(...v)).toBeLessThan(10);
    expect(Math.min(...v)).toBeLessThan(5.1); // spread over [5, 10), not squeezed near one end
    same(u, nb.random.uniform([1000], { min: 5, max: 10, dtype: 'float64', seed: 7 }));
  });

  it('normal and truncatedNormal(shape, mean, stdDev, dtype, seed)', () => {
    same(jsRandom.normal!([50], 3, 2, 'float32', 1), nb.random.normal([50], { mean: 3, stddev: 2, seed: 1 }));
    const t = jsRandom.truncatedNormal!([2000], 100, 1, undefined, 2).dataSync();
    for (const e of t) expect(Math.abs(e - 100)).toBeLessThanOrEqual(2);
  });

  it('anything else is a ValueError', () => {
    expect(() => jsRandom.uniform!([3], { min: 1 }, 5)).toThrow(/random\.uniform\(shape, \{ min, max, dtype, seed \}\)/);
    expect(() => jsRandom.uniform!([3], 'a')).toThrow(nb.ValueError);
    expect(() => jsRandom.int!([3], 0, 5, 'int32')).toThrow(/random\.int\(shape, min, max, \{ dtype, seed \}\)/);
    expect(() => jsRandom.permutation!(5, 3)).toThrow(nb.ValueError);
    expect(() => jsRandom.shuffle!(nb.range(0, 4), 3)).toThrow(nb.ValueError);
  });
});

describe('other ops whose TF.js form is positional', () => {
  it('oneHot(indices, depth, onValue, offValue, dtype)', () => {
    const h = js.oneHot!(nb.tensor([0, 2], 'int32'), 3, 5, -1, 'int32') as nb.Tensor;
    expect(h.dtype).toBe('int32');
    expect(h.arraySync()).toEqual([[5, -1, -1], [-1, -1, 5]]);
    expect(() => js.oneHot!(nb.tensor([0], 'int32'), 3, { onValue: 2 }, 0)).toThrow(nb.ValueError);
  });

  it('cumsum / cumprod(x, axis, exclusive, reverse)', () => {
    const x = nb.tensor([1, 2, 3]);
    expect((js.cumsum!(x, 0, true, true) as nb.Tensor).arraySync()).toEqual([5, 3, 0]);
    expect((js.cumsum!(x, 0, true) as nb.Tensor).arraySync()).toEqual([0, 1, 3]);
    expect((js.cumprod!(x, 0, false, true) as nb.Tensor).arraySync()).toEqual([6, 6, 3]);
    expect(() => js.cumsum!(x, 0, { exclusive: true }, true)).toThrow(nb.ValueError);
  });

  it('nn.moments(x, axes, keepDims)', () => {
    const { mean, variance } = jsNn.moments!(nb.tensor([[1, 2], [3, 4]]), [0], true) as nb.nn.Moments;
    expect(mean.arraySync()).toEqual([[2, 3]]);
    expect(variance.arraySync()).toEqual([[1, 1]]);
  });

  it('norm(x, ord, axis, keepDims)', () => {
    const n = js.norm!(nb.tensor([[3, 4], [6, 8]]), 2, 1, true) as nb.Tensor;
    expect(n.shape).toEqual([2, 1]);
    expect(n.arraySync()).toEqual([[5], [10]]);
    expect(() => js.norm!(nb.tensor([1]), { ord: 1 }, 0)).toThrow(nb.ValueError);
  });

  it('nn.dropout(x, rate, noiseShape, seed)', () => {
    const x = nb.ones([6, 4]);
    const d = (jsNn.dropout!(x, 0.5, [1, 4], 3) as nb.Tensor).arraySync() as number[][];
    // One mask row broadcast over the batch: every row is the same.
    for (const row of d) expect(row).toEqual(d[0]);
    same(jsNn.dropout!(x, 0.5, [1, 4], 3), nb.nn.dropout(x, 0.5, { noiseShape: [1, 4], seed: 3 }));
  });

  it('topk(x, k, sorted)', () => {
    const r = js.topk!(nb.tensor([1, 3, 2]), 2, false) as { values: nb.Tensor };
    expect(r.values.arraySync()).toEqual([3, 2]);
    expect(() => js.topk!(nb.tensor([1, 3, 2]), 2, 'yes')).toThrow(nb.ValueError);
  });
});
