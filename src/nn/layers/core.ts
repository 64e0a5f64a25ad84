// Core layers: Dense, Activation, Dropout, Lambda.
import { ValueError } from '../../errors.js';
import { dropout } from '../../ops/composite/dropout.js';
import { add } from '../../ops/primitives/binary.js';
import { matmul } from '../../ops/primitives/matmul.js';
import { reshape } from '../../ops/primitives/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { Variable } from '../../autograd/variable.js';
import { getActivation, serializeActivation, type ActivationFn, type ActivationIdentifier } from '../activations.js';
import { getInitializer, serializeInitializer, type Initializer, type InitializerIdentifier } from '../initializers.js';
import { getRegularizer, serializeRegularizer, type Regularizer, type RegularizerIdentifier } from '../regularizers.js';
import { mergePositional, optionKeys } from '../../check-options.js';
import { LAYER_KEYS, Layer, type CallArgs, type InputShapes, type LayerArgs, type Shape } from './layer.js';
import { SeedSequence } from './seed-sequence.js';

/** Positive integer option check shared by layers. */
export function positiveInt(layer: string, what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new ValueError(`${layer}: ${what} must be a positive integer, got ${String(v)}`);
  return v;
}

export function optionalRegularizer(r: RegularizerIdentifier | null | undefined): Regularizer | null {
  return r === null || r === undefined ? null : getRegularizer(r);
}

export function serializeOptional(r: Regularizer | null) {
  return r ? serializeRegularizer(r) : null;
}

export interface DenseArgs extends LayerArgs {
  units?: number;
  activation?: ActivationIdentifier;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  biasRegularizer?: RegularizerIdentifier | null;
}

const DENSE_KEYS = optionKeys<DenseArgs>({
  ...LAYER_KEYS, units: true, activation: true, useBias: true, kernelInitializer: true, biasInitializer: true, kernelRegularizer: true, biasRegularizer: true,
});

/** `activation(x @ kernel + bias)` over the last axis. */
export class Dense extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = DENSE_KEYS;
  override readonly supportsMasking = true;
  readonly units: number;
  readonly activation: ActivationFn;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  kernel!: Variable;
  bias: Variable | null = null;

  constructor(units: number | DenseArgs, args?: DenseArgs) {
    const a = mergePositional<DenseArgs>('Dense', DENSE_KEYS, ['units'], [units, args]);
    super(a);
    this.units = positiveInt('Dense', 'units', a.units);
    this.activation = getActivation(a.activation, 'Dense');
    this.useBias = a.useBias ?? true;
    this.kernelInitializer = getInitializer(a.kernelInitializer ?? 'glorotUniform');
    this.biasInitializer = getInitializer(a.biasInitializer ?? 'zeros');
    this.kernelRegularizer = optionalRegularizer(a.kernelRegularizer);
    this.biasRegularizer = optionalRegularizer(a.biasRegularizer);
  }

  override build(inputShape: InputShapes): void {
    const s = inputShape as Shape;
    const inDim = s.at(-1);
    if (typeof inDim !== 'number') throw new ValueError(`Dense '${this.name}': the last axis of the input must be known, got shape [${s.join(', ')}]`);
    this.kernel = this.addWeight('kernel', [inDim, this.units], this.kernelInitializer, { regularizer: this.kernelRegularizer });
    if (this.useBias) this.bias = this.addWeight('bias', [this.units], this.biasInitializer, { regularizer: this.biasRegularizer });
    this.inputSpec = { minNdim: 2, axes: { [-1]: inDim } };
  }

  override call(x: Tensor): Tensor {
    const flat = x.rank > 2 ? reshape(x, [-1, x.shape.at(-1)!]) : x;
    let y = matmul(flat, this.kernel);
    if (this.bias) y = add(y, this.bias);
    if (x.rank > 2) y = reshape(y, [...x.shape.slice(0, -1), this.units]);
    return this.activation(y);
  }

  override computeOutputShape(inputShape: InputShapes): Shape {
    return [...(inputShape as Shape).slice(0, -1), this.units];
  }

  override getConfig() {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: serializeActivation(this.activation),
      useBias: this.useBias,
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer),
      kernelRegularizer: serializeOptional(this.kernelRegularizer),
      biasRegularizer: serializeOptional(this.biasRegularizer),
    };
  }
}

export interface ActivationArgs extends LayerArgs {
  activation?: ActivationIdentifier;
}

const ACTIVATION_KEYS = optionKeys<ActivationArgs>({ ...LAYER_KEYS, activation: true });

