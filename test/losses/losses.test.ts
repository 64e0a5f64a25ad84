// Loss values against hand-computed numbers, reductions and sample weights, and gradients against
// finite differences.
import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { checkGrad, expectClose, sample } from '../conformance/harness.js';

const L = nb.losses;
const T = [
  [0, 1],
  [0, 0],
];
const P = [
  [0.6, 0.4],
  [0.4, 0.6],
];
const f64 = (v: number[] | number[][]) => nb.tensor(v, 'float64');

describe('regression losses: per-sample values', () => {
  it('meanSquaredError and meanAbsoluteError average the last axis', () => {
    // sample 0: (0.6² + 0.6²) / 2 = 0.36; sample 1: (0.4² + 0.6²) / 2 = 0.26
    expectClose(L.meanSquaredError(f64(T), f64(P)), [0.36, 0.26]);
    expectClose(L.meanAbsoluteError(f64(T), f64(P)), [0.6, 0.5]);
    expectClose(L.mse(f64(T), f64(P)), [0.36, 0.26]);
  });

  it('a [B] target against a [B, 1] prediction is expanded, not broadcast to [B, B]', () => {
    const v = L.meanSquaredError(f64([1, 2, 3]), f64([[1], [0], [5]]));
    expectClose(v, [0, 4, 4]);
  });

  it('meanAbsolutePercentageError', () => {
    // sample 0: (|−1/1| + 0) / 2 · 100 = 50; sample 1: (1/4 + 1/5) / 2 · 100 = 22.5
    expectClose(L.meanAbsolutePercentageError(f64([[1, 2], [4, 5]]), f64([[2, 2], [3, 6]])), [50, 22.5]);
  });

  it('meanSquaredLogarithmicError clips at epsilon before log(1 + x)', () => {
    const expected = ((Math.log1p(1e-7) - Math.log(2)) ** 2 + (Math.log(2) - Math.log(4)) ** 2) / 2;
    expectClose(L.meanSquaredLogarithmicError(f64([[1, 3]]), f64([[0, 1]])), [expected]);
  });

  it('huber: quadratic inside delta, linear outside', () => {
    // errors 0.5, 2, -3 with delta 1: 0.125, 2 - 0.5, 3 - 0.5
    expectClose(L.huber(f64([[0, 0, 0]]), f64([[0.5, 2, -3]])), [(0.125 + 1.5 + 2.5) / 3]);
    // delta 2: 0.125, 2 (= 0.5 · 4), 2 · 3 − 2
    expectClose(L.huber(f64([[0, 0, 0]]), f64([[0.5, 2, -3]]), { delta: 2 }), [(0.125 + 2 + 4) / 3]);
  });

  it('logCosh matches log(cosh(x)) and stays finite for large errors', () => {
    expectClose(L.logCosh(f64([[0, 0]]), f64([[0.5, -2]])), [(Math.log(Math.cosh(0.5)) + Math.log(Math.cosh(-2))) / 2]);
    expectClose(L.logCosh(f64([[0]]), f64([[1000]])), [1000 - Math.LN2]);
  });

  it('kullbackLeiblerDivergence clips both to [eps, 1]', () => {
    const e = 1e-7;
    const s0 = e * Math.log(e / 0.6) + 1 * Math.log(1 / 0.4);
    const s1 = e * Math.log(e / 0.4) + e * Math.log(e / 0.6);
    expectClose(L.kullbackLeiblerDivergence(f64(T), f64(P)), [s0, s1]);
  });

  it('poisson', () => {
    expectClose(L.poisson(f64(T), f64([[1, 1], [0, 0]])), [(1 + 1 - Math.log(1 + 1e-7)) / 2, 0]);
  });

  it('hinge and squaredHinge convert 0/1 labels to -1/1', () => {
    // labels [[-1, 1], [-1, -1]]: margins 1.6, 0.6 | 1.4, 1.6
    expectClose(L.hinge(f64(T), f64(P)), [1.1, 1.5]);
    expectClose(L.squaredHinge(f64(T), f64(P)), [(2.56 + 0.36) / 2, (1.96 + 2.56) / 2]);
    // labels already -1/1 are kept
    expectClose(L.hinge(f64([[-1, 1]]), f64([[0.5, 2]])), [(1.5 + 0) / 2]);
  });

  it('categoricalHinge', () => {
    // pos = 0.4, neg = max(0.6, 0) = 0.6 -> 1.2 ; second: pos 0.6·0 ... one-hot [1, 0]: pos 0.4, neg 0.6
    expectClose(L.categoricalHinge(f64([[0, 1], [1, 0]]), f64(P)), [1.2, 1.2]);
  });

  it('cosineSimilarity is -1 for parallel vectors and 0 for orthogonal ones', () => {
    expectClose(L.cosineSimilarity(f64([[0, 1], [1, 1]]), f64([[1, 0], [2, 2]])), [0, -1]);
  });
});

