import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';

/** Least squares with an intercept, via the normal equations (small, in plain JS). */
function leastSquares(x: number[][], y: number[]): number[] {
  const a = x.map((row) => [...row, 1]);
  const k = a[0]!.length;
  const m = Array.from({ length: k }, (_, i) => [...Array.from({ length: k }, (_, j) => a.reduce((s, r) => s + r[i]! * r[j]!, 0)), a.reduce((s, r, n) => s + r[i]! * y[n]!, 0)]);
  for (let c = 0; c < k; c++) {
    const p = m.reduce((best, row, r) => (r >= c && Math.abs(row[c]!) > Math.abs(m[best]![c]!) ? r : best), c);
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      for (let j = c; j <= k; j++) m[r]![j]! -= f * m[c]![j]!;
    }
  }
  return m.map((row, i) => row[k]! / row[i]!);
}

describe('nb.datasets.makeRegression', () => {
  it('makes y = x·coef + bias exactly without noise, with the informative features first', () => {
    const { x, y, coef } = nb.datasets.makeRegression({ nSamples: 50, nFeatures: 3, nInformative: 2, bias: 5, seed: 1 });
    expect(x.shape).toEqual([50, 3]);
    expect(y.shape).toEqual([50]);
    const c = Array.from(coef.dataSync());
    expect(c[2]).toBe(0);
    expect(c[0]).toBeGreaterThan(0);
    expect(c[0]).toBeLessThan(100);
    const xs = x.arraySync() as number[][];
    const ys = Array.from(y.dataSync());
    xs.forEach((row, i) => expect(ys[i]).toBeCloseTo(row[0]! * c[0]! + row[1]! * c[1]! + 5, 3));
  });

  it('adds noise that a least-squares fit still sees through', () => {
    const { x, y, coef } = nb.datasets.makeRegression({ nSamples: 400, nFeatures: 1, nInformative: 1, noise: 2, bias: 3, seed: 2 });
    const [w, b] = leastSquares(x.arraySync() as number[][], Array.from(y.dataSync()));
    expect(w).toBeCloseTo(coef.dataSync()[0]!, 0);
    expect(Math.abs(b! - 3)).toBeLessThan(0.5);
    const residuals = Array.from(y.dataSync()).map((v, i) => v - (w! * x.dataSync()[i]! + b!));
    const sd = Math.sqrt(residuals.reduce((s, r) => s + r * r, 0) / residuals.length);
    expect(sd).toBeGreaterThan(1.7);
    expect(sd).toBeLessThan(2.3);
  });

  it('is reproducible with a seed and gives [n, nTargets] for several targets', () => {
    const a = nb.datasets.makeRegression({ nSamples: 10, nFeatures: 4, seed: 9 });
    const b = nb.datasets.makeRegression({ nSamples: 10, nFeatures: 4, seed: 9 });
    const c = nb.datasets.makeRegression({ nSamples: 10, nFeatures: 4, seed: 10 });
    expect(b.x.arraySync()).toEqual(a.x.arraySync());
    expect(c.x.arraySync()).not.toEqual(a.x.arraySync());
    const multi = nb.datasets.makeRegression({ nSamples: 6, nFeatures: 2, nTargets: 3, seed: 1 });
    expect(multi.y.shape).toEqual([6, 3]);
    expect(multi.coef.shape).toEqual([2, 3]);
    expect(() => nb.datasets.makeRegression({ nSamples: 0 })).toThrow(nb.ValueError);
  });
});

describe('nb.datasets.makeClassification', () => {
  it('makes balanced, separable classes for a (size, age)-style perceptron', () => {
    const { x, y } = nb.datasets.makeClassification({ nSamples: 200, nFeatures: 2, nInformative: 2, nRedundant: 0, nClustersPerClass: 1, classSep: 2, flipY: 0, seed: 3 });
    expect(x.shape).toEqual([200, 2]);
    expect(y.dtype).toBe('int32');
    const ys = Array.from(y.dataSync());
    expect(ys.filter((v) => v === 0)).toHaveLength(100);
    expect(ys.filter((v) => v === 1)).toHaveLength(100);
    // Class centres sit at distinct hypercube vertices (±2 per axis), far apart compared with the spread.
    const xs = x.arraySync() as number[][];
    const centre = (c: number) => [0, 1].map((j) => xs.filter((_, i) => ys[i] === c).reduce((s, r) => s + r[j]!, 0) / 100);
    const [c0, c1] = [centre(0), centre(1)];
    const gap = Math.hypot(c0[0]! - c1[0]!, c0[1]! - c1[1]!);
    expect(gap).toBeGreaterThan(3);
    // A linear rule along the line between the centres classifies most points.
    const d = [c1[0]! - c0[0]!, c1[1]! - c0[1]!];
    const mid = [(c0[0]! + c1[0]!) / 2, (c0[1]! + c1[1]!) / 2];
    const correct = xs.filter((r, i) => ((r[0]! - mid[0]!) * d[0]! + (r[1]! - mid[1]!) * d[1]! > 0 ? 1 : 0) === ys[i]).length;
    expect(correct / 200).toBeGreaterThan(0.85);
  });

  it('builds redundant and repeated features from informative ones, and honours weights and nClasses', () => {
    const { x, y } = nb.datasets.makeClassification({ nSamples: 90, nFeatures: 6, nInformative: 2, nRedundant: 1, nRepeated: 1, nClasses: 3, nClustersPerClass: 1, weights: [0.5, 0.25, 0.25], flipY: 0, seed: 4 });
    const xs = x.arraySync() as number[][];
    // The repeated column (index 3) equals one of columns 0..2 in every row.
    const source = [0, 1, 2].find((j) => xs.every((r) => r[3] === r[j]));
    expect(source).toBeDefined();
    const counts = [0, 1, 2].map((c) => Array.from(y.dataSync()).filter((v) => v === c).length);
    // floor(90 * w) = 45, 22, 22; the one left over goes to the first cluster, as in scikit-learn.
    expect(counts).toEqual([46, 22, 22]);
    expect(() => nb.datasets.makeClassification({ nFeatures: 2, nInformative: 2, nRedundant: 2 })).toThrow(/must be <= nFeatures/);
    expect(() => nb.datasets.makeClassification({ nFeatures: 2, nInformative: 1, nRedundant: 0, nClasses: 3, nClustersPerClass: 1 })).toThrow(/2 \*\* nInformative/);
  });

  it('flips about flipY of the labels and repeats with a seed', () => {
    const opts = { nSamples: 1000, nFeatures: 2, nInformative: 2, nRedundant: 0, nClustersPerClass: 1, seed: 5 };
    const clean = Array.from(nb.datasets.makeClassification({ ...opts, flipY: 0 }).y.dataSync());
    const noisy = Array.from(nb.datasets.makeClassification({ ...opts, flipY: 0.2 }).y.dataSync());
    // A flip draws a random class, so about half of the flipped labels change.
    const changed = noisy.filter((v, i) => v !== clean[i]).length;
    expect(changed).toBeGreaterThan(50);
    expect(changed).toBeLessThan(160);
    expect(Array.from(nb.datasets.makeClassification({ ...opts, flipY: 0.2 }).y.dataSync())).toEqual(noisy);
  });
});
