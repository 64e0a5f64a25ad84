import { ValueError } from '../../../errors.js';
import { mergePositional, optionKeys } from '../../../check-options.js';
import { cast } from '../../../ops/primitives/cast.js';
import { greaterEqual } from '../../../ops/primitives/compare.js';
import { sum } from '../../../ops/primitives/reduce.js';
import { expandDims } from '../../../ops/primitives/shape.js';
import { tensor } from '../../../ops/creation.js';
import type { Tensor } from '../../../tensor/tensor.js';
import { LAYER_KEYS, Layer, type InputShapes, type LayerArgs } from '../layer.js';
import { hostNumbers } from './host-values.js';

export interface DiscretizationArgs extends LayerArgs {
  /** Sorted boundaries: x goes to the number of boundaries <= x. */
  binBoundaries?: number[] | null;
  /** With adapt: how many bins (boundaries at the data's quantiles). */
  numBins?: number | null;
}
const DISCRETIZATION_KEYS = optionKeys<DiscretizationArgs>({ ...LAYER_KEYS, binBoundaries: true, numBins: true });

/**
 * Numbers to bucket indices (Keras's Discretization): boundaries given, or learned by `adapt` at
 * the data's quantiles i/numBins (exact, from the sorted values, where Keras approximates).
 * Tensor ops only, so it runs in models and jitted steps.
 */
export class Discretization extends Layer {
  static readonly optionKeys: readonly string[] = DISCRETIZATION_KEYS;
  binBoundaries: number[] | null;
  readonly numBins: number | null;
  constructor(args: DiscretizationArgs = {}) {
    const a = mergePositional<DiscretizationArgs>('Discretization', DISCRETIZATION_KEYS, [], [args]);
    super(a);
    if (a.binBoundaries == null && a.numBins == null) throw new ValueError('Discretization: give binBoundaries, or numBins and call adapt');
    if (a.binBoundaries && a.numBins != null && a.binBoundaries.length !== a.numBins - 1) {
      throw new ValueError(`Discretization: ${a.binBoundaries.length} binBoundaries make ${a.binBoundaries.length + 1} bins, not numBins ${a.numBins}`);
    }
    if (a.binBoundaries) checkSorted(a.binBoundaries);
    if (a.numBins != null && (!Number.isInteger(a.numBins) || a.numBins < 2)) throw new ValueError(`Discretization: numBins must be an integer >= 2, got ${a.numBins}`);
    this.binBoundaries = a.binBoundaries ? [...a.binBoundaries] : null;
    this.numBins = a.numBins ?? null;
  }
  adapt(data: unknown): void {
    if (this.numBins === null) throw new ValueError('Discretization.adapt: the layer was given binBoundaries; adapt learns them from numBins');
    const values = hostNumbers('Discretization.adapt', data).values.filter(Number.isFinite).sort((a, b) => a - b);
    if (values.length === 0) throw new ValueError('Discretization.adapt: no finite values in the data');
    const n = values.length;
    this.binBoundaries = Array.from({ length: this.numBins - 1 }, (_, i) => values[Math.min(n - 1, Math.floor(((i + 1) * n) / this.numBins!))]!);
  }
  override call(x: Tensor): Tensor {
    if (!this.binBoundaries) throw new ValueError('Discretization: no boundaries yet: call adapt() first');
    const b = tensor(this.binBoundaries, [this.binBoundaries.length], x.dtype === 'float64' ? 'float64' : 'float32');
    return sum(cast(greaterEqual(expandDims(x, -1), b), 'int32'), -1);
  }
  override computeOutputShape(s: InputShapes): InputShapes {
    return s;
  }
  protected override outputDType(): 'int32' {
    return 'int32';
  }
  override getConfig() {
    return { ...super.getConfig(), binBoundaries: this.binBoundaries, numBins: this.numBins };
  }
}

function checkSorted(b: number[]): void {
  for (let i = 1; i < b.length; i++) if (!(b[i]! >= b[i - 1]!)) throw new ValueError(`Discretization: binBoundaries must be sorted, got ${JSON.stringify(b)}`);
}
