// Weight initializers (keras.initializers): objects with `call(shape, dtype)`, a config, and a
// lookup by name ('glorotUniform', 'glorot_uniform' and 'GlorotUniform' are the same).
import { ValueError } from '../errors.js';
import { full, tensor, zeros } from '../ops/creation.js';
import type { DType } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { normal, truncatedNormal, uniform } from '../ops/primitives/random.js';
import { isSerialized, lookupByName, lookupKey, type SerializedObject } from './serialization.js';

/** Base class of initializers: `call(shape, dtype)` makes the initial values. */
export abstract class Initializer {
  /** A tensor of `shape` and `dtype` (float32 by default) holding initial values. */
  abstract call(shape: readonly number[], dtype?: DType): Tensor;
  /** Constructor arguments as JSON, enough to make an equal initializer. */
  getConfig(): Record<string, unknown> {
    return {};
  }
  /** The registered class name. */
  get className(): string {
    return this.constructor.name;
  }
}

/** All zeros. */
export class Zeros extends Initializer {
  call(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    return zeros(shape, dtype);
  }
}

/** All ones. */
export class Ones extends Initializer {
  call(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    return full(shape, 1, dtype);
  }
}

/** Every element equal to `value` (default 0). */
export class Constant extends Initializer {
  readonly value: number;
  constructor(opts: number | { value?: number } = {}) {
    super();
    this.value = typeof opts === 'number' ? opts : (opts.value ?? 0);
  }
  call(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    return full(shape, this.value, dtype);
  }
  override getConfig() {
    return { value: this.value };
  }
}

interface SeedArgs {
  seed?: number;
}

/** Normal draws with `mean` (default 0) and `stddev` (default 0.05). */
export class RandomNormal extends Initializer {
  readonly mean: number;
  readonly stddev: number;
  readonly seed: number | undefined;
  constructor(opts: { mean?: number; stddev?: number } & SeedArgs = {}) {
    super();
    this.mean = opts.mean ?? 0;
    this.stddev = opts.stddev ?? 0.05;
    this.seed = opts.seed;
  }
  call(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    return normal(shape, { mean: this.mean, stddev: this.stddev, seed: this.seed, dtype });
  }
  override getConfig() {
    return { mean: this.mean, stddev: this.stddev, seed: this.seed };
  }
}

/** Uniform draws in `[minval, maxval)` (default `[-0.05, 0.05)`). */
export class RandomUniform extends Initializer {
  readonly minval: number;
  readonly maxval: number;
  readonly seed: number | undefined;
  constructor(opts: { minval?: number; maxval?: number } & SeedArgs = {}) {
    super();
    this.minval = opts.minval ?? -0.05;
    this.maxval = opts.maxval ?? 0.05;
    this.seed = opts.seed;
  }
  call(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    return uniform(shape, { min: this.minval, max: this.maxval, seed: this.seed, dtype });
  }
  override getConfig() {
    return { minval: this.minval, maxval: this.maxval, seed: this.seed };
  }
}

/** Normal draws redrawn when beyond two standard deviations of the mean. */
export class TruncatedNormal extends Initializer {
  readonly mean: number;
  readonly stddev: number;
  readonly seed: number | undefined;
  constructor(opts: { mean?: number; stddev?: number } & SeedArgs = {}) {
    super();
    this.mean = opts.mean ?? 0;
    this.stddev = opts.stddev ?? 0.05;
    this.seed = opts.seed;
  }
  call(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    return truncatedNormal(shape, { mean: this.mean, stddev: this.stddev, seed: this.seed, dtype });
  }
  override getConfig() {
    return { mean: this.mean, stddev: this.stddev, seed: this.seed };
  }
}

/** Fan-in and fan-out as Keras computes them: dense [in, out]; conv [...receptive, in, out]. */
export function computeFans(shape: readonly number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0]!, shape[0]!];
  if (shape.length === 2) return [shape[0]!, shape[1]!];
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return [shape.at(-2)! * receptive, shape.at(-1)! * receptive];
}

