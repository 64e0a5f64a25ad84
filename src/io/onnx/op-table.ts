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
  /** Draws random values: never folded into a constant, even without inputs. */
  random?: boolean;
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

/**
 * Largest tensor an op whose output size comes from the file (Pad, Expand, Tile, Resize,
 * ConstantOfShape, Range, padded windows) may make: 2^28 elements (1 GiB of float32). A corrupt
 * or hostile file then fails with an error instead of allocating for minutes.
 */
export const MAX_ELEMENTS = 2 ** 28;

export function assertSize(where: string, shape: readonly number[]): void {
  const n = shape.reduce((a, b) => a * Math.max(b, 0), 1);
  if (n > MAX_ELEMENTS) throw new ShapeError(`onnx: ${where}: would make a tensor of shape [${shape.join(', ')}] (${n} elements, more than the importer's limit of ${MAX_ELEMENTS})`);
}
