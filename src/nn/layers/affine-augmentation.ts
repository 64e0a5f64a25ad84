// Keras's geometric augmentation layers: RandomRotation, RandomZoom, RandomTranslation. While
// training, each image is resampled through a random affine map (Keras's matrices, TensorFlow's
// fill modes and sampling); at inference they return their input. The maps are drawn in JavaScript
// (the sampling positions are gathered indices), so a jitted training step draws them once per trace.
import { ValueError } from '../../errors.js';
import { tensor } from '../../ops/creation.js';
import { add, mul } from '../../ops/primitives/binary.js';
import { cast } from '../../ops/primitives/cast.js';
import { gather } from '../../ops/primitives/indexing.js';
import { reshape } from '../../ops/primitives/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { isFloat } from '../../tensor/dtype.js';
import { mergePositional, optionKeys } from '../../check-options.js';
import { LAYER_KEYS, Layer, type CallArgs, type InputShapes, type LayerArgs } from './layer.js';
import { checkImage, unitFromSeed } from './image-preprocessing.js';

export type FillMode = 'reflect' | 'wrap' | 'constant' | 'nearest';
type Interp = 'bilinear' | 'nearest';
/** Output (x, y) samples input (a0 x + a1 y + a2, b0 x + b1 y + b2). */
type Affine = [number, number, number, number, number, number];

/** A source coordinate mapped into [0, n - 1] by the fill mode (TensorFlow's map_coord); constant leaves it. */
function mapCoord(c: number, n: number, mode: FillMode): number {
  if (mode === 'constant') return c;
  if (mode === 'nearest') return Math.min(Math.max(c, 0), n - 1);
  if (n <= 1) return 0;
  if (mode === 'wrap') {
    const m = ((c % n) + n) % n;
    return Math.min(Math.max(m, 0), n - 1);
  }
  // reflect: d c b a | a b c d | d c b a
  const period = 2 * n;
  let r = ((c % period) + period) % period;
  if (r >= n) r = period - r - 1;
  return Math.min(Math.max(r, 0), n - 1);
}

/** Every image of [batch, h, w, c] resampled through its affine map. */
function warp(x: Tensor, maps: Affine[], mode: FillMode, interp: Interp, fillValue: number): Tensor {
  const [b, h, w, c] = x.shape as [number, number, number, number];
  const n = b * h * w;
  const taps = interp === 'bilinear' ? 4 : 1;
  const idx = Array.from({ length: taps }, () => new Int32Array(n));
  const wts = Array.from({ length: taps }, () => new Float32Array(n));
  const fill = new Float32Array(n);
  const inside = (yy: number, xx: number) => yy >= 0 && yy < h && xx >= 0 && xx < w;
  for (let k = 0; k < b; k++) {
    const [a0, a1, a2, b0, b1, b2] = maps[k]!;
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const o = (k * h + i) * w + j;
        const sx = mapCoord(a0 * j + a1 * i + a2, w, mode);
        const sy = mapCoord(b0 * j + b1 * i + b2, h, mode);
        const put = (t: number, yy: number, xx: number, weight: number) => {
          if (inside(yy, xx)) {
            idx[t]![o] = (k * h + yy) * w + xx;
            wts[t]![o] = weight;
          } else fill[o]! += weight;
        };
        if (interp === 'nearest') {
          put(0, Math.round(sy), Math.round(sx), 1);
          continue;
        }
        const y0 = Math.floor(sy);
        const x0 = Math.floor(sx);
        const dy = sy - y0;
        const dx = sx - x0;
        put(0, y0, x0, (1 - dy) * (1 - dx));
        put(1, y0, x0 + 1, (1 - dy) * dx);
        put(2, y0 + 1, x0, dy * (1 - dx));
        put(3, y0 + 1, x0 + 1, dy * dx);
      }
    }
  }
  const f = isFloat(x.dtype) ? x : cast(x, 'float32');
  const flat = reshape(f, [n, c]);
  let out: Tensor = mul(tensor(fill, [n, 1], f.dtype), fillValue);
  for (let t = 0; t < taps; t++) out = add(out, mul(gather(flat, tensor(idx[t]!, [n], 'int32')), tensor(wts[t]!, [n, 1], f.dtype)));
  return reshape(out, [b, h, w, c]);
}

