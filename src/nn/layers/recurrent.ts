// Recurrent layers over [batch, timesteps, features]: SimpleRNN, LSTM and GRU (Keras gate
// layouts and defaults). The time loop is an nb.scan: eagerly a loop the tape records step by
// step, inside nb.jit one scan node whose cell is traced once whatever the sequence length.
import { ValueError } from '../../errors.js';
import { add, mul, sub } from '../../ops/primitives/binary.js';
import { matmul } from '../../ops/primitives/matmul.js';
import { cast } from '../../ops/primitives/cast.js';
import { where } from '../../ops/primitives/select.js';
import { expandDims, flip, reshape, slice, transpose } from '../../ops/primitives/shape.js';
import { split, stack } from '../../ops/primitives/structure.js';
import { scan } from '../../jit/scan.js';
import { zeros } from '../../ops/creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { positiveInt } from './core.js';
import { mergePositional, optionKeys } from '../../check-options.js';
import { LAYER_KEYS, type CallArgs, type InputShapes, type Shape } from './layer.js';
import { dropoutMask, masked, RECURRENT_KEY_LIST, RecurrentLayer, type RecurrentLayerArgs } from './recurrent-layer.js';

export interface RNNArgs extends RecurrentLayerArgs {
  units?: number;
  /** LSTM: start the forget gate's bias at 1. */
  unitForgetBias?: boolean;
}

const RNN_KEY_LIST = { ...LAYER_KEYS, units: true, ...RECURRENT_KEY_LIST, unitForgetBias: true } as const;
const RNN_KEYS = optionKeys<RNNArgs>(RNN_KEY_LIST);

/** Everything SimpleRNN, LSTM and GRU share; a subclass defines its gate count and one step. */
export abstract class RecurrentBase extends RecurrentLayer {
  readonly units: number;

  /** Weight blocks per step (1 SimpleRNN, 4 LSTM, 3 GRU). */
  protected abstract readonly gates: number;
  /** States carried between steps (1, or 2 for LSTM's h and c). */
  protected readonly stateCount: number = 1;

  constructor(a: RNNArgs) {
    super(new.target.name, a);
    this.units = positiveInt(new.target.name, 'units', a.units);
  }

  /** Create kernel [features, gates * units], recurrent kernel [units, gates * units] and bias from [batch, timesteps, features]. */
  override build(inputShape: InputShapes): void {
    const s = inputShape as Shape;
    if (s.length !== 3) throw new ValueError(`${this.className} '${this.name}': expects inputs [batch, timesteps, features], got shape [${s.join(', ')}]`);
    const f = s[2];
    if (typeof f !== 'number') throw new ValueError(`${this.className} '${this.name}': the feature axis must be known`);
    const k = this.gates * this.units;
    this.addRecurrentWeights([f, k], [this.units, k], this.biasShape());
    this.inputSpec = { ndim: 3, axes: { [-1]: f } };
  }

  /** Shape of the bias: one block of `units` per gate. */
  protected biasShape(): number[] {
    return [this.gates * this.units];
  }

  /** Input projections of every step at once, time-major: [batch, t, f] -> [t, batch, gates * units]. */
  protected projectInputs(x: Tensor): Tensor {
    const [b, t, f] = x.shape as [number, number, number];
    let p = reshape(matmul(reshape(transpose(x, [1, 0, 2]), [t * b, f]), this.kernel), [t, b, this.gates * this.units]);
    if (this.bias && this.bias.rank === 1) p = add(p, this.bias);
    return p;
  }

  /**
   * One step: new states (the first is the output) from the projected input, the previous states,
   * and the previous output as the recurrent projection should see it (after recurrent dropout).
   */
  protected abstract step(projected: Tensor, states: Tensor[], recurrentInput: Tensor): Tensor[];