describe('cross-entropies', () => {
  it('binaryCrossentropy on probabilities', () => {
    const s0 = -(Math.log(0.4) + Math.log(0.4)) / 2;
    const s1 = -(Math.log(0.6) + Math.log(0.4)) / 2;
    expectClose(L.binaryCrossentropy(f64(T), f64(P)), [s0, s1]);
    expectClose(new L.BinaryCrossentropy().apply(f64(T), f64(P)), (s0 + s1) / 2);
  });

  it('binaryCrossentropy: logits and probabilities agree; huge logits stay finite', () => {
    const z = f64([[-3, 0.5, 2], [1, -1, 4]]);
    const y = f64([[0, 1, 1], [1, 0, 0]]);
    const fromLogits = L.binaryCrossentropy(y, z, { fromLogits: true });
    expectClose(L.binaryCrossentropy(y, nb.sigmoid(z)), Array.from(fromLogits.dataSync()), { rtol: 1e-6 });
    // z = 200 with label 0 costs exactly 200; probabilities would be clipped to 1 - 1e-7
    expectClose(L.binaryCrossentropy(f64([[0]]), f64([[200]]), { fromLogits: true }), [200]);
  });

  it('binaryCrossentropy label smoothing moves labels toward 0.5', () => {
    // smoothing 0.2: label 1 -> 0.9, label 0 -> 0.1
    const p = 0.7;
    const expected = -(0.9 * Math.log(p) + 0.1 * Math.log(1 - p));
    expectClose(L.binaryCrossentropy(f64([[1]]), f64([[p]]), { labelSmoothing: 0.2 }), [expected]);
  });

  it('categoricalCrossentropy: probabilities (renormalized), logits and label smoothing', () => {
    const y = f64([[0, 1, 0], [0, 0, 1]]);
    expectClose(L.categoricalCrossentropy(y, f64([[0.05, 0.95, 0], [0.1, 0.8, 0.1]])), [-Math.log(0.95), -Math.log(0.1)]);
    // [2, 6, 2] is read as [0.2, 0.6, 0.2]
    expectClose(L.categoricalCrossentropy(f64([[0, 1, 0]]), f64([[2, 6, 2]])), [-Math.log(0.6)]);
    const z = f64([[1, 2, 3], [-1, 0, 5]]);
    const viaLogits = L.categoricalCrossentropy(y, z, { fromLogits: true });
    const lse0 = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    const lse1 = Math.log(Math.exp(-1) + Math.exp(0) + Math.exp(5));
    expectClose(viaLogits, [lse0 - 2, lse1 - 5]);
    expectClose(L.categoricalCrossentropy(y, nb.softmax(z)), [lse0 - 2, lse1 - 5], { rtol: 1e-6 });
    // smoothing 0.3 over 3 classes: [0.1, 0.8, 0.1]
    const smoothed = -(0.1 * (1 - lse0) + 0.8 * (2 - lse0) + 0.1 * (3 - lse0));
    expectClose(L.categoricalCrossentropy(f64([[0, 1, 0]]), f64([[1, 2, 3]]), { fromLogits: true, labelSmoothing: 0.3 }), [smoothed]);
  });

  it('categoricalCrossentropy logits are stable for large values', () => {
    expectClose(L.categoricalCrossentropy(f64([[1, 0]]), f64([[0, 1000]]), { fromLogits: true }), [1000]);
  });

  it('sparseCategoricalCrossentropy equals categorical on one-hot labels; [B] and [B, 1] labels', () => {
    const p = f64([[0.05, 0.95, 0], [0.1, 0.8, 0.1]]);
    expectClose(L.sparseCategoricalCrossentropy(nb.tensor([1, 2], 'int32'), p), [-Math.log(0.95), -Math.log(0.1)]);
    expectClose(L.sparseCategoricalCrossentropy([[1], [2]], p), [-Math.log(0.95), -Math.log(0.1)]);
    const z = f64([[1, 2, 3], [-1, 0, 5]]);
    expectClose(
      L.sparseCategoricalCrossentropy([1, 2], z, { fromLogits: true }),
      Array.from(L.categoricalCrossentropy(f64([[0, 1, 0], [0, 0, 1]]), z, { fromLogits: true }).dataSync()),
    );
  });

  it('sparseCategoricalCrossentropy ignoreClass leaves entries out of the mean', () => {
    const z = f64([[1, 2, 3], [-1, 0, 5], [0, 0, 0]]);
    const loss = new L.SparseCategoricalCrossentropy({ fromLogits: true, ignoreClass: -1 });
    const all = L.sparseCategoricalCrossentropy([1, 2, 0], z, { fromLogits: true }).dataSync();
    expectClose(loss.apply([1, -1, 0], z), (all[0]! + all[2]!) / 2);
  });

  it('sparse labels out of range or fractional raise ValueError', () => {
    const p = f64([[0.5, 0.5]]);
    expect(() => L.sparseCategoricalCrossentropy([2], p)).toThrow(/label 2 .*out of range.*\[0, 2\)/);
    expect(() => L.sparseCategoricalCrossentropy(f64([0.5]), p)).toThrow(/integer class indices/);
    expect(() => L.sparseCategoricalCrossentropy([[0, 1]], p)).toThrow(nb.ShapeError);
  });

  it('categoricalCrossentropy with integer labels of the wrong shape names the fix', () => {
    expect(() => L.categoricalCrossentropy([1, 0], f64([[0.5, 0.5], [0.2, 0.8]]))).toThrow(/sparseCategoricalCrossentropy/);
  });
});

