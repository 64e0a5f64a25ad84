// UnitNormalization and Identity: parameter-free layers Keras models contain.
import { ValueError } from '../../errors.js';
import { maximum, mul } from '../../ops/primitives/binary.js';
import { sum } from '../../ops/primitives/reduce.js';
import { rsqrt, square } from '../../ops/primitives/unary.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkOptions, optionKeys } from '../../check-options.js';
import { LAYER_KEYS, Layer, type InputShapes, type LayerArgs } from './layer.js';

export interface UnitNormalizationArgs extends LayerArgs {
  /** Axis or axes normalized over (default -1). */
  axis?: number | number[];
}

const UNIT_NORMALIZATION_KEYS = optionKeys<UnitNormalizationArgs>({ ...LAYER_KEYS, axis: true });

/** Scales each sample to unit L2 norm over `axis`: x / sqrt(max(sum(x^2), 1e-12)). */
export class UnitNormalization extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = UNIT_NORMALIZATION_KEYS;
  override readonly supportsMasking = true;
  readonly axis: number | number[];
  constructor(args: UnitNormalizationArgs = {}) {
    checkOptions('UnitNormalization', args, UNIT_NORMALIZATION_KEYS);
    super(args);
    const ax = args.axis ?? -1;
    if ((Array.isArray(ax) ? ax : [ax]).some((a) => !Number.isInteger(a))) throw new ValueError(`UnitNormalization: axis must be an integer or a list of them, got ${JSON.stringify(args.axis)}`);
    this.axis = Array.isArray(ax) ? [...ax] : ax;
  }
  override call(x: Tensor): Tensor {
    const axes = Array.isArray(this.axis) ? this.axis : [this.axis];
    for (const a of axes) if (a >= x.rank || a < -x.rank) throw new ValueError(`UnitNormalization '${this.name}': axis ${a} is out of range for inputs of shape [${x.shape.join(', ')}]`);
    return mul(x, rsqrt(maximum(sum(square(x), axes, true), 1e-12)));
  }
  override computeOutputShape(s: InputShapes): InputShapes {
    return s;
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }
}

const IDENTITY_KEYS = optionKeys<LayerArgs>(LAYER_KEYS);

/** Returns its input (a placeholder layer, as keras.layers.Identity). */
export class Identity extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = IDENTITY_KEYS;
  override readonly supportsMasking = true;
  constructor(args: LayerArgs = {}) {
    checkOptions('Identity', args, IDENTITY_KEYS);
    super(args);
  }
  override call(x: Tensor): Tensor {
    return x;
  }
  override computeOutputShape(s: InputShapes): InputShapes {
    return s;
  }
}
