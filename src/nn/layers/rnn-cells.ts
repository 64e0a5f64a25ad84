// Recurrent cells (keras.layers.SimpleRNNCell, LSTMCell, GRUCell, StackedRNNCells): one timestep of
// SimpleRNN/LSTM/GRU, for the generic RNN layer. Each cell is its layer's class with the step
// exposed, so the weights and the math are the same as the whole-sequence layers'.
import { ValueError } from '../../errors.js';
import { zeros } from '../../ops/creation.js';
import { expandDims, squeeze } from '../../ops/primitives/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkOptions, mergePositional, optionKeys } from '../../check-options.js';
import type { SerializedObject } from '../serialization.js';
import { LAYER_KEYS, Layer, type CallArgs, type InputShapes, type LayerArgs, type Shape } from './layer.js';
import { GRU, LSTM, SimpleRNN, type GRUArgs, type RecurrentBase, type RNNArgs } from './recurrent.js';
import { DropoutMasks, masked } from './recurrent-layer.js';
import { deserializeLayer, serializeLayer } from './registry.js';

/** What the RNN layer needs of a cell: its state sizes and one step. */
export interface RecurrentCell extends Layer {
  /** Size of each state (the first is the output). */
  readonly stateSizes: number[];
  /** Size of the output. */
  readonly outputSize: number;
  /** The output and the new states from one step's input [batch, features] and the previous states. */
  cellStep(x: Tensor, states: Tensor[], training: boolean): CellOutput;
  /** Forget the dropout masks: the next step draws new ones for the new sequence. */
  resetDropoutMasks(): void;
  /**
   * Shape of the output and of every state for a step input of shape `stepShape` (batch first),
   * for cells whose states are not [batch, size] (ConvLSTM2DCell's are images).
   */
  stepStateShape?(stepShape: Shape): Shape;
}

/** One step's result: the output and the states for the next step. */
export interface CellOutput {
  output: Tensor;
  states: Tensor[];
}

/** Options of SimpleRNNCell and LSTMCell: those of SimpleRNN/LSTM less the sequence ones. */
export type CellArgs = Omit<RNNArgs, 'returnSequences' | 'returnState' | 'goBackwards'>;
export type GRUCellArgs = Omit<GRUArgs, 'returnSequences' | 'returnState' | 'goBackwards'>;

const CELL_KEY_LIST = {
  ...LAYER_KEYS, units: true, activation: true, recurrentActivation: true, useBias: true, kernelInitializer: true, recurrentInitializer: true,
  biasInitializer: true, kernelRegularizer: true, recurrentRegularizer: true, biasRegularizer: true, unitForgetBias: true, dropout: true, recurrentDropout: true,
} as const;
const CELL_KEYS = optionKeys<CellArgs>(CELL_KEY_LIST);
const GRU_CELL_KEYS = optionKeys<GRUCellArgs>({ ...CELL_KEY_LIST, resetAfter: true });
const SEQUENCE_KEYS = ['returnSequences', 'returnState', 'goBackwards'];

/** The cell's config: its layer's, without the options that concern whole sequences. */
export function cellConfig(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([k]) => !SEQUENCE_KEYS.includes(k)));
}

function checkCellInput(cell: Layer, s: Shape): void {
  if (s.length !== 2) throw new ValueError(`${cell.className} '${cell.name}': a cell takes one step [batch, features], got shape [${s.join(', ')}]`);
}

/** A cell called on its own: `applyAll(x, { states })` gives [output, ...new states] (zero states by default). */
function callCell(cell: RecurrentCell, x: Tensor, kwargs: CallArgs): Tensor[] {
  const given = kwargs.states as Tensor[] | undefined;
  const states = given ?? cell.stateSizes.map((n) => zeros([x.shape[0]!, n], x.dtype));
  if (states.length !== cell.stateSizes.length) throw new ValueError(`${cell.className} '${cell.name}': expected ${cell.stateSizes.length} state(s), got ${states.length}`);
  cell.resetDropoutMasks();
  const next = cell.cellStep(x, states, Boolean(kwargs.training));
  return [next.output, ...next.states];
}

function cellOutputShapes(cell: RecurrentCell, s: Shape): Shape[] {
  return [[s[0] ?? null, cell.outputSize], ...cell.stateSizes.map((n) => [s[0] ?? null, n])];
}

/**
 * SimpleRNN, LSTM or GRU with its step exposed as a cell: the same weights, config (less the
 * sequence options) and math, on one step [batch, features].
 */
