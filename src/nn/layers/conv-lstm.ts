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
import type { Tensor } from '../../tensor/tensor.js';
import { positiveInt } from './core.js';
import { checkPadding, convOutputLength, tupleOf, type Padding } from './conv.js';
import { mergePositional, optionKeys } from '../../check-options.js';
import { LAYER_KEYS, type CallArgs, type InputShapes, type Shape } from './layer.js';
import { dropoutMask, masked, RECURRENT_KEY_LIST, RecurrentLayer, type RecurrentLayerArgs } from './recurrent-layer.js';

/** ConvLSTM2D's options; its states are images [batch, rows, cols, filters], its dropout masks drop whole channels. */
export interface ConvLSTM2DArgs extends RecurrentLayerArgs {
  filters?: number;
  kernelSize?: number | number[];
  strides?: number | number[];
  padding?: Padding;
  dilationRate?: number | number[];
  /** Start the forget gate's bias at 1 (default true). */
  unitForgetBias?: boolean;
}

const CONV_LSTM_KEYS = optionKeys<ConvLSTM2DArgs>({
  ...LAYER_KEYS, filters: true, kernelSize: true, strides: true, padding: true, dilationRate: true, ...RECURRENT_KEY_LIST, unitForgetBias: true,
});

const pair = (v: number[]) => [v[0]!, v[1]!] as [number, number];

/** Convolutional LSTM over [batch, time, rows, cols, channels]; kernels [kh, kw, in | filters, 4 * filters]. */
export class ConvLSTM2D extends RecurrentLayer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = CONV_LSTM_KEYS;
  readonly filters: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: Padding;
  readonly dilationRate: number[];
  readonly unitForgetBias: boolean;

  constructor(filters: number | ConvLSTM2DArgs, kernelSize?: number | number[] | ConvLSTM2DArgs, args?: ConvLSTM2DArgs) {
    const a = mergePositional<ConvLSTM2DArgs>('ConvLSTM2D', CONV_LSTM_KEYS, ['filters', 'kernelSize'], [filters, kernelSize, args]);
    super('ConvLSTM2D', a);
    this.filters = positiveInt('ConvLSTM2D', 'filters', a.filters);
    this.kernelSize = tupleOf('ConvLSTM2D', 'kernelSize', a.kernelSize, 2, NaN);
    this.strides = tupleOf('ConvLSTM2D', 'strides', a.strides, 2, 1);
    this.padding = checkPadding('ConvLSTM2D', a.padding);
    this.dilationRate = tupleOf('ConvLSTM2D', 'dilationRate', a.dilationRate, 2, 1);
    if (this.strides.some((s) => s > 1) && this.dilationRate.some((d) => d > 1)) throw new ValueError('ConvLSTM2D: strides > 1 and dilationRate > 1 cannot be combined');
    this.unitForgetBias = a.unitForgetBias ?? true;
  }

  override build(inputShape: InputShapes): void {
    const s = inputShape as Shape;
    if (s.length !== 5) throw new ValueError(`ConvLSTM2D '${this.name}': expects inputs [batch, time, rows, cols, channels], got shape [${s.join(', ')}]`);
    const c = s[4];
    if (typeof c !== 'number') throw new ValueError(`ConvLSTM2D '${this.name}': the channel axis must be known`);
    const f = this.filters;
    this.addRecurrentWeights([...this.kernelSize, c, 4 * f], [...this.kernelSize, f, 4 * f], [4 * f]);
    if (this.bias && this.unitForgetBias) {
      const b = this.bias.value();
      this.bias.assign(add(b, concat([zeros([f]), ones([f]), zeros([2 * f])]).cast(b.dtype)));
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
    const inputMask = training ? dropoutMask(this.dropout, [b!, 1, 1, c!], x.dtype) : null;
    const inputs = inputMask ? mul(x, expandDims(inputMask, 1)) : x;
    const recurrentMask = training ? dropoutMask(this.recurrentDropout, [b!, 1, 1, this.filters], x.dtype) : null;
    // Every step's input convolution at once: [batch * time, rows, cols, channels].
    const projected = this.projectStep(reshape(inputs, [b! * t!, rows!, cols!, c!]));
    const steps = unstack(reshape(projected, [b!, t!, ...stateShape.slice(1, 3), 4 * this.filters]), 1);
    if (this.goBackwards) steps.reverse();
    const given = this.stepMask(kwargs);
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
    const recurrent = conv2d(masked(h!, recurrentMask), this.recurrentKernel, { padding: 'same' });
    const [zi, zf, zc, zo] = split(add(p, recurrent), 4, -1) as [Tensor, Tensor, Tensor, Tensor];
    const cNew = add(mul(this.recurrentActivation(zf), cell!), mul(this.recurrentActivation(zi), this.activation(zc)));
    return [mul(this.recurrentActivation(zo), this.activation(cNew)), cNew];
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
      ...this.recurrentConfig({ unitForgetBias: this.unitForgetBias }),
    };
  }
}
