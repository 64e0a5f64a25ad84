// TensorFlow ops that move or select values without computing new ones: Reshape, Squeeze,
// ExpandDims, ConcatV2, Pack, Pad, Transpose, Shape, StridedSlice, Slice, Identity.
import { ShapeError, fmtShape } from '../../../errors.js';
import { tensor } from '../../../ops/creation.js';
import { expandDims, flip, reshape, squeeze, stridedView, transpose, slice } from '../../../ops/primitives/shape.js';
import { concat, pad, stack } from '../../../ops/primitives/structure.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { TfNodeAttrs } from '../graph-def.js';
import { assertSize, normAxis, type TfNodeContext } from '../node-context.js';
import { one, type TfOp, type TfOpTable } from '../op-table.js';

function tfReshape(ctx: TfNodeContext): Tensor {
  return reshape(ctx.input(0), ctx.numbers(1, 'shape'));
}

function tfSqueeze(ctx: TfNodeContext): Tensor {
  const x = ctx.input(0);
  const axes = ctx.attrs.ints('squeeze_dims') ?? ctx.attrs.ints('axis') ?? [];
  if (axes.length === 0) return squeeze(x);
  return squeeze(x, axes.map((a) => normAxis(a, x.rank, ctx.where)));
}

function tfExpandDims(ctx: TfNodeContext): Tensor {
  const x = ctx.input(0);
  return expandDims(x, normAxis(ctx.scalar(1, 'axis'), x.rank + 1, ctx.where));
}

/** ConcatV2: N tensors, then the axis. */
function tfConcat(ctx: TfNodeContext): Tensor {
  const n = ctx.inputCount - 1;
  if (n < 1) throw new ShapeError(`loadGraphModel: ${ctx.where}: needs at least one tensor and an axis, got ${ctx.inputCount} inputs`);
  const parts = Array.from({ length: n }, (_, i) => ctx.input(i));
  const axis = normAxis(ctx.scalar(n, 'axis'), parts[0]!.rank, ctx.where);
  return n === 1 ? parts[0]! : concat(parts, axis);
}

function tfPack(ctx: TfNodeContext): Tensor {
  if (ctx.inputCount < 1) throw new ShapeError(`loadGraphModel: ${ctx.where}: needs at least one tensor`);
  const parts = Array.from({ length: ctx.inputCount }, (_, i) => ctx.input(i));
  return stack(parts, normAxis(ctx.attrs.int('axis', 0), parts[0]!.rank + 1, ctx.where));
}

/** Pad/PadV2: paddings [rank, 2]; PadV2 takes the fill value as input 2. */
function tfPad(ctx: TfNodeContext): Tensor {
  const x = ctx.input(0);
  const p = ctx.numbers(1, 'paddings');
  if (p.length !== 2 * x.rank) throw new ShapeError(`loadGraphModel: ${ctx.where}: paddings ${JSON.stringify(p)} do not fit input ${fmtShape(x.shape)} (expected [${x.rank}, 2])`);
  const pairs = x.shape.map((_, i) => [p[2 * i]!, p[2 * i + 1]!] as const);
  assertSize(ctx.where, x.shape.map((d, i) => d + pairs[i]![0] + pairs[i]![1]));
  const value = ctx.inputCount > 2 ? ctx.scalar(2, 'constant_values') : 0;
  return pad(x, pairs, value);
}

function tfTranspose(ctx: TfNodeContext): Tensor {
  return transpose(ctx.input(0), ctx.numbers(1, 'perm'));
}

/** Shape: a host constant (int32), known per input shape. */
function tfShape(ctx: TfNodeContext): Tensor {
  const shape = ctx.shapeOf(0);
  return tensor(Int32Array.from(shape), [shape.length], 'int32');
}

/** Slice: begin and size (-1: to the end). */
function tfSlice(ctx: TfNodeContext): Tensor {
  return slice(ctx.input(0), ctx.numbers(1, 'begin'), ctx.numbers(2, 'size'));
}

const bit = (mask: number, i: number) => ((mask >> i) & 1) === 1;

/**
 * StridedSlice with begin/end/shrink-axis/new-axis masks (TensorFlow's semantics): each sliced axis
 * is clamped like Python slicing; negative strides flip the axis and slice it forwards.
 */