function asCell<L extends abstract new (...args: any[]) => RecurrentBase>(Base: L): L & (abstract new (...args: any[]) => RecurrentCell) {
  abstract class Cell extends Base implements RecurrentCell {
    private readonly masks = new DropoutMasks();
    get stateSizes(): number[] {
      return Array.from({ length: this.stateCount }, () => this.units);
    }
    get outputSize(): number {
      return this.units;
    }
    override build(inputShape: InputShapes): void {
      checkCellInput(this, inputShape as Shape);
      super.build([(inputShape as Shape)[0] ?? null, null, (inputShape as Shape)[1] ?? null]);
      this.inputSpec = { ndim: 2 };
    }
    cellStep(x: Tensor, states: Tensor[], training: boolean): CellOutput {
      const h = states[0]!;
      const [inputMask, recurrentMask] = training ? this.masks.draw(this, [...x.shape], [...h.shape], x.dtype) : [null, null];
      const next = this.step(squeeze(this.projectInputs(expandDims(masked(x, inputMask), 1)), [0]), states, masked(h, recurrentMask));
      return { output: next[0]!, states: next };
    }
    resetDropoutMasks(): void {
      this.masks.reset();
    }
    override call(x: Tensor, kwargs: CallArgs): Tensor[] {
      return callCell(this, x, kwargs);
    }
    override computeOutputShape(s: InputShapes): InputShapes {
      return cellOutputShapes(this, s as Shape);
    }
    override computeMask(): null {
      return null;
    }
    override getConfig(): Record<string, unknown> {
      return cellConfig(super.getConfig());
    }
  }
  return Cell;
}

/** One step of SimpleRNN: h = activation(x W + h U + b). */
export class SimpleRNNCell extends asCell(SimpleRNN) {
  /** The option keys the constructor accepts (checked at run time). */
  static override readonly optionKeys: readonly string[] = CELL_KEYS;
  constructor(units: number | CellArgs, args?: CellArgs) {
    super(mergePositional<CellArgs>('SimpleRNNCell', CELL_KEYS, ['units'], [units, args]));
  }
}

/** One step of LSTM (gates i, f, c, o); states [h, c]. */
export class LSTMCell extends asCell(LSTM) {
  /** The option keys the constructor accepts (checked at run time). */
  static override readonly optionKeys: readonly string[] = CELL_KEYS;
  constructor(units: number | CellArgs, args?: CellArgs) {
    super(mergePositional<CellArgs>('LSTMCell', CELL_KEYS, ['units'], [units, args]));
  }
}

/** One step of GRU (resetAfter as in GRU; TF.js writes resetAfter false). */
export class GRUCell extends asCell(GRU) {
  /** The option keys the constructor accepts (checked at run time). */
  static override readonly optionKeys: readonly string[] = GRU_CELL_KEYS;
  constructor(units: number | GRUCellArgs, args?: GRUCellArgs) {
    super(mergePositional<GRUCellArgs>('GRUCell', GRU_CELL_KEYS, ['units'], [units, args]));
  }
}

/** Whether `x` is a layer with a cell's step. */
export function isCell(x: unknown): x is RecurrentCell {
  return x instanceof Layer && typeof (x as Partial<RecurrentCell>).cellStep === 'function' && Array.isArray((x as Partial<RecurrentCell>).stateSizes);
}

const STACKED_KEYS = optionKeys<LayerArgs>(LAYER_KEYS);

/** Cells applied one after another at each step (the output of one is the input of the next); states of all, in order. */
export class StackedRNNCells extends Layer implements RecurrentCell {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = STACKED_KEYS;
  readonly cells: RecurrentCell[];
  constructor(cells: RecurrentCell[], args: LayerArgs = {}) {
    checkOptions('StackedRNNCells', args, STACKED_KEYS);
    super(args);
    if (!Array.isArray(cells) || cells.length === 0 || !cells.every(isCell)) {
      throw new ValueError('StackedRNNCells: expected a non-empty list of cells (SimpleRNNCell, LSTMCell, GRUCell, ...)');
    }
    this.cells = [...cells];
  }
  get stateSizes(): number[] {
    return this.cells.flatMap((c) => c.stateSizes);
  }
  get outputSize(): number {
    return this.cells.at(-1)!.outputSize;
  }
  override build(inputShape: InputShapes): void {
    const s = inputShape as Shape;
    checkCellInput(this, s);
    let features = s[1] ?? null;
    for (const c of this.cells) {
      c.maybeBuild([s[0] ?? null, features]);
      features = c.outputSize;
    }
  }
  cellStep(x: Tensor, states: Tensor[], training: boolean): CellOutput {
    let output = x;
    let at = 0;
    const out: Tensor[] = [];
    for (const c of this.cells) {
      const n = c.stateSizes.length;
      const next = c.cellStep(output, states.slice(at, at + n), training);
      at += n;
      out.push(...next.states);
      output = next.output;
    }
    return { output, states: out };
  }
  resetDropoutMasks(): void {
    for (const c of this.cells) c.resetDropoutMasks();
  }
  override call(x: Tensor, kwargs: CallArgs): Tensor[] {
    return callCell(this, x, kwargs);
  }
  override computeOutputShape(s: InputShapes): InputShapes {
    return cellOutputShapes(this, s as Shape);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), cells: this.cells.map(serializeLayer) };
  }
  static override fromConfig(config: Record<string, unknown>): Layer {
    const { cells, ...rest } = config;
    if (!Array.isArray(cells)) throw new ValueError('StackedRNNCells.fromConfig: expected cells: [{className, config}, ...]');
    return new StackedRNNCells((cells as SerializedObject[]).map((c) => deserializeLayer(c) as RecurrentCell), rest);
  }
}
