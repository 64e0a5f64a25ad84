// Merge layers: combine a list of inputs elementwise (with broadcasting) or by concatenation.
import { ShapeError, ValueError } from '../../errors.js';
import { add, div, maximum, minimum, mul, sub } from '../../ops/primitives/binary.js';
import { concat, stack } from '../../ops/primitives/structure.js';
import { cast } from '../../ops/primitives/cast.js';
import type { Tensor } from '../../tensor/tensor.js';
import { all } from '../../ops/primitives/reduce.js';
import { broadcastTo, expandDims } from '../../ops/primitives/shape.js';
import { ones } from '../../ops/creation.js';
import { checkOptions, mergePositional, optionKeys } from '../../check-options.js';
import { LAYER_KEYS, Layer, type InputShapes, type LayerArgs, type MaskArg, type Shape } from './layer.js';

const MERGE_KEYS = optionKeys<LayerArgs>(LAYER_KEYS);

/** The masks of a multi-input call, or null when no input has one. */
function maskList(mask: MaskArg): (Tensor | null)[] | null {
  if (!Array.isArray(mask) || mask.every((m) => m === null)) return null;
  return mask;
}

function shapesOf(layer: Layer, s: InputShapes): Shape[] {
  if (!(s.length > 0 && Array.isArray(s[0]))) {
    throw new ValueError(`${layer.className} '${layer.name}': expects a list of inputs, got a single input of shape [${(s as Shape).join(', ')}]`);
  }
  return s as Shape[];
}

/** Broadcast shape of the inputs (null where unknown). */
function broadcastSymbolic(layer: Layer, shapes: Shape[]): Shape {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: Shape = [];
  for (let i = 0; i < rank; i++) {
    let d: number | null = 1;
    for (const s of shapes) {
      const v = s[i - rank + s.length];
      if (v === undefined || v === 1) continue;
      if (v === null) d = d === 1 ? null : d;
      else if (d === 1 || d === null) d = v;
      else if (d !== v) throw new ShapeError(`${layer.className} '${layer.name}': inputs of shapes ${shapes.map((x) => `[${x.join(', ')}]`).join(', ')} cannot be combined (axis ${i}: ${d} vs ${v})`);
    }
    out.push(d);
  }
  return out;
}

abstract class ElementwiseMerge extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = MERGE_KEYS;
  constructor(args: LayerArgs = {}) {
    checkOptions(new.target.name, args, MERGE_KEYS);
    super(args);
  }
  override readonly supportsMasking = true;
  protected readonly minInputs: number = 2;
  protected readonly maxInputs: number = Infinity;
  /** Combine the (built, shape-checked) inputs into one tensor. */
  protected abstract merge(xs: Tensor[]): Tensor;

  override build(inputShape: InputShapes): void {
    const shapes = shapesOf(this, inputShape);
    if (shapes.length < this.minInputs || shapes.length > this.maxInputs) {
      const want = this.maxInputs === this.minInputs ? `exactly ${this.minInputs}` : `at least ${this.minInputs}`;
      throw new ValueError(`${this.className} '${this.name}': expects ${want} inputs, got ${shapes.length}`);
    }
    broadcastSymbolic(this, shapes);
  }
  override call(xs: Tensor[]): Tensor {
    if (!Array.isArray(xs)) throw new ValueError(`${this.className} '${this.name}': expects a list of inputs`);
    return this.merge(xs);
  }
  override computeOutputShape(s: InputShapes): Shape {
    return broadcastSymbolic(this, shapesOf(this, s));
  }
  /** As in Keras: a step is kept where every input that has a mask keeps it. */
  override computeMask(_inputs: Tensor | Tensor[], mask: MaskArg): Tensor | null {
    const given = maskList(mask)?.filter((m): m is Tensor => m !== null);
    if (!given) return null;
    return all(stack(given.map((m) => cast(m, 'bool'))), 0);
  }
}

/** Sum of the inputs, broadcasting. */
export class Add extends ElementwiseMerge {
  /** The inputs summed. */
  protected merge(xs: Tensor[]): Tensor {
    return xs.reduce((a, b) => add(a, b));
  }
}