export type FanMode = 'fanIn' | 'fanOut' | 'fanAvg';
export type ScalingDistribution = 'truncatedNormal' | 'untruncatedNormal' | 'uniform';

// Standard deviation of a unit normal truncated to [-2, 2]; dividing by it restores the wanted variance.
const TRUNCATED_NORMAL_STD = 0.8796256610342398;

/** Draws with variance `scale / n`, n the fan chosen by `mode` (the family of Glorot, He and LeCun). */
export class VarianceScaling extends Initializer {
  readonly scale: number;
  readonly mode: FanMode;
  readonly distribution: ScalingDistribution;
  readonly seed: number | undefined;
  constructor(opts: { scale?: number; mode?: FanMode; distribution?: ScalingDistribution } & SeedArgs = {}) {
    super();
    this.scale = opts.scale ?? 1;
    this.mode = opts.mode ?? 'fanIn';
    this.distribution = opts.distribution ?? 'truncatedNormal';
    this.seed = opts.seed;
    if (!(this.scale > 0)) throw new ValueError(`VarianceScaling: scale must be positive, got ${this.scale}`);
    if (!['fanIn', 'fanOut', 'fanAvg'].includes(this.mode)) throw new ValueError(`VarianceScaling: mode must be fanIn, fanOut or fanAvg, got '${this.mode}'`);
    if (!['truncatedNormal', 'untruncatedNormal', 'uniform'].includes(this.distribution)) {
      throw new ValueError(`VarianceScaling: distribution must be truncatedNormal, untruncatedNormal or uniform, got '${this.distribution}'`);
    }
  }
  call(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    const [fanIn, fanOut] = computeFans(shape);
    const n = this.mode === 'fanIn' ? fanIn : this.mode === 'fanOut' ? fanOut : (fanIn + fanOut) / 2;
    const variance = this.scale / Math.max(1, n);
    const seed = this.seed;
    if (this.distribution === 'uniform') {
      const limit = Math.sqrt(3 * variance);
      return uniform(shape, { min: -limit, max: limit, seed, dtype });
    }
    if (this.distribution === 'untruncatedNormal') return normal(shape, { stddev: Math.sqrt(variance), seed, dtype });
    return truncatedNormal(shape, { stddev: Math.sqrt(variance) / TRUNCATED_NORMAL_STD, seed, dtype });
  }
  override getConfig(): Record<string, unknown> {
    return { scale: this.scale, mode: this.mode, distribution: this.distribution, seed: this.seed };
  }
}

function scaling(scale: number, mode: FanMode, distribution: ScalingDistribution) {
  /** VarianceScaling with a fixed scale, fan mode and distribution. */
  return class extends VarianceScaling {
    constructor(opts: SeedArgs = {}) {
      super({ scale, mode, distribution, seed: opts.seed });
    }
    /** Only the seed: scale, mode and distribution are fixed by the class. */
    override getConfig(): Record<string, unknown> {
      return { seed: this.seed };
    }
  };
}

/** Uniform with variance `1 / fanAvg` (Xavier). */
export class GlorotUniform extends scaling(1, 'fanAvg', 'uniform') {}
/** Truncated normal with variance `1 / fanAvg` (Xavier). */
export class GlorotNormal extends scaling(1, 'fanAvg', 'truncatedNormal') {}
/** Uniform with variance `2 / fanIn`. */
export class HeUniform extends scaling(2, 'fanIn', 'uniform') {}
/** Truncated normal with variance `2 / fanIn`. */
export class HeNormal extends scaling(2, 'fanIn', 'truncatedNormal') {}
/** Uniform with variance `1 / fanIn`. */
export class LecunUniform extends scaling(1, 'fanIn', 'uniform') {}
/** Truncated normal with variance `1 / fanIn`. */
export class LecunNormal extends scaling(1, 'fanIn', 'truncatedNormal') {}

