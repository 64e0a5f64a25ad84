// Keras's Resizing and CenterCrop: deterministic, so active in training and inference alike.
import { ValueError } from '../../errors.js';
import { cast } from '../../ops/primitives/cast.js';
import { slice } from '../../ops/primitives/shape.js';
import { isFloat } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import { mergePositional, optionKeys } from '../../check-options.js';
import { LAYER_KEYS, Layer, type InputShapes, type LayerArgs, type Shape } from './layer.js';
import { INTERPOLATIONS, oneOf, type Interpolation } from './image-sampling.js';
import { cropToAspectThenResize, resizeImages } from './image-preprocessing.js';
import { onImageBatch } from './image-batch.js';

function positiveSize(where: string, key: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) < 1) throw new ValueError(`${where}: ${key} must be a positive integer, got ${JSON.stringify(v)}`);
  return v as number;
}

const outShape = (s: InputShapes, height: number, width: number): Shape => {
  const shape = s as Shape;
  return shape.length === 3 ? [height, width, shape[2] ?? null] : [shape[0] ?? null, height, width, shape[3] ?? null];
};

export interface ResizingArgs extends LayerArgs {
  height?: number;
  width?: number;
  /** 'bilinear' (default) or 'nearest', with half-pixel centres like tf.image.resize. */
  interpolation?: Interpolation;
  /** Crop the largest centred window of the target aspect ratio first, so nothing is stretched. */
  cropToAspectRatio?: boolean;
}
const RESIZING_KEYS = optionKeys<ResizingArgs>({ ...LAYER_KEYS, height: true, width: true, interpolation: true, cropToAspectRatio: true });

/** Resizes images [batch, height, width, channels] to `height` x `width`. */
export class Resizing extends Layer {
  static readonly optionKeys: readonly string[] = RESIZING_KEYS;
  readonly height: number;
  readonly width: number;
  readonly interpolation: Interpolation;
  readonly cropToAspectRatio: boolean;
  constructor(height: number | ResizingArgs, width?: number | ResizingArgs, args?: ResizingArgs) {
    const a = mergePositional<ResizingArgs>('Resizing', RESIZING_KEYS, ['height', 'width'], [height, width, args]);
    super(a);
    this.height = positiveSize('Resizing', 'height', a.height);
    this.width = positiveSize('Resizing', 'width', a.width);
    this.interpolation = oneOf('Resizing', 'interpolation', a.interpolation ?? 'bilinear', INTERPOLATIONS);
    this.cropToAspectRatio = a.cropToAspectRatio ?? false;
  }
  override call(x: Tensor): Tensor {
    return imagesThrough('Resizing', x, (b) => (this.cropToAspectRatio ? cropToAspectThenResize(b, this.height, this.width, this.interpolation) : resizeImages(b, this.height, this.width, this.interpolation)));
  }
  override computeOutputShape(s: InputShapes): InputShapes {
    return outShape(s, this.height, this.width);
  }
  override getConfig() {
    return { ...super.getConfig(), height: this.height, width: this.width, interpolation: this.interpolation, cropToAspectRatio: this.cropToAspectRatio };
  }
}

export interface CenterCropArgs extends LayerArgs {
  height?: number;
  width?: number;
}
const CENTER_CROP_KEYS = optionKeys<CenterCropArgs>({ ...LAYER_KEYS, height: true, width: true });

/**
 * The centred `height` x `width` window of each image. An image smaller than that on either side is
 * first cropped to the target aspect ratio and resized (bilinear), as Keras does.
 */
export class CenterCrop extends Layer {
  static readonly optionKeys: readonly string[] = CENTER_CROP_KEYS;
  readonly height: number;
  readonly width: number;
  constructor(height: number | CenterCropArgs, width?: number | CenterCropArgs, args?: CenterCropArgs) {
    const a = mergePositional<CenterCropArgs>('CenterCrop', CENTER_CROP_KEYS, ['height', 'width'], [height, width, args]);
    super(a);
    this.height = positiveSize('CenterCrop', 'height', a.height);
    this.width = positiveSize('CenterCrop', 'width', a.width);
  }
  override call(x: Tensor): Tensor {
    return imagesThrough('CenterCrop', x, (b) => {
      const [, h, w] = b.shape as [number, number, number, number];
      if (h < this.height || w < this.width) return cropToAspectThenResize(b, this.height, this.width, 'bilinear');
      return slice(b, [0, Math.floor((h - this.height) / 2), Math.floor((w - this.width) / 2), 0], [-1, this.height, this.width, -1]);
    });
  }
  override computeOutputShape(s: InputShapes): InputShapes {
    return outShape(s, this.height, this.width);
  }
  override getConfig() {
    return { ...super.getConfig(), height: this.height, width: this.width };
  }
}

/** `fn` on a float batch [B, H, W, C] giving [B, height, width, C]; an unbatched image goes through as a batch of one. */
function imagesThrough(where: string, x: Tensor, fn: (batch: Tensor) => Tensor): Tensor {
  return onImageBatch(where, isFloat(x.dtype) ? x : cast(x, 'float32'), fn);
}