/** Applies an activation function (by name or function). */
export class Activation extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = ACTIVATION_KEYS;
  override readonly supportsMasking = true;
  readonly activation: ActivationFn;
  constructor(activation: ActivationIdentifier | ActivationArgs, args?: ActivationArgs) {
    const a = mergePositional<ActivationArgs>('Activation', ACTIVATION_KEYS, ['activation'], [activation, args]);
    super(a);
    if (a.activation === undefined) throw new ValueError('Activation: an activation name or function is required');
    this.activation = getActivation(a.activation, 'Activation');
  }
  override call(x: Tensor): Tensor {
    return this.activation(x);
  }
  override computeOutputShape(s: InputShapes): InputShapes {
    return s;
  }
  override getConfig() {
    return { ...super.getConfig(), activation: serializeActivation(this.activation) };
  }
}

export interface DropoutArgs extends LayerArgs {
  rate?: number;
  /** Shape of the keep mask, 1 where the mask is shared (null: the input's size). */
  noiseShape?: Shape | null;
  seed?: number;
}

const DROPOUT_KEYS = optionKeys<DropoutArgs>({ ...LAYER_KEYS, rate: true, noiseShape: true, seed: true });

/** Zeroes a fraction `rate` of inputs while training and scales the rest by 1 / (1 - rate). */
export class Dropout extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = DROPOUT_KEYS;
  override readonly supportsMasking = true;
  readonly rate: number;
  readonly noiseShape: Shape | null;
  private readonly seeds: SeedSequence;

  constructor(rate: number | DropoutArgs, args?: DropoutArgs) {
    const a = mergePositional<DropoutArgs>('Dropout', DROPOUT_KEYS, ['rate'], [rate, args]);
    super(a);
    if (typeof a.rate !== 'number' || !(a.rate >= 0 && a.rate < 1)) throw new ValueError(`Dropout: rate must be in [0, 1), got ${String(a.rate)}`);
    this.rate = a.rate;
    this.noiseShape = a.noiseShape ?? null;
    this.seeds = new SeedSequence('Dropout', a.seed);
  }

  get seed(): number | undefined {
    return this.seeds.seed;
  }

  override call(x: Tensor, kwargs: CallArgs): Tensor {
    if (!kwargs.training || this.rate === 0) return x;
    const noiseShape = this.noiseShape ? this.noiseShape.map((d, i) => d ?? x.shape[i]!) : undefined;
    return dropout(x, this.rate, { seed: this.seeds.next(), noiseShape });
  }

  override computeOutputShape(s: InputShapes): InputShapes {
    return s;
  }

  override getConfig() {
    return { ...super.getConfig(), rate: this.rate, noiseShape: this.noiseShape, seed: this.seed };
  }
}

/** A Lambda's function: of one tensor, or of a list for several inputs. */
export type LambdaFn = ((x: Tensor, kwargs: CallArgs) => Tensor | Tensor[]) | ((xs: Tensor[], kwargs: CallArgs) => Tensor | Tensor[]);

export interface LambdaArgs extends LayerArgs {
  fn?: LambdaFn;
  /** Output shape (batch axis included, null where unknown) or a function of the input shape. */
  outputShape?: Shape | ((inputShape: InputShapes) => InputShapes);
}

const LAMBDA_KEYS = optionKeys<LambdaArgs>({ ...LAYER_KEYS, fn: true, outputShape: true });

/** Wraps a function of tensors as a layer. Its config holds the function itself, so it round-trips in memory only. */
export class Lambda extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = LAMBDA_KEYS;
  readonly fn: NonNullable<LambdaArgs['fn']>;
  /** Declared output shape, or a function of the input shape; inferred by a dry run when absent. */
  readonly outputShape: LambdaArgs['outputShape'];
  constructor(fn: LambdaFn | LambdaArgs, args?: LambdaArgs) {
    const a = mergePositional<LambdaArgs>('Lambda', LAMBDA_KEYS, ['fn'], [fn, args]);
    super(a);
    if (typeof a.fn !== 'function') throw new ValueError('Lambda: expected a function of tensors');
    this.fn = a.fn;
    this.outputShape = a.outputShape;
  }
  override call(x: Tensor | Tensor[], kwargs: CallArgs): Tensor | Tensor[] {
    return (this.fn as (x: Tensor | Tensor[], kwargs: CallArgs) => Tensor | Tensor[])(x, kwargs);
  }
  override computeOutputShape(s: InputShapes): InputShapes {
    if (typeof this.outputShape === 'function') return this.outputShape(s);
    if (this.outputShape) return this.outputShape;
    return super.computeOutputShape(s);
  }
  override getConfig() {
    return {
      ...super.getConfig(),
      fn: this.fn,
      /** The declared output shape or shape function, as given. */
      outputShape: this.outputShape,
    };
  }
}
