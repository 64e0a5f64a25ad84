// The Masking layer: Embedding(maskZero) and Masking make masks, elementwise layers pass them on,
// and recurrent layers skip the masked steps.
import { any } from '../../ops/primitives/reduce.js';
import { notEqual } from '../../ops/primitives/compare.js';
import { cast } from '../../ops/primitives/cast.js';
import { expandDims } from '../../ops/primitives/shape.js';
import { mul } from '../../ops/primitives/binary.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Layer, type InputShapes, type LayerArgs } from './layer.js';

export interface MaskingArgs extends LayerArgs {
  maskValue?: number;
}

/** Masks timesteps whose features all equal `maskValue` (and zeroes them). */
export class Masking extends Layer {
  readonly maskValue: number;
  override readonly supportsMasking = true;
  constructor(args: MaskingArgs = {}) {
    super(args);
    this.maskValue = args.maskValue ?? 0;
  }
  override computeMask(x: Tensor | Tensor[]): Tensor | null {
    return any(notEqual(x as Tensor, this.maskValue), -1);
  }
  override call(x: Tensor): Tensor {
    return mul(x, cast(expandDims(this.computeMask(x)!, -1), x.dtype));
  }
  override computeOutputShape(s: InputShapes): InputShapes {
    return s;
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), maskValue: this.maskValue };
  }
}
