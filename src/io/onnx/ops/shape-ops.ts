// ONNX operators that change a tensor's shape or type but not its values: Reshape, Transpose,
// Squeeze/Unsqueeze, Flatten, Expand, Shape/Size (host constants), Cast, Identity, Dropout.
import { ShapeError, fmtShape } from '../../../errors.js';
import { cast } from '../../../ops/primitives/cast.js';
import { broadcastTo, reshape, transpose } from '../../../ops/primitives/shape.js';
import { full, tensor } from '../../../ops/creation.js';
import { broadcastShapes } from '../../../tensor/shape.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { NodeContext } from '../node-context.js';
import { assertSize, normAxis, one, type OpTable } from '../op-table.js';
import { dtypeOfOnnx } from '../tensor-proto.js';

/** Axes from input 1 (newer opsets) or the `axes` attribute (older ones). */
export function axesArg(ctx: NodeContext, inputIndex: number): number[] | undefined {
  return ctx.has(inputIndex) ? ctx.numbers(inputIndex, 'axes') : ctx.attrs.ints('axes');
}

function onnxReshape(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const target = ctx.numbers(1, 'shape');
  const allowZero = ctx.attrs.int('allowzero', 0) === 1;
  const shape = target.map((d, i) => {
    if (d === 0 && !allowZero) {
      if (i >= x.rank) throw new ShapeError(`onnx: ${ctx.where}: shape ${JSON.stringify(target)} copies dim ${i} (0) from input ${fmtShape(x.shape)}, which has no such dim`);
      return x.shape[i]!;
    }
    return d;
  });
  return reshape(x, shape);
}

function unsqueeze(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const axes = axesArg(ctx, 1) ?? [];
  const rank = x.rank + axes.length;
  const inserted = new Set(axes.map((a) => normAxis(a, rank, ctx.where)));
  if (inserted.size !== axes.length) throw new ShapeError(`onnx: ${ctx.where}: repeated axes ${JSON.stringify(axes)}`);
  const shape: number[] = [];
  let src = 0;
  for (let i = 0; i < rank; i++) shape.push(inserted.has(i) ? 1 : x.shape[src++]!);
  return reshape(x, shape);
}

function squeeze(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const given = axesArg(ctx, 1);
  const axes = given ? given.map((a) => normAxis(a, x.rank, ctx.where)) : x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  for (const a of axes) {
    if (x.shape[a] !== 1) throw new ShapeError(`onnx: ${ctx.where}: cannot squeeze axis ${a} of shape ${fmtShape(x.shape)} (size ${x.shape[a]}, expected 1)`);
  }
  return reshape(x, x.shape.filter((_, i) => !axes.includes(i)));
}

function flatten(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const raw = ctx.attrs.int('axis', 1);
  const axis = raw < 0 ? raw + x.rank : raw;
  if (axis < 0 || axis > x.rank) throw new ShapeError(`onnx: ${ctx.where}: axis ${raw} is out of range for shape ${fmtShape(x.shape)}`);
  const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = x.shape.slice(axis).reduce((a, b) => a * b, 1);
  return reshape(x, [outer, inner]);
}

function shapeOf(ctx: NodeContext): Tensor {
  const dims = ctx.input(0).shape;
  const clampEnd = (v: number) => Math.min(Math.max(v < 0 ? v + dims.length : v, 0), dims.length);
  const start = clampEnd(ctx.attrs.int('start', 0));
  const end = clampEnd(ctx.attrs.int('end', dims.length));
  return tensor(dims.slice(start, Math.max(start, end)), [Math.max(0, end - start)], 'int32');
}

export const shapeOps: OpTable = {
  Reshape: one(onnxReshape),
  Transpose: one((ctx) => {
    const x = ctx.input(0);
    const perm = ctx.attrs.ints('perm');
    return transpose(x, perm && perm.length ? perm : undefined);
  }),
  Unsqueeze: one(unsqueeze),
  Squeeze: one(squeeze),
  Flatten: one(flatten),
  Expand: one((ctx) => {
    const x = ctx.input(0);
    const shape = broadcastShapes(`onnx: ${ctx.where}`, x.shape, ctx.numbers(1, 'shape'));
    assertSize(ctx.where, shape);
    return broadcastTo(x, shape);
  }),
  Shape: { run: (ctx) => [shapeOf(ctx)], shapeOnly: true },
  Size: { run: (ctx) => [tensor([ctx.input(0).size], [], 'int32')], shapeOnly: true },
  Cast: one((ctx) => cast(ctx.input(0), dtypeOfOnnx(ctx.attrs.int('to', 0), `the 'to' attribute of ${ctx.where}`))),
  CastLike: one((ctx) => cast(ctx.input(0), ctx.input(1).dtype)),
  Identity: one((ctx) => ctx.input(0)),
  // Inference: the identity, and a mask of ones when the graph asks for it.
  Dropout: {
    run: (ctx) => {
      const x = ctx.input(0);
      return [x, full(x.shape, true, 'bool')];
    },
  },
};
