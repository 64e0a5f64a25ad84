// Regularization layers active only in training: GaussianNoise, GaussianDropout, AlphaDropout and
// SpatialDropout1D/2D/3D (whole channels dropped). At inference each returns its input.
import { ShapeError, ValueError } from '../../errors.js';
import { dropout } from '../../ops/composite/dropout.js';
import { add, mul } from '../../ops/primitives/binary.js';
import { cast } from '../../ops/primitives/cast.js';
import { greaterEqual } from '../../ops/primitives/compare.js';
import { normal, uniform } from '../../ops/primitives/random.js';
import type { Tensor } from '../../tensor/tensor.js';
import { mergePositional, optionKeys } from '../../check-options.js';
import { LAYER_KEYS, Layer, type CallArgs, type InputShapes, type LayerArgs, type Shape } from './layer.js';
import { SeedSequence } from './seed-sequence.js';

function checkRate(layer: string, rate: unknown): number {
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) throw new ValueError(`${layer}: rate must be a number in [0, 1), got ${JSON.stringify(rate)}`);
  return rate;
}

/** Training-only noise: identity at inference; a seeded layer draws new noise per call from its seed. */
abstract class NoiseLayer extends Layer {
  override readonly supportsMasking = true;
  private readonly seeds: SeedSequence;
  constructor(args: LayerArgs & { seed?: number | null }) {
    super(args);
    this.seeds = new SeedSequence(this.className, args.seed);
  }
  get seed(): number | undefined {
    return this.seeds.seed;
  }
  /** The op-level seed of this call (undefined: the global generator). */
  protected nextSeed(): number | undefined {
    return this.seeds.next();
  }
  protected abstract noisy(x: Tensor): Tensor;
  override call(x: Tensor, kwargs: CallArgs): Tensor {
    return kwargs.training ? this.noisy(x) : x;
  }
  override computeOutputShape(s: InputShapes): InputShapes {
    return s;
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), seed: this.seed };
  }
}

export interface GaussianNoiseArgs extends LayerArgs {
  /** Standard deviation of the added noise. */
  stddev?: number;
  seed?: number | null;
}

const GAUSSIAN_NOISE_KEYS = optionKeys<GaussianNoiseArgs>({ ...LAYER_KEYS, stddev: true, seed: true });

/** Adds zero-mean normal noise of `stddev` while training. */
export class GaussianNoise extends NoiseLayer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = GAUSSIAN_NOISE_KEYS;
  readonly stddev: number;
  constructor(stddev: number | GaussianNoiseArgs, args?: GaussianNoiseArgs) {
    const a = mergePositional<GaussianNoiseArgs>('GaussianNoise', GAUSSIAN_NOISE_KEYS, ['stddev'], [stddev, args]);
    super(a);
    if (typeof a.stddev !== 'number' || !(a.stddev >= 0) || !Number.isFinite(a.stddev)) throw new ValueError(`GaussianNoise: stddev must be a number >= 0, got ${JSON.stringify(a.stddev)}`);
    this.stddev = a.stddev;
  }
  protected noisy(x: Tensor): Tensor {
    return add(x, normal(x.shape, { stddev: this.stddev, dtype: x.dtype, seed: this.nextSeed() }));
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), stddev: this.stddev };
  }
}

export interface GaussianDropoutArgs extends LayerArgs {
  /** Drop probability; the noise has standard deviation sqrt(rate / (1 - rate)). */
  rate?: number;
  seed?: number | null;
}

const GAUSSIAN_DROPOUT_KEYS = optionKeys<GaussianDropoutArgs>({ ...LAYER_KEYS, rate: true, seed: true });

/** Multiplies by normal noise of mean 1 and standard deviation sqrt(rate / (1 - rate)) while training. */
export class GaussianDropout extends NoiseLayer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = GAUSSIAN_DROPOUT_KEYS;
  readonly rate: number;
  constructor(rate: number | GaussianDropoutArgs, args?: GaussianDropoutArgs) {
    const a = mergePositional<GaussianDropoutArgs>('GaussianDropout', GAUSSIAN_DROPOUT_KEYS, ['rate'], [rate, args]);
    super(a);
    this.rate = checkRate('GaussianDropout', a.rate);
  }
  protected noisy(x: Tensor): Tensor {
    if (this.rate === 0) return x;
    return mul(x, normal(x.shape, { mean: 1, stddev: Math.sqrt(this.rate / (1 - this.rate)), dtype: x.dtype, seed: this.nextSeed() }));
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate };
  }
}

