// What every recurrent layer (SimpleRNN, LSTM, GRU, ConvLSTM2D and their cells) shares: Keras's
// options beyond the layer's size, with their defaults and config entries; the kernel, recurrent
// kernel and bias; dropout masks; and the mask passed on to the next layer.
import { ValueError } from '../../errors.js';
import { mul } from '../../ops/primitives/binary.js';
import { ones } from '../../ops/creation.js';
import { dropout } from '../../ops/composite/dropout.js';
import type { DType } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { Variable } from '../../autograd/variable.js';
import { getActivation, serializeActivation, type ActivationFn, type ActivationIdentifier } from '../activations.js';
import { getInitializer, serializeInitializer, type Initializer, type InitializerIdentifier } from '../initializers.js';
import type { Regularizer, RegularizerIdentifier } from '../regularizers.js';
import { optionalRegularizer, serializeOptional } from './core.js';
import { Layer, type CallArgs, type LayerArgs, type MaskArg } from './layer.js';

export interface RecurrentLayerArgs extends LayerArgs {
  activation?: ActivationIdentifier;
  recurrentActivation?: ActivationIdentifier;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  recurrentInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  recurrentRegularizer?: RegularizerIdentifier | null;
  biasRegularizer?: RegularizerIdentifier | null;
  /** Output every step's state instead of the last one. */
  returnSequences?: boolean;
  /** Also output the final state(s): use applyAll to get [output, ...states]. */
  returnState?: boolean;
  /** Read the sequence from the end. */
  goBackwards?: boolean;
  /** Fraction of input features dropped while training (one mask per sequence, as in Keras). */
  dropout?: number;
  /** Fraction of the recurrent state dropped before the recurrent projection while training. */
  recurrentDropout?: number;
}

/** The option keys of RecurrentLayerArgs beyond a layer's own. */
export const RECURRENT_KEY_LIST = {
  activation: true, recurrentActivation: true, useBias: true, kernelInitializer: true, recurrentInitializer: true, biasInitializer: true,
  kernelRegularizer: true, recurrentRegularizer: true, biasRegularizer: true, returnSequences: true, returnState: true, goBackwards: true,
  dropout: true, recurrentDropout: true,
} as const;

function rateOf(layer: string, what: string, v: number | undefined): number {
  const r = v ?? 0;
  if (!(r >= 0 && r < 1)) throw new ValueError(`${layer}: ${what} must be in [0, 1), got ${String(v)}`);
  return r;
}

/** A mask of ones with a fraction `rate` dropped (the rest scaled up), or null where `rate` is 0. */
export function dropoutMask(rate: number, shape: number[], dtype: DType): Tensor | null {
  return rate > 0 ? dropout(ones(shape, dtype), rate) : null;
}

/** Dropout masks drawn at a sequence's first step and reused at every step, as Keras's cells do. */
export class DropoutMasks {
  input: Tensor | null = null;
  recurrent: Tensor | null = null;
  /** The masks for a step, drawn (input, then recurrent) at the sequence's first step: null where nothing is dropped. */
  draw(cell: { dropout: number; recurrentDropout: number }, inputShape: number[], recurrentShape: number[], dtype: DType): [Tensor | null, Tensor | null] {
    this.input ??= dropoutMask(cell.dropout, inputShape, dtype);
    this.recurrent ??= dropoutMask(cell.recurrentDropout, recurrentShape, dtype);
    return [this.input, this.recurrent];
  }
  reset(): void {
    this.input = null;
    this.recurrent = null;
  }
}

/** `input` times `mask`, or `input` where there is no mask. */
export const masked = (input: Tensor, mask: Tensor | null): Tensor => (mask ? mul(input, mask) : input);

/** The options, weights and mask handling of a recurrent layer; a subclass defines its size, weights' shapes and steps. */
export abstract class RecurrentLayer extends Layer {
  readonly activation: ActivationFn;
  readonly recurrentActivation: ActivationFn;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly recurrentInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly recurrentRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly dropout: number;
  readonly recurrentDropout: number;
  kernel!: Variable;
  recurrentKernel!: Variable;
  bias: Variable | null = null;

  /** `layer`: the name errors give. */
  constructor(layer: string, a: RecurrentLayerArgs) {
    super(a);
    this.activation = getActivation(a.activation === undefined ? 'tanh' : a.activation, layer);
    this.recurrentActivation = getActivation(a.recurrentActivation ?? 'sigmoid', layer);
    this.useBias = a.useBias ?? true;
    this.kernelInitializer = getInitializer(a.kernelInitializer ?? 'glorotUniform');
    this.recurrentInitializer = getInitializer(a.recurrentInitializer ?? 'orthogonal');
    this.biasInitializer = getInitializer(a.biasInitializer ?? 'zeros');
    this.kernelRegularizer = optionalRegularizer(a.kernelRegularizer);
    this.recurrentRegularizer = optionalRegularizer(a.recurrentRegularizer);
    this.biasRegularizer = optionalRegularizer(a.biasRegularizer);
    this.returnSequences = a.returnSequences ?? false;
    this.returnState = a.returnState ?? false;
    this.goBackwards = a.goBackwards ?? false;
    this.dropout = rateOf(layer, 'dropout', a.dropout);
    this.recurrentDropout = rateOf(layer, 'recurrentDropout', a.recurrentDropout);
  }

  /** Create the kernel, the recurrent kernel and (with useBias) the bias. */
  protected addRecurrentWeights(kernel: number[], recurrentKernel: number[], bias: number[]): void {
    this.kernel = this.addWeight('kernel', kernel, this.kernelInitializer, { regularizer: this.kernelRegularizer });
    this.recurrentKernel = this.addWeight('recurrent_kernel', recurrentKernel, this.recurrentInitializer, { regularizer: this.recurrentRegularizer });
    if (this.useBias) this.bias = this.addWeight('bias', bias, this.biasInitializer, { regularizer: this.biasRegularizer });
  }

  /** The mask of the sequence's steps given to call, if any. */
  protected stepMask(kwargs: CallArgs): Tensor | null {
    return Array.isArray(kwargs.mask) ? (kwargs.mask[0] ?? null) : (kwargs.mask ?? null);
  }

  override computeMask(_x: Tensor | Tensor[], mask: MaskArg): Tensor | null {
    return this.returnSequences && !Array.isArray(mask) ? mask : null;
  }

  /**
   * The options' config entries, in the order nabla writes them; `afterInitializers` (ConvLSTM2D's
   * unitForgetBias) go between the initializers and the regularizers.
   */
  protected recurrentConfig(afterInitializers: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      activation: serializeActivation(this.activation),
      recurrentActivation: serializeActivation(this.recurrentActivation),
      useBias: this.useBias,
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      recurrentInitializer: serializeInitializer(this.recurrentInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer),
      ...afterInitializers,
      kernelRegularizer: serializeOptional(this.kernelRegularizer),
      recurrentRegularizer: serializeOptional(this.recurrentRegularizer),
      biasRegularizer: serializeOptional(this.biasRegularizer),
      returnSequences: this.returnSequences,
      returnState: this.returnState,
      goBackwards: this.goBackwards,
      dropout: this.dropout,
      recurrentDropout: this.recurrentDropout,
    };
  }
}