  override call(x: Tensor, kwargs: CallArgs): Tensor | Tensor[] {
    const initial = kwargs.initialState as Tensor | Tensor[] | undefined;
    let states: Tensor[] = initial === undefined ? Array.from({ length: this.stateCount }, () => zeros([x.shape[0]!, this.units], x.dtype)) : Array.isArray(initial) ? initial : [initial];
    if (states.length !== this.stateCount) throw new ValueError(`${this.className} '${this.name}': expected ${this.stateCount} initial state(s), got ${states.length}`);
    if (x.shape[1] === 0) throw new ValueError(`${this.className} '${this.name}': the input has no timesteps`);
    const [b, , f] = x.shape as [number, number, number];
    const training = Boolean(kwargs.training);
    // Keras drops the same features at every step of a sequence: one mask per call.
    const inputMask = training ? dropoutMask(this.dropout, [b, f], x.dtype) : null;
    const inputs = inputMask ? mul(x, expandDims(inputMask, 1)) : x;
    const recurrentMask = training ? dropoutMask(this.recurrentDropout, [b, this.units], x.dtype) : null;
    // Masked (padding) steps leave the states, and so the output, as they were. The mask travels
    // as a float slice (cast back to bool in the cell) so the scan's gradient sees only float xs.
    const given = this.stepMask(kwargs);
    const mask = given ? expandDims(transpose(cast(cast(given, 'bool'), x.dtype), [1, 0]), -1) : null;
    const cell = (prev: Tensor[], [p, m]: Tensor[]): [Tensor[], Tensor[]] => {
      const next = this.step(p!, prev, masked(prev[0]!, recurrentMask));
      const keep = m ? cast(m, 'bool') : null;
      const states = keep ? next.map((s, i) => where(keep, s, prev[i]!)) : next;
      return [states, this.returnSequences ? [states[0]!] : []];
    };
    const xs = mask ? [this.projectInputs(inputs), mask] : [this.projectInputs(inputs)];
    const [finalStates, ys] = scan(cell, states, xs, { reverse: this.goBackwards });
    states = finalStates;
    // scan keeps ys in time order; [t, batch, units] -> [batch, t, units].
    const outputs = this.returnSequences ? transpose(this.goBackwards ? flip(ys[0]!, 0) : ys[0]!, [1, 0, 2]) : null;
    // Like Keras, goBackwards returns the sequence in the order it was processed (reversed).
    const out = outputs ?? states[0]!;
    return this.returnState ? [out, ...states] : out;
  }

  override computeOutputShape(inputShape: InputShapes): InputShapes {
    const s = inputShape as Shape;
    const out: Shape = this.returnSequences ? [s[0] ?? null, s[1] ?? null, this.units] : [s[0] ?? null, this.units];
    if (!this.returnState) return out;
    return [out, ...Array.from({ length: this.stateCount }, () => [s[0] ?? null, this.units])];
  }

  /** Constructor arguments as JSON, enough for fromConfig to make an equal (unbuilt) layer. */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), units: this.units, ...this.recurrentConfig() };
  }
}

/** h = activation(x W + h U + b). */
export class SimpleRNN extends RecurrentBase {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = RNN_KEYS;
  protected readonly gates = 1;
  constructor(units: number | RNNArgs, args?: RNNArgs) {
    super(mergePositional<RNNArgs>('SimpleRNN', RNN_KEYS, ['units'], [units, args]));
  }
  protected step(p: Tensor, _states: Tensor[], h: Tensor): Tensor[] {
    return [this.activation(add(p, matmul(h, this.recurrentKernel)))];
  }
}

/** Long short-term memory, gates in Keras's order i, f, c, o. States [h, c]. */
export class LSTM extends RecurrentBase {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = RNN_KEYS;
  protected readonly gates = 4;
  protected override readonly stateCount = 2;
  readonly unitForgetBias: boolean;
  constructor(units: number | RNNArgs, args?: RNNArgs) {
    const a = mergePositional<RNNArgs>('LSTM', RNN_KEYS, ['units'], [units, args]);
    super(a);
    this.unitForgetBias = a.unitForgetBias ?? true;
  }
  /** Create the weights; with `unitForgetBias` the forget gate's bias starts at 1. */
  override build(inputShape: InputShapes): void {
    super.build(inputShape);
    if (this.bias && this.unitForgetBias) {
      const u = this.units;
      const b = this.bias.value();
      this.bias.assign(add(b, reshape(stack([zeros([u]), zeros([u]).add(1), zeros([u]), zeros([u])]), [4 * u]).cast(b.dtype)));
    }
  }
  protected step(p: Tensor, [, c]: Tensor[], h: Tensor): Tensor[] {
    const z = add(p, matmul(h, this.recurrentKernel));
    const [zi, zf, zc, zo] = split(z, 4, 1) as [Tensor, Tensor, Tensor, Tensor];
    const i = this.recurrentActivation(zi);
    const f = this.recurrentActivation(zf);
    const o = this.recurrentActivation(zo);
    const cNew = add(mul(f, c!), mul(i, this.activation(zc)));
    return [mul(o, this.activation(cNew)), cNew];
  }
  /** Constructor arguments as JSON, enough for fromConfig to make an equal (unbuilt) layer. */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), unitForgetBias: this.unitForgetBias };
  }
}

