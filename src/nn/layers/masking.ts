// The Masking layer: Embedding(maskZero) and Masking make masks, elementwise layers pass them on,
// and recurrent layers skip the masked steps.
import { any } from '../../ops/primitives/reduce.js';
import { notEqual } from '../../ops/primitives/compare.js';
import { cast } from '../../ops/primitives/cast.js';
import { expandDims } from '../../ops/primitives/shape.js';
import { mul } from '../../ops/primitives/binary.js';
import type { Tensor } from '../../tensor/tensor.js';
import { mergePositional, optionKeys } from '../../check-options.js';
import { LAYER_KEYS, Layer, type InputShapes, type LayerArgs } from './layer.js';

export interface MaskingArgs extends LayerArgs {
  maskValue?: number;
}

const MASKING_KEYS = optionKeys<MaskingArgs>({ ...LAYER_KEYS, maskValue: true });

/** Masks timesteps whose features all equal `maskValue` (and zeroes them). */
export class Masking extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = MASKING_KEYS;
  readonly maskValue: number;
  override readonly supportsMasking = true;
  constructor(maskValue?: number | MaskingArgs, args?: MaskingArgs) {
    const a = mergePositional<MaskingArgs>('Masking', MASKING_KEYS, ['maskValue'], [maskValue, args]);
    super(a);
    this.maskValue = a.maskValue ?? 0;
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
