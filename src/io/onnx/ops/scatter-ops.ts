// ONNX GatherElements, GatherND, ScatterElements and ScatterND on nabla's gatherND / scatter ops.
// The element-wise pair addresses one element per index entry: each entry becomes a full
// coordinate tuple (its own position, with the index along `axis`), so both are gatherND /
// tensorScatter* over those tuples.
import { ShapeError, fmtShape } from '../../../errors.js';
import { add } from '../../../ops/primitives/binary.js';
import { cast } from '../../../ops/primitives/cast.js';
import { less } from '../../../ops/primitives/compare.js';
import { gatherND, tensorScatterAdd, tensorScatterUpdate } from '../../../ops/primitives/gather-nd.js';
import { where } from '../../../ops/primitives/select.js';
import { broadcastTo, reshape } from '../../../ops/primitives/shape.js';
import { stack } from '../../../ops/primitives/structure.js';
import { range, tensor } from '../../../ops/creation.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { NodeAttributes, NodeContext } from '../node-context.js';
import { normAxis, one, type OpTable } from '../op-table.js';

/** int32 indices with negative ones counted from the end of a dim of size `size` (a tensor for per-column sizes). */
function wrapped(idx: Tensor, size: number | Tensor): Tensor {
  const i = idx.dtype === 'int32' ? idx : cast(idx, 'int32');
  return where(less(i, 0), add(i, size), i);
}

/** Coordinates [...idx.shape, rank] of each entry of `idx`: its own position, with its value along `axis`. */
function elementCoordinates(idx: Tensor, axis: number, dataShape: readonly number[], where_: string): Tensor {
  if (idx.rank !== dataShape.length || idx.shape.some((d, i) => i !== axis && d > dataShape[i]!)) {
    throw new ShapeError(`onnx: ${where_}: indices ${fmtShape(idx.shape)} must have the rank of data ${fmtShape(dataShape)} and no larger dims off the axis`);
  }
  const columns = idx.shape.map((d, i) => {
    if (i === axis) return wrapped(idx, dataShape[axis]!);
    return broadcastTo(reshape(range(0, d, 1, 'int32'), idx.shape.map((_, j) => (j === i ? d : 1))), idx.shape);
  });
  return stack(columns, -1);
}

/** Indices [..., K] into `shape`, negative coordinates counted from the end of their dim. */
function wrappedTuples(idx: Tensor, shape: readonly number[]): Tensor {
  const k = idx.shape[idx.rank - 1]!;
  return wrapped(idx, tensor(Int32Array.from(shape.slice(0, k)), [k], 'int32'));
}

function checkReduction(allowed: string[]) {
  return (attrs: NodeAttributes) => {
    const r = attrs.string('reduction', 'none');
    if (!allowed.includes(r)) attrs.unsupported(`reduction '${r}' (supported: ${allowed.join(', ')})`);
  };
}

function scatter(x: Tensor, tuples: Tensor, updates: Tensor, ctx: NodeContext): Tensor {
  const reduction = ctx.attrs.string('reduction', 'none');
  if (reduction === 'add') return tensorScatterAdd(x, tuples, updates);
  return tensorScatterUpdate(x, tuples, updates);
}

export const scatterOps: OpTable = {
  GatherElements: one((ctx) => {
    const x = ctx.input(0);
    const axis = normAxis(ctx.attrs.int('axis', 0), x.rank, ctx.where);
    return gatherND(x, elementCoordinates(ctx.input(1), axis, x.shape, ctx.where));
  }),
  GatherND: one(
    (ctx) => {
      const x = ctx.input(0);
      return gatherND(x, wrappedTuples(ctx.input(1), x.shape));
    },
    (attrs) => {
      if (attrs.int('batch_dims', 0) !== 0) attrs.unsupported('GatherND with batch_dims != 0');
    },
  ),
  ScatterElements: one((ctx) => {
    const x = ctx.input(0);
    const axis = normAxis(ctx.attrs.int('axis', 0), x.rank, ctx.where);
    return scatter(x, elementCoordinates(ctx.input(1), axis, x.shape, ctx.where), ctx.input(2), ctx);
  }, checkReduction(['none', 'add'])),
  ScatterND: one((ctx) => {
    const x = ctx.input(0);
    return scatter(x, wrappedTuples(ctx.input(1), x.shape), ctx.input(2), ctx);
  }, checkReduction(['none', 'add'])),
};