describe('focal cross-entropies', () => {
  it('binaryFocalCrossentropy scales each BCE term by (1 - p_t)^gamma', () => {
    // y 1, p 0.7: p_t 0.7, factor 0.09 ; y 0, p 0.2: p_t 0.8, factor 0.04
    const a = 0.09 * -Math.log(0.7);
    const b = 0.04 * -Math.log(0.8);
    expectClose(L.binaryFocalCrossentropy(f64([[1, 0]]), f64([[0.7, 0.2]])), [(a + b) / 2]);
    expectClose(L.binaryFocalCrossentropy(f64([[1, 0]]), f64([[0.7, 0.2]]), { applyClassBalancing: true }), [(0.25 * a + 0.75 * b) / 2]);
    expectClose(
      L.binaryFocalCrossentropy(f64(T), f64(P), { gamma: 0 }),
      Array.from(L.binaryCrossentropy(f64(T), f64(P)).dataSync()),
    );
    const z = f64([[-1, 2]]);
    expectClose(
      L.binaryFocalCrossentropy(f64([[1, 0]]), z, { fromLogits: true }),
      Array.from(L.binaryFocalCrossentropy(f64([[1, 0]]), nb.sigmoid(z)).dataSync()),
    );
  });

  it('categoricalFocalCrossentropy: alpha (1 - p)^gamma (-y log p) summed over classes', () => {
    expectClose(L.categoricalFocalCrossentropy(f64([[0, 1, 0]]), f64([[0.2, 0.7, 0.1]])), [0.25 * 0.09 * -Math.log(0.7)]);
    const y = f64([[0, 1, 0], [0, 0, 1]]);
    const p = f64([[0.05, 0.95, 0], [0.1, 0.8, 0.1]]);
    expectClose(L.categoricalFocalCrossentropy(y, p, { gamma: 0, alpha: 1 }), Array.from(L.categoricalCrossentropy(y, p).dataSync()));
    expect(L.get('categorical_focal_crossentropy')).toBeInstanceOf(L.CategoricalFocalCrossentropy);
    expect(L.get('BinaryFocalCrossentropy')).toBeInstanceOf(L.BinaryFocalCrossentropy);
    expect(() => L.binaryFocalCrossentropy(f64(T), f64(P), { gamma: -1 })).toThrow(/gamma must be >= 0/);
  });

  it('gradients against finite differences', () => {
    const labels = f64([[0, 1, 1, 0], [1, 0, 0, 1], [0, 0, 1, 1]]);
    const oneHot = f64([[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]]);
    checkGrad((p) => L.binaryFocalCrossentropy(labels, p, { applyClassBalancing: true }), [sample([3, 4], 0.1, 0.9, 41)]);
    checkGrad((p) => L.binaryFocalCrossentropy(labels, p, { fromLogits: true, labelSmoothing: 0.1 }), [sample([3, 4], -3, 3, 42)]);
    checkGrad((p) => L.categoricalFocalCrossentropy(oneHot, p, { fromLogits: true }), [sample([3, 4], -3, 3, 43)]);
  });
});

