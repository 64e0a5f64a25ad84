// The Softmax layer (Keras's layers.Softmax): softmax over one or more axes, with masked positions
// left out of the normalisation.
import { ShapeError, ValueError } from '../../errors.js';
import { softmax } from '../../ops/composite/activations.js';
import { logSumExp } from '../../ops/composite/math.js';
import { add, mul, sub } from '../../ops/primitives/binary.js';
import { cast } from '../../ops/primitives/cast.js';
import { reshape } from '../../ops/primitives/shape.js';
import { exp } from '../../ops/primitives/unary.js';
import type { Tensor } from '../../tensor/tensor.js';
import { mergePositional, optionKeys } from '../../check-options.js';
import { LAYER_KEYS, Layer, type CallArgs, type InputShapes, type LayerArgs } from './layer.js';

export interface SoftmaxArgs extends LayerArgs {
  /** The axis (or axes) the probabilities sum to 1 over (default -1). */
  axis?: number | number[];
}

const SOFTMAX_KEYS = optionKeys<SoftmaxArgs>({ ...LAYER_KEYS, axis: true });

/** What a masked position gets added before the softmax, as Keras does (its probability becomes 0). */
const LARGE_NEGATIVE = -1e9;

/**
 * Softmax over `axis` (default -1; several axes normalise over them together): turns logits into
 * probabilities, e.g. `new nb.Sequential([model, new nb.layers.Softmax()])`. A mask (passed as
 * `{ mask }`, or riding on the input from `Embedding({ maskZero: true })`) of the input's shape, or
 * per step (the input's shape without its last axes), leaves the false positions out: they get
 * probability 0 along the axis.
 */
export class Softmax extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = SOFTMAX_KEYS;
  override readonly supportsMasking = true;
  readonly axis: number | number[];

  constructor(axis?: number | number[] | SoftmaxArgs, rest?: SoftmaxArgs) {
    const args = mergePositional<SoftmaxArgs>('Softmax', SOFTMAX_KEYS, ['axis'], [axis, rest]);
    super(args);
    const along = args.axis ?? -1;
    const axes = Array.isArray(along) ? along : [along];
    if (axes.length === 0 || !axes.every((a) => Number.isInteger(a))) throw new ValueError(`Softmax: axis must be an integer or a non-empty array of integers, got ${JSON.stringify(args.axis)}`);
    this.axis = along;
  }

  override call(x: Tensor, kwargs: CallArgs = {}): Tensor {
    for (const ax of Array.isArray(this.axis) ? this.axis : [this.axis]) {
      if (ax >= x.rank || ax < -x.rank) throw new ValueError(`Softmax '${this.name}': axis ${ax} is out of range for inputs of shape [${x.shape.join(', ')}]`);
    }
    const mask = kwargs.mask;
    if (Array.isArray(mask)) throw new ValueError(`Softmax '${this.name}': expected one mask for its one input`);
    const logits = mask ? add(x, mul(sub(1, cast(this.maskLike(mask, x), x.dtype)), LARGE_NEGATIVE)) : x;
    if (!Array.isArray(this.axis)) return softmax(logits, this.axis);
    return exp(sub(logits, logSumExp(logits, this.axis, true)));
  }

  /** The mask with size-1 axes appended up to the input's rank (a per-step mask covers every feature of its step). */
  private maskLike(mask: Tensor, x: Tensor): Tensor {
    const fits = mask.rank <= x.rank && mask.shape.every((d, i) => d === x.shape[i]);
    if (!fits) throw new ShapeError(`Softmax '${this.name}': a mask of shape [${mask.shape.join(', ')}] does not match the input's shape [${x.shape.join(', ')}] (expected that shape, or its leading axes)`);
    return reshape(mask, [...mask.shape, ...new Array<number>(x.rank - mask.rank).fill(1)]);
  }

  override computeOutputShape(s: InputShapes): InputShapes {
    return s;
  }

  override getConfig() {
    return { ...super.getConfig(), axis: this.axis };
  }
}
