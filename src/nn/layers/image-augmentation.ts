// Keras's image augmentation layers: random flips, rotations, zooms, translations and contrast,
// drawn per image and active only in training (identity in predict/evaluate). Their random draws
// are nabla random ops, so a jitted training step draws new values every step.
import { ValueError } from '../../errors.js';
import { add, mul, sub } from '../../ops/primitives/binary.js';
import { cast } from '../../ops/primitives/cast.js';
import { less } from '../../ops/primitives/compare.js';
import { broadcastTo, reshape, flip } from '../../ops/primitives/shape.js';
import { cos, sin } from '../../ops/primitives/unary.js';
import { where } from '../../ops/primitives/select.js';
import { clip, mean } from '../../ops/composite/math.js';
import { uniform } from '../../ops/primitives/random.js';
import { range } from '../../ops/creation.js';
import { isFloat, type DType } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import { mergePositional, optionKeys } from '../../check-options.js';
import { LAYER_KEYS, Layer, type CallArgs, type InputShapes, type LayerArgs } from './layer.js';
import { FILL_MODES, INTERPOLATIONS, oneOf, sampleImages, type FillMode, type Interpolation } from './image-sampling.js';
import { SeedSequence } from './seed-sequence.js';
import { onImageBatch } from './image-batch.js';
import { factorRange } from './factor-range.js';

/** A factor as Keras takes it: one number f for [-f, f] (or [f, f] where noted), or [lower, upper]. */
export type Factor = number | [number, number];

/** Shared by the random layers: the seed (a seeded layer still draws anew each call), training-only. */
abstract class RandomImageLayer extends Layer {
  private readonly seeds: SeedSequence;
  constructor(args: LayerArgs & { seed?: number }) {
    super(args);
    this.seeds = new SeedSequence(this.className, args.seed);
  }
  get seed(): number | undefined {
    return this.seeds.seed;
  }
  /** `count` values in [lo, hi), one per image. */
  protected draw(count: number, lo: number, hi: number, dtype: DType): Tensor {
    return uniform([count], { min: lo, max: hi, seed: this.seeds.next(), dtype });
  }
  override call(x: Tensor, kwargs: CallArgs): Tensor {
    if (!kwargs.training) return x;
    const xf = isFloat(x.dtype) ? x : cast(x, isFloat(this.dtype) ? this.dtype : 'float32');
    return onImageBatch(this.className, xf, (b) => this.augment(b));
  }
  protected abstract augment(images: Tensor): Tensor;
  override computeOutputShape(s: InputShapes): InputShapes {
    return s;
  }
  override getConfig() {
    return { ...super.getConfig(), seed: this.seed };
  }
}

export type FlipMode = 'horizontal' | 'vertical' | 'horizontal_and_vertical';
export interface RandomFlipArgs extends LayerArgs {
  mode?: FlipMode;
  seed?: number;
}
const RANDOM_FLIP_KEYS = optionKeys<RandomFlipArgs>({ ...LAYER_KEYS, mode: true, seed: true });

/** Flips each image left-right and/or up-down with probability 1/2 (`mode`, default both). */
export class RandomFlip extends RandomImageLayer {
  static readonly optionKeys: readonly string[] = RANDOM_FLIP_KEYS;
  readonly mode: FlipMode;
  constructor(mode?: FlipMode | RandomFlipArgs, args?: RandomFlipArgs) {
    const a = mergePositional<RandomFlipArgs>('RandomFlip', RANDOM_FLIP_KEYS, ['mode'], [mode, args]);
    super(a);
    this.mode = oneOf('RandomFlip', 'mode', a.mode ?? 'horizontal_and_vertical', ['horizontal', 'vertical', 'horizontal_and_vertical'] as const);
  }
  protected augment(x: Tensor): Tensor {
    const b = x.shape[0]!;
    let out = x;
    const axes = this.mode === 'horizontal' ? [2] : this.mode === 'vertical' ? [1] : [2, 1];
    for (const axis of axes) out = where(reshape(less(this.draw(b, 0, 1, x.dtype), 0.5), [b, 1, 1, 1]), flip(out, [axis]), out);
    return out;
  }
  override getConfig() {
    return { ...super.getConfig(), mode: this.mode };
  }
}

interface TransformArgs extends LayerArgs {
  fillMode?: FillMode;
  interpolation?: Interpolation;
  fillValue?: number;
  seed?: number;
}
const TRANSFORM_KEYS = { ...LAYER_KEYS, fillMode: true, interpolation: true, fillValue: true, seed: true } as const;