describe('Loss objects: reductions and sample weights', () => {
  const mse = (o?: nb.losses.LossOptions) => new L.MeanSquaredError(o);

  it("'sum_over_batch_size' (default), 'sum', 'none'", () => {
    expectClose(mse().apply(f64(T), f64(P)), 0.31);
    expectClose(mse({ reduction: 'sum' }).apply(f64(T), f64(P)), 0.62);
    expectClose(mse({ reduction: 'none' }).apply(f64(T), f64(P)), [0.36, 0.26]);
  });

  it('sample weights multiply per-sample values; the mean still divides by the batch size', () => {
    // 0.36 · 0.8 + 0.26 · 0.2 = 0.34
    expectClose(mse().apply(f64(T), f64(P), [0.8, 0.2]), 0.34 / 2);
    expectClose(mse({ reduction: 'sum' }).apply(f64(T), f64(P), [0.8, 0.2]), 0.34);
    expectClose(mse({ reduction: 'none' }).apply(f64(T), f64(P), [0.8, 0.2]), [0.288, 0.052]);
    expectClose(mse({ reduction: 'mean_with_sample_weight' }).apply(f64(T), f64(P), [0.5, 0.5]), 0.31);
    // a scalar weight scales everything; a [B, 1] weight lines up with [B] values
    expectClose(mse().apply(f64(T), f64(P), 2), 0.62);
    expectClose(mse().apply(f64(T), f64(P), [[0.8], [0.2]]), 0.17);
  });

  it('keeps the options it was given and reports them in getConfig', () => {
    const bce = new L.BinaryCrossentropy({ fromLogits: true, labelSmoothing: 0.1, reduction: 'sum' });
    expect(bce.getConfig()).toEqual({ name: 'binary_crossentropy', reduction: 'sum', fromLogits: true, labelSmoothing: 0.1, axis: -1 });
    const again = L.deserialize(L.serialize(bce)) as nb.losses.BinaryCrossentropy;
    expect(again).toBeInstanceOf(L.BinaryCrossentropy);
    expect(again.getConfig()).toEqual(bce.getConfig());
  });

  it('an unknown reduction is a ValueError listing the valid ones', () => {
    expect(() => mse({ reduction: 'avg' as never })).toThrow(/unknown reduction 'avg'.*sum_over_batch_size/);
  });
});

