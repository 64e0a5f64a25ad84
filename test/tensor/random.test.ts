// The random streams on every CPU backend: their distributions (moments, ranges, truncation,
// every integer reached), reproducibility by seed, and the portable log/sin/cos they are drawn
// with, against Math's.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { portableLog, portableSinCosTurn } from '../../src/ops/primitives/portable-math.js';

const backends = ['js', ...(nb.backendInfo('native').available ? ['native'] : [])];
const N = 200_000;

function moments(v: ArrayLike<number>): { mean: number; std: number; min: number; max: number } {
  let s = 0, s2 = 0, min = Infinity, max = -Infinity;
  for (let i = 0; i < v.length; i++) {
    s += v[i]!;
    s2 += v[i]! * v[i]!;
    min = Math.min(min, v[i]!);
    max = Math.max(max, v[i]!);
  }
  const mean = s / v.length;
  return { mean, std: Math.sqrt(s2 / v.length - mean * mean), min, max };
}

describe('portable log and sin/cos', () => {
  it('are within a few ulp of Math.log, Math.sin and Math.cos', () => {
    const eps = Number.EPSILON;
    let worstLog = 0, worstTrig = 0;
    for (let i = 1; i <= 100_000; i++) {
      const u = ((i * 2654435761) >>> 0) / 4294967296; // spread over [0, 1)
      const x = 1 - u;
      worstLog = Math.max(worstLog, Math.abs(portableLog(x) - Math.log(x)) / Math.max(eps * Math.abs(Math.log(x)), Number.MIN_VALUE));
      const [s, c] = portableSinCosTurn(u);
      worstTrig = Math.max(worstTrig, Math.abs(s - Math.sin(2 * Math.PI * u)) / eps, Math.abs(c - Math.cos(2 * Math.PI * u)) / eps);
    }
    expect(worstLog).toBeLessThan(4);
    expect(worstTrig).toBeLessThan(8);
    expect(portableLog(1)).toBe(0);
    expect(portableLog(0.5)).toBe(-Math.LN2);
    expect(portableLog(2 ** -32)).toBeCloseTo(-32 * Math.LN2, 13);
    expect(portableSinCosTurn(0)).toEqual([0, 1]);
    expect(portableSinCosTurn(0.25)).toEqual([1, -0]);
    expect(portableSinCosTurn(0.5)).toEqual([-0, -1]);
  });
});

for (const backend of backends) {
  describe(`random streams on ${backend}`, () => {
    const on = <T>(f: () => T): T => nb.withBackend(backend, f);

    it('uniform: in [min, max) with the uniform mean and spread', () => on(() => {
      const m = moments(nb.random.uniform([N], { seed: 1, min: -2, max: 6 }).dataSync());
      expect(m.min).toBeGreaterThanOrEqual(-2);
      expect(m.max).toBeLessThan(6);
      expect(m.mean).toBeCloseTo(2, 1);
      expect(m.std).toBeCloseTo(8 / Math.sqrt(12), 1);
    }));

    it('normal: mean and standard deviation, and about 4.55% of draws beyond 2 sigma', () => on(() => {
      const v = nb.random.normal([N], { seed: 2, mean: 3, stddev: 0.5, dtype: 'float64' }).dataSync();
      const m = moments(v);
      expect(m.mean).toBeCloseTo(3, 2);
      expect(m.std).toBeCloseTo(0.5, 2);
      const tails = Array.from(v).filter((x) => Math.abs(x - 3) > 1).length / N;
      expect(tails).toBeGreaterThan(0.042);
      expect(tails).toBeLessThan(0.049);
    }));

    it('truncatedNormal: every draw within 2 sigma, the truncated spread (0.880 sigma)', () => on(() => {
      const m = moments(nb.random.truncatedNormal([N], { seed: 3, stddev: 2 }).dataSync());
      expect(m.min).toBeGreaterThanOrEqual(-4);
      expect(m.max).toBeLessThanOrEqual(4);
      expect(m.mean).toBeCloseTo(0, 1);
      expect(m.std / 2).toBeCloseTo(0.88, 2);
    }));

    it('int: every integer of [min, max) drawn, none outside, about equally often', () => on(() => {
      const v = nb.random.int([N], -3, 7, { seed: 4 }).dataSync();
      const counts = new Map<number, number>();
      for (const x of v) counts.set(x, (counts.get(x) ?? 0) + 1);
      expect([...counts.keys()].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2, 3, 4, 5, 6]);
      for (const c of counts.values()) expect(Math.abs(c / N - 0.1)).toBeLessThan(0.005);
    }));

    it('a seed reproduces the draws; the generator moves on between calls', () => on(() => {
      nb.random.seed(7);
      const a = nb.random.normal([50]).dataSync();
      const b = nb.random.normal([50]).dataSync();
      nb.random.seed(7);
      expect(nb.random.normal([50]).dataSync()).toEqual(a);
      expect(Array.from(b)).not.toEqual(Array.from(a));
      expect(nb.random.uniform([20], { seed: 9 }).dataSync()).toEqual(nb.random.uniform([20], { seed: 9 }).dataSync());
    }));
  });
}
