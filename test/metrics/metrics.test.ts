// Metrics on small batches, accumulated over several updates, against hand-computed values.
import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose } from '../conformance/harness.js';

const M = nb.metrics;
const loose = { rtol: 1e-5, atol: 1e-6 };

describe('Mean', () => {
  it('averages over updates, with sample weights, and resets', () => {
    const m = new M.Mean();
    m.updateState([1, 3, 5, 7]);
    expectClose(m.result(), 4);
    m.resetState();
    m.updateState([1, 3, 5, 7], [1, 1, 0, 0]);
    expectClose(m.result(), 2);
    m.resetState();
    // (1 + 3 + 5·2) / (1 + 1 + 2)
    m.updateState([1, 3]);
    m.updateState([5], [2]);
    expectClose(m.result(), 3.5);
  });

  it('rank-2 values are averaged per sample; rank-2 weights too', () => {
    const m = new M.Mean();
    m.updateState([[1, 2], [3, 4]]);
    expectClose(m.result(), 2.5);
    m.resetState();
    // values·w = [[1, 0], [3, 4]] -> per sample [0.5, 3.5]; weights per sample [0.5, 1]
    m.updateState([[1, 2], [3, 4]], [[1, 0], [1, 1]]);
    expectClose(m.result(), 4 / 1.5, loose);
  });

  it('is 0 before any update and keeps its state in non-trainable variables', () => {
    const m = new M.Mean();
    expectClose(m.result(), 0);
    expect(m.variables.length).toBe(2);
    expect(m.variables.every((v) => !v.trainable)).toBe(true);
  });
});

describe('accuracies', () => {
  it('BinaryAccuracy with the default and a custom threshold', () => {
    const m = new M.BinaryAccuracy();
    m.updateState([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]]);
    expectClose(m.result(), 0.75);
    m.updateState([[1]], [[0.2]]);
    expectClose(m.result(), 3 / 5);
    const strict = new M.BinaryAccuracy({ threshold: 0.7 });
    strict.updateState([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]]);
    expectClose(strict.result(), 1);
  });

  it('CategoricalAccuracy and SparseCategoricalAccuracy, weighted', () => {
    const p = [[0.1, 0.9, 0.8], [0.05, 0.95, 0]];
    const c = new M.CategoricalAccuracy();
    c.updateState([[0, 0, 1], [0, 1, 0]], p);
    expectClose(c.result(), 0.5);
    c.resetState();
    c.updateState([[0, 0, 1], [0, 1, 0]], p, [0.7, 0.3]);
    expectClose(c.result(), 0.3, loose);
    const s = new M.SparseCategoricalAccuracy();
    s.updateState([[2], [1]], p, [0.7, 0.3]);
    expectClose(s.result(), 0.3, loose);
    s.updateState([0, 1], p);
    // (0.3 + 0 + 1) / (1 + 2)
    expectClose(s.result(), 1.3 / 3, loose);
  });

  it('top-k accuracies', () => {
    const p = [[0.1, 0.9, 0.8], [0.05, 0.95, 0]];
    const top1 = new M.TopKCategoricalAccuracy({ k: 1 });
    top1.updateState([[0, 0, 1], [0, 1, 0]], p);
    expectClose(top1.result(), 0.5);
    const top2 = new M.TopKCategoricalAccuracy({ k: 2 });
    top2.updateState([[0, 0, 1], [0, 1, 0]], p);
    expectClose(top2.result(), 1);
    const sparse = new M.SparseTopKCategoricalAccuracy({ k: 1 });
    sparse.updateState([2, 1], p);
    expectClose(sparse.result(), 0.5);
    sparse.updateState([[1]], [[0.3, 0.2, 0.5]]);
    expectClose(sparse.result(), 1 / 3, loose);
  });

  it("'accuracy' follows the loss, then the shapes, like Keras", () => {
    const choose = (ctx: nb.metrics.LabelKindContext) => M.chooseLabelKind(ctx);
    expect(choose({ loss: 'binary_crossentropy', yPredShape: [8, 3] })).toBe('binary');
    expect(choose({ loss: 'sparseCategoricalCrossentropy', yPredShape: [8, 3] })).toBe('sparseCategorical');
    expect(choose({ loss: new nb.losses.CategoricalCrossentropy(), yPredShape: [8, 3] })).toBe('categorical');
    expect(choose({ loss: 'mse', yPredShape: [8, 1] })).toBe('binary');
    expect(choose({ yTrueShape: [8], yPredShape: [8, 3] })).toBe('sparseCategorical');
    expect(choose({ yTrueShape: [8, 1], yPredShape: [8, 3] })).toBe('sparseCategorical');
    expect(choose({ yTrueShape: [8, 3], yPredShape: [8, 3] })).toBe('categorical');
    expect(M.chooseAccuracy({ yPredShape: [8, 1] })).toBeInstanceOf(M.BinaryAccuracy);
  });

  it("get('acc') decides on the first batch and keeps the name the user wrote", () => {
    const acc = M.get('acc', { loss: 'sparse_categorical_crossentropy' }) as nb.metrics.AutoMetric;
    expect(acc.name).toBe('acc');
    acc.updateState([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]);
    expect(acc.resolved).toBeInstanceOf(M.SparseCategoricalAccuracy);
    expectClose(acc.result(), 0.5);
    acc.resetState();
    acc.updateState([1], [[0.1, 0.9, 0.8]]);
    expectClose(acc.result(), 1);
    const auto = M.get('accuracy');
    auto.updateState([[1], [0]], [[0.9], [0.8]]);
    expect((auto as nb.metrics.AutoMetric).resolved).toBeInstanceOf(M.BinaryAccuracy);
    expectClose(auto.result(), 0.5);
  });
});

