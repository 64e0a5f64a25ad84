// ActivityRegularization: passes its input through and adds an L1/L2 penalty of it to the losses.
import { div } from '../../ops/primitives/binary.js';
import type { Tensor } from '../../tensor/tensor.js';
import { L1L2 } from '../regularizers.js';
import { checkOptions, optionKeys } from '../../check-options.js';
import { LAYER_KEYS, Layer, type InputShapes, type LayerArgs } from './layer.js';

export interface ActivityRegularizationArgs extends LayerArgs {
  /** Factor of sum(|x|) (default 0). */
  l1?: number;
  /** Factor of sum(x^2) (default 0). */
  l2?: number;
}

const ACTIVITY_REGULARIZATION_KEYS = optionKeys<ActivityRegularizationArgs>({ ...LAYER_KEYS, l1: true, l2: true });

/**
 * Identity that adds `(l1 * sum(|x|) + l2 * sum(x^2)) / batch size` to the layer's losses on each
 * call (Keras 2 divides activity penalties by the batch size), so training minimizes it too.
 */
export class ActivityRegularization extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = ACTIVITY_REGULARIZATION_KEYS;
  override readonly supportsMasking = true;
  readonly l1: number;
  readonly l2: number;
  private readonly penalty: L1L2;
  constructor(args: ActivityRegularizationArgs = {}) {
    checkOptions('ActivityRegularization', args, ACTIVITY_REGULARIZATION_KEYS);
    super(args);
    this.penalty = new L1L2({ l1: args.l1 ?? 0, l2: args.l2 ?? 0 });
    this.l1 = this.penalty.l1;
    this.l2 = this.penalty.l2;
  }
  override call(x: Tensor): Tensor {
    const batch = x.rank > 0 ? x.shape[0]! : 1;
    this.addLoss(div(this.penalty.call(x), Math.max(batch, 1)));
    return x;
  }
  override computeOutputShape(s: InputShapes): InputShapes {
    return s;
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), l1: this.l1, l2: this.l2 };
  }
}
