// ONNX operators that select, join or create values: Concat, Split, Slice, Gather, Tile, Pad,
// Constant, ConstantOfShape, Range.
import { ShapeError, ValueError, fmtShape } from '../../../errors.js';
import { add } from '../../../ops/primitives/binary.js';
import { cast } from '../../../ops/primitives/cast.js';
import { less } from '../../../ops/primitives/compare.js';
import { gather } from '../../../ops/primitives/indexing.js';
import { where } from '../../../ops/primitives/select.js';
import { reshape, slice, stridedView } from '../../../ops/primitives/shape.js';
import { concat, pad, split, tile } from '../../../ops/primitives/structure.js';
import { full, range, tensor } from '../../../ops/creation.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { NodeContext } from '../node-context.js';
import { assertSize, normAxis, one, type OpTable } from '../op-table.js';

function onnxSplit(ctx: NodeContext): Tensor[] {
  const x = ctx.input(0);
  const axis = normAxis(ctx.attrs.int('axis', 0), x.rank, ctx.where);
  const n = x.shape[axis]!;
  const outputs = ctx.attrs.node.output?.length ?? 1;
  let sizes = ctx.has(1) ? ctx.numbers(1, 'split') : ctx.attrs.ints('split');
  if (!sizes) {
    const parts = ctx.attrs.int('num_outputs', outputs);
    const each = Math.ceil(n / parts);
    sizes = Array.from({ length: parts }, (_, i) => Math.max(0, Math.min(each, n - i * each)));
  }
  if (sizes.reduce((a, b) => a + b, 0) !== n) {
    throw new ShapeError(`onnx: ${ctx.where}: split sizes ${JSON.stringify(sizes)} do not add up to ${n} (axis ${axis} of ${fmtShape(x.shape)})`);
  }
  return split(x, sizes, axis);
}

/** ONNX Slice: per-axis start/end/step, clamped like numpy (INT_MAX / INT_MIN mean "to the end"). */
function onnxSlice(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const old = ctx.opset < 10;
  const starts = old ? ctx.attrs.ints('starts') ?? [] : ctx.numbers(1, 'starts');
  const ends = old ? ctx.attrs.ints('ends') ?? [] : ctx.numbers(2, 'ends');
  const axes = (old ? ctx.attrs.ints('axes') : ctx.optionalNumbers(3, 'axes')) ?? starts.map((_, i) => i);
  const steps = (old ? undefined : ctx.optionalNumbers(4, 'steps')) ?? starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) {
    throw new ShapeError(`onnx: ${ctx.where}: starts, ends, axes and steps must have one length, got ${starts.length}, ${ends.length}, ${axes.length}, ${steps.length}`);
  }
  const begin = x.shape.map(() => 0);
  const size = [...x.shape];
  const step = x.shape.map(() => 1);
  starts.forEach((s0, i) => {
    const ax = normAxis(axes[i]!, x.rank, ctx.where);
    const dim = x.shape[ax]!;
    const st = steps[i]!;
    if (st === 0) throw new ValueError(`onnx: ${ctx.where}: step 0 on axis ${ax}`);
    const rel = (v: number) => (v < 0 ? v + dim : v);
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
    const s = st > 0 ? clamp(rel(s0), 0, dim) : clamp(rel(s0), 0, dim - 1);
    const e = st > 0 ? clamp(rel(ends[i]!), 0, dim) : clamp(rel(ends[i]!), -1, dim - 1);
    const n = Math.max(0, Math.ceil((e - s) / st));
    begin[ax] = n > 0 ? s : 0;
    size[ax] = n;
    step[ax] = st;
  });
  return stridedView(x, begin, size, step);
}

function onnxGather(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const axis = normAxis(ctx.attrs.int('axis', 0), x.rank, ctx.where);
  let idx = ctx.input(1);
  if (idx.dtype !== 'int32') idx = cast(idx, 'int32');
  // Negative indices count from the end.
  idx = where(less(idx, 0), add(idx, x.shape[axis]!), idx);
  return gather(x, idx, { axis });
}

