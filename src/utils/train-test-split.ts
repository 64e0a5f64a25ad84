import { RandomStream, checkSeed, seedFromGlobal } from '../data/random-stream.js';
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { toTensor, type TensorLike } from '../ops/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { takeRows, valuesOf } from './host-rows.js';

/** Options of {@link trainTestSplit}. */
export interface TrainTestSplitOptions {
  /** Fraction of samples for the test set (0 < testSize < 1), or their number (default 0.25). */
  testSize?: number;
  /** Shuffle before splitting (default true). */
  shuffle?: boolean;
  /** Seed of the shuffle; without one the global generator (`nb.random.seed`) picks. */
  seed?: number;
  /** Keep class proportions in both parts: `true` to use y, or a tensor of class labels [n]. */
  stratify?: boolean | TensorLike;
}

/** The two parts `trainTestSplit` returns. */
export interface TrainTestSplit {
  xTrain: Tensor;
  xTest: Tensor;
  yTrain: Tensor;
  yTest: Tensor;
}

function testCount(n: number, testSize: number): number {
  const k = testSize < 1 ? Math.ceil(testSize * n) : testSize;
  if (!(testSize > 0) || (testSize >= 1 && !Number.isInteger(testSize)) || k >= n || k < 1) {
    throw new ValueError(
      `trainTestSplit: testSize ${testSize} leaves no samples in one part of ${n}; use a fraction in (0, 1) or a count in [1, ${n - 1}]`,
    );
  }
  return k;
}

/** Test rows chosen per class so each class keeps its share (largest remainders get the leftovers). */
function stratifiedTestRows(labels: ArrayLike<number>, nTest: number, rng: RandomStream): number[] {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const rows = byClass.get(labels[i]!) ?? [];
    rows.push(i);
    byClass.set(labels[i]!, rows);
  }
  const groups = [...byClass.entries()].sort((a, b) => a[0] - b[0]).map(([, rows]) => rows);
  const exact = groups.map((g) => (g.length * nTest) / labels.length);
  const take = exact.map(Math.floor);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let left = nTest - take.reduce((a, b) => a + b, 0), j = 0; left > 0; left--, j++) take[order[j % order.length]![1]]!++;
  return groups.flatMap((g, c) => {
    const perm = rng.permutation(g.length);
    return Array.from(perm.subarray(0, take[c]!), (p) => g[p]!);
  });
}

/**
 * Split x and y (same length along axis 0) into training and test parts, like scikit-learn's
 * train_test_split: `const { xTrain, xTest, yTrain, yTest } = nb.utils.trainTestSplit(x, y, { testSize: 0.2, seed: 1 })`.
 */
export function trainTestSplit(x: TensorLike, y: TensorLike, opts: TrainTestSplitOptions = {}): TrainTestSplit {
  const xt = toTensor(x, 'trainTestSplit');
  const yt = toTensor(y, 'trainTestSplit');
  if (xt.rank === 0 || yt.rank === 0 || xt.shape[0] !== yt.shape[0]) {
    throw new ShapeError(`trainTestSplit: x ${fmtShape(xt.shape)} and y ${fmtShape(yt.shape)} must have the same length along axis 0`);
  }
  checkSeed(opts.seed, 'trainTestSplit');
  const n = xt.shape[0]!;
  const nTest = testCount(n, opts.testSize ?? 0.25);
  const shuffle = opts.shuffle ?? true;
  const rng = new RandomStream(opts.seed ?? (shuffle || opts.stratify ? seedFromGlobal() : 0), 0x5b11);
  let testRows: number[];
  let trainRows: number[];
  if (opts.stratify !== undefined && opts.stratify !== false) {
    if (!shuffle) throw new ValueError('trainTestSplit: stratify needs shuffle: true');
    const labels = opts.stratify === true ? yt : toTensor(opts.stratify, 'trainTestSplit');
    if (labels.size !== n) throw new ShapeError(`trainTestSplit: stratify labels ${fmtShape(labels.shape)} must hold one label per sample (${n})`);
    testRows = stratifiedTestRows(valuesOf(labels), nTest, rng);
    const inTest = new Uint8Array(n);
    testRows.forEach((r) => (inTest[r] = 1));
    trainRows = Array.from({ length: n }, (_, i) => i).filter((i) => !inTest[i]);
    const shuffleRows = (rows: number[]) => Array.from(rng.permutation(rows.length), (p) => rows[p]!);
    testRows = shuffleRows(testRows);
    trainRows = shuffleRows(trainRows);
  } else {
    const order = shuffle ? Array.from(rng.permutation(n)) : Array.from({ length: n }, (_, i) => i);
    trainRows = order.slice(0, n - nTest);
    testRows = order.slice(n - nTest);
  }
  return { xTrain: takeRows(xt, trainRows), xTest: takeRows(xt, testRows), yTrain: takeRows(yt, trainRows), yTest: takeRows(yt, testRows) };
}
