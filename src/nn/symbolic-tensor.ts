// Placeholders that flow through layers to describe a functional model's graph (Keras's KerasTensor).
import type { DType } from '../tensor/dtype.js';
import type { CallArgs, Layer } from './layers/layer.js';

/** A shape with `null` for sizes not known until data arrives (the batch, usually). */
export type Shape = (number | null)[];

/** One call of a layer on symbolic inputs: the edge list of a functional graph. */
export interface Node {
  readonly layer: Layer;
  readonly inputs: readonly SymbolicTensor[];
  readonly outputs: SymbolicTensor[];
  readonly kwargs: CallArgs;
  /** The layer was called with an array (merge layers), not a single input. */
  readonly inputsAsList: boolean;
}

let nextId = 1;

/** A placeholder for a value in a functional graph: shape (batch axis null), dtype and the node that makes it. */
export class SymbolicTensor {
  readonly id = nextId++;
  constructor(
    readonly shape: Shape,
    readonly dtype: DType,
    /** The node that produced this tensor. */
    readonly node: Node,
    readonly outputIndex: number,
    readonly name: string,
  ) {}

  get rank(): number {
    return this.shape.length;
  }

  /** Name, shape and dtype, for logs. */
  toString(): string {
    return `SymbolicTensor(name=${this.name}, shape=${fmtSymbolicShape(this.shape)}, dtype=${this.dtype})`;
  }
}

/** Keras prints unknown sizes as None: "(None, 2)". */
export function fmtSymbolicShape(shape: Shape): string {
  const dims = shape.map((d) => (d === null ? 'None' : String(d)));
  return `(${dims.join(', ')}${dims.length === 1 ? ',' : ''})`;
}

export function isSymbolic(x: unknown): x is SymbolicTensor | SymbolicTensor[] {
  return x instanceof SymbolicTensor || (Array.isArray(x) && x.length > 0 && x.every((t) => t instanceof SymbolicTensor));
}
