import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { checkGrad, expectClose, sample } from '../conformance/harness.js';

const I = nb.initializers;

function stats(t: nb.Tensor) {
  const v = Array.from(t.dataSync());
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  return { mean, std, min: Math.min(...v), max: Math.max(...v) };
}

describe('initializers', () => {
  it('fans follow Keras: dense [in, out], conv [...receptive, in, out]', () => {
    expect(I.computeFans([3, 5])).toEqual([3, 5]);
    expect(I.computeFans([3, 3, 4, 8])).toEqual([36, 72]);
    expect(I.computeFans([7])).toEqual([7, 7]);
  });

  it('Glorot, He and LeCun draw with the published limits and variances', () => {
    // glorotUniform: limit sqrt(6 / (fanIn + fanOut)) = sqrt(6 / 400)
    const g = stats(I.glorotUniform({ seed: 1 }).call([200, 200]));
    const limit = Math.sqrt(6 / 400);
    expect(g.max).toBeLessThanOrEqual(limit);
    expect(g.min).toBeGreaterThanOrEqual(-limit);
    expect(g.std).toBeCloseTo(limit / Math.sqrt(3), 2);
    // heNormal: truncated normal with std sqrt(2 / fanIn)
    const h = stats(I.heNormal({ seed: 2 }).call([100, 300]));
    expect(h.std).toBeCloseTo(Math.sqrt(2 / 100), 2);
    expect(h.max).toBeLessThanOrEqual(2 * Math.sqrt(2 / 100) / 0.8796 + 1e-6);
    const l = stats(I.lecunNormal({ seed: 3 }).call([400, 100]));
    expect(l.std).toBeCloseTo(Math.sqrt(1 / 400), 2);
    const hu = stats(I.heUniform({ seed: 4 }).call([50, 400]));
    expect(hu.max).toBeLessThanOrEqual(Math.sqrt(6 / 50));
  });

  it('seeded initializers repeat; constant, zeros, ones, random ranges', () => {
    expect(Array.from(I.glorotNormal({ seed: 5 }).call([4, 4]).dataSync())).toEqual(Array.from(I.glorotNormal({ seed: 5 }).call([4, 4]).dataSync()));
    expectClose(I.constant(2.5).call([2]), [2.5, 2.5]);
    expectClose(I.zeros().call([2]), [0, 0]);
    expectClose(I.ones().call([1, 2]), [[1, 1]]);
    const u = stats(I.randomUniform({ minval: 2, maxval: 3, seed: 1 }).call([1000]));
    expect(u.min).toBeGreaterThanOrEqual(2);
    expect(u.max).toBeLessThan(3);
    expect(stats(I.randomNormal({ mean: 1, stddev: 0.5, seed: 2 }).call([4000])).mean).toBeCloseTo(1, 1);
    const t = stats(I.truncatedNormal({ stddev: 1, seed: 3 }).call([2000]));
    expect(Math.max(t.max, -t.min)).toBeLessThanOrEqual(2);
  });

  it('orthogonal gives orthonormal columns (tall) or rows (wide), times gain', () => {
    const q = I.orthogonal({ seed: 1 }).call([6, 3], 'float64');
    expectClose(nb.matmul(q, q, { transposeA: true }), nb.eye(3).arraySync() as number[][], { atol: 1e-10 });
    const w = I.orthogonal({ seed: 2, gain: 2 }).call([2, 5], 'float64');
    expectClose(nb.matmul(w, w, { transposeB: true }), [[4, 0], [0, 4]], { atol: 1e-10 });
  });

  it('lookup by Keras names and {className, config}; bad names list what exists', () => {
    expect(I.get('glorot_uniform')).toBeInstanceOf(I.GlorotUniform);
    expect(I.get('GlorotUniform')).toBeInstanceOf(I.GlorotUniform);
    expect(I.get('heNormal')).toBeInstanceOf(I.HeNormal);
    const c = I.get({ className: 'Constant', config: { value: 3 } });
    expectClose(c.call([1]), [3]);
    expect(I.get(I.serialize(new I.RandomNormal({ stddev: 2 }))).getConfig()).toEqual({ mean: 0, stddev: 2, seed: undefined });
    expect(() => I.get('xavier')).toThrow(/unknown initializer 'xavier'; known initializers: .*GlorotUniform/);
    expect(() => new I.VarianceScaling({ mode: 'fanMid' as never })).toThrow(/mode must be fanIn, fanOut or fanAvg/);
  });
});