/** A factor f as [-f, f], or [lower, upper]. */
function range(layer: string, what: string, f: unknown, lowest: number): [number, number] {
  const pair: [number, number] | null = typeof f === 'number' && f >= 0 ? [-f, f] : Array.isArray(f) && f.length === 2 ? [f[0], f[1]] : null;
  if (!pair || !pair.every(Number.isFinite) || pair[0] > pair[1] || pair[0] < lowest) {
    throw new ValueError(`${layer}: ${what} must be a number f >= 0 (for [-f, f]) or [lower, upper] with ${lowest} <= lower <= upper, got ${JSON.stringify(f)}`);
  }
  return pair;
}

export interface AffineAugmentationArgs extends LayerArgs {
  /** How points outside the image are filled: 'reflect' (default), 'wrap', 'constant' or 'nearest'. */
  fillMode?: FillMode;
  /** 'bilinear' (default) or 'nearest'. */
  interpolation?: Interp;
  seed?: number | null;
  /** The value of 'constant' fill (default 0). */
  fillValue?: number;
}

const AFFINE_KEY_LIST = { ...LAYER_KEYS, fillMode: true, interpolation: true, seed: true, fillValue: true } as const;

abstract class AffineAugmentation extends Layer {
  readonly fillMode: FillMode;
  readonly interpolation: Interp;
  readonly seed: number | undefined;
  readonly fillValue: number;
  private calls = 0;
  constructor(a: AffineAugmentationArgs) {
    super(a);
    const mode = a.fillMode ?? 'reflect';
    if (!['reflect', 'wrap', 'constant', 'nearest'].includes(mode)) throw new ValueError(`${this.className}: fillMode must be 'reflect', 'wrap', 'constant' or 'nearest', got ${JSON.stringify(a.fillMode)}`);
    this.fillMode = mode;
    const interp = a.interpolation ?? 'bilinear';
    if (interp !== 'bilinear' && interp !== 'nearest') throw new ValueError(`${this.className}: interpolation must be 'bilinear' or 'nearest', got ${JSON.stringify(a.interpolation)}`);
    this.interpolation = interp;
    this.seed = a.seed ?? undefined;
    this.fillValue = a.fillValue ?? 0;
  }
  /** A number in [lo, hi). */
  protected draw(lo: number, hi: number): number {
    const u = this.seed === undefined ? Math.random() : unitFromSeed(this.seed + this.calls++ * 7919);
    return lo + u * (hi - lo);
  }
  /** This call's map for one image of height h and width w. */
  protected abstract map(h: number, w: number): Affine;
  override call(x: Tensor, kwargs: CallArgs): Tensor {
    checkImage(this, x.shape);
    if (!kwargs.training) return x;
    const [b, h, w] = x.shape as number[];
    return warp(x, Array.from({ length: b! }, () => this.map(h!, w!)), this.fillMode, this.interpolation, this.fillValue);
  }
  override computeOutputShape(s: InputShapes): InputShapes {
    return s;
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), fillMode: this.fillMode, interpolation: this.interpolation, seed: this.seed, fillValue: this.fillValue };
  }
}

export interface RandomRotationArgs extends AffineAugmentationArgs {
  /** Rotation as a fraction of a full turn: f for [-f, f], or [lower, upper]. */
  factor?: number | [number, number];
}

const RANDOM_ROTATION_KEYS = optionKeys<RandomRotationArgs>({ ...AFFINE_KEY_LIST, factor: true });

/** While training, rotates each image about its centre by a random fraction of a turn. */
export class RandomRotation extends AffineAugmentation {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = RANDOM_ROTATION_KEYS;
  readonly factor: [number, number];
  constructor(factor: number | [number, number] | RandomRotationArgs, args?: RandomRotationArgs) {
    const a = mergePositional<RandomRotationArgs>('RandomRotation', RANDOM_ROTATION_KEYS, ['factor'], [factor, args]);
    super(a);
    this.factor = range('RandomRotation', 'factor', a.factor, -Infinity);
  }
  protected map(h: number, w: number): Affine {
    const angle = this.draw(this.factor[0], this.factor[1]) * 2 * Math.PI;
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    const xOff = (w - 1 - (cos * (w - 1) - sin * (h - 1))) / 2;
    const yOff = (h - 1 - (sin * (w - 1) + cos * (h - 1))) / 2;
    return [cos, -sin, xOff, sin, cos, yOff];
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), factor: [...this.factor] };
  }
}