describe('Precision, Recall, AUC', () => {
  it('Precision and Recall at 0.5, weighted, and accumulated', () => {
    const p = new M.Precision();
    p.updateState([0, 1, 1, 1], [1, 0, 1, 1]);
    expectClose(p.result(), 2 / 3, loose);
    const r = new M.Recall();
    r.updateState([0, 1, 1, 1], [1, 0, 1, 1]);
    expectClose(r.result(), 2 / 3, loose);
    p.resetState();
    p.updateState([0, 1, 1, 1], [1, 0, 1, 1], [0, 0, 1, 0]);
    expectClose(p.result(), 1);
    // another batch: one false positive -> tp 1, fp 1
    p.updateState([0], [0.9]);
    expectClose(p.result(), 0.5);
  });

  it('several thresholds give one value each', () => {
    // > 0.3: predicted 0, 1, 2 (tp 2, fp 1); > 0.7: predicted 2 (tp 1, fp 0)
    const p = new M.Precision({ thresholds: [0.3, 0.7] });
    p.updateState([0, 1, 1, 0], [0.5, 0.6, 0.9, 0.2]);
    expectClose(p.result(), [2 / 3, 1], loose);
    const r = new M.Recall({ thresholds: [0.3, 0.7] });
    r.updateState([0, 1, 1, 0], [0.5, 0.6, 0.9, 0.2]);
    expectClose(r.result(), [1, 0.5], loose);
  });

  it('topK keeps the k highest scores (ties to the lower index) and classId picks a column', () => {
    const p = new M.Precision({ topK: 2 });
    p.updateState([0, 0, 1, 1], [1, 1, 1, 1]);
    expectClose(p.result(), 0);
    const q = new M.Precision({ topK: 1 });
    q.updateState([[0, 1, 0], [1, 0, 0]], [[0.2, 0.5, 0.3], [0.1, 0.7, 0.2]]);
    expectClose(q.result(), 0.5);
    // column 1: labels [1, 0]; a score of exactly 0.5 is not above the threshold
    const c = new M.Recall({ classId: 1 });
    c.updateState([[0, 1, 0], [1, 0, 0]], [[0.2, 0.5, 0.3], [0.1, 0.7, 0.2]]);
    expectClose(c.result(), 0);
    c.updateState([[0, 1, 0]], [[0.2, 0.6, 0.3]]);
    expectClose(c.result(), 0.5);
    // column 1: labels [1, 0], scores [0.6, 0.7] -> tp 1, fp 1
    const cp = new M.Precision({ classId: 1 });
    cp.updateState([[0, 1, 0], [1, 0, 0]], [[0.2, 0.6, 0.3], [0.1, 0.7, 0.2]]);
    expectClose(cp.result(), 0.5);
  });

  it('AUC (ROC) with 3 thresholds, by hand', () => {
    // thresholds [-eps, 0.5, 1 + eps]: tpr [1, 0.5, 0], fpr [1, 0, 0] -> 1·(1 + 0.5)/2 + 0 = 0.75
    const m = new M.AUC({ numThresholds: 3 });
    m.updateState([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]);
    expectClose(m.result(), 0.75, loose);
    m.resetState();
    m.updateState([0, 0, 1, 1], [0, 0.5, 0.3, 0.9], [1, 0, 0, 1]);
    expectClose(m.result(), 1, loose);
  });

  it('AUC over 200 thresholds equals the exact pair-counting AUC, across batches', () => {
    // positives 0.35, 0.8; negatives 0.1, 0.4: 3 of 4 pairs ordered right
    const m = new M.AUC();
    m.updateState([0, 0], [0.1, 0.4]);
    m.updateState([1, 1], [0.35, 0.8]);
    expectClose(m.result(), 0.75, loose);
    const logits = new M.AUC({ fromLogits: true });
    logits.updateState([0, 0, 1, 1], [-2.2, -0.4, -0.6, 1.4]);
    expectClose(logits.result(), 0.75, loose);
  });

  it('PR AUC: interpolation gives 1 for separated scores; majoring/minoring bracket it', () => {
    const pr = new M.AUC({ curve: 'PR', numThresholds: 3 });
    pr.updateState([0, 1], [0.1, 0.9]);
    expectClose(pr.result(), 1, loose);
    // 3 thresholds, y [0, 0, 1, 1], p [0, 0.5, 0.3, 0.9]: recall [1, 0.5, 0], precision [0.5, 1, 0]
    // minoring: (1 - 0.5)·min(0.5, 1) + 0.5·min(1, 0) = 0.25 ; majoring: 0.5·1 + 0.5·1 = 1
    const minor = new M.AUC({ curve: 'PR', numThresholds: 3, summationMethod: 'minoring' });
    minor.updateState([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]);
    expectClose(minor.result(), 0.25, loose);
    const major = new M.AUC({ curve: 'PR', numThresholds: 3, summationMethod: 'majoring' });
    major.updateState([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]);
    expectClose(major.result(), 1, loose);
  });
});

