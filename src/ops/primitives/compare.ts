import { binaryBroadcast, makeElementwiseLoops } from '../loops.js';
import { broadcastShapes } from '../../tensor/shape.js';
import type { TensorLike } from '../creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { defineOp, type OpDef } from '../define-op.js';
import { NO_ATTRS, run1 } from '../run.js';
import { toPair } from './binary.js';
import { declareOp } from '../surface.js';
import { batchBroadcasting } from '../batch-rules.js';

type NoAttrs = Record<string, never>;

/** A broadcasting predicate with a bool result and no gradient. */
function defineCompare(name: string, f: (a: number, b: number) => boolean): OpDef<NoAttrs> {
  const loops = makeElementwiseLoops();
  const f01 = (x: number, y: number) => (f(x, y) ? 1 : 0);
  const op: OpDef<NoAttrs> = defineOp<NoAttrs>({
    name,
    infer: ([a, b]) => [{ shape: broadcastShapes(name, a!.shape, b!.shape), dtype: 'bool' }],
    ref: ([a, b], _attrs, [o]) => [binaryBroadcast(a!.data, a!.shape, b!.data, b!.shape, o!.shape, 'bool', f01, loops)],
    notDifferentiable: true,
    pointwise: { f: (x, y) => (f(x!, y!) ? 1 : 0) },
    batch: (inputs, axes, attrs) => batchBroadcasting(op, inputs, axes, attrs),
  });
  return op;
}

/** The comparison and logical primitives by name (`OpDef`s); all return bool. */
export const compareOps = {
  equal: defineCompare('equal', (a, b) => a === b),
  notEqual: defineCompare('notEqual', (a, b) => a !== b),
  less: defineCompare('less', (a, b) => a < b),
  lessEqual: defineCompare('lessEqual', (a, b) => a <= b),
  greater: defineCompare('greater', (a, b) => a > b),
  greaterEqual: defineCompare('greaterEqual', (a, b) => a >= b),
  logicalAnd: defineCompare('logicalAnd', (a, b) => a !== 0 && b !== 0),
  logicalOr: defineCompare('logicalOr', (a, b) => a !== 0 || b !== 0),
};

const cmp = (op: OpDef<NoAttrs>) => (a: TensorLike, b: TensorLike): Tensor => run1(op, toPair(op.name, a, b), NO_ATTRS);

/** Elementwise `a == b` as bool, broadcasting. */
export const equal = cmp(compareOps.equal);
/** Elementwise `a != b` as bool, broadcasting. */
export const notEqual = cmp(compareOps.notEqual);
/** Elementwise `a < b` as bool, broadcasting. */
export const less = cmp(compareOps.less);
/** Elementwise `a <= b` as bool, broadcasting. */
export const lessEqual = cmp(compareOps.lessEqual);
/** Elementwise `a > b` as bool, broadcasting. */
export const greater = cmp(compareOps.greater);
/** Elementwise `a >= b` as bool, broadcasting. */
export const greaterEqual = cmp(compareOps.greaterEqual);
/** Elementwise logical and (nonzero is true), as bool. */
export const logicalAnd = cmp(compareOps.logicalAnd);
/** Elementwise logical or (nonzero is true), as bool. */
export const logicalOr = cmp(compareOps.logicalOr);

// The public surface of these ops (src/ops/surface.ts).
declareOp(equal, { method: true });
declareOp(notEqual, { method: true });
declareOp(less, { method: true });
declareOp(lessEqual, { method: true });
declareOp(greater, { method: true });
declareOp(greaterEqual, { method: true });
declareOp(logicalAnd, { method: true });
declareOp(logicalOr, { method: true });
