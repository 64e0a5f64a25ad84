// The training-time augmentations RandomHeight and RandomWidth over [batch, height, width,
// channels], and the image helpers RandomCrop shares (Resizing and CenterCrop: image-resizing.ts).
// Sampling follows Keras (tf.image.resize with half-pixel centres).
import { ShapeError, ValueError } from '../../errors.js';
import { cast } from '../../ops/primitives/cast.js';
import { slice } from '../../ops/primitives/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { isFloat } from '../../tensor/dtype.js';
import { positiveInt } from './core.js';
import { mergePositional, optionKeys } from '../../check-options.js';
import { LAYER_KEYS, Layer, type CallArgs, type InputShapes, type LayerArgs, type Shape } from './layer.js';
import { resizeAxis, type ResizeMethod } from './resize-axis.js';
import { SeedSequence } from './seed-sequence.js';
import { factorRange } from './factor-range.js';

export function checkImage(layer: Layer, s: readonly (number | null)[]): void {
  if (s.length !== 4) throw new ShapeError(`${layer.className} '${layer.name}': expects images [batch, height, width, channels], got shape [${s.join(', ')}]`);
}

function checkMethod(layer: string, m: unknown): ResizeMethod {
  const v = m ?? 'bilinear';
  if (v !== 'bilinear' && v !== 'nearest') throw new ValueError(`${layer}: interpolation must be 'bilinear' or 'nearest', got ${JSON.stringify(m)}`);
  return v;
}

/**
 * Float images [B, H, W, C] (integers are cast to float32 first) resized to `height` x `width` as
 * tf.image.resize does (half-pixel centres, no antialiasing).
 */
export function resizeImages(x: Tensor, height: number, width: number, method: ResizeMethod): Tensor {
  const f = isFloat(x.dtype) ? x : cast(x, 'float32');
  return resizeAxis(resizeAxis(f, 1, height, method, 'halfPixel'), 2, width, method, 'halfPixel');
}

/** The largest centred window of the target's aspect ratio (Keras's smart_resize crop), then resized. */
export function cropToAspectThenResize(x: Tensor, height: number, width: number, method: ResizeMethod): Tensor {
  const [, h, w] = x.shape as number[];
  const cropH = Math.min(h!, Math.floor((w! * height) / width));
  const cropW = Math.min(w!, Math.floor((h! * width) / height));
  const top = Math.floor((h! - cropH) / 2);
  const left = Math.floor((w! - cropW) / 2);
  return resizeImages(slice(x, [0, top, left, 0], [-1, cropH, cropW, -1]), height, width, method);
}

export interface RandomResizeArgs extends LayerArgs {
  /** Size change as a fraction: f for [-f, f], or [lower, upper] (lower >= -1). */
  factor?: number | [number, number];
  /** 'bilinear' (default) or 'nearest'. */
  interpolation?: ResizeMethod;
  seed?: number | null;
}

const RANDOM_RESIZE_KEYS = optionKeys<RandomResizeArgs>({ ...LAYER_KEYS, factor: true, interpolation: true, seed: true });

/**
 * While training, each call scales one spatial axis by a factor drawn from 1 + [lower, upper];
 * identity at inference. The factor is drawn in JavaScript (the output's shape depends on it), so
 * inside a jitted training step it is drawn once per trace.
 */
abstract class RandomResize extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = RANDOM_RESIZE_KEYS;
  readonly factor: [number, number];
  readonly interpolation: ResizeMethod;
  private readonly seeds: SeedSequence;
  constructor(
    readonly axis: 1 | 2,
    given: unknown[],
  ) {
    const a = mergePositional<RandomResizeArgs>(new.target.name, RANDOM_RESIZE_KEYS, ['factor'], given);
    super(a);
    this.factor = factorRange(this.className, 'factor', a.factor, { lowest: -1 });
    this.interpolation = checkMethod(this.className, a.interpolation);
    this.seeds = new SeedSequence(this.className, a.seed);
  }
  get seed(): number | undefined {
    return this.seeds.seed;
  }
  override call(x: Tensor, kwargs: CallArgs): Tensor {
    checkImage(this, x.shape);
    if (!kwargs.training) return x;
    const u = this.seeds.nextUnit();
    const scale = 1 + this.factor[0] + u * (this.factor[1] - this.factor[0]);
    const n = x.shape[this.axis]!;
    const size = Math.max(1, Math.floor(n * scale));
    const [h, w] = this.axis === 1 ? [size, x.shape[2]!] : [x.shape[1]!, size];
    return resizeImages(x, h, w, this.interpolation);
  }
  override computeOutputShape(inputShape: InputShapes): Shape {
    const s = inputShape as Shape;
    checkImage(this, s);
    // The size drawn while training is unknown ahead.
    return s.map((d, i) => (i === this.axis ? null : d));
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), factor: [...this.factor], interpolation: this.interpolation, seed: this.seed };
  }
}

/** Randomly stretches or shrinks the height of images while training (identity at inference). */
export class RandomHeight extends RandomResize {
  constructor(factor: number | [number, number] | RandomResizeArgs, args?: RandomResizeArgs) {
    super(1, [factor, args]);
  }
}

/** Randomly stretches or shrinks the width of images while training (identity at inference). */
export class RandomWidth extends RandomResize {
  constructor(factor: number | [number, number] | RandomResizeArgs, args?: RandomResizeArgs) {
    super(2, [factor, args]);
  }
}