/** ONNX pads [x1_begin, x2_begin, ..., x1_end, x2_end, ...] (negative: crop) over `axes`. */
function onnxPad(ctx: NodeContext): Tensor {
  let x = ctx.input(0);
  const raw = ctx.opset < 11 ? ctx.attrs.ints('pads') ?? [] : ctx.numbers(1, 'pads');
  const mode = ctx.attrs.string('mode', 'constant');
  const value = ctx.opset < 11 ? ctx.attrs.float('value', 0) : ctx.has(2) ? ctx.numbers(2, 'constant_value')[0] ?? 0 : 0;
  const axes = (ctx.has(3) ? ctx.numbers(3, 'axes') : undefined)?.map((a) => normAxis(a, x.rank, ctx.where)) ?? x.shape.map((_, i) => i);
  if (raw.length !== 2 * axes.length) throw new ShapeError(`onnx: ${ctx.where}: ${raw.length} pads for ${axes.length} axes (expected ${2 * axes.length})`);
  const before = x.shape.map(() => 0);
  const after = x.shape.map(() => 0);
  axes.forEach((a, i) => {
    before[a] = raw[i]!;
    after[a] = raw[i + axes.length]!;
  });
  if (before.some((p) => p < 0) || after.some((p) => p < 0)) {
    x = slice(x, before.map((p) => Math.max(0, -p)), x.shape.map((d, i) => d - Math.max(0, -before[i]!) - Math.max(0, -after[i]!)));
  }
  const pads = x.shape.map((_, i) => [Math.max(0, before[i]!), Math.max(0, after[i]!)] as [number, number]);
  assertSize(ctx.where, x.shape.map((d, i) => d + pads[i]![0] + pads[i]![1]));
  if (mode === 'constant') return pad(x, pads, value);
  if (mode === 'reflect') return pad(x, pads, { mode: 'reflect' });
  // edge: gather the clamped indices along each padded axis.
  pads.forEach(([b, e], ax) => {
    if (!b && !e) return;
    const n = x.shape[ax]!;
    const idx = Array.from({ length: n + b + e }, (_, i) => Math.min(Math.max(i - b, 0), n - 1));
    x = gather(x, tensor(idx, [idx.length], 'int32'), { axis: ax });
  });
  return x;
}

function constantValue(ctx: NodeContext): Tensor {
  const a = ctx.attrs;
  const t = a.tensor('value');
  if (t) return tensor(t.data, t.shape, t.dtype);
  if (a.has('value_float')) return tensor([a.float('value_float', 0)], [], 'float32');
  if (a.has('value_floats')) return tensor(a.floats('value_floats')!, 'float32');
  if (a.has('value_int')) return tensor([a.int('value_int', 0)], [], 'int32');
  if (a.has('value_ints')) return tensor(a.ints('value_ints')!, 'int32');
  return a.unsupported('a Constant without value, value_float(s) or value_int(s)');
}

function constantOfShape(ctx: NodeContext): Tensor {
  const shape = ctx.numbers(0, 'shape');
  assertSize(ctx.where, shape);
  const v = ctx.attrs.tensor('value');
  if (!v) return full(shape, 0, 'float32');
  if (v.data.length !== 1) throw new ValueError(`onnx: ${ctx.where}: value must hold one element, got ${v.data.length}`);
  return full(shape, v.dtype === 'bool' ? v.data[0] !== 0 : v.data[0]!, v.dtype);
}

function onnxRange(ctx: NodeContext): Tensor {
  const [start] = ctx.numbers(0, 'start');
  const [limit] = ctx.numbers(1, 'limit');
  const [delta] = ctx.numbers(2, 'delta');
  const dtype = ctx.input(0).dtype;
  if (delta === 0) throw new ValueError(`onnx: ${ctx.where}: delta is 0`);
  assertSize(ctx.where, [Math.ceil((limit! - start!) / delta!)]);
  return reshape(range(start!, limit!, delta!, dtype), [-1]);
}

export const structureOps: OpTable = {
  Concat: one((ctx) => {
    const xs = Array.from({ length: ctx.inputCount }, (_, i) => ctx.input(i));
    return concat(xs, normAxis(ctx.attrs.int('axis', 0), xs[0]!.rank, ctx.where));
  }),
  Split: { run: onnxSplit },
  Slice: one(onnxSlice),
  Gather: one(onnxGather),
  Tile: one((ctx) => {
    const x = ctx.input(0);
    const reps = ctx.numbers(1, 'repeats');
    assertSize(ctx.where, x.shape.map((d, i) => d * (reps[i] ?? 1)));
    return tile(x, reps);
  }),
  Pad: one(onnxPad, (attrs) => {
    const mode = attrs.string('mode', 'constant');
    if (mode !== 'constant' && mode !== 'reflect' && mode !== 'edge') attrs.unsupported(`Pad mode '${mode}'`);
  }),
  Constant: one(constantValue),
  ConstantOfShape: one(constantOfShape),
  Range: one(onnxRange),
};
