// The generic RNN layer (keras.layers.RNN): runs a cell, or a list of cells stacked, over the
// timesteps of [batch, timesteps, features], with masks, initial states and goBackwards.
import { ValueError } from '../../errors.js';
import { cast } from '../../ops/primitives/cast.js';
import { where } from '../../ops/primitives/select.js';
import { expandDims } from '../../ops/primitives/shape.js';
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
    if (s.length !== 3) throw new ValueError(`RNN '${this.name}': expects inputs [batch, timesteps, features], got shape [${s.join(', ')}]`);
    this.cell.maybeBuild([s[0] ?? null, s[2] ?? null]);
    this.inputSpec = { ndim: 3 };
  }

  override call(x: Tensor, kwargs: CallArgs): Tensor | Tensor[] {
    const [b, t] = x.shape as [number, number];
    if (t === 0) throw new ValueError(`RNN '${this.name}': the input has no timesteps`);
    const sizes = this.cell.stateSizes;
    const initial = kwargs.initialState as Tensor | Tensor[] | undefined;
    let states: Tensor[] = initial === undefined ? sizes.map((n) => zeros([b, n], x.dtype)) : Array.isArray(initial) ? initial : [initial];
    if (states.length !== sizes.length) throw new ValueError(`RNN '${this.name}': expected ${sizes.length} initial state(s), got ${states.length}`);
    const given = Array.isArray(kwargs.mask) ? (kwargs.mask[0] ?? null) : (kwargs.mask ?? null);
    const mask = given ? unstack(expandDims(cast(given, 'bool'), -1), 1) : null;
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
    const out: Shape = this.returnSequences ? [s[0] ?? null, s[1] ?? null, n] : [s[0] ?? null, n];
    return this.returnState ? [out, ...this.cell.stateSizes.map((k) => [s[0] ?? null, k])] : out;
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