/** First input minus the second (exactly two inputs), broadcasting. */
export class Subtract extends ElementwiseMerge {
  protected override readonly maxInputs = 2;
  /** The first input minus the second. */
  protected merge(xs: Tensor[]): Tensor {
    return sub(xs[0]!, xs[1]!);
  }
}

/** Elementwise product of the inputs, broadcasting. */
export class Multiply extends ElementwiseMerge {
  /** The inputs multiplied. */
  protected merge(xs: Tensor[]): Tensor {
    return xs.reduce((a, b) => mul(a, b));
  }
}

/** Elementwise mean of the inputs, broadcasting. */
export class Average extends ElementwiseMerge {
  /** The inputs averaged. */
  protected merge(xs: Tensor[]): Tensor {
    return div(xs.reduce((a, b) => add(a, b)), xs.length);
  }
}

/** Elementwise maximum of the inputs, broadcasting. */
export class Maximum extends ElementwiseMerge {
  /** The elementwise maximum of the inputs. */
  protected merge(xs: Tensor[]): Tensor {
    return xs.reduce((a, b) => maximum(a, b));
  }
}

/** Elementwise minimum of the inputs, broadcasting. */
export class Minimum extends ElementwiseMerge {
  /** The elementwise minimum of the inputs. */
  protected merge(xs: Tensor[]): Tensor {
    return xs.reduce((a, b) => minimum(a, b));
  }
}

export interface ConcatenateArgs extends LayerArgs {
  axis?: number;
}

const CONCATENATE_KEYS = optionKeys<ConcatenateArgs>({ ...LAYER_KEYS, axis: true });

/** Joins the inputs along `axis` (the last by default); other axes must agree. */
export class Concatenate extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = CONCATENATE_KEYS;
  override readonly supportsMasking = true;
  readonly axis: number;
  constructor(axis?: number | ConcatenateArgs, args?: ConcatenateArgs) {
    const a = mergePositional<ConcatenateArgs>('Concatenate', CONCATENATE_KEYS, ['axis'], [axis, args]);
    super(a);
    this.axis = a.axis ?? -1;
  }
  /**
   * As in Keras: each input's mask (all true where it has none, widened to its shape) is joined
   * along `axis`, and a position is kept where every feature along the last axis is kept.
   */
  override computeMask(inputs: Tensor | Tensor[], mask: MaskArg): Tensor | null {
    const masks = maskList(mask);
    if (!masks || !Array.isArray(inputs)) return null;
    const full = inputs.map((x, i) => {
      const m = masks[i];
      if (!m) return ones(x.shape, 'bool');
      const b = cast(m, 'bool');
      return b.rank < x.rank ? broadcastTo(expandDims(b, -1), x.shape) : b;
    });
    return all(concat(full, this.axis), -1);
  }
  override build(inputShape: InputShapes): void {
    this.computeOutputShape(inputShape);
  }
  override call(xs: Tensor[]): Tensor {
    if (!Array.isArray(xs)) throw new ValueError(`Concatenate '${this.name}': expects a list of inputs`);
    return concat(xs, this.axis);
  }
  override computeOutputShape(s: InputShapes): Shape {
    const shapes = shapesOf(this, s);
    if (shapes.length < 2) throw new ValueError(`Concatenate '${this.name}': expects at least 2 inputs, got ${shapes.length}`);
    const rank = shapes[0]!.length;
    const axis = this.axis < 0 ? this.axis + rank : this.axis;
    if (axis < 0 || axis >= rank) throw new ValueError(`Concatenate '${this.name}': axis ${this.axis} is out of range for inputs of rank ${rank}`);
    const out: Shape = [...shapes[0]!];
    for (const sh of shapes.slice(1)) {
      const mismatch = sh.length !== rank || sh.some((d, i) => i !== axis && d !== null && out[i] !== null && d !== out[i]);
      if (mismatch) {
        throw new ShapeError(`Concatenate '${this.name}': inputs must match except on axis ${this.axis}, got ${shapes.map((x) => `[${x.join(', ')}]`).join(', ')}`);
      }
      const a = out[axis];
      const b = sh[axis];
      out[axis] = a === null || a === undefined || b === null || b === undefined ? null : a + b;
    }
    return out;
  }
  override getConfig() {
    return { ...super.getConfig(), axis: this.axis };
  }
}