describe('F1Score', () => {
  const yTrue = [[1, 1, 1], [1, 0, 0], [1, 1, 0]];
  const yPred = [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0]];
  // per class at 0.5: (tp, fp, fn) = (1, 0, 2), (2, 1, 0), (1, 1, 0) -> F1 0.5, 0.8, 2/3

  it('per class, macro, micro and weighted', () => {
    const perClass = new M.F1Score({ threshold: 0.5 });
    perClass.updateState(yTrue, yPred);
    expectClose(perClass.result(), [0.5, 0.8, 2 / 3], loose);
    const macro = new M.F1Score({ threshold: 0.5, average: 'macro' });
    macro.updateState(yTrue, yPred);
    expectClose(macro.result(), (0.5 + 0.8 + 2 / 3) / 3, loose);
    const micro = new M.F1Score({ threshold: 0.5, average: 'micro' });
    micro.updateState(yTrue, yPred);
    expectClose(micro.result(), 2 / 3, loose);
    const weighted = new M.F1Score({ threshold: 0.5, average: 'weighted' });
    weighted.updateState(yTrue, yPred);
    expectClose(weighted.result(), (0.5 * 3 + 0.8 * 2 + (2 / 3) * 1) / 6, loose);
  });

  it('accumulates over batches like one big batch; without threshold the row maximum is the class', () => {
    const split = new M.F1Score({ threshold: 0.5 });
    split.updateState(yTrue.slice(0, 1), yPred.slice(0, 1));
    split.updateState(yTrue.slice(1), yPred.slice(1));
    expectClose(split.result(), [0.5, 0.8, 2 / 3], loose);
    const argmax = new M.F1Score({ average: 'micro' });
    // predicted classes 2, 1, 1 against 0, 1, 0 -> tp 1, fp 2, fn 2
    argmax.updateState([[1, 0, 0], [0, 1, 0], [1, 0, 0]], [[0.1, 0.2, 0.7], [0.1, 0.8, 0.1], [0.3, 0.6, 0.1]]);
    expectClose(argmax.result(), 1 / 3, loose);
  });

  it('FBetaScore with beta 2 weighs recall more', () => {
    const f2 = new M.FBetaScore({ beta: 2, threshold: 0.5 });
    f2.updateState(yTrue, yPred);
    const f = (p: number, r: number) => (5 * p * r) / (4 * p + r);
    expectClose(f2.result(), [f(1, 1 / 3), f(2 / 3, 1), f(0.5, 1)], loose);
  });
});

describe('regression metrics', () => {
  const t = [[0, 1], [0, 0]];
  const p = [[1, 1], [0, 0]];

  it('MeanAbsoluteError, MeanSquaredError, RootMeanSquaredError', () => {
    const mae = new M.MeanAbsoluteError();
    mae.updateState(t, p);
    expectClose(mae.result(), 0.25);
    mae.resetState();
    mae.updateState(t, p, [1, 0]);
    expectClose(mae.result(), 0.5);
    const mse = new M.MeanSquaredError();
    mse.updateState(t, [[2, 1], [0, 0]]);
    expectClose(mse.result(), 1);
    const rmse = new M.RootMeanSquaredError();
    rmse.updateState(t, p);
    expectClose(rmse.result(), 0.5);
    rmse.resetState();
    rmse.updateState(t, p, [1, 0]);
    expectClose(rmse.result(), Math.SQRT1_2, loose);
  });

  it('R2Score accumulated over two batches', () => {
    // y [1, 4, 3], pred [2, 4, 4]: SS_res 2, SS_tot 26 - 64/3 = 14/3 -> 1 - 6/14
    const r2 = new M.R2Score();
    r2.updateState([[1], [4]], [[2], [4]]);
    r2.updateState([[3]], [[4]]);
    expectClose(r2.result(), 1 - 6 / 14, loose);
    const perOutput = new M.R2Score({ classAggregation: null });
    perOutput.updateState([[1, 0], [4, 1], [3, 2]], [[2, 0], [4, 1], [4, 2]]);
    expectClose(perOutput.result(), [1 - 6 / 14, 1], loose);
    // adjusted with 1 regressor, n = 3: 1 - (1 - R²)·2/1
    const adjusted = new M.R2Score({ numRegressors: 1 });
    adjusted.updateState([1, 4, 3], [2, 4, 4]);
    expectClose(adjusted.result(), 1 - (6 / 14) * 2, loose);
  });
});

