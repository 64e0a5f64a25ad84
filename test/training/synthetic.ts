// Small separable data sets for training tests, drawn with a fixed seed.
import * as nb from '../../src/index.js';

/** Points in [-1, 1]^2 labelled 1 above the line x0 + x1 = 0 (with a margin, so they are separable). */
export function linearlySeparable(n: number, seed: number): { x: nb.Tensor; y: nb.Tensor } {
  const raw = nb.random.uniform([n * 2, 2], { min: -1, max: 1, seed }).arraySync() as number[][];
  const kept = raw.filter(([a, b]) => Math.abs(a! + b!) > 0.2).slice(0, n);
  return { x: nb.tensor(kept), y: nb.tensor(kept.map(([a, b]) => [a! + b! > 0 ? 1 : 0])) };
}

/** Three Gaussian blobs around well-separated centres; labels as class indices. */
export function blobs(n: number, seed: number): { x: nb.Tensor; labels: nb.Tensor } {
  const centres = [[-2, -2], [2, -2], [0, 2]];
  const noise = nb.random.normal([n, 2], { stddev: 0.4, seed }).arraySync() as number[][];
  const labels = Array.from({ length: n }, (_, i) => i % 3);
  const x = noise.map(([a, b], i) => [centres[labels[i]!]![0]! + a!, centres[labels[i]!]![1]! + b!]);
  return { x: nb.tensor(x), labels: nb.tensor(labels, 'int32') };
}