/** Geometric layers: each output pixel reads the input at a per-image affine map of its position about the centre. */
abstract class RandomTransformLayer extends RandomImageLayer {
  readonly fillMode: FillMode;
  readonly interpolation: Interpolation;
  readonly fillValue: number;
  constructor(where: string, a: TransformArgs) {
    super(a);
    this.fillMode = oneOf(where, 'fillMode', a.fillMode ?? 'reflect', FILL_MODES);
    this.interpolation = oneOf(where, 'interpolation', a.interpolation ?? 'bilinear', INTERPOLATIONS);
    this.fillValue = a.fillValue ?? 0;
  }
  /**
   * Per image, the source offsets from the centre for the output offsets (u, v) (x right, y down):
   * [uIn, vIn] as tensors [B, H, W].
   */
  protected abstract mapOffsets(u: Tensor, v: Tensor, batch: number, height: number, width: number, dtype: DType): [Tensor, Tensor];
  protected augment(x: Tensor): Tensor {
    const [b, h, w] = x.shape as [number, number, number, number];
    const cy = (h - 1) / 2;
    const cx = (w - 1) / 2;
    const v = reshape(sub(range(0, h, 1, x.dtype), cy), [1, h, 1]);
    const u = reshape(sub(range(0, w, 1, x.dtype), cx), [1, 1, w]);
    const [uIn, vIn] = this.mapOffsets(broadcastTo(u, [1, h, w]), broadcastTo(v, [1, h, w]), b, h, w, x.dtype);
    const srcX = broadcastTo(add(uIn, cx), [b, h, w]);
    const srcY = broadcastTo(add(vIn, cy), [b, h, w]);
    return sampleImages(x, srcY, srcX, { interpolation: this.interpolation, fillMode: this.fillMode, fillValue: this.fillValue });
  }
  override getConfig() {
    return { ...super.getConfig(), fillMode: this.fillMode, interpolation: this.interpolation, fillValue: this.fillValue };
  }
}

const perImage = (t: Tensor) => reshape(t, [t.shape[0]!, 1, 1]);

export interface RandomRotationArgs extends TransformArgs {
  /** Fraction of a full turn: f for angles in [-f, f] x 2π, or [lower, upper]. Positive turns counter-clockwise. */
  factor?: Factor;
}
const RANDOM_ROTATION_KEYS = optionKeys<RandomRotationArgs>({ ...TRANSFORM_KEYS, factor: true });

/** Rotates each image by a random angle about its centre. */
export class RandomRotation extends RandomTransformLayer {
  static readonly optionKeys: readonly string[] = RANDOM_ROTATION_KEYS;
  readonly factor: [number, number];
  constructor(factor: Factor | RandomRotationArgs, args?: RandomRotationArgs) {
    const a = mergePositional<RandomRotationArgs>('RandomRotation', RANDOM_ROTATION_KEYS, ['factor'], [factor, args]);
    super('RandomRotation', a);
    this.factor = factorRange('RandomRotation', 'factor', a.factor);
  }
  protected mapOffsets(u: Tensor, v: Tensor, b: number, _h: number, _w: number, dtype: DType): [Tensor, Tensor] {
    const angle = perImage(this.draw(b, this.factor[0] * 2 * Math.PI, this.factor[1] * 2 * Math.PI, dtype));
    const c = cos(angle);
    const s = sin(angle);
    // The output at (u, v) shows the input point the rotation carried there (y points down).
    return [sub(mul(c, u), mul(s, v)), add(mul(s, u), mul(c, v))];
  }
  override getConfig() {
    return { ...super.getConfig(), factor: this.factor };
  }
}

export interface RandomZoomArgs extends TransformArgs {
  /** Zoom fraction: f for [-f, f], or [lower, upper]; positive zooms out, negative zooms in. */
  heightFactor?: Factor;
  /** As heightFactor for the width; omitted: the height's zoom (the aspect ratio is kept). */
  widthFactor?: Factor | null;
}
const RANDOM_ZOOM_KEYS = optionKeys<RandomZoomArgs>({ ...TRANSFORM_KEYS, heightFactor: true, widthFactor: true });

/** Zooms each image in or out by a random amount about its centre. */
export class RandomZoom extends RandomTransformLayer {
  static readonly optionKeys: readonly string[] = RANDOM_ZOOM_KEYS;
  readonly heightFactor: [number, number];
  readonly widthFactor: [number, number] | null;
  constructor(heightFactor: Factor | RandomZoomArgs, widthFactor?: Factor | null | RandomZoomArgs, args?: RandomZoomArgs) {
    const a = mergePositional<RandomZoomArgs>('RandomZoom', RANDOM_ZOOM_KEYS, ['heightFactor', 'widthFactor'], [heightFactor, widthFactor, args]);
    super('RandomZoom', a);
    this.heightFactor = factorRange('RandomZoom', 'heightFactor', a.heightFactor);
    this.widthFactor = a.widthFactor == null ? null : factorRange('RandomZoom', 'widthFactor', a.widthFactor);
    for (const f of [this.heightFactor, this.widthFactor]) {
      if (f && f[0] <= -1) throw new ValueError(`RandomZoom: a factor's lower bound must be above -1 (a zoom of 1 + lower), got ${f[0]}`);
    }
  }
  protected mapOffsets(u: Tensor, v: Tensor, b: number, _h: number, _w: number, dtype: DType): [Tensor, Tensor] {
    const zy = perImage(this.draw(b, 1 + this.heightFactor[0], 1 + this.heightFactor[1], dtype));
    const zx = this.widthFactor ? perImage(this.draw(b, 1 + this.widthFactor[0], 1 + this.widthFactor[1], dtype)) : zy;
    return [mul(zx, u), mul(zy, v)];
  }
  override getConfig() {
    return { ...super.getConfig(), heightFactor: this.heightFactor, widthFactor: this.widthFactor };
  }
}

