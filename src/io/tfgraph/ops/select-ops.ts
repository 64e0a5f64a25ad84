// TensorFlow's comparisons, logic, selection, rounding and arg-reductions on nabla ops.
import { floorDiv, maximum, minimum, mod } from '../../../ops/primitives/binary.js';
import { equal, greater, greaterEqual, less, lessEqual, logicalAnd, logicalOr, notEqual } from '../../../ops/primitives/compare.js';
import { argmax, argmin } from '../../../ops/primitives/reduce.js';
import { where } from '../../../ops/primitives/select.js';
import { reshape } from '../../../ops/primitives/shape.js';
import * as u from '../../../ops/primitives/unary.js';
import type { Tensor } from '../../../tensor/tensor.js';
import { normAxis, type TfNodeContext } from '../node-context.js';
import { one, type TfOp, type TfOpTable } from '../op-table.js';

const unary = (f: (x: Tensor) => Tensor) => one((ctx) => f(ctx.input(0)));
const binary = (f: (a: Tensor, b: Tensor) => Tensor) => one((ctx) => f(ctx.input(0), ctx.input(1)));

/** ArgMax/ArgMin: the axis is input 1. */
function argReduce(f: typeof argmax): TfOp {
  return one((ctx: TfNodeContext) => {
    const x = ctx.input(0);
    return f(x, normAxis(ctx.scalar(1, 'dimension'), x.rank, ctx.where));
  });
}

export const selectOps: TfOpTable = {
  Equal: binary(equal),
  NotEqual: binary(notEqual),
  Less: binary(less),
  LessEqual: binary(lessEqual),
  Greater: binary(greater),
  GreaterEqual: binary(greaterEqual),
  LogicalAnd: binary(logicalAnd),
  LogicalOr: binary(logicalOr),
  LogicalNot: unary(u.logicalNot),
  // Select's condition may be a vector over the first axis (TF1); SelectV2 broadcasts like numpy.
  Select: one((ctx) => {
    const [c, x, y] = [ctx.input(0), ctx.input(1), ctx.input(2)];
    return where(c.rank === 1 && x.rank > 1 ? reshape(c, [c.size, ...Array<number>(x.rank - 1).fill(1)]) : c, x, y);
  }),
  SelectV2: one((ctx) => where(ctx.input(0), ctx.input(1), ctx.input(2))),
  FloorDiv: binary(floorDiv),
  FloorMod: binary(mod),
  ClipByValue: one((ctx) => minimum(maximum(ctx.input(0), ctx.input(1)), ctx.input(2))),
  Floor: unary(u.floor),
  Ceil: unary(u.ceil),
  Round: unary(u.round),
  Sign: unary(u.sign),
  Erf: unary(u.erf),
  Sin: unary(u.sin),
  Cos: unary(u.cos),
  ArgMax: argReduce(argmax),
  ArgMin: argReduce(argmin),
};