describe('Loss subclasses the Keras way', () => {
  // Keras: a subclass implements call(yTrue, yPred) as per-sample values; loss(yTrue, yPred) reduces them.
  class AbsSum extends L.Loss {
    call(yTrue: nb.TensorLike, yPred: nb.TensorLike): nb.Tensor {
      return nb.sum(nb.abs(nb.sub(yTrue, yPred)), -1);
    }
  }

  it('call gives the per-sample values and apply the reduced loss', () => {
    const loss = new AbsSum();
    // Per row of |T - P|: 0.6 + 0.6 = 1.2 and 0.4 + 0.6 = 1.0; the mean is 1.1, with weights [1, 0] (1.2 + 0) / 2.
    expectClose(loss.call(f64(T), f64(P)), [1.2, 1.0]);
    expectClose(loss.apply(f64(T), f64(P)), 1.1);
    expectClose(new AbsSum({ reduction: 'sum' }).apply(f64(T), f64(P)), 2.2);
    expectClose(loss.apply(f64(T), f64(P), [1, 0]), 0.6);
  });

  it('compile applies the reduction to a custom subclass', async () => {
    const model = new nb.Sequential([new nb.layers.Dense(2, { inputShape: [2], useBias: false, kernelInitializer: 'zeros' })]);
    model.compile({ optimizer: 'sgd', loss: new AbsSum() });
    // Zero kernel: predictions are 0, so the per-sample losses are the row sums of |y|: 1 and 3; mean 2.
    const loss = await model.evaluate(nb.tensor([[1, 1], [2, 2]]), nb.tensor([[1, 0], [1, 2]]), { verbose: 0 });
    expect(loss).toBeCloseTo(2, 6);
  });

  it('built-in losses reject unknown option keys with the camelCase spelling', () => {
    expect(() => new L.BinaryCrossentropy({ from_logits: true } as never)).toThrow(/unknown option 'from_logits'; did you mean 'fromLogits'/);
    expect(() => new L.MeanSquaredError({ reduktion: 'sum' } as never)).toThrow(/unknown option 'reduktion'; did you mean 'reduction'/);
  });
});

describe('losses.get', () => {
  it('accepts Keras names, aliases, camelCase and class names', () => {
    for (const name of ['mse', 'MSE', 'mean_squared_error', 'meanSquaredError', 'MeanSquaredError']) {
      expect(L.get(name)).toBeInstanceOf(L.MeanSquaredError);
    }
    expect(L.get('binaryCrossentropy')).toBeInstanceOf(L.BinaryCrossentropy);
    expect(L.get('binary_crossentropy')).toBeInstanceOf(L.BinaryCrossentropy);
    expect(L.get('categorical_crossentropy')).toBeInstanceOf(L.CategoricalCrossentropy);
    expect(L.get('sparse_categorical_crossentropy')).toBeInstanceOf(L.SparseCategoricalCrossentropy);
    expect(L.get('mae')).toBeInstanceOf(L.MeanAbsoluteError);
    expect(L.get('kld')).toBeInstanceOf(L.KLDivergence);
    expect(L.get('huber_loss')).toBeInstanceOf(L.Huber);
  });

  it('wraps a function and passes Loss objects through', () => {
    const custom = L.get((t, p) => nb.sum(nb.abs(nb.sub(t, p)), -1));
    expectClose(custom.apply(f64(T), f64(P)), (1.2 + 1.0) / 2);
    const obj = new L.Huber();
    expect(L.get(obj)).toBe(obj);
  });

  it('an unknown name is a ValueError listing the known losses', () => {
    expect(() => L.get('meanSquaredErr')).toThrow(nb.ValueError);
    expect(() => L.get('meanSquaredErr')).toThrow(/unknown loss 'meanSquaredErr'.*meanSquaredError.*binaryCrossentropy/);
  });
});

