// ConvLSTM2D: an LSTM over sequences of images [batch, time, rows, cols, channels] whose input and
// recurrent projections are 2-D convolutions (Keras's gate order i, f, c, o), unrolled step by step.
import { ValueError } from '../../errors.js';
import { add, mul } from '../../ops/primitives/binary.js';
import { cast } from '../../ops/primitives/cast.js';
import { conv2d } from '../../ops/primitives/conv.js';
import { where } from '../../ops/primitives/select.js';
import { expandDims, reshape } from '../../ops/primitives/shape.js';
import { concat, split, stack, unstack } from '../../ops/primitives/structure.js';
import { ones, zeros } from '../../ops/creation.js';
import { dropout } from '../../ops/composite/dropout.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { Variable } from '../../autograd/variable.js';
import { getActivation, serializeActivation, type ActivationFn, type ActivationIdentifier } from '../activations.js';
import { getInitializer, serializeInitializer, type Initializer, type InitializerIdentifier } from '../initializers.js';
import type { Regularizer, RegularizerIdentifier } from '../regularizers.js';
import { optionalRegularizer, positiveInt, serializeOptional } from './core.js';
import { checkPadding, convOutputLength, tupleOf, type Padding } from './conv.js';
import { mergePositional, optionKeys } from '../../check-options.js';
import { LAYER_KEYS, Layer, type CallArgs, type InputShapes, type LayerArgs, type MaskArg, type Shape } from './layer.js';

export interface ConvLSTM2DArgs extends LayerArgs {
  filters?: number;
  kernelSize?: number | number[];
  strides?: number | number[];
  padding?: Padding;
  dilationRate?: number | number[];
  activation?: ActivationIdentifier;
  recurrentActivation?: ActivationIdentifier;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  recurrentInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  /** Start the forget gate's bias at 1 (default true). */
  unitForgetBias?: boolean;
  kernelRegularizer?: RegularizerIdentifier | null;
  recurrentRegularizer?: RegularizerIdentifier | null;
  biasRegularizer?: RegularizerIdentifier | null;
  /** Output every step's state [batch, time, rows, cols, filters] instead of the last one. */
  returnSequences?: boolean;
  /** Also output the final states h and c (applyAll gives [output, h, c]). */
  returnState?: boolean;
  goBackwards?: boolean;
  /** Fraction of input channels dropped while training (one mask per sequence). */
  dropout?: number;
  /** Fraction of the recurrent state's channels dropped while training. */
  recurrentDropout?: number;
}

const CONV_LSTM_KEYS = optionKeys<ConvLSTM2DArgs>({
  ...LAYER_KEYS, filters: true, kernelSize: true, strides: true, padding: true, dilationRate: true, activation: true, recurrentActivation: true,
  useBias: true, kernelInitializer: true, recurrentInitializer: true, biasInitializer: true, unitForgetBias: true, kernelRegularizer: true,
  recurrentRegularizer: true, biasRegularizer: true, returnSequences: true, returnState: true, goBackwards: true, dropout: true, recurrentDropout: true,
});

function rateOf(what: string, v: number | undefined): number {
  const r = v ?? 0;
  if (!(r >= 0 && r < 1)) throw new ValueError(`ConvLSTM2D: ${what} must be in [0, 1), got ${String(v)}`);
  return r;
}

const pair = (v: number[]) => [v[0]!, v[1]!] as [number, number];

