// TensorFlow's ops that split, gather, repeat or create arrays: Split, SplitV, Unpack, GatherV2,
// Tile, Fill, ZerosLike, OnesLike, Range, Rank, Size.
import { ShapeError } from '../../../errors.js';
import { onesLike, range, tensor, zerosLike } from '../../../ops/creation.js';
import { cast } from '../../../ops/primitives/cast.js';
import { gather } from '../../../ops/primitives/indexing.js';
import { broadcastTo, reshape } from '../../../ops/primitives/shape.js';
import { split, tile, unstack } from '../../../ops/primitives/structure.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { TfNodeAttrs } from '../graph-def.js';
import { assertSize, normAxis, type TfNodeContext } from '../node-context.js';
import { one, type TfOp, type TfOpTable } from '../op-table.js';


function positiveAttr(attrs: TfNodeAttrs, name: string): number {
  const n = attrs.int(name, 0);
  if (n < 1) attrs.unsupported(`${name} ${n} (expected a positive count)`);
  return n;
}

/** Split: the axis is input 0, the tensor input 1, `num_split` equal parts. */
const tfSplit: TfOp = {
  run: (ctx) => {
    const x = ctx.input(1);
    return split(x, positiveAttr(ctx.attrs, 'num_split'), normAxis(ctx.scalar(0, 'axis'), x.rank, ctx.where));
  },
  check: (a) => void positiveAttr(a, 'num_split'),
  outputs: (a) => positiveAttr(a, 'num_split'),
};

/** SplitV: tensor, sizes (one may be -1: the rest), axis. */
const tfSplitV: TfOp = {
  run: (ctx) => {
    const x = ctx.input(0);
    const axis = normAxis(ctx.scalar(2, 'axis'), x.rank, ctx.where);
    const sizes = ctx.numbers(1, 'size_splits');
    const rest = x.shape[axis]! - sizes.filter((s) => s !== -1).reduce((a, b) => a + b, 0);
    return split(x, sizes.map((s) => (s === -1 ? rest : s)), axis);
  },
  check: (a) => void positiveAttr(a, 'num_split'),
  outputs: (a) => positiveAttr(a, 'num_split'),
};

const tfUnpack: TfOp = {
  run: (ctx) => {
    const x = ctx.input(0);
    return unstack(x, normAxis(ctx.attrs.int('axis', 0), x.rank, ctx.where));
  },
  check: (a) => void positiveAttr(a, 'num'),
  outputs: (a) => positiveAttr(a, 'num'),
};

function tfGather(ctx: TfNodeContext): Tensor {
  const x = ctx.input(0);
  const axis = ctx.inputCount > 2 ? ctx.scalar(2, 'axis') : 0;
  return gather(x, cast(ctx.input(1), 'int32'), { axis: normAxis(axis, x.rank, ctx.where), batchDims: ctx.attrs.int('batch_dims', 0) });
}

function tfTile(ctx: TfNodeContext): Tensor {
  const x = ctx.input(0);
  const reps = ctx.numbers(1, 'multiples');
  assertSize(ctx.where, x.shape.map((d, i) => d * (reps[i] ?? 1)));
  return tile(x, reps);
}

/** Fill: dims (host numbers) filled with the scalar input 1. */
function tfFill(ctx: TfNodeContext): Tensor {
  const dims = ctx.numbers(0, 'dims');
  assertSize(ctx.where, dims);
  return broadcastTo(reshape(ctx.input(1), []), dims);
}

function tfRange(ctx: TfNodeContext): Tensor {
  const [start, limit, delta] = [0, 1, 2].map((i) => ctx.scalar(i, ['start', 'limit', 'delta'][i]!)) as [number, number, number];
  if (delta === 0) throw new ShapeError(`loadGraphModel: ${ctx.where}: delta must not be 0`);
  assertSize(ctx.where, [Math.ceil((limit - start) / delta)]);
  return range(start, limit, delta, ctx.attrs.dtype('Tidx') ?? ctx.input(0).dtype);
}

export const arrayOps: TfOpTable = {
  Split: tfSplit,
  SplitV: tfSplitV,
  Unpack: tfUnpack,
  GatherV2: one(tfGather),
  Gather: one(tfGather),
  Tile: one(tfTile),
  Fill: one(tfFill),
  ZerosLike: one((ctx) => zerosLike(ctx.input(0))),
  OnesLike: one((ctx) => onesLike(ctx.input(0))),
  Range: one(tfRange),
  Rank: { ...one((ctx) => tensor(ctx.shapeOf(0).length, [], 'int32')), shapeOnly: true },
  Size: { ...one((ctx) => tensor(ctx.shapeOf(0).reduce((a, b) => a * b, 1), [], 'int32')), shapeOnly: true },
};
