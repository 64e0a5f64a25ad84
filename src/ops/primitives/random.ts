import { ValueError } from '../../errors.js';
import { allocArray, isFloat, type DType } from '../../tensor/dtype.js';
import { assertShape, sizeOf } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { tensor } from '../creation.js';
import { defineOp, type OpDef } from '../define-op.js';
import { run1 } from '../run.js';
import { portableLog, portableSinCosTurn } from './portable-math.js';
import { optionsOnly, randomOptions } from '../tfjs-positional.js';

// Counter-based generation: value i of a call is a pure function of (key, i), computed with
// integer hashing and IEEE arithmetic only (portable-math.ts), so the native backend's C++
// kernel draws the same bits and a seed gives identical numbers on every backend.

/** Mix two 32-bit words into one (a murmur3-style finaliser over a Weyl step). */
function hash2(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Uniform in [0, 1) with 32 bits of entropy, from stream (k0, k1) at position i. */
function uniformAt(k0: number, k1: number, i: number): number {
  return hash2(hash2(k0, i), k1 ^ Math.imul(i >>> 16, 0x27d4eb2f)) / 4294967296;
}

export type Distribution =
  | { readonly kind: 'uniform'; readonly min: number; readonly max: number }
  | { readonly kind: 'normal'; readonly mean: number; readonly stddev: number; readonly truncated: boolean }
  | { readonly kind: 'int'; readonly min: number; readonly max: number };

export interface RandomAttrs {
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** The stream: (seed key, call counter) of the generator when the op was created. */
  readonly key: readonly [number, number];
  readonly dist: Distribution;
  /** Keys from the global generator (a jitted function draws fresh ones on each call); false for op-level seeds. */
  readonly fromGenerator: boolean;
}

function standardNormal(k0: number, k1: number, i: number): number {
  // Box-Muller on the pair (2j, 2j+1); element i takes the cos or sin branch.
  const j = i >>> 1;
  const u1 = 1 - uniformAt(k0, k1, 2 * j);
  const u2 = uniformAt(k0, k1, 2 * j + 1);
  const r = Math.sqrt(-2 * portableLog(u1));
  const [sin, cos] = portableSinCosTurn(u2);
  return (i & 1) === 0 ? r * cos : r * sin;
}

/** Draw for element i; truncated normals redraw from further along the stream until within 2 stddevs. */
export function randomValue(attrs: RandomAttrs, i: number): number {
  const [k0, k1] = attrs.key;
  const d = attrs.dist;
  switch (d.kind) {
    case 'uniform':
      return d.min + (d.max - d.min) * uniformAt(k0, k1, i);
    case 'int':
      return d.min + Math.floor((d.max - d.min) * uniformAt(k0, k1, i));
    case 'normal': {
      let z = standardNormal(k0, k1, i);
      for (let round = 1; d.truncated && Math.abs(z) > 2; round++) z = standardNormal(k0 ^ Math.imul(round, 0x5bd1e995), k1, i);
      return d.mean + d.stddev * z;
    }
  }
}

export const randomOp: OpDef<RandomAttrs> = defineOp<RandomAttrs>({
  name: 'random',
  infer: (_inputs, { shape, dtype }) => [{ shape, dtype }],
  ref: (_inputs, attrs) => {
    const out = allocArray(attrs.dtype, sizeOf(attrs.shape));
    for (let i = 0; i < out.length; i++) out[i] = randomValue(attrs, i);
    return [out];
  },
  notDifferentiable: true,
  // No inputs, so vmap never batches it: one draw serves every example (JAX's unbatched key).
  batch: (_inputs, _axes, attrs) => ({ outputs: [run1(randomOp, [], attrs)], axes: [null] }),
});

/** The global generator: a key set by `seed`, and a counter advanced by every random op. */
class Generator {
  key = (Math.random() * 4294967296) >>> 0;
  counter = 0;

  seed(n: number): void {
    if (!Number.isFinite(n)) throw new ValueError(`random.seed: expected a finite number, got ${n}`);
    this.key = hash2(Math.trunc(n) >>> 0, Math.floor(n / 4294967296) >>> 0);
    this.counter = 0;
  }

  next(): [number, number] {
    return [this.key, this.counter++];
  }
}

export const generator = new Generator();

function keyFor(seed: number | undefined): [number, number] {
  return seed === undefined ? generator.next() : [hash2(seed >>> 0, 0x51ed), 0];
}

function draw(shape: readonly number[], dtype: DType, dist: Distribution, seed: number | undefined, op: string): Tensor {
  assertShape(shape, op);
  return run1(randomOp, [], { shape: [...shape], dtype, key: keyFor(seed), dist, fromGenerator: seed === undefined });
}

/** Options every random op takes. */
export interface RandomOptions {
  dtype?: DType;
  /** Op-level seed: the same seed gives the same numbers, whatever the global generator's state. */
  seed?: number;
}

function floatDType(op: string, d: DType | undefined): DType {
  const dt = d ?? 'float32';
  if (!isFloat(dt)) throw new ValueError(`${op}: dtype must be float32 or float64, got ${dt}`);
  return dt;
}

/** Set the global seed: every later random op (and shuffle, dropout, initializer) is reproducible. */
export function seed(n: number): void {
  generator.seed(n);
}

/** Uniform values in `[min, max)` (default [0, 1)). */
export function uniform(shape: readonly number[], opts?: RandomOptions & { min?: number; max?: number }): Tensor;
/** TF.js's positional form (tf.randomUniform): `minval, maxval, dtype, seed`. */
export function uniform(shape: readonly number[], minval: number, maxval?: number, dtype?: DType, seed?: number): Tensor;
export function uniform(shape: readonly number[], ...args: unknown[]): Tensor {
  const opts = randomOptions<RandomOptions & { min?: number; max?: number }>('random.uniform', args, ['min', 'max'], 'random.uniform(shape, { min, max, dtype, seed })');
  const min = opts.min ?? 0;
  const max = opts.max ?? 1;
  if (!(max >= min)) throw new ValueError(`random.uniform: max (${max}) must be >= min (${min})`);
  return draw(shape, floatDType('random.uniform', opts.dtype), { kind: 'uniform', min, max }, opts.seed, 'random.uniform');
}

/** Normal values with `mean` (default 0) and `stddev` (default 1). */
export function normal(shape: readonly number[], opts?: RandomOptions & { mean?: number; stddev?: number }): Tensor;
/** TF.js's positional form (tf.randomNormal): `mean, stdDev, dtype, seed`. */
export function normal(shape: readonly number[], mean: number, stdDev?: number, dtype?: DType, seed?: number): Tensor;
export function normal(shape: readonly number[], ...args: unknown[]): Tensor {
  const opts = randomOptions<RandomOptions & { mean?: number; stddev?: number }>('random.normal', args, ['mean', 'stddev'], 'random.normal(shape, { mean, stddev, dtype, seed })');
  const stddev = opts.stddev ?? 1;
  if (!(stddev >= 0)) throw new ValueError(`random.normal: stddev must be >= 0, got ${stddev}`);
  return draw(shape, floatDType('random.normal', opts.dtype), { kind: 'normal', mean: opts.mean ?? 0, stddev, truncated: false }, opts.seed, 'random.normal');
}

/** Normal values redrawn until within two standard deviations of the mean (like tf.random.truncated_normal). */
export function truncatedNormal(shape: readonly number[], opts?: RandomOptions & { mean?: number; stddev?: number }): Tensor;
/** TF.js's positional form (tf.truncatedNormal): `mean, stdDev, dtype, seed`. */
export function truncatedNormal(shape: readonly number[], mean: number, stdDev?: number, dtype?: DType, seed?: number): Tensor;
export function truncatedNormal(shape: readonly number[], ...args: unknown[]): Tensor {
  const opts = randomOptions<RandomOptions & { mean?: number; stddev?: number }>(
    'random.truncatedNormal',
    args,
    ['mean', 'stddev'],
    'random.truncatedNormal(shape, { mean, stddev, dtype, seed })',
  );
  const stddev = opts.stddev ?? 1;
  if (!(stddev >= 0)) throw new ValueError(`random.truncatedNormal: stddev must be >= 0, got ${stddev}`);
  return draw(shape, floatDType('random.truncatedNormal', opts.dtype), { kind: 'normal', mean: opts.mean ?? 0, stddev, truncated: true }, opts.seed, 'random.truncatedNormal');
}

/** Integers uniformly in [min, max). */
export function int(shape: readonly number[], min: number, max: number, opts?: RandomOptions): Tensor;
export function int(shape: readonly number[], min: number, max: number, ...args: unknown[]): Tensor {
  const opts = optionsOnly<RandomOptions>('random.int', args, 'random.int(shape, min, max, { dtype, seed })');
  if (!Number.isInteger(min) || !Number.isInteger(max) || max <= min) {
    throw new ValueError(`random.int: expected integers min < max, got ${min}, ${max}`);
  }
  return draw(shape, opts.dtype ?? 'int32', { kind: 'int', min, max }, opts.seed, 'random.int');
}

const INDEX_SPAN = 2 ** 21;

/** A random permutation of 0..n-1 (int32), from the global generator or an op-level seed. Made on the host. */
export function permutation(n: number, opts?: { seed?: number }): Tensor;
export function permutation(n: number, ...args: unknown[]): Tensor {
  const opts = optionsOnly<{ seed?: number }>('random.permutation', args, 'random.permutation(n, { seed })');
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`random.permutation: n must be a non-negative integer, got ${n}`);
  const attrs: RandomAttrs = { shape: [n], dtype: 'float64', key: keyFor(opts.seed), dist: { kind: 'uniform', min: 0, max: 1 }, fromGenerator: false };
  // Rows ordered by their uniform key, ties by row. Each key is a 32-bit integer over 2^32, so
  // key * 2^21 + row is exact below 2^53 and a plain numeric sort gives that order (a comparator
  // sort of a 60,000-row epoch took tens of milliseconds).
  if (n <= INDEX_SPAN) {
    const keyed = new Float64Array(n);
    for (let i = 0; i < n; i++) keyed[i] = randomValue(attrs, i) * 4294967296 * INDEX_SPAN + i;
    keyed.sort();
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = keyed[i]! % INDEX_SPAN;
    return tensor(idx, [n], 'int32');
  }
  const k = Float64Array.from({ length: n }, (_, i) => randomValue(attrs, i));
  const idx = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => k[a]! - k[b]! || a - b);
  return tensor(idx, [n], 'int32');
}