/** Convolutional LSTM over [batch, time, rows, cols, channels]; kernels [kh, kw, in | filters, 4 * filters]. */
export class ConvLSTM2D extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = CONV_LSTM_KEYS;
  readonly filters: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: Padding;
  readonly dilationRate: number[];
  readonly activation: ActivationFn;
  readonly recurrentActivation: ActivationFn;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly recurrentInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly unitForgetBias: boolean;
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

  constructor(filters: number | ConvLSTM2DArgs, kernelSize?: number | number[] | ConvLSTM2DArgs, args?: ConvLSTM2DArgs) {
    const a = mergePositional<ConvLSTM2DArgs>('ConvLSTM2D', CONV_LSTM_KEYS, ['filters', 'kernelSize'], [filters, kernelSize, args]);
    super(a);
    this.filters = positiveInt('ConvLSTM2D', 'filters', a.filters);
    this.kernelSize = tupleOf('ConvLSTM2D', 'kernelSize', a.kernelSize, 2, NaN);
    this.strides = tupleOf('ConvLSTM2D', 'strides', a.strides, 2, 1);
    this.padding = checkPadding('ConvLSTM2D', a.padding);
    this.dilationRate = tupleOf('ConvLSTM2D', 'dilationRate', a.dilationRate, 2, 1);
    if (this.strides.some((s) => s > 1) && this.dilationRate.some((d) => d > 1)) throw new ValueError('ConvLSTM2D: strides > 1 and dilationRate > 1 cannot be combined');
    this.activation = getActivation(a.activation === undefined ? 'tanh' : a.activation, 'ConvLSTM2D');
    this.recurrentActivation = getActivation(a.recurrentActivation ?? 'sigmoid', 'ConvLSTM2D');
    this.useBias = a.useBias ?? true;
    this.kernelInitializer = getInitializer(a.kernelInitializer ?? 'glorotUniform');
    this.recurrentInitializer = getInitializer(a.recurrentInitializer ?? 'orthogonal');
    this.biasInitializer = getInitializer(a.biasInitializer ?? 'zeros');
    this.unitForgetBias = a.unitForgetBias ?? true;
    this.kernelRegularizer = optionalRegularizer(a.kernelRegularizer);
    this.recurrentRegularizer = optionalRegularizer(a.recurrentRegularizer);
    this.biasRegularizer = optionalRegularizer(a.biasRegularizer);
    this.returnSequences = a.returnSequences ?? false;
    this.returnState = a.returnState ?? false;
    this.goBackwards = a.goBackwards ?? false;
    this.dropout = rateOf('dropout', a.dropout);
    this.recurrentDropout = rateOf('recurrentDropout', a.recurrentDropout);
  }

  override build(inputShape: InputShapes): void {
    const s = inputShape as Shape;
    if (s.length !== 5) throw new ValueError(`ConvLSTM2D '${this.name}': expects inputs [batch, time, rows, cols, channels], got shape [${s.join(', ')}]`);
    const c = s[4];
    if (typeof c !== 'number') throw new ValueError(`ConvLSTM2D '${this.name}': the channel axis must be known`);
    const f = this.filters;
    this.kernel = this.addWeight('kernel', [...this.kernelSize, c, 4 * f], this.kernelInitializer, { regularizer: this.kernelRegularizer });
    this.recurrentKernel = this.addWeight('recurrent_kernel', [...this.kernelSize, f, 4 * f], this.recurrentInitializer, { regularizer: this.recurrentRegularizer });
    if (this.useBias) {
      this.bias = this.addWeight('bias', [4 * f], this.biasInitializer, { regularizer: this.biasRegularizer });
      if (this.unitForgetBias) {
        const b = this.bias.value();
        this.bias.assign(add(b, concat([zeros([f]), ones([f]), zeros([2 * f])]).cast(b.dtype)));
      }
    }
    this.inputSpec = { ndim: 5, axes: { [-1]: c } };
  }

  /** The state's shape [batch, rows, cols, filters] (rows and cols: the input convolution's output). */
  protected stateShape(s: readonly (number | null)[]): (number | null)[] {
    return [s[0] ?? null, ...[0, 1].map((i) => convOutputLength(s[i + 2] ?? null, this.kernelSize[i]!, this.padding, this.strides[i]!, this.dilationRate[i]!)), this.filters];
  }

  override call(x: Tensor, kwargs: CallArgs): Tensor | Tensor[] {
    const [b, t, rows, cols, c] = x.shape as number[];
    if (t === 0) throw new ValueError(`ConvLSTM2D '${this.name}': the input has no timesteps`);
    const stateShape = this.stateShape(x.shape) as number[];
    const initial = kwargs.initialState as Tensor[] | undefined;
    let states: Tensor[] = initial ?? [zeros(stateShape, x.dtype), zeros(stateShape, x.dtype)];
    if (states.length !== 2) throw new ValueError(`ConvLSTM2D '${this.name}': expected 2 initial states (h, c), got ${states.length}`);
    const training = Boolean(kwargs.training);
    const inputs = training && this.dropout > 0 ? mul(x, expandDims(dropout(ones([b!, 1, 1, c!], x.dtype), this.dropout), 1)) : x;
    const recurrentMask = training && this.recurrentDropout > 0 ? dropout(ones([b!, 1, 1, this.filters], x.dtype), this.recurrentDropout) : null;
    // Every step's input convolution at once: [batch * time, rows, cols, channels].
    const projected = this.projectStep(reshape(inputs, [b! * t!, rows!, cols!, c!]));
    const steps = unstack(reshape(projected, [b!, t!, ...stateShape.slice(1, 3), 4 * this.filters]), 1);
    if (this.goBackwards) steps.reverse();
    const given = Array.isArray(kwargs.mask) ? (kwargs.mask[0] ?? null) : (kwargs.mask ?? null);
    const mask = given ? unstack(reshape(cast(given, 'bool'), [b!, t!, 1, 1, 1]), 1) : null;
    if (mask && this.goBackwards) mask.reverse();
    const outputs: Tensor[] = [];
    steps.forEach((p, i) => {
      const next = this.gateStep(p, states, recurrentMask);
      states = mask ? next.map((s, k) => where(mask[i]!, s, states[k]!)) : next;
      if (this.returnSequences) outputs.push(states[0]!);
    });
    const out = this.returnSequences ? stack(outputs, 1) : states[0]!;
    return this.returnState ? [out, ...states] : out;
  }

  /** The projection of one step's input: its convolution with the kernel, plus the bias. */
  protected projectStep(x: Tensor): Tensor {
    const p = conv2d(x, this.kernel, { strides: pair(this.strides), padding: this.padding, dilations: pair(this.dilationRate) });
    return this.bias ? add(p, this.bias) : p;
  }

  /** New [h, c] from one step's projected input `p` and the states (h dropped by `recurrentMask` while training). */
  protected gateStep(p: Tensor, [h, cell]: Tensor[], recurrentMask: Tensor | null): Tensor[] {
    const recurrent = conv2d(recurrentMask ? mul(h!, recurrentMask) : h!, this.recurrentKernel, { padding: 'same' });
    const [zi, zf, zc, zo] = split(add(p, recurrent), 4, -1) as [Tensor, Tensor, Tensor, Tensor];
    const cNew = add(mul(this.recurrentActivation(zf), cell!), mul(this.recurrentActivation(zi), this.activation(zc)));
    return [mul(this.recurrentActivation(zo), this.activation(cNew)), cNew];
  }

  override computeMask(_x: Tensor | Tensor[], mask: MaskArg): Tensor | null {
    return this.returnSequences && !Array.isArray(mask) ? mask : null;
  }

  override computeOutputShape(inputShape: InputShapes): InputShapes {
    const s = inputShape as Shape;
    const state = this.stateShape(s);
    const out: Shape = this.returnSequences ? [state[0]!, s[1] ?? null, ...state.slice(1)] : state;
    return this.returnState ? [out, state, [...state]] : out;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      strides: this.strides,
      padding: this.padding,
      dilationRate: this.dilationRate,
      activation: serializeActivation(this.activation),
      recurrentActivation: serializeActivation(this.recurrentActivation),
      useBias: this.useBias,
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      recurrentInitializer: serializeInitializer(this.recurrentInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer),
      unitForgetBias: this.unitForgetBias,
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
