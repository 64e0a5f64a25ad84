// ConvLSTM2DCell (keras.layers.ConvLSTM2DCell): one step of ConvLSTM2D on an image
// [batch, rows, cols, channels], states h and c [batch, rows', cols', filters], for the generic RNN
// layer. It is ConvLSTM2D with the step exposed, so the weights, config and math are the same.
import { ValueError } from '../../errors.js';
import { zeros } from '../../ops/creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { mergePositional } from '../../check-options.js';
import { ConvLSTM2D, type ConvLSTM2DArgs } from './conv-lstm.js';
import type { CallArgs, InputShapes, Shape } from './layer.js';
import { DropoutMasks, masked } from './recurrent-layer.js';
import { cellConfig, type CellOutput, type RecurrentCell } from './rnn-cells.js';

export type ConvLSTM2DCellArgs = Omit<ConvLSTM2DArgs, 'returnSequences' | 'returnState' | 'goBackwards'>;

const CELL_KEYS = ConvLSTM2D.optionKeys.filter((k) => !['returnSequences', 'returnState', 'goBackwards'].includes(k));

export class ConvLSTM2DCell extends ConvLSTM2D implements RecurrentCell {
  /** The option keys the constructor accepts (checked at run time). */
  static override readonly optionKeys: readonly string[] = CELL_KEYS;
  // Keras's masks: one input mask over channels and one recurrent mask per sequence.
  private readonly masks = new DropoutMasks();

  constructor(filters: number | ConvLSTM2DCellArgs, kernelSize?: number | number[] | ConvLSTM2DCellArgs, args?: ConvLSTM2DCellArgs) {
    super(mergePositional<ConvLSTM2DArgs>('ConvLSTM2DCell', CELL_KEYS, ['filters', 'kernelSize'], [filters, kernelSize, args]));
  }

  get stateSizes(): number[] {
    return [this.filters, this.filters];
  }

  get outputSize(): number {
    return this.filters;
  }

  stepStateShape(s: Shape): Shape {
    return this.stateShape([s[0] ?? null, null, ...s.slice(1)]);
  }

  override build(inputShape: InputShapes): void {
    const s = inputShape as Shape;
    if (s.length !== 4) throw new ValueError(`ConvLSTM2DCell '${this.name}': a cell takes one step [batch, rows, cols, channels], got shape [${s.join(', ')}]`);
    super.build([s[0] ?? null, null, ...s.slice(1)]);
    this.inputSpec = { ndim: 4, axes: { [-1]: s[3]! } };
  }

  cellStep(x: Tensor, states: Tensor[], training: boolean): CellOutput {
    const b = x.shape[0]!;
    const [inputMask, recurrentMask] = training ? this.masks.draw(this, [b, 1, 1, x.shape[3]!], [b, 1, 1, this.filters], x.dtype) : [null, null];
    const next = this.gateStep(this.projectStep(masked(x, inputMask)), states, recurrentMask);
    return { output: next[0]!, states: next };
  }

  resetDropoutMasks(): void {
    this.masks.reset();
  }

  /** Called on its own: `applyAll(x, { states })` gives [output, h, c] (zero states by default). */
  override call(x: Tensor, kwargs: CallArgs): Tensor[] {
    const given = kwargs.states as Tensor[] | undefined;
    const states = given ?? [0, 1].map(() => zeros(this.stepStateShape([...x.shape]) as number[], x.dtype));
    if (states.length !== 2) throw new ValueError(`ConvLSTM2DCell '${this.name}': expected 2 states (h, c), got ${states.length}`);
    this.resetDropoutMasks();
    const next = this.cellStep(x, states, Boolean(kwargs.training));
    return [next.output, ...next.states];
  }

  override computeOutputShape(s: InputShapes): InputShapes {
    const state = this.stepStateShape(s as Shape);
    return [state, [...state], [...state]];
  }

  override computeMask(): null {
    return null;
  }

  override getConfig(): Record<string, unknown> {
    return cellConfig(super.getConfig());
  }
}