describe('metrics.get', () => {
  it('resolves Keras names, aliases and loss names, named as written', () => {
    expect(M.get('binary_accuracy')).toBeInstanceOf(M.BinaryAccuracy);
    expect(M.get('categoricalAccuracy')).toBeInstanceOf(M.CategoricalAccuracy);
    expect(M.get('AUC')).toBeInstanceOf(M.AUC);
    expect(M.get('auc')).toBeInstanceOf(M.AUC);
    expect(M.get('precision')).toBeInstanceOf(M.Precision);
    expect(M.get('f1_score')).toBeInstanceOf(M.F1Score);
    expect(M.get('rmse')).toBeInstanceOf(M.RootMeanSquaredError);
    const mae = M.get('mae');
    expect(mae).toBeInstanceOf(M.MeanAbsoluteError);
    expect(mae.name).toBe('mae');
    const bce = M.get('binary_crossentropy');
    bce.updateState([[1]], [[0.5]]);
    expectClose(bce.result(), Math.LN2, loose);
    const ce = M.get('ce', { loss: 'categorical_crossentropy' });
    ce.updateState([[0, 1]], [[0.5, 0.5]]);
    expectClose(ce.result(), Math.LN2, loose);
  });

  it('passes Metric objects through and averages plain functions', () => {
    const m = new M.Recall();
    expect(M.get(m)).toBe(m);
    const fn = M.get((t, p) => nb.sum(nb.abs(nb.sub(t, p)), -1));
    fn.updateState([[1, 2]], [[0, 0]]);
    expectClose(fn.result(), 3);
  });

  it('bad names and options raise clear errors', () => {
    expect(() => M.get('accurcy')).toThrow(nb.ValueError);
    expect(() => M.get('accurcy')).toThrow(/unknown metric 'accurcy'.*accuracy/);
    expect(() => new M.TopKCategoricalAccuracy({ k: 0 })).toThrow(/k must be a positive integer/);
    expect(() => new M.Precision({ thresholds: [1.5] })).toThrow(/thresholds must be in \[0, 1\]/);
    expect(() => new M.AUC({ curve: 'XY' as never })).toThrow(/curve must be 'ROC' or 'PR'/);
    const f1 = new M.F1Score();
    f1.updateState([[1, 0]], [[0.9, 0.1]]);
    expect(() => f1.updateState([[1, 0, 0]], [[0.9, 0.1, 0]])).toThrow(/3 classes, but earlier batches had 2/);
    expect(() => new M.SparseCategoricalAccuracy().updateState([[0, 1]], [[0.5, 0.5]])).toThrow(nb.ShapeError);
  });
});

describe('metrics under nb.jit', () => {
  const makers: [string, () => nb.metrics.Metric][] = [
    ['binary_accuracy', () => new M.BinaryAccuracy()],
    ['auc', () => new M.AUC({ numThresholds: 11 })],
    ['precision', () => new M.Precision()],
    ['f1 macro', () => new M.F1Score({ average: 'macro', threshold: 0.5 })],
    ['r2', () => new M.R2Score()],
    ['rmse', () => new M.RootMeanSquaredError()],
    ['acc (auto)', () => M.get('acc', { loss: 'binary_crossentropy' })],
  ];
  for (const [name, make] of makers) {
    it(`${name}: a jitted updateState accumulates like the eager one, batch after batch`, () => {
      const batches = [
        [nb.tensor([[1, 0], [0, 1], [1, 1]]), nb.tensor([[0.9, 0.2], [0.4, 0.7], [0.3, 0.8]])],
        [nb.tensor([[0, 0], [1, 0], [0, 1]]), nb.tensor([[0.1, 0.6], [0.8, 0.3], [0.2, 0.4]])],
      ] as const;
      const eager = make();
      const jitted = make();
      const update = nb.jit((t: nb.Tensor, p: nb.Tensor) => {
        jitted.updateState(t, p);
        return jitted.result();
      });
      for (const [t, p] of batches) {
        eager.updateState(t, p);
        expectClose(update(t, p), eager.result().item(), loose);
      }
      expectClose(jitted.result(), eager.result().item(), loose);
    });
  }
});
