// The shape of an operator family's table: ONNX op type -> implementation with nabla ops.
import { ShapeError } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { NodeAttributes, NodeContext } from './node-context.js';

export interface OnnxOp {
  /** The node's outputs (as many as the op defines; trailing optional ones may be left out). */
  run(ctx: NodeContext): Tensor[];
  /** Load-time rejection of attribute values nabla does not implement, so they never fail at run time. */
  check?(attrs: NodeAttributes, opset: number): void;
  /** Outputs depend only on input shapes (Shape, Size): always folded to host constants. */
  shapeOnly?: boolean;
}

export type OpTable = Readonly<Record<string, OnnxOp>>;

/** An op of one output. */
export function one(run: (ctx: NodeContext) => Tensor, check?: OnnxOp['check']): OnnxOp {
  return { run: (ctx) => [run(ctx)], check };
}

/** `axis` (possibly negative) of a rank-`rank` tensor, checked; `where` names the node. */
export function normAxis(axis: number, rank: number, where: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= Math.max(rank, 1)) {
    throw new ShapeError(`onnx: ${where}: axis ${axis} is out of range for rank ${rank}`);
  }
  return a;
}