export interface RandomTranslationArgs extends TransformArgs {
  /** Shift as a fraction of the height: f for [-f, f], or [lower, upper]; positive moves the image down. */
  heightFactor?: Factor;
  /** Shift as a fraction of the width; positive moves the image right. */
  widthFactor?: Factor;
}
const RANDOM_TRANSLATION_KEYS = optionKeys<RandomTranslationArgs>({ ...TRANSFORM_KEYS, heightFactor: true, widthFactor: true });

/** Shifts each image by a random offset. */
export class RandomTranslation extends RandomTransformLayer {
  static readonly optionKeys: readonly string[] = RANDOM_TRANSLATION_KEYS;
  readonly heightFactor: [number, number];
  readonly widthFactor: [number, number];
  constructor(heightFactor: Factor | RandomTranslationArgs, widthFactor?: Factor | RandomTranslationArgs, args?: RandomTranslationArgs) {
    const a = mergePositional<RandomTranslationArgs>('RandomTranslation', RANDOM_TRANSLATION_KEYS, ['heightFactor', 'widthFactor'], [heightFactor, widthFactor, args]);
    super('RandomTranslation', a);
    this.heightFactor = factorRange('RandomTranslation', 'heightFactor', a.heightFactor);
    this.widthFactor = factorRange('RandomTranslation', 'widthFactor', a.widthFactor);
  }
  protected mapOffsets(u: Tensor, v: Tensor, b: number, h: number, w: number, dtype: DType): [Tensor, Tensor] {
    const dy = perImage(this.draw(b, this.heightFactor[0] * h, this.heightFactor[1] * h, dtype));
    const dx = perImage(this.draw(b, this.widthFactor[0] * w, this.widthFactor[1] * w, dtype));
    return [sub(u, dx), sub(v, dy)];
  }
  override getConfig() {
    return { ...super.getConfig(), heightFactor: this.heightFactor, widthFactor: this.widthFactor };
  }
}

export interface RandomContrastArgs extends LayerArgs {
  /** f for contrast factors in [1 - f, 1 + f], or [lower, upper] for [1 - lower, 1 + upper]. */
  factor?: Factor;
  /** The pixel range the result is clipped to (default [0, 255]). */
  valueRange?: [number, number];
  seed?: number;
}
const RANDOM_CONTRAST_KEYS = optionKeys<RandomContrastArgs>({ ...LAYER_KEYS, factor: true, valueRange: true, seed: true });

/** Scales each image's deviation from its per-channel mean by a random factor, then clips to valueRange. */
export class RandomContrast extends RandomImageLayer {
  static readonly optionKeys: readonly string[] = RANDOM_CONTRAST_KEYS;
  readonly factor: [number, number];
  readonly valueRange: [number, number];
  constructor(factor: Factor | RandomContrastArgs, args?: RandomContrastArgs) {
    const a = mergePositional<RandomContrastArgs>('RandomContrast', RANDOM_CONTRAST_KEYS, ['factor'], [factor, args]);
    super(a);
    this.factor = factorRange('RandomContrast', 'factor', a.factor, { single: 'same' });
    if (this.factor[0] < 0 || this.factor[0] > 1 || this.factor[1] < 0) {
      throw new ValueError(`RandomContrast: factor must be in [0, 1] (lower) and >= 0 (upper), got ${JSON.stringify(a.factor)}`);
    }
    this.valueRange = a.valueRange ?? [0, 255];
  }
  protected augment(x: Tensor): Tensor {
    const b = x.shape[0]!;
    const c = reshape(this.draw(b, 1 - this.factor[0], 1 + this.factor[1], x.dtype), [b, 1, 1, 1]);
    const m = mean(x, [1, 2], true);
    return clip(add(mul(sub(x, m), c), m), this.valueRange[0], this.valueRange[1]);
  }
  override getConfig() {
    return { ...super.getConfig(), factor: this.factor, valueRange: this.valueRange };
  }
}
