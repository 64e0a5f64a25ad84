// Synthetic problems for the lesson, after scikit-learn's make_regression and make_classification,
// drawn from nabla's seeded generator (a `seed`, or `nb.random.seed`).
import { engine } from '../engine/engine.js';
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { RandomStream, checkSeed, seedFromGlobal } from '../data/random-stream.js';

function count(v: number, name: string, op: string, min = 0): number {
  if (!Number.isInteger(v) || v < min) throw new ValueError(`${op}: ${name} must be an integer >= ${min}, got ${v}`);
  return v;
}

function seedFor(seed: number | undefined, op: string): number {
  checkSeed(seed, op);
  return seed ?? seedFromGlobal();
}

/** Rows of `src` ([n, cols]) in the order of `perm`. */
function permuteRows(src: Float64Array, cols: number, perm: Int32Array): Float64Array {
  const out = new Float64Array(src.length);
  perm.forEach((from, to) => out.set(src.subarray(from * cols, (from + 1) * cols), to * cols));
  return out;
}

/** Options of `makeRegression`. */
export interface RegressionOptions {
  nSamples?: number;
  /** Features in x (default 100, like scikit-learn). */
  nFeatures?: number;
  /** Features with a non-zero coefficient (default 10, at most nFeatures). */
  nInformative?: number;
  /** Outputs per sample (default 1: y is [n]; otherwise [n, nTargets]). */
  nTargets?: number;
  bias?: number;
  /** Standard deviation of the Gaussian noise added to y. */
  noise?: number;
  /** Shuffle the samples (default true). */
  shuffle?: boolean;
  seed?: number;
}

/**
 * A linear regression problem: x ~ N(0, 1) [n, nFeatures], y = x·coef + bias + noise, where the
 * first nInformative rows of coef are uniform in [0, 100) and the rest 0. Returns coef [nFeatures]
 * (or [nFeatures, nTargets]) so the fit can be checked.
 */
export function makeRegression(opts: RegressionOptions = {}): { x: Tensor; y: Tensor; coef: Tensor } {
  const op = 'makeRegression';
  const n = count(opts.nSamples ?? 100, 'nSamples', op, 1);
  const f = count(opts.nFeatures ?? 100, 'nFeatures', op, 1);
  const informative = Math.min(count(opts.nInformative ?? 10, 'nInformative', op), f);
  const targets = count(opts.nTargets ?? 1, 'nTargets', op, 1);
  const noise = opts.noise ?? 0;
  if (!(noise >= 0)) throw new ValueError(`${op}: noise must be >= 0, got ${noise}`);
  const rng = new RandomStream(seedFor(opts.seed, op), 0x5eed);
  let x: Float64Array = Float64Array.from({ length: n * f }, () => rng.normal());
  const coef = new Float64Array(f * targets);
  for (let i = 0; i < informative * targets; i++) coef[i] = 100 * rng.next();
  const y = new Float64Array(n * targets);
  for (let r = 0; r < n; r++) {
    for (let t = 0; t < targets; t++) {
      let s = opts.bias ?? 0;
      for (let c = 0; c < informative; c++) s += x[r * f + c]! * coef[c * targets + t]!;
      y[r * targets + t] = s + (noise > 0 ? noise * rng.normal() : 0);
    }
  }
  let yy: Float64Array = y;
  if (opts.shuffle ?? true) {
    const perm = rng.permutation(n);
    x = permuteRows(x, f, perm);
    yy = permuteRows(y, targets, perm);
  }
  const yShape = targets === 1 ? [n] : [n, targets];
  return {
    x: engine.fromHost(Float32Array.from(x), [n, f], 'float32'),
    y: engine.fromHost(Float32Array.from(yy), yShape, 'float32'),
    coef: engine.fromHost(Float32Array.from(coef), targets === 1 ? [f] : [f, targets], 'float32'),
  };
}

/** Options of `makeClassification`. */
export interface ClassificationOptions {
  nSamples?: number;
  /** Features in x (default 20): informative, then redundant, then repeated, then noise. */
  nFeatures?: number;
  nInformative?: number;
  /** Random linear combinations of the informative features. */
  nRedundant?: number;
  /** Copies of informative or redundant features. */
  nRepeated?: number;
  nClasses?: number;
  nClustersPerClass?: number;
  /** Fraction of samples per class (default equal). */
  weights?: readonly number[];
  /** Fraction of labels replaced by a random class (default 0.01). */
  flipY?: number;
  /** Half the side of the hypercube whose vertices are the cluster centres (default 1). */
  classSep?: number;
  shift?: number;
  scale?: number;
  shuffle?: boolean;
  seed?: number;
}

/** Distinct random vertices of the {0,1}^dims hypercube, as bit arrays. */
function hypercubeVertices(k: number, dims: number, rng: RandomStream): number[][] {
  const seen = new Set<string>();
  const out: number[][] = [];
  while (out.length < k) {
    const v = Array.from({ length: dims }, () => (rng.next() < 0.5 ? 0 : 1));
    const key = v.join('');
    if (!seen.has(key)) {
      seen.add(key);
      out.push(v);
    }
  }
  return out;
}

