// ONNX reductions and axis-wise ops: Reduce*, ArgMax/ArgMin, TopK, CumSum, Softmax/LogSoftmax.
import { ShapeError } from '../../../errors.js';
import { cumsum } from '../../../ops/primitives/cumulative.js';
import { argmax, argmin, max, min, prod, sum } from '../../../ops/primitives/reduce.js';
import { expandDims, reshape, transpose } from '../../../ops/primitives/shape.js';
import { topk } from '../../../ops/primitives/sort.js';
import { neg, sqrt, square } from '../../../ops/primitives/unary.js';
import { logSoftmax, softmax } from '../../../ops/composite/activations.js';
import { logSumExp, mean } from '../../../ops/composite/math.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { NodeContext } from '../node-context.js';
import { normAxis, one, type OnnxOp, type OpTable } from '../op-table.js';

type Reducer = (x: Tensor, axes: number[], keepDims: boolean) => Tensor;

/** Reduce* with axes as an attribute before `inputSince` and as input 1 from it on. */
function reduce(f: Reducer, inputSince: number): OnnxOp {
  return one((ctx: NodeContext) => {
    const x = ctx.input(0);
    const given = ctx.opset >= inputSince ? ctx.optionalNumbers(1, 'axes') : ctx.attrs.ints('axes');
    const keepDims = ctx.attrs.int('keepdims', 1) === 1;
    if ((!given || given.length === 0) && ctx.attrs.int('noop_with_empty_axes', 0) === 1) return x;
    const axes = given && given.length ? given.map((a) => normAxis(a, x.rank, ctx.where)) : x.shape.map((_, i) => i);
    return f(x, axes, keepDims);
  });
}

function argReduce(f: typeof argmax): OnnxOp {
  return one(
    (ctx) => {
      const x = ctx.input(0);
      const axis = normAxis(ctx.attrs.int('axis', 0), x.rank, ctx.where);
      const i = f(x, axis);
      return ctx.attrs.int('keepdims', 1) === 1 ? expandDims(i, axis) : i;
    },
    (attrs) => {
      if (attrs.int('select_last_index', 0) === 1) attrs.unsupported('select_last_index=1');
    },
  );
}

/** `f` over `axis`, by moving it last and back. */
function alongLast(x: Tensor, axis: number, f: (t: Tensor) => Tensor[]): Tensor[] {
  if (axis === x.rank - 1) return f(x);
  const perm = x.shape.map((_, i) => i);
  perm[axis] = x.rank - 1;
  perm[x.rank - 1] = axis;
  return f(transpose(x, perm)).map((t) => transpose(t, perm));
}

const topK: OnnxOp = {
  run: (ctx) => {
    const x = ctx.input(0);
    const k = ctx.opset < 10 ? ctx.attrs.int('k', 0) : ctx.numbers(1, 'K')[0]!;
    const axis = normAxis(ctx.attrs.int('axis', -1), x.rank, ctx.where);
    const largest = ctx.attrs.int('largest', 1) === 1;
    if (!Number.isInteger(k) || k < 0 || k > x.shape[axis]!) {
      throw new ShapeError(`onnx: ${ctx.where}: K=${k} is out of range for axis ${axis} of size ${x.shape[axis]}`);
    }
    return alongLast(x, axis, (t) => {
      const r = topk(largest ? t : neg(t), k);
      return [largest ? r.values : neg(r.values), r.indices];
    });
  },
};

/** Softmax-like ops: opset < 13 flattens to 2-D at `axis` (default 1), 13+ works on one axis (default -1). */
function softmaxLike(f: typeof softmax): OnnxOp {
  return one((ctx) => {
    const x = ctx.input(0);
    if (ctx.opset >= 13) return f(x, normAxis(ctx.attrs.int('axis', -1), x.rank, ctx.where));
    const axis = normAxis(ctx.attrs.int('axis', 1), x.rank, ctx.where);
    const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
    return reshape(f(reshape(x, [outer, -1]), 1), x.shape);
  });
}

export const reduceOps: OpTable = {
  ReduceSum: reduce((x, a, k) => sum(x, a, k), 13),
  ReduceMean: reduce((x, a, k) => mean(x, a, k), 18),
  ReduceMax: reduce((x, a, k) => max(x, a, k), 18),
  ReduceMin: reduce((x, a, k) => min(x, a, k), 18),
  ReduceProd: reduce((x, a, k) => prod(x, a, k), 18),
  ReduceSumSquare: reduce((x, a, k) => sum(square(x), a, k), 18),
  ReduceL2: reduce((x, a, k) => sqrt(sum(square(x), a, k)), 18),
  ReduceLogSumExp: reduce((x, a, k) => logSumExp(x, a, k), 18),
  ArgMax: argReduce(argmax),
  ArgMin: argReduce(argmin),
  TopK: topK,
  CumSum: one((ctx) => {
    const x = ctx.input(0);
    const axis = normAxis(ctx.numbers(1, 'axis')[0]!, x.rank, ctx.where);
    return cumsum(x, axis, { exclusive: ctx.attrs.int('exclusive', 0) === 1, reverse: ctx.attrs.int('reverse', 0) === 1 });
  }),
  Softmax: softmaxLike(softmax),
  LogSoftmax: softmaxLike(logSoftmax),
};
