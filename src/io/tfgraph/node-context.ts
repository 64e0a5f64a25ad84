// What an op implementation sees of one TensorFlow node: its inputs as tensors, or (for shape
// arguments: Reshape's shape, StridedSlice's bounds...) as host numbers, and its attributes.
import { ShapeError, ValueError } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { onCurrentBackend, type OnnxValue } from '../onnx/node-context.js';
import type { TfNodeAttrs } from './graph-def.js';

/** A value in the graph: host constants (folded) are known per input shape; see ../onnx/host-eval.ts. */
export type TfValue = OnnxValue;

export class TfNodeContext {
  constructor(
    readonly attrs: TfNodeAttrs,
    private readonly values: readonly TfValue[],
  ) {}

  get where(): string {
    return this.attrs.where;
  }

  get inputCount(): number {
    return this.values.length;
  }

  /** Input `i` as a tensor on the current backend. */
  input(i: number): Tensor {
    const v = this.values[i];
    if (!v) throw new ValueError(`loadGraphModel: ${this.where}: input ${i} is required (the node has ${this.values.length})`);
    return onCurrentBackend(v);
  }

  /** Input `i`'s values as host numbers: it must be computable from constants and input shapes. */
  numbers(i: number, what: string): number[] {
    const v = this.values[i];
    if (!v) throw new ValueError(`loadGraphModel: ${this.where}: input ${i} (${what}) is required`);
    if (!v.folded) {
      throw new ValueError(`loadGraphModel: ${this.where}: input ${i} (${what}) depends on the values of the model's inputs; nabla needs it computable from constants and input shapes`);
    }
    return Array.from(v.tensor.dataSync(), Number);
  }

  /** Input `i` as one host number (a scalar or one-element tensor). */
  scalar(i: number, what: string): number {
    const n = this.numbers(i, what);
    if (n.length !== 1) throw new ShapeError(`loadGraphModel: ${this.where}: ${what} must be a single number, got ${n.length} values`);
    return n[0]!;
  }
}

/** `axis` (possibly negative) of a rank-`rank` tensor, checked; `where` names the node. */
export function normAxis(axis: number, rank: number, where: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= Math.max(rank, 1)) throw new ShapeError(`loadGraphModel: ${where}: axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** The largest tensor an op whose size comes from the file (Fill, Tile, Range, padding) may make: 2^28 elements (1 GiB of float32). */
export const MAX_ELEMENTS = 2 ** 28;

/** A ShapeError, before allocating, when `shape` exceeds MAX_ELEMENTS (a corrupt or hostile file). */
export function assertSize(where: string, shape: readonly number[]): void {
  const n = shape.reduce((a, b) => a * Math.max(b, 0), 1);
  if (!(n <= MAX_ELEMENTS)) throw new ShapeError(`loadGraphModel: ${where}: would make a tensor of shape [${shape.join(', ')}] (more than the importer's limit of ${MAX_ELEMENTS} elements)`);
}
