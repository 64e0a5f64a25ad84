// Reading images [batch, height, width, channels] at per-image source coordinates, built from
// nabla ops (so it traces into jitted steps and is differentiable in the pixels): the sampler of
// the random rotation/zoom/translation layers (plain resizes: resizeImages in image-preprocessing.ts).
import { ValueError } from '../../errors.js';
import { add, mod, mul, sub } from '../../ops/primitives/binary.js';
import { cast } from '../../ops/primitives/cast.js';
import { greaterEqual, lessEqual, logicalAnd } from '../../ops/primitives/compare.js';
import { gather } from '../../ops/primitives/indexing.js';
import { clip } from '../../ops/composite/math.js';
import { reshape } from '../../ops/primitives/shape.js';
import { floor, round } from '../../ops/primitives/unary.js';
import { where } from '../../ops/primitives/select.js';
import { range } from '../../ops/creation.js';
import type { Tensor } from '../../tensor/tensor.js';

/** How pixels are read between grid points. */
export type Interpolation = 'bilinear' | 'nearest';
/** What is read outside the image: mirrored (`d c b a | a b c d`), wrapped, the edge pixel, or `fillValue`. */
export type FillMode = 'reflect' | 'wrap' | 'nearest' | 'constant';

export const INTERPOLATIONS: readonly Interpolation[] = ['bilinear', 'nearest'];
export const FILL_MODES: readonly FillMode[] = ['reflect', 'wrap', 'nearest', 'constant'];

export interface SamplingOptions {
  interpolation: Interpolation;
  fillMode: FillMode;
  fillValue: number;
}

/** Check an option against its allowed values, naming the layer. */
export function oneOf<T extends string>(where: string, key: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new ValueError(`${where}: ${key} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(value)}`);
  return value as T;
}

/** Integer pixel indices (float tensor) mapped into [0, n) by the fill mode, and whether each was inside. */
function mapIndex(i: Tensor, n: number, fillMode: FillMode): { index: Tensor; inside: Tensor | null } {
  switch (fillMode) {
    case 'reflect': {
      const m = mod(i, 2 * n);
      return { index: where(greaterEqual(m, n), sub(2 * n - 1, m), m), inside: null };
    }
    case 'wrap':
      return { index: mod(i, n), inside: null };
    case 'nearest':
      return { index: clip(i, 0, n - 1), inside: null };
    case 'constant':
      return { index: clip(i, 0, n - 1), inside: logicalAnd(greaterEqual(i, 0), lessEqual(i, n - 1)) };
  }
}

/**
 * `images` [B, H, W, C] read at `srcY`, `srcX` [B, H', W'] (input pixel coordinates, 0 at the first
 * pixel's centre): [B, H', W', C]. Bilinear reads the four neighbours, each mapped by the fill mode.
 */
export function sampleImages(images: Tensor, srcY: Tensor, srcX: Tensor, opts: SamplingOptions): Tensor {
  const [b, h, w, c] = images.shape as [number, number, number, number];
  const [, ho, wo] = srcY.shape as [number, number, number];
  const flat = reshape(images, [b * h * w, c]);
  const base = reshape(mul(range(0, b, 1, 'int32'), h * w), [b, 1, 1]);
  const read = (yi: Tensor, xi: Tensor): Tensor => {
    const y = mapIndex(yi, h, opts.fillMode);
    const x = mapIndex(xi, w, opts.fillMode);
    const idx = add(base, add(mul(cast(y.index, 'int32'), w), cast(x.index, 'int32')));
    const values = reshape(gather(flat, reshape(idx, [b * ho * wo]), { axis: 0 }), [b, ho, wo, c]);
    if (!y.inside || !x.inside) return values;
    return where(reshape(logicalAnd(y.inside, x.inside), [b, ho, wo, 1]), values, opts.fillValue);
  };
  if (opts.interpolation === 'nearest') return read(round(srcY), round(srcX));
  const y0 = floor(srcY);
  const x0 = floor(srcX);
  const wy = reshape(sub(srcY, y0), [b, ho, wo, 1]);
  const wx = reshape(sub(srcX, x0), [b, ho, wo, 1]);
  const y1 = add(y0, 1);
  const x1 = add(x0, 1);
  const top = add(mul(read(y0, x0), sub(1, wx)), mul(read(y0, x1), wx));
  const bottom = add(mul(read(y1, x0), sub(1, wx)), mul(read(y1, x1), wx));
  return add(mul(top, sub(1, wy)), mul(bottom, wy));
}