export interface GRUArgs extends RNNArgs {
  /**
   * Apply the reset gate after the recurrent projection (Keras 3's and cuDNN's form, default true:
   * bias [2, 3 * units]) or before it (Keras 1's and TensorFlow.js's form: bias [3 * units]).
   */
  resetAfter?: boolean;
}

const GRU_KEYS = optionKeys<GRUArgs>({ ...RNN_KEY_LIST, resetAfter: true });

/**
 * Gated recurrent unit, by default in Keras's form (resetAfter: the reset gate multiplies the
 * recurrent projection, with separate input and recurrent biases, bias shape [2, 3 * units]).
 */
export class GRU extends RecurrentBase {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = GRU_KEYS;
  protected readonly gates = 3;
  readonly resetAfter: boolean;
  constructor(units: number | GRUArgs, args?: GRUArgs) {
    const a = mergePositional<GRUArgs>('GRU', GRU_KEYS, ['units'], [units, args]);
    super(a);
    this.resetAfter = a.resetAfter ?? true;
  }
  /** Shape of the bias: [2, 3 * units] with `resetAfter` (input and recurrent biases), else [3 * units]. */
  protected override biasShape(): number[] {
    return this.resetAfter ? [2, 3 * this.units] : [3 * this.units];
  }
  protected override projectInputs(x: Tensor): Tensor {
    const steps = super.projectInputs(x);
    // A [3 * units] bias (resetAfter false) was added by the base class.
    if (!this.bias || !this.resetAfter) return steps;
    return add(steps, reshape(slice(this.bias, [0, 0], [1, -1]), [3 * this.units]));
  }
  protected step(p: Tensor, [h]: Tensor[], hIn: Tensor): Tensor[] {
    if (!this.resetAfter) return this.stepResetBefore(p, h!, hIn);
    let r = matmul(hIn, this.recurrentKernel);
    if (this.bias) r = add(r, reshape(slice(this.bias, [1, 0], [1, -1]), [3 * this.units]));
    const [xz, xr, xh] = split(p, 3, 1) as [Tensor, Tensor, Tensor];
    const [rz, rr, rh] = split(r, 3, 1) as [Tensor, Tensor, Tensor];
    const zGate = this.recurrentActivation(add(xz, rz));
    const rGate = this.recurrentActivation(add(xr, rr));
    const candidate = this.activation(add(xh, mul(rGate, rh)));
    // h = z * h_prev + (1 - z) * candidate
    return [add(mul(zGate, h!), mul(sub(1, zGate), candidate))];
  }
  /** The reset gate scales the previous state before its projection for the candidate. */
  private stepResetBefore(p: Tensor, h: Tensor, hIn: Tensor): Tensor[] {
    const [uz, ur, uh] = split(this.recurrentKernel, 3, 1) as [Tensor, Tensor, Tensor];
    const [xz, xr, xh] = split(p, 3, 1) as [Tensor, Tensor, Tensor];
    const zGate = this.recurrentActivation(add(xz, matmul(hIn, uz)));
    const rGate = this.recurrentActivation(add(xr, matmul(hIn, ur)));
    const candidate = this.activation(add(xh, matmul(mul(rGate, hIn), uh)));
    return [add(mul(zGate, h), mul(sub(1, zGate), candidate))];
  }
  /** Constructor arguments as JSON, enough for fromConfig to make an equal (unbuilt) layer. */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), resetAfter: this.resetAfter };
  }
}
