// The generic RNN layer (keras.layers.RNN): runs a cell, or a list of cells stacked, over the
// timesteps of [batch, timesteps, features], with masks, initial states and goBackwards.
import { ValueError } from '../../errors.js';
import { cast } from '../../ops/primitives/cast.js';
import { where } from '../../ops/primitives/select.js';
import { reshape } from '../../ops/primitives/shape.js';
import { stack, unstack } from '../../ops/primitives/structure.js';
import { zeros } from '../../ops/creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { isPlainOptions, mergePositional, optionKeys } from '../../check-options.js';
import type { SerializedObject } from '../serialization.js';
import { LAYER_KEYS, Layer, type CallArgs, type InputShapes, type LayerArgs, type MaskArg, type Shape } from './layer.js';
import { deserializeLayer, serializeLayer } from './registry.js';
import { StackedRNNCells, isCell, type RecurrentCell } from './rnn-cells.js';

export interface RNNLayerArgs extends LayerArgs {
  /** A cell (SimpleRNNCell, LSTMCell, GRUCell, StackedRNNCells or a custom one) or a list of cells to stack. */
  cell?: RecurrentCell | RecurrentCell[];
  /** Output every step ([batch, timesteps, output]) instead of the last. */
  returnSequences?: boolean;
  /** Also output the final states: applyAll gives [output, ...states]. */
  returnState?: boolean;
  /** Read the sequence from the end. */
  goBackwards?: boolean;
}

const RNN_LAYER_KEYS = optionKeys<RNNLayerArgs>({ ...LAYER_KEYS, cell: true, returnSequences: true, returnState: true, goBackwards: true });

/** A recurrent layer made of a cell: the cell's step applied at each timestep, its states carried along. */
export class RNN extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = RNN_LAYER_KEYS;
  override readonly supportsMasking = true;
  readonly cell: RecurrentCell;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;

  constructor(cell: RecurrentCell | RecurrentCell[] | RNNLayerArgs, args?: RNNLayerArgs) {
    const a = mergePositional<RNNLayerArgs>('RNN', RNN_LAYER_KEYS, ['cell'], [cell, args]);
    super(a);
    const c = a.cell;
    if (Array.isArray(c)) this.cell = new StackedRNNCells(c);
    else if (isCell(c)) this.cell = c;
    else throw new ValueError(`RNN: cell must be a cell (SimpleRNNCell, LSTMCell, GRUCell, StackedRNNCells) or a list of them, got ${c === undefined ? 'none' : isPlainOptions(c) ? 'a plain object' : String(c)}`);
    this.returnSequences = a.returnSequences ?? false;
    this.returnState = a.returnState ?? false;
    this.goBackwards = a.goBackwards ?? false;
  }

  override build(inputShape: InputShapes): void {
    const s = inputShape as Shape;
    const rank = this.cell.stepStateShape ? 5 : 3;
    if (s.length !== rank) {
      const what = rank === 3 ? '[batch, timesteps, features]' : '[batch, timesteps, rows, cols, channels]';
      throw new ValueError(`RNN '${this.name}': expects inputs ${what} for its ${this.cell.className}, got shape [${s.join(', ')}]`);
    }
    this.cell.maybeBuild([s[0] ?? null, ...s.slice(2)]);
    this.inputSpec = { ndim: rank };
  }

  override call(x: Tensor, kwargs: CallArgs): Tensor | Tensor[] {
    const [b, t] = x.shape as [number, number];
    if (t === 0) throw new ValueError(`RNN '${this.name}': the input has no timesteps`);
    const sizes = this.cell.stateSizes;
    const initial = kwargs.initialState as Tensor | Tensor[] | undefined;
    const stateShape = (n: number) => (this.cell.stepStateShape ? (this.cell.stepStateShape([b, ...x.shape.slice(2)]) as number[]) : [b, n]);
    let states: Tensor[] = initial === undefined ? sizes.map((n) => zeros(stateShape(n), x.dtype)) : Array.isArray(initial) ? initial : [initial];
    if (states.length !== sizes.length) throw new ValueError(`RNN '${this.name}': expected ${sizes.length} initial state(s), got ${states.length}`);
    const given = Array.isArray(kwargs.mask) ? (kwargs.mask[0] ?? null) : (kwargs.mask ?? null);
    // [batch, time] -> one [batch, 1, ...] per step, broadcasting over the states' other axes.
    const stateRank = this.cell.stepStateShape ? 4 : 2;
    const mask = given ? unstack(reshape(cast(given, 'bool'), [b, t, ...Array<number>(stateRank - 1).fill(1)]), 1) : null;
    const steps = unstack(x, 1);
    if (this.goBackwards) {
      steps.reverse();
      mask?.reverse();
    }
    this.cell.resetDropoutMasks();
    const training = Boolean(kwargs.training);
    const outputs: Tensor[] = [];
    let output: Tensor | null = null;
    steps.forEach((xt, i) => {
      const next = this.cell.cellStep(xt, states, training);
      // Masked (padding) steps keep the states and repeat the previous output.
      const m = mask?.[i];
      output = m ? where(m, next.output, output ?? zeros(next.output.shape, next.output.dtype)) : next.output;
      states = m ? next.states.map((s, k) => where(m, s, states[k]!)) : next.states;
      if (this.returnSequences) outputs.push(output);
    });
    const out = this.returnSequences ? stack(outputs, 1) : output!;
    return this.returnState ? [out, ...states] : out;
  }

  override computeMask(_x: Tensor | Tensor[], mask: MaskArg): Tensor | null {
    return this.returnSequences && !Array.isArray(mask) ? mask : null;
  }

  override computeOutputShape(inputShape: InputShapes): InputShapes {
    const s = inputShape as Shape;
    const n = this.cell.outputSize;
    const step: Shape = [s[0] ?? null, ...s.slice(2)];
    const stateOf = (k: number): Shape => (this.cell.stepStateShape ? this.cell.stepStateShape(step) : [s[0] ?? null, k]);
    const last = stateOf(n);
    const out: Shape = this.returnSequences ? [last[0]!, s[1] ?? null, ...last.slice(1)] : last;
    return this.returnState ? [out, ...this.cell.stateSizes.map(stateOf)] : out;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), cell: serializeLayer(this.cell), returnSequences: this.returnSequences, returnState: this.returnState, goBackwards: this.goBackwards };
  }

  static override fromConfig(config: Record<string, unknown>): Layer {
    const { cell, ...rest } = config;
    const cells = Array.isArray(cell) ? (cell as SerializedObject[]).map((c) => deserializeLayer(c)) : deserializeLayer(cell);
    return new RNN({ ...(rest as RNNLayerArgs), cell: cells as RecurrentCell | RecurrentCell[] });
  }
}