/** A (semi-)orthogonal matrix times `gain`, from the QR decomposition of a normal matrix (Gram-Schmidt on the host). */
export class Orthogonal extends Initializer {
  readonly gain: number;
  readonly seed: number | undefined;
  constructor(opts: { gain?: number } & SeedArgs = {}) {
    super();
    this.gain = opts.gain ?? 1;
    this.seed = opts.seed;
  }
  call(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    if (shape.length < 2) throw new ValueError(`Orthogonal: needs a shape of rank >= 2, got [${shape.join(', ')}]`);
    const cols = shape.at(-1)!;
    const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
    // Orthonormalise the columns of the taller orientation, then transpose back if needed.
    const [n, m] = rows >= cols ? [rows, cols] : [cols, rows];
    const a = normal([m, n], { seed: this.seed, dtype: 'float64' }).dataSync() as Float64Array;
    for (let i = 0; i < m; i++) {
      const vi = a.subarray(i * n, (i + 1) * n);
      for (let j = 0; j < i; j++) {
        const vj = a.subarray(j * n, (j + 1) * n);
        let d = 0;
        for (let k = 0; k < n; k++) d += vi[k]! * vj[k]!;
        for (let k = 0; k < n; k++) vi[k]! -= d * vj[k]!;
      }
      let norm = 0;
      for (let k = 0; k < n; k++) norm += vi[k]! * vi[k]!;
      norm = Math.sqrt(norm) || 1;
      for (let k = 0; k < n; k++) vi[k]! /= norm;
    }
    // `a` holds m orthonormal vectors of length n as rows: that is the [cols, rows] matrix when rows >= cols.
    const out = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) out[r * cols + c] = this.gain * (rows >= cols ? a[c * n + r]! : a[r * n + c]!);
    }
    return tensor(out, [...shape], dtype);
  }
  override getConfig() {
    return { gain: this.gain, seed: this.seed };
  }
}

/** An identity matrix times `gain` (2-D shapes only). */
export class Identity extends Initializer {
  readonly gain: number;
  constructor(opts: { gain?: number } = {}) {
    super();
    this.gain = opts.gain ?? 1;
  }
  call(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    if (shape.length !== 2) throw new ValueError(`Identity: needs a 2-D shape, got [${shape.join(', ')}]`);
    const [r, c] = shape as [number, number];
    const out = new Float64Array(r * c);
    for (let i = 0; i < Math.min(r, c); i++) out[i * c + i] = this.gain;
    return tensor(out, [r, c], dtype);
  }
  override getConfig() {
    return { gain: this.gain };
  }
}

type InitializerClass = new (config?: never) => Initializer;
const CLASSES: Record<string, InitializerClass> = {
  Zeros, Ones, Constant, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling,
  GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal, Orthogonal, Identity,
};
const TABLE = new Map<string, InitializerClass>(Object.entries(CLASSES).map(([k, v]) => [lookupKey(k), v]));

/** Something that names or is an initializer: 'glorotUniform', {className, config}, or an Initializer. */
export type InitializerIdentifier = string | Initializer | SerializedObject;

/** Resolve a name, a serialized object or an instance to an Initializer. */
export function getInitializer(id: InitializerIdentifier): Initializer {
  if (id instanceof Initializer) return id;
  if (typeof id === 'string') {
    const cls = lookupByName('initializer', TABLE, id, Object.keys(CLASSES));
    return new cls();
  }
  if (isSerialized(id)) {
    const cls = lookupByName('initializer', TABLE, id.className, Object.keys(CLASSES));
    return new cls(id.config as never);
  }
  throw new ValueError(`getInitializer: expected a name, {className, config} or an Initializer, got ${typeof id}`);
}

/** An initializer as `{ className, config }` JSON. */
export function serializeInitializer(init: Initializer): SerializedObject {
  return { className: init.className, config: init.getConfig() };
}

