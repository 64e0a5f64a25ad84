// EinsumDense (keras.layers.EinsumDense): kernel and bias shapes from the equation, values by hand
// and by plain loops, the ellipsis forms, runLayerTest, and clear errors.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose, sample } from '../conformance/harness.js';
import { runLayerTest } from './run-layer-test.js';

const L = nb.layers;

describe('EinsumDense', () => {
  it("'ab,bc->ac' with a bias on c is Dense: values by hand", () => {
    const layer = new L.EinsumDense('ab,bc->ac', 2, { biasAxes: 'c', activation: 'relu' });
    const x = nb.tensor([[1, 2, 3], [-1, -2, -3]]);
    layer.apply(x);
    expect(layer.getWeights().map((w) => w.shape)).toEqual([[3, 2], [2]]);
    layer.setWeights([nb.tensor([[1, 0], [0, 1], [1, 1]]), nb.tensor([10, 20])]);
    // [1+3+10, 2+3+20] and relu([-1-3+10, -2-3+20])
    expect(layer.apply(x).arraySync()).toEqual([[14, 25], [6, 15]]);
  });

  it("per-head projections 'abc,cde->abde' with the bias on b and e (shape [b, 1, e])", () => {
    const layer = new L.EinsumDense('abc,cde->abde', [null, 2, 3], { biasAxes: 'be' });
    const x = sample([2, 4, 5], -1, 1, 1).cast('float32');
    const y = layer.apply(x);
    expect(y.shape).toEqual([2, 4, 2, 3]);
    const [k, b] = layer.getWeights() as [nb.Tensor, nb.Tensor];
    expect(k.shape).toEqual([5, 2, 3]);
    expect(b.shape).toEqual([4, 1, 3]);
    layer.setWeights([sample([5, 2, 3], -1, 1, 2).cast('float32'), sample([4, 1, 3], -1, 1, 3).cast('float32')]);
    const xs = x.arraySync() as number[][][];
    const ks = layer.getWeights()[0]!.arraySync() as number[][][];
    const bs = layer.getWeights()[1]!.arraySync() as number[][][];
    const want = xs.map((xa) => xa.map((xb, bi) => [0, 1].map((d) => [0, 1, 2].map((e) => xb.reduce((acc, xc, c) => acc + xc * ks[c]![d]![e]!, 0) + bs[bi]![0]![e]!))));
    expectClose(layer.apply(x), want, { rtol: 1e-5, atol: 1e-6 });
  });

  it('an ellipsis passes axes through on the left or on the right', () => {
    const left = new L.EinsumDense('...b,bc->...c', 2);
    expect(left.apply(nb.zeros([2, 3, 4, 3])).shape).toEqual([2, 3, 4, 2]);
    expect(left.getWeights()[0]!.shape).toEqual([3, 2]);
    expect(left.computeOutputShape([null, 3, 4, 3])).toEqual([null, 3, 4, 2]);

    const right = new L.EinsumDense('ab...,bc->ac...', 4, { biasAxes: 'c' });
    const x = sample([2, 3, 5], -1, 1, 4).cast('float32');
    const y = right.apply(x);
    expect(y.shape).toEqual([2, 4, 5]);
    const [k, b] = right.getWeights() as [nb.Tensor, nb.Tensor];
    expect(k.shape).toEqual([3, 4]);
    expect(b.shape).toEqual([4, 1]);
    right.setWeights([k, nb.tensor([1, 2, 3, 4], [4, 1])]);
    const want = nb.add(nb.transpose(nb.matmul(nb.transpose(x, [0, 2, 1]), k), [0, 2, 1]), nb.tensor([1, 2, 3, 4], [4, 1]));
    expectClose(right.apply(x), want.arraySync() as number[][][], { rtol: 1e-5, atol: 1e-6 });
  });

  it('passes the layer checks', () => {
    runLayerTest({ make: (a) => new L.EinsumDense('abc,cde->abde', [null, 2, 3], { biasAxes: 'de', ...a }), inputShape: [2, 4, 5], expectedOutputShape: [2, 4, 2, 3], weights: 2 });
    runLayerTest({ make: (a) => new L.EinsumDense('...b,bc->...c', 3, { activation: 'tanh', ...a }), inputShape: [2, 3, 4], expectedOutputShape: [2, 3, 3], weights: 1 });
  });

  it('deserializes from its class name and config', () => {
    const layer = L.deserialize({ className: 'EinsumDense', config: { equation: 'ab,bc->ac', outputShape: 3, biasAxes: 'c', name: 'proj' } }) as nb.layers.EinsumDense;
    expect(layer.apply(nb.zeros([2, 5])).shape).toEqual([2, 3]);
    expect(layer.getConfig()).toMatchObject({ equation: 'ab,bc->ac', outputShape: 3, biasAxes: 'c' });
  });

  it('refuses bad equations, bias axes and output shapes, naming them', () => {
    expect(() => new L.EinsumDense('ab->b', 2)).toThrow(/equation 'ab->b' must look like 'ab,bc->ac'/);
    expect(() => new L.EinsumDense('ab,bc->ac', 2, { biasAxes: 'x' })).toThrow(/bias axis 'x' is not an output axis of 'ab,bc->ac'/);
    expect(() => new L.EinsumDense('ab,bc->ac', [2, 3]).apply(nb.zeros([1, 4]))).toThrow(/outputShape \[2,3\] gives 2 non-batch output axes, but 'ac' names 1/);
    expect(() => new L.EinsumDense('abc,cd->abd', [7, 2]).apply(nb.zeros([1, 4, 3]))).toThrow(/axis 'b' has size 4 in the input \[\?, 4, 3\] but 7 in outputShape/);
    expect(() => new L.EinsumDense('ab,bc->ac', 2).apply(nb.zeros([1, 4, 3]))).toThrow(/names 2 input axes, but the input has shape \[\?, 4, 3\]/);
    expect(() => new L.EinsumDense('ab,bc->ac', 0)).toThrow(/outputShape must be a positive integer/);
  });
});
