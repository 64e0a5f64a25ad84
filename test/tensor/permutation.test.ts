// random.permutation orders rows by a counter-based uniform key (ties by row); the fast path
// sorts exact composite numbers and must give exactly that order.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { generator, randomValue, type RandomAttrs } from '../../src/ops/primitives/random.js';

function byKeys(n: number, key: readonly [number, number]): number[] {
  const attrs: RandomAttrs = { shape: [n], dtype: 'float64', key, dist: { kind: 'uniform', min: 0, max: 1 }, fromGenerator: false };
  const k = Array.from({ length: n }, (_, i) => randomValue(attrs, i));
  return Array.from({ length: n }, (_, i) => i).sort((a, b) => k[a]! - k[b]! || a - b);
}

describe('random.permutation', () => {
  it('is a permutation, the same for the same seed, for empty to epoch-sized n', () => {
    for (const n of [0, 1, 2, 17, 5000, 60000]) {
      const a = Array.from(nb.random.permutation(n, { seed: 5 }).dataSync());
      const b = Array.from(nb.random.permutation(n, { seed: 5 }).dataSync());
      expect(a).toEqual(b);
      expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i));
    }
  });
  it('matches a comparator sort of the keys exactly', () => {
    for (const n of [3, 1000, 70000]) {
      nb.random.seed(n);
      const key: [number, number] = [generator.key, generator.counter];
      expect(Array.from(nb.random.permutation(n).dataSync())).toEqual(byKeys(n, key));
    }
  });
});