describe('gradients against finite differences', () => {
  const pred = (seed: number, lo = 0.1, hi = 0.9) => sample([3, 4], lo, hi, seed);
  const labels01 = () => f64([[0, 1, 1, 0], [1, 0, 0, 1], [0, 0, 1, 1]]);
  const oneHot = () => f64([[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]]);

  it('regression losses with respect to both inputs', () => {
    const t = sample([3, 4], -1, 1, 11);
    const p = sample([3, 4], -1, 1, 12);
    checkGrad(L.meanSquaredError, [t, p]);
    checkGrad(L.meanAbsoluteError, [t, p]);
    checkGrad((a, b) => L.huber(a, b, { delta: 0.7 }), [t, p]);
    checkGrad(L.logCosh, [t, p]);
    checkGrad((a, b) => L.cosineSimilarity(a, b), [t, p]);
    const pos = sample([3, 4], 0.5, 2, 13);
    checkGrad(L.meanAbsolutePercentageError, [pos, sample([3, 4], 0.5, 2, 14)]);
    checkGrad(L.meanSquaredLogarithmicError, [pos, sample([3, 4], 0.5, 2, 14)]);
    checkGrad(L.poisson, [pos, sample([3, 4], 0.5, 2, 15)]);
  });

  it('probabilistic and margin losses with respect to the prediction', () => {
    checkGrad((p) => L.binaryCrossentropy(labels01(), p), [pred(21)]);
    checkGrad((p) => L.binaryCrossentropy(labels01(), p, { fromLogits: true, labelSmoothing: 0.1 }), [sample([3, 4], -3, 3, 22)]);
    checkGrad((p) => L.categoricalCrossentropy(oneHot(), p), [pred(23)]);
    checkGrad((p) => L.categoricalCrossentropy(oneHot(), p, { fromLogits: true, labelSmoothing: 0.2 }), [sample([3, 4], -3, 3, 24)]);
    checkGrad((p) => L.sparseCategoricalCrossentropy([1, 0, 3], p, { fromLogits: true }), [sample([3, 4], -3, 3, 25)]);
    checkGrad((p) => L.sparseCategoricalCrossentropy([1, 0, 3], p), [pred(26)]);
    checkGrad((p) => L.kullbackLeiblerDivergence(f64([[0.1, 0.2, 0.3, 0.4]]), p), [sample([1, 4], 0.1, 0.9, 27)]);
    // margins 1 - y·p stay away from the kink at 0 for |p| < 0.9
    checkGrad((p) => L.hinge(labels01(), p), [sample([3, 4], -0.9, 0.9, 28)]);
    checkGrad((p) => L.squaredHinge(labels01(), p), [sample([3, 4], -0.9, 0.9, 29)]);
  });

  it('through a Loss object with sample weights', () => {
    const loss = new L.CategoricalCrossentropy({ fromLogits: true });
    checkGrad((p) => loss.apply(oneHot(), p, [0.5, 1, 2]), [sample([3, 4], -2, 2, 31)]);
  });
});

describe('losses under nb.jit', () => {
  it('each named loss gives the eager value when jitted (label checks are skipped while tracing)', () => {
    const yPred = nb.tensor([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]]);
    const oneHot = nb.tensor([[0, 1, 0], [1, 0, 0]]);
    const sparse = nb.tensor([1, 0], 'int32');
    for (const name of ['mse', 'mae', 'huber', 'logcosh', 'binary_crossentropy', 'categorical_crossentropy', 'kld', 'poisson', 'hinge', 'cosine_similarity']) {
      const loss = L.get(name);
      const jitted = nb.jit((t: nb.Tensor, p: nb.Tensor) => loss.apply(t, p));
      expectClose(jitted(oneHot, yPred), loss.apply(oneHot, yPred).item(), { rtol: 1e-6 });
    }
    const scce = new L.SparseCategoricalCrossentropy({ fromLogits: true });
    const jitted = nb.jit((t: nb.Tensor, p: nb.Tensor) => scce.apply(t, p));
    expectClose(jitted(sparse, yPred), scce.apply(sparse, yPred).item(), { rtol: 1e-6 });
  });
});