function tfStridedSlice(ctx: TfNodeContext): Tensor {
  const { attrs, where } = ctx;
  const begin = ctx.numbers(1, 'begin');
  const end = ctx.numbers(2, 'end');
  const strides = ctx.numbers(3, 'strides');
  const [bm, em, nm, sm] = ['begin_mask', 'end_mask', 'new_axis_mask', 'shrink_axis_mask'].map((m) => attrs.int(m, 0)) as [number, number, number, number];
  if (begin.length !== end.length || begin.length !== strides.length) {
    throw new ShapeError(`loadGraphModel: ${where}: begin ${JSON.stringify(begin)}, end ${JSON.stringify(end)} and strides ${JSON.stringify(strides)} differ in length`);
  }
  let x = ctx.input(0);
  // New axes first, so that every spec entry then addresses one axis of x.
  const newAxes: number[] = [];
  for (let i = 0; i < begin.length; i++) if (bit(nm, i)) newAxes.push(i);
  const specs = begin.length;
  if (specs - newAxes.length > x.rank) throw new ShapeError(`loadGraphModel: ${where}: ${specs} slice specs for input ${fmtShape(x.shape)}`);
  for (const a of newAxes) x = expandDims(x, a);
  const b: number[] = [];
  const size: number[] = [];
  const step: number[] = [];
  const flips: number[] = [];
  const shrink: number[] = [];
  x.shape.forEach((n, axis) => {
    if (axis >= specs || bit(nm, axis)) {
      b.push(0), size.push(n), step.push(1);
      return;
    }
    const s = strides[axis]!;
    if (!Number.isInteger(s) || s === 0) throw new ShapeError(`loadGraphModel: ${where}: stride ${s} on axis ${axis}`);
    const norm = (v: number) => (v < 0 ? v + n : v);
    if (bit(sm, axis)) {
      const i = norm(begin[axis]!);
      if (i < 0 || i >= n) throw new ShapeError(`loadGraphModel: ${where}: index ${begin[axis]} is out of range for axis ${axis} of size ${n}`);
      b.push(i), size.push(1), step.push(1), shrink.push(axis);
      return;
    }
    if (s > 0) {
      const lo = bit(bm, axis) ? 0 : Math.min(Math.max(norm(begin[axis]!), 0), n);
      const hi = bit(em, axis) ? n : Math.min(Math.max(norm(end[axis]!), 0), n);
      b.push(lo), size.push(Math.max(0, Math.ceil((hi - lo) / s))), step.push(s);
    } else {
      // Walking backwards from `first` down to (excluding) `last` is walking forwards on the flipped axis.
      const first = bit(bm, axis) ? n - 1 : Math.min(Math.max(norm(begin[axis]!), -1), n - 1);
      const last = bit(em, axis) ? -1 : Math.min(Math.max(norm(end[axis]!), -1), n - 1);
      flips.push(axis);
      b.push(Math.max(n - 1 - first, 0)), size.push(Math.max(0, Math.ceil((first - last) / -s))), step.push(-s);
    }
  });
  if (flips.length) x = flip(x, flips);
  let y = stridedView(x, b, size, step);
  if (shrink.length) y = reshape(y, y.shape.filter((_, i) => !shrink.includes(i)));
  return y;
}

function checkStridedSlice(attrs: TfNodeAttrs): void {
  if (attrs.int('ellipsis_mask', 0) !== 0) attrs.unsupported('ellipsis_mask');
}

/** Identity-like ops: the input unchanged. */
/** Identity and its kin pass strings through too. */
const identity: TfOp = { run: (ctx) => [ctx.value(0)] };

export const shapeOps: TfOpTable = {
  Identity: identity,
  StopGradient: identity,
  Snapshot: identity,
  // An input with a default (Keras's learning phase, say): nabla's feeds are the Placeholders, so it is its default.
  PlaceholderWithDefault: identity,
  Reshape: one(tfReshape),
  Squeeze: one(tfSqueeze),
  ExpandDims: one(tfExpandDims),
  ConcatV2: one(tfConcat),
  Concat: one((ctx) => {
    if (ctx.inputCount < 2) throw new ShapeError(`loadGraphModel: ${ctx.where}: needs an axis and at least one tensor, got ${ctx.inputCount} inputs`);
    const parts = Array.from({ length: ctx.inputCount - 1 }, (_, i) => ctx.input(i + 1));
    return concat(parts, normAxis(ctx.scalar(0, 'axis'), parts[0]!.rank, ctx.where));
  }),
  Pack: one(tfPack),
  Pad: one(tfPad),
  PadV2: one(tfPad),
  Transpose: one(tfTranspose),
  Shape: { ...one(tfShape), shapeOnly: true },
  Slice: one(tfSlice),
  StridedSlice: one(tfStridedSlice, checkStridedSlice),
};
