// The shape of the TensorFlow op tables: op name -> implementation with nabla ops, plus the
// load-time check that rejects attribute values nabla does not implement.
import type { Tensor } from '../../tensor/tensor.js';
import type { TfNodeAttrs } from './graph-def.js';
import type { HostValue, TfNodeContext } from './node-context.js';

export interface TfOp {
  /** The node's outputs: output 0 first (later outputs may be left out when nothing reads them). */
  run(ctx: TfNodeContext): (Tensor | HostValue)[];
  /** Throws (naming the node) for attribute values that would fail at run time. */
  check?(attrs: TfNodeAttrs): void;
  /** How many outputs the implementation produces (default 1; Split's depends on its attributes); reading a later one fails at load. */
  outputs?: number | ((attrs: TfNodeAttrs) => number);
  /** Outputs depend only on input shapes (Shape): always folded to host constants. */
  shapeOnly?: boolean;
}

export type TfOpTable = Readonly<Record<string, TfOp>>;

/** An op of one output. */
export function one(run: (ctx: TfNodeContext) => Tensor, check?: TfOp['check']): TfOp {
  return { run: (ctx) => [run(ctx)], check };
}