export interface RandomZoomArgs extends AffineAugmentationArgs {
  /** Zoom of the height as a fraction: f for [-f, f], or [lower, upper] (negative zooms in). */
  heightFactor?: number | [number, number];
  /** Zoom of the width (default: the height's zoom, keeping the aspect ratio). */
  widthFactor?: number | [number, number] | null;
}

const RANDOM_ZOOM_KEYS = optionKeys<RandomZoomArgs>({ ...AFFINE_KEY_LIST, heightFactor: true, widthFactor: true });

/** While training, zooms each image in or out about its centre (1 + factor per axis: above 1 shows more). */
export class RandomZoom extends AffineAugmentation {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = RANDOM_ZOOM_KEYS;
  readonly heightFactor: [number, number];
  readonly widthFactor: [number, number] | null;
  constructor(heightFactor: number | [number, number] | RandomZoomArgs, widthFactor?: number | [number, number] | null | RandomZoomArgs, args?: RandomZoomArgs) {
    const a = mergePositional<RandomZoomArgs>('RandomZoom', RANDOM_ZOOM_KEYS, ['heightFactor', 'widthFactor'], [heightFactor, widthFactor, args]);
    super(a);
    this.heightFactor = range('RandomZoom', 'heightFactor', a.heightFactor, -1);
    this.widthFactor = a.widthFactor === null || a.widthFactor === undefined ? null : range('RandomZoom', 'widthFactor', a.widthFactor, -1);
  }
  protected map(h: number, w: number): Affine {
    const zy = 1 + this.draw(this.heightFactor[0], this.heightFactor[1]);
    const zx = this.widthFactor ? 1 + this.draw(this.widthFactor[0], this.widthFactor[1]) : zy;
    return [zx, 0, ((w - 1) / 2) * (1 - zx), 0, zy, ((h - 1) / 2) * (1 - zy)];
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), heightFactor: [...this.heightFactor], widthFactor: this.widthFactor && [...this.widthFactor] };
  }
}

export interface RandomTranslationArgs extends AffineAugmentationArgs {
  /** Vertical shift as a fraction of the height: f for [-f, f], or [lower, upper]. */
  heightFactor?: number | [number, number];
  /** Horizontal shift as a fraction of the width. */
  widthFactor?: number | [number, number];
}

const RANDOM_TRANSLATION_KEYS = optionKeys<RandomTranslationArgs>({ ...AFFINE_KEY_LIST, heightFactor: true, widthFactor: true });

/** While training, shifts each image by random fractions of its height and width. */
export class RandomTranslation extends AffineAugmentation {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = RANDOM_TRANSLATION_KEYS;
  readonly heightFactor: [number, number];
  readonly widthFactor: [number, number];
  constructor(heightFactor: number | [number, number] | RandomTranslationArgs, widthFactor?: number | [number, number] | RandomTranslationArgs, args?: RandomTranslationArgs) {
    const a = mergePositional<RandomTranslationArgs>('RandomTranslation', RANDOM_TRANSLATION_KEYS, ['heightFactor', 'widthFactor'], [heightFactor, widthFactor, args]);
    super(a);
    this.heightFactor = range('RandomTranslation', 'heightFactor', a.heightFactor, -1);
    this.widthFactor = range('RandomTranslation', 'widthFactor', a.widthFactor, -1);
  }
  protected map(h: number, w: number): Affine {
    const dy = this.draw(this.heightFactor[0], this.heightFactor[1]) * h;
    const dx = this.draw(this.widthFactor[0], this.widthFactor[1]) * w;
    return [1, 0, -dx, 0, 1, -dy];
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), heightFactor: [...this.heightFactor], widthFactor: [...this.widthFactor] };
  }
}