export interface AlphaDropoutArgs extends LayerArgs {
  rate?: number;
  /** Shape of the keep mask, 1 where it is shared (null: the input's size). */
  noiseShape?: Shape | null;
  seed?: number | null;
}

const ALPHA_DROPOUT_KEYS = optionKeys<AlphaDropoutArgs>({ ...LAYER_KEYS, rate: true, noiseShape: true, seed: true });

// SELU's constants: dropped units are set to SELU's negative saturation value.
const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

/**
 * Dropout for SELU networks: dropped units take SELU's saturation value and an affine correction
 * keeps the mean and variance of standardized inputs.
 */
export class AlphaDropout extends NoiseLayer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = ALPHA_DROPOUT_KEYS;
  readonly rate: number;
  readonly noiseShape: Shape | null;
  constructor(rate: number | AlphaDropoutArgs, args?: AlphaDropoutArgs) {
    const a = mergePositional<AlphaDropoutArgs>('AlphaDropout', ALPHA_DROPOUT_KEYS, ['rate'], [rate, args]);
    super(a);
    this.rate = checkRate('AlphaDropout', a.rate);
    this.noiseShape = a.noiseShape ? [...a.noiseShape] : null;
  }
  protected noisy(x: Tensor): Tensor {
    if (this.rate === 0) return x;
    const shape = this.noiseShape ? this.noiseShape.map((d, i) => d ?? x.shape[i]!) : x.shape;
    if (shape.length !== x.rank || shape.some((d, i) => d !== 1 && d !== x.shape[i])) {
      throw new ShapeError(`AlphaDropout '${this.name}': noiseShape [${shape.join(', ')}] does not broadcast to the input shape [${x.shape.join(', ')}]`);
    }
    const alphaP = -SELU_ALPHA * SELU_SCALE;
    const keep = cast(greaterEqual(uniform(shape, { dtype: x.dtype, seed: this.nextSeed() }), this.rate), x.dtype);
    const a = ((1 - this.rate) * (1 + this.rate * alphaP ** 2)) ** -0.5;
    const b = -a * alphaP * this.rate;
    // x where kept, alphaP where dropped; then a * that + b.
    const dropped = add(mul(x, keep), mul(add(keep, -1), -alphaP));
    return add(mul(dropped, a), b);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate, noiseShape: this.noiseShape };
  }
}

export interface SpatialDropoutArgs extends LayerArgs {
  rate?: number;
  seed?: number | null;
}

const SPATIAL_DROPOUT_KEYS = optionKeys<SpatialDropoutArgs>({ ...LAYER_KEYS, rate: true, seed: true });

/** Dropout of whole channels: one keep decision per (sample, channel), shared over the spatial axes. */
abstract class SpatialDropout extends NoiseLayer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = SPATIAL_DROPOUT_KEYS;
  readonly rate: number;
  constructor(
    readonly rank: number,
    given: unknown[],
  ) {
    const a = mergePositional<SpatialDropoutArgs>(new.target.name, SPATIAL_DROPOUT_KEYS, ['rate'], given);
    super(a);
    this.rate = checkRate(this.className, a.rate);
  }
  override build(inputShape: InputShapes): void {
    const s = inputShape as Shape;
    if (s.length !== this.rank + 2) {
      throw new ShapeError(`${this.className} '${this.name}': expects inputs of rank ${this.rank + 2} [batch, ...spatial, channels], got shape [${s.join(', ')}]`);
    }
    this.inputSpec = { ndim: this.rank + 2 };
  }
  protected noisy(x: Tensor): Tensor {
    const noiseShape = x.shape.map((d, i) => (i === 0 || i === x.rank - 1 ? d : 1));
    return dropout(x, this.rate, { noiseShape, seed: this.nextSeed() });
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate };
  }
}

/** Drops whole channels of [batch, steps, channels] while training. */
export class SpatialDropout1D extends SpatialDropout {
  constructor(rate: number | SpatialDropoutArgs, args?: SpatialDropoutArgs) {
    super(1, [rate, args]);
  }
}

/** Drops whole channels (feature maps) of [batch, h, w, channels] while training. */
export class SpatialDropout2D extends SpatialDropout {
  constructor(rate: number | SpatialDropoutArgs, args?: SpatialDropoutArgs) {
    super(2, [rate, args]);
  }
}

/** Drops whole channels of [batch, d, h, w, channels] while training. */
export class SpatialDropout3D extends SpatialDropout {
  constructor(rate: number | SpatialDropoutArgs, args?: SpatialDropoutArgs) {
    super(3, [rate, args]);
  }
}