describe('regularizers', () => {
  it('l1, l2 and l1l2 penalties by hand, with gradients', () => {
    const w = nb.tensor([[1, -2], [0.5, 0]]);
    expect(nb.regularizers.l1(0.1).call(w).item()).toBeCloseTo(0.1 * 3.5, 6);
    expect(nb.regularizers.l2(0.1).call(w).item()).toBeCloseTo(0.1 * 5.25, 6);
    expect(nb.regularizers.l1l2({ l1: 1, l2: 2 }).call(w).item()).toBeCloseTo(3.5 + 10.5, 5);
    checkGrad((x) => nb.regularizers.l1l2({ l1: 0.3, l2: 0.7 }).call(x), [sample([2, 3], 0.1, 1, 2)]);
  });

  it('lookup by name (default factor 0.01) and config round trip', () => {
    expect(nb.regularizers.get('l2').getConfig()).toEqual({ l2: 0.01 });
    expect(nb.regularizers.get({ className: 'L1L2', config: { l1: 0.5, l2: 0 } }).getConfig()).toEqual({ l1: 0.5, l2: 0 });
    expect(() => nb.regularizers.l2(-1)).toThrow(/must be a finite number >= 0/);
    expect(() => nb.regularizers.get('l0')).toThrow(/unknown regularizer 'l0'/);
  });
});

describe('activations by name', () => {
  const x = nb.tensor([-1, 0, 2]);
  const A = nb.activations;
  it('compute their defining formulas', () => {
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    expectClose(A.get('linear')(x), [-1, 0, 2]);
    expectClose(A.get('relu')(x), [0, 0, 2]);
    expectClose(A.get('sigmoid')(x), [-1, 0, 2].map(sig));
    expectClose(A.get('tanh')(x), [-1, 0, 2].map(Math.tanh));
    expectClose(A.get('softplus')(x), [-1, 0, 2].map((v) => Math.log1p(Math.exp(v))));
    expectClose(A.get('elu')(x), [Math.exp(-1) - 1, 0, 2]);
    expectClose(A.get('selu')(x), [1.0507009873554805 * 1.6732632423543772 * (Math.exp(-1) - 1), 0, 2 * 1.0507009873554805], { rtol: 1e-5 });
    expectClose(A.get('swish')(x), [-1, 0, 2].map((v) => v * sig(v)));
    expectClose(A.get('gelu')(nb.tensor([1])), [0.8413447460685429], { rtol: 1e-5 });
    const s = A.get('softmax')(nb.tensor([[0, Math.log(3)]]));
    expectClose(s, [[0.25, 0.75]]);
    expect(A.get('leaky_relu')).toBe(A.get('leakyRelu'));
  });

  it('unknown names and unnamed functions are clear errors; register adds one', () => {
    expect(() => A.get('swishy')).toThrow(/unknown activation 'swishy'; known activations: linear/);
    const cube = (t: nb.Tensor) => t.mul(t).mul(t);
    expect(() => new nb.layers.Dense(1, { activation: cube }).getConfig()).toThrow(/has no name; register it/);
    A.register('cube', cube);
    expect(new nb.layers.Dense(1, { activation: cube }).getConfig().activation).toBe('cube');
    expectClose(new nb.layers.Activation('cube').apply(nb.tensor([2])), [8]);
  });
});
