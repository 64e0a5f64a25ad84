// Activation layers with options (keras.layers.ReLU, LeakyReLU, PReLU, ELU, ThresholdedReLU,
// Softmax): what `Activation('relu')` cannot express, and the classes Keras and TF.js models name.
import { ValueError } from '../../errors.js';
import { elu, leakyRelu, softmax } from '../../ops/composite/activations.js';
import { logSumExp } from '../../ops/composite/math.js';
import { mul, minimum, sub } from '../../ops/primitives/binary.js';
import { cast } from '../../ops/primitives/cast.js';
import { greater, greaterEqual } from '../../ops/primitives/compare.js';
import { where } from '../../ops/primitives/select.js';
import { exp, relu } from '../../ops/primitives/unary.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { Variable } from '../../autograd/variable.js';
import { getInitializer, serializeInitializer, type Initializer, type InitializerIdentifier } from '../initializers.js';
import type { Regularizer, RegularizerIdentifier } from '../regularizers.js';
import { optionalRegularizer, serializeOptional } from './core.js';
import { mergePositional, optionKeys } from '../../check-options.js';
import { LAYER_KEYS, Layer, type InputShapes, type LayerArgs, type Shape } from './layer.js';

/** A finite number, or (with `min`) one at least `min`; `what` names it in the error. */
function finite(layer: string, what: string, v: unknown, min?: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (min !== undefined && v < min)) {
    throw new ValueError(`${layer}: ${what} must be a ${min === undefined ? 'finite number' : `number >= ${min}`}, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Elementwise activation layers: same shape out, masks passed on. */
abstract class ElementwiseActivation extends Layer {
  override readonly supportsMasking = true;
  override computeOutputShape(s: InputShapes): InputShapes {
    return s;
  }
}

export interface ReLUArgs extends LayerArgs {
  /** Upper bound of the output (none by default; 6 gives relu6). */
  maxValue?: number | null;
  /** Slope below the threshold (default 0). */
  negativeSlope?: number;
  /** Inputs below this give negativeSlope * (x - threshold) (default 0). */
  threshold?: number;
}

const RELU_KEYS = optionKeys<ReLUArgs>({ ...LAYER_KEYS, maxValue: true, negativeSlope: true, threshold: true });

/** x above `threshold`, `negativeSlope * (x - threshold)` below it, capped at `maxValue`. */
export class ReLU extends ElementwiseActivation {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = RELU_KEYS;
  readonly maxValue: number | null;
  readonly negativeSlope: number;
  readonly threshold: number;
  constructor(maxValue?: number | null | ReLUArgs, negativeSlope?: number | ReLUArgs, threshold?: number | ReLUArgs, args?: ReLUArgs) {
    const a = mergePositional<ReLUArgs>('ReLU', RELU_KEYS, ['maxValue', 'negativeSlope', 'threshold'], [maxValue ?? undefined, negativeSlope, threshold, args]);
    super(a);
    this.maxValue = a.maxValue === null || a.maxValue === undefined ? null : finite('ReLU', 'maxValue', a.maxValue, 0);
    this.negativeSlope = finite('ReLU', 'negativeSlope', a.negativeSlope ?? 0, 0);
    this.threshold = finite('ReLU', 'threshold', a.threshold ?? 0);
  }
  override call(x: Tensor): Tensor {
    const t = this.threshold;
    let y: Tensor;
    if (t === 0 && this.negativeSlope === 0) y = relu(x);
    else y = where(greaterEqual(x, t), x, this.negativeSlope === 0 ? 0 : mul(sub(x, t), this.negativeSlope));
    return this.maxValue === null ? y : minimum(y, this.maxValue);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), maxValue: this.maxValue, negativeSlope: this.negativeSlope, threshold: this.threshold };
  }
}

export interface LeakyReLUArgs extends LayerArgs {
  /** Slope for negative inputs (default 0.3, Keras's default; TF.js and Keras 2 call it alpha). */
  alpha?: number;
  /** Keras 3's name for `alpha`. */
  negativeSlope?: number;
}

const LEAKY_RELU_KEYS = optionKeys<LeakyReLUArgs>({ ...LAYER_KEYS, alpha: true, negativeSlope: true });

/** x for x > 0, alpha * x otherwise. */
export class LeakyReLU extends ElementwiseActivation {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = LEAKY_RELU_KEYS;
  readonly alpha: number;
  constructor(alpha?: number | LeakyReLUArgs, args?: LeakyReLUArgs) {
    const a = mergePositional<LeakyReLUArgs>('LeakyReLU', LEAKY_RELU_KEYS, ['alpha'], [alpha, args]);
    if (a.alpha !== undefined && a.negativeSlope !== undefined) throw new ValueError('LeakyReLU: give alpha or negativeSlope (the same option), not both');
    super(a);
    this.alpha = finite('LeakyReLU', 'alpha', a.alpha ?? a.negativeSlope ?? 0.3);
  }
  override call(x: Tensor): Tensor {
    return leakyRelu(x, this.alpha);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}

export interface PReLUArgs extends LayerArgs {
  /** Initial slopes (default zeros). */
  alphaInitializer?: InitializerIdentifier;
  alphaRegularizer?: RegularizerIdentifier | null;
  /** Axes (1-based, after the batch) sharing one slope, e.g. [1, 2] for one slope per channel of an image. */
  sharedAxes?: number | number[] | null;
}

const PRELU_KEYS = optionKeys<PReLUArgs>({ ...LAYER_KEYS, alphaInitializer: true, alphaRegularizer: true, sharedAxes: true });

/** Leaky ReLU with learned slopes `alpha`, one per input element or shared along `sharedAxes`. */
export class PReLU extends ElementwiseActivation {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = PRELU_KEYS;
  readonly alphaInitializer: Initializer;
  readonly alphaRegularizer: Regularizer | null;
  readonly sharedAxes: number[] | null;
  alpha!: Variable;
  constructor(args: PReLUArgs = {}) {
    const a = mergePositional<PReLUArgs>('PReLU', PRELU_KEYS, [], [args]);
    super(a);
    this.alphaInitializer = getInitializer(a.alphaInitializer ?? 'zeros');
    this.alphaRegularizer = optionalRegularizer(a.alphaRegularizer);
    const shared = a.sharedAxes === null || a.sharedAxes === undefined ? null : typeof a.sharedAxes === 'number' ? [a.sharedAxes] : a.sharedAxes;
    if (shared && (!Array.isArray(shared) || shared.some((d) => !Number.isInteger(d) || d < 1))) {
      throw new ValueError(`PReLU: sharedAxes must be axes >= 1 (axis 0 is the batch), got ${JSON.stringify(a.sharedAxes)}`);
    }
    this.sharedAxes = shared ? [...shared] : null;
  }
  override build(inputShape: InputShapes): void {
    const s = inputShape as Shape;
    for (const ax of this.sharedAxes ?? []) {
      if (ax >= s.length) throw new ValueError(`PReLU '${this.name}': shared axis ${ax} is out of range for inputs of shape [${s.join(', ')}]`);
    }
    const paramShape = s.slice(1).map((d, i) => (this.sharedAxes?.includes(i + 1) ? 1 : d));
    this.alpha = this.addWeight('alpha', paramShape as number[], this.alphaInitializer, { regularizer: this.alphaRegularizer });
    this.inputSpec = { ndim: s.length, axes: Object.fromEntries(s.map((d, i) => [i, d]).filter(([i, d]) => i !== 0 && d !== null)) as Record<number, number> };
  }
  override call(x: Tensor): Tensor {
    return where(greater(x, 0), x, mul(x, this.alpha));
  }
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      alphaInitializer: serializeInitializer(this.alphaInitializer),
      alphaRegularizer: serializeOptional(this.alphaRegularizer),
      sharedAxes: this.sharedAxes,
    };
  }
}

export interface ELUArgs extends LayerArgs {
  /** Scale of the negative part (default 1). */
  alpha?: number;
}

const ELU_KEYS = optionKeys<ELUArgs>({ ...LAYER_KEYS, alpha: true });

/** x for x > 0, alpha * (exp(x) - 1) otherwise. */
export class ELU extends ElementwiseActivation {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = ELU_KEYS;
  readonly alpha: number;
  constructor(alpha?: number | ELUArgs, args?: ELUArgs) {
    const a = mergePositional<ELUArgs>('ELU', ELU_KEYS, ['alpha'], [alpha, args]);
    super(a);
    this.alpha = finite('ELU', 'alpha', a.alpha ?? 1);
  }
  override call(x: Tensor): Tensor {
    return elu(x, this.alpha);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}

export interface ThresholdedReLUArgs extends LayerArgs {
  /** Inputs at or below theta give 0 (default 1). */
  theta?: number;
}

const THRESHOLDED_RELU_KEYS = optionKeys<ThresholdedReLUArgs>({ ...LAYER_KEYS, theta: true });

/** x for x > theta, 0 otherwise. */
export class ThresholdedReLU extends ElementwiseActivation {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = THRESHOLDED_RELU_KEYS;
  readonly theta: number;
  constructor(theta?: number | ThresholdedReLUArgs, args?: ThresholdedReLUArgs) {
    const a = mergePositional<ThresholdedReLUArgs>('ThresholdedReLU', THRESHOLDED_RELU_KEYS, ['theta'], [theta, args]);
    super(a);
    this.theta = finite('ThresholdedReLU', 'theta', a.theta ?? 1, 0);
  }
  override call(x: Tensor): Tensor {
    return mul(x, cast(greater(x, this.theta), x.dtype));
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), theta: this.theta };
  }
}

