// UpSampling1D/2D/3D: each spatial axis of a channels-last input enlarged by an integer factor,
// by repeating elements (nearest) or, in 2-D, by bilinear interpolation.
import { ShapeError, ValueError } from '../../errors.js';
import { broadcastTo, reshape } from '../../ops/primitives/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { tupleOf } from './conv.js';
import { resizeAxis } from './resize-axis.js';
import { mergePositional, optionKeys } from '../../check-options.js';
import { LAYER_KEYS, Layer, type InputShapes, type LayerArgs, type Shape } from './layer.js';

/** Each element of `axis` repeated `times` times in place: [a, b] -> [a, a, b, b]. */
export function repeatElements(x: Tensor, axis: number, times: number): Tensor {
  if (times === 1) return x;
  const s = x.shape;
  const widened = [...s.slice(0, axis + 1), times, ...s.slice(axis + 1)];
  const spread = broadcastTo(reshape(x, [...s.slice(0, axis + 1), 1, ...s.slice(axis + 1)]), widened);
  return reshape(spread, [...s.slice(0, axis), s[axis]! * times, ...s.slice(axis + 1)]);
}

export type Interpolation = 'nearest' | 'bilinear';

export interface UpSamplingArgs extends LayerArgs {
  /** Factor per spatial axis: one number for all or one per axis (default 2). */
  size?: number | number[];
  /** 'nearest' (default) or, for UpSampling2D, 'bilinear'. */
  interpolation?: Interpolation;
}

const UPSAMPLING_KEYS = optionKeys<UpSamplingArgs>({ ...LAYER_KEYS, size: true, interpolation: true });

abstract class UpSampling extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = UPSAMPLING_KEYS;
  readonly size: number[];
  readonly interpolation: Interpolation;
  constructor(
    readonly rank: number,
    given: unknown[],
  ) {
    const a = mergePositional<UpSamplingArgs>(new.target.name, UPSAMPLING_KEYS, ['size'], given);
    super(a);
    this.size = tupleOf(this.className, 'size', a.size, rank, 2);
    const interp = a.interpolation ?? 'nearest';
    if (interp !== 'nearest' && !(interp === 'bilinear' && rank === 2)) {
      throw new ValueError(`${this.className}: interpolation must be 'nearest'${rank === 2 ? " or 'bilinear'" : ''}, got ${JSON.stringify(a.interpolation)}`);
    }
    this.interpolation = interp;
  }
  override build(inputShape: InputShapes): void {
    this.checkRank(inputShape as Shape);
    this.inputSpec = { ndim: this.rank + 2 };
  }
  private checkRank(s: readonly (number | null)[]): void {
    if (s.length !== this.rank + 2) {
      throw new ShapeError(`${this.className} '${this.name}': expects inputs of rank ${this.rank + 2} [batch, ...${this.rank} spatial axes, channels], got shape [${s.join(', ')}]`);
    }
  }
  override call(x: Tensor): Tensor {
    this.checkRank(x.shape);
    let y = x;
    this.size.forEach((times, i) => {
      // Bilinear samples source position i / times, as TF.js's UpSampling2D does (not half-pixel centres).
      y = this.interpolation === 'bilinear' ? resizeAxis(y, i + 1, y.shape[i + 1]! * times, 'bilinear', 'asymmetric') : repeatElements(y, i + 1, times);
    });
    return y;
  }
  override computeOutputShape(inputShape: InputShapes): Shape {
    const s = inputShape as Shape;
    return s.map((d, i) => (d === null || i === 0 || i > this.rank ? d : d * this.size[i - 1]!));
  }
  override getConfig(): Record<string, unknown> {
    const c: Record<string, unknown> = { ...super.getConfig(), size: this.rank === 1 ? this.size[0] : this.size };
    if (this.rank === 2) c.interpolation = this.interpolation;
    return c;
  }
}

/** Repeats each step `size` times: [batch, steps, channels] -> [batch, steps * size, channels]. */
export class UpSampling1D extends UpSampling {
  constructor(size?: number | UpSamplingArgs, args?: UpSamplingArgs) {
    super(1, [size, args]);
  }
}

/** Enlarges images [batch, h, w, channels] by `size` ([2, 2] by default), nearest or bilinear. */
export class UpSampling2D extends UpSampling {
  constructor(size?: number | number[] | UpSamplingArgs, args?: UpSamplingArgs) {
    super(2, [size, args]);
  }
}

/** Enlarges volumes [batch, d, h, w, channels] by repeating elements `size` times per axis. */
export class UpSampling3D extends UpSampling {
  constructor(size?: number | number[] | UpSamplingArgs, args?: UpSamplingArgs) {
    super(3, [size, args]);
  }
}