function samplesPerCluster(n: number, classes: number, perClass: number, weights: readonly number[] | undefined, op: string): number[] {
  const w = weights ?? new Array<number>(classes).fill(1 / classes);
  if (w.length !== classes || w.some((v) => !(v >= 0))) throw new ValueError(`${op}: weights must be ${classes} non-negative numbers, got ${JSON.stringify(weights)}`);
  const total = w.reduce((a, b) => a + b, 0);
  const clusters = classes * perClass;
  const sizes = Array.from({ length: clusters }, (_, k) => Math.floor((n * w[k % classes]!) / total / perClass));
  for (let k = 0, left = n - sizes.reduce((a, b) => a + b, 0); left > 0; k = (k + 1) % clusters, left--) sizes[k]!++;
  return sizes;
}

/**
 * A classification problem: each class is nClustersPerClass Gaussian clusters around vertices of a
 * hypercube of side 2·classSep in the informative features. x is float32 [n, nFeatures], y int32 [n].
 * Like scikit-learn's make_classification, except that features keep their order (informative first).
 */
export function makeClassification(opts: ClassificationOptions = {}): { x: Tensor; y: Tensor } {
  const op = 'makeClassification';
  const n = count(opts.nSamples ?? 100, 'nSamples', op, 1);
  const f = count(opts.nFeatures ?? 20, 'nFeatures', op, 1);
  const inf = count(opts.nInformative ?? 2, 'nInformative', op, 1);
  const red = count(opts.nRedundant ?? 2, 'nRedundant', op);
  const rep = count(opts.nRepeated ?? 0, 'nRepeated', op);
  const classes = count(opts.nClasses ?? 2, 'nClasses', op, 1);
  const perClass = count(opts.nClustersPerClass ?? 2, 'nClustersPerClass', op, 1);
  if (inf + red + rep > f) throw new ValueError(`${op}: nInformative + nRedundant + nRepeated (${inf + red + rep}) must be <= nFeatures (${f})`);
  if (classes * perClass > 2 ** inf) {
    throw new ValueError(`${op}: nClasses * nClustersPerClass (${classes * perClass}) must be <= 2 ** nInformative (${2 ** inf})`);
  }
  const flipY = opts.flipY ?? 0.01;
  const sep = opts.classSep ?? 1;
  const seed = seedFor(opts.seed, op);
  const rng = new RandomStream(seed, 0x5eed);
  // Label noise has its own stream, so that changing flipY changes only the labels.
  const flips = new RandomStream(seed, 0xf11b);
  const sizes = samplesPerCluster(n, classes, perClass, opts.weights, op);
  const centres = hypercubeVertices(classes * perClass, inf, rng).map((v) => v.map((b) => (2 * b - 1) * sep));
  const x = new Float64Array(n * f);
  const y = new Int32Array(n);
  let row = 0;
  centres.forEach((centre, k) => {
    // A random linear map per cluster gives it its own covariance, as in scikit-learn.
    const a = Float64Array.from({ length: inf * inf }, () => 2 * rng.next() - 1);
    for (let s = 0; s < sizes[k]!; s++, row++) {
      const z = Array.from({ length: inf }, () => rng.normal());
      for (let j = 0; j < inf; j++) {
        let v = centre[j]!;
        for (let i = 0; i < inf; i++) v += z[i]! * a[i * inf + j]!;
        x[row * f + j] = v;
      }
      y[row] = k % classes;
    }
  });
  const b = Float64Array.from({ length: inf * red }, () => 2 * rng.next() - 1);
  const sources = Array.from({ length: rep }, () => rng.int(inf + red));
  for (let r = 0; r < n; r++) {
    const o = r * f;
    for (let j = 0; j < red; j++) {
      let v = 0;
      for (let i = 0; i < inf; i++) v += x[o + i]! * b[i * red + j]!;
      x[o + inf + j] = v;
    }
    sources.forEach((from, j) => (x[o + inf + red + j] = x[o + from]!));
    for (let j = inf + red + rep; j < f; j++) x[o + j] = rng.normal();
    if (flipY > 0 && flips.next() < flipY) y[r] = flips.int(classes);
  }
  const shift = opts.shift ?? 0;
  const scale = opts.scale ?? 1;
  for (let i = 0; i < x.length; i++) x[i] = (x[i]! + shift) * scale;
  let xs: Float64Array = x;
  let ys: Int32Array = y;
  if (opts.shuffle ?? true) {
    const perm = rng.permutation(n);
    xs = permuteRows(x, f, perm);
    ys = Int32Array.from(perm, (from) => y[from]!);
  }
  return { x: engine.fromHost(Float32Array.from(xs), [n, f], 'float32'), y: engine.fromHost(ys, [n], 'int32') };
}
