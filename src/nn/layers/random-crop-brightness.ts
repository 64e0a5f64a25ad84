// Keras's RandomCrop and RandomBrightness: active while training; at inference RandomCrop takes
// the centred window (resized when the image is smaller) and RandomBrightness passes images through.
import { ValueError } from '../../errors.js';
import { clip, mean } from '../../ops/composite/math.js';
import { add, mul, sub } from '../../ops/primitives/binary.js';
import { cast } from '../../ops/primitives/cast.js';
import { less } from '../../ops/primitives/compare.js';
import { uniform } from '../../ops/primitives/random.js';
import { where } from '../../ops/primitives/select.js';
import { flip, slice } from '../../ops/primitives/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { isFloat } from '../../tensor/dtype.js';
import { positiveInt } from './core.js';
import { mergePositional, optionKeys } from '../../check-options.js';
import { LAYER_KEYS, Layer, type CallArgs, type InputShapes, type LayerArgs, type Shape } from './layer.js';
import { checkImage, cropToAspectThenResize } from './image-preprocessing.js';
import { SeedSequence } from './seed-sequence.js';
import { factorRange } from './factor-range.js';

const floatImages = (x: Tensor) => (isFloat(x.dtype) ? x : cast(x, 'float32'));

export interface RandomCropArgs extends LayerArgs {
  height?: number;
  width?: number;
  seed?: number | null;
}

const RANDOM_CROP_KEYS = optionKeys<RandomCropArgs>({ ...LAYER_KEYS, height: true, width: true, seed: true });

/**
 * While training, one random [height, width] window of the batch; at inference (and for images
 * smaller than the window) the largest centred window of that aspect ratio, resized, as Keras does.
 * The window's position is drawn in JavaScript, so a jitted training step draws it once per trace.
 */
export class RandomCrop extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = RANDOM_CROP_KEYS;
  readonly height: number;
  readonly width: number;
  private readonly seeds: SeedSequence;
  constructor(height: number | RandomCropArgs, width?: number | RandomCropArgs, args?: RandomCropArgs) {
    const a = mergePositional<RandomCropArgs>('RandomCrop', RANDOM_CROP_KEYS, ['height', 'width'], [height, width, args]);
    super(a);
    this.height = positiveInt('RandomCrop', 'height', a.height);
    this.width = positiveInt('RandomCrop', 'width', a.width);
    this.seeds = new SeedSequence('RandomCrop', a.seed);
  }
  get seed(): number | undefined {
    return this.seeds.seed;
  }
  override call(x: Tensor, kwargs: CallArgs): Tensor {
    checkImage(this, x.shape);
    const [, h, w] = x.shape as number[];
    if (!kwargs.training || h! < this.height || w! < this.width) return cropToAspectThenResize(x, this.height, this.width, 'bilinear');
    const top = Math.floor(this.seeds.nextUnit() * (h! - this.height + 1));
    const left = Math.floor(this.seeds.nextUnit() * (w! - this.width + 1));
    return floatImages(slice(x, [0, top, left, 0], [-1, this.height, this.width, -1]));
  }
  override computeOutputShape(inputShape: InputShapes): Shape {
    const s = inputShape as Shape;
    checkImage(this, s);
    return [s[0] ?? null, this.height, this.width, s[3] ?? null];
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), height: this.height, width: this.width, seed: this.seed };
  }
}

/** A factor f as [-f, f], or [lower, upper]; `what` for the error. */
export interface RandomBrightnessArgs extends LayerArgs {
  /** Change as a fraction of the value range: f for [-f, f], or [lower, upper] within [-1, 1]. */
  factor?: number | [number, number];
  /** The images' value range (default [0, 255]); results are clipped to it. */
  valueRange?: [number, number];
  seed?: number | null;
}

const RANDOM_BRIGHTNESS_KEYS = optionKeys<RandomBrightnessArgs>({ ...LAYER_KEYS, factor: true, valueRange: true, seed: true });

/** While training, adds to each image a random offset (a fraction of the value range), clipped to the range. */
export class RandomBrightness extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = RANDOM_BRIGHTNESS_KEYS;
  readonly factor: [number, number];
  readonly valueRange: [number, number];
  private readonly seeds: SeedSequence;
  constructor(factor: number | [number, number] | RandomBrightnessArgs, args?: RandomBrightnessArgs) {
    const a = mergePositional<RandomBrightnessArgs>('RandomBrightness', RANDOM_BRIGHTNESS_KEYS, ['factor'], [factor, args]);
    super(a);
    this.factor = factorRange('RandomBrightness', 'factor', a.factor, { lowest: -1 });
    if (this.factor[1] > 1) throw new ValueError(`RandomBrightness: factor must lie within [-1, 1], got ${JSON.stringify(a.factor)}`);
    const r = a.valueRange ?? [0, 255];
    if (!Array.isArray(r) || r.length !== 2 || !(r[0] < r[1])) throw new ValueError(`RandomBrightness: valueRange must be [low, high] with low < high, got ${JSON.stringify(a.valueRange)}`);
    this.valueRange = [r[0], r[1]];
    this.seeds = new SeedSequence(this.className, a.seed);
  }
  override call(x: Tensor, kwargs: CallArgs): Tensor {
    checkImage(this, x.shape);
    if (!kwargs.training) return x;
    const [lo, hi] = this.valueRange;
    const f = floatImages(x);
    const delta = mul(uniform([x.shape[0]!, 1, 1, 1], { min: this.factor[0], max: this.factor[1], seed: this.seeds.next(), dtype: f.dtype }), hi - lo);
    return clip(add(f, delta), lo, hi);
  }
  override computeOutputShape(s: InputShapes): InputShapes {
    return s;
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), factor: [...this.factor], valueRange: [...this.valueRange], seed: this.seeds.seed };
  }
}
