// Less common TensorFlow ops of converted models: MirrorPad, Einsum, Cumsum/Cumprod, OneHot,
// TopKV2 (two outputs) and the remaining unary math.
import { ShapeError, fmtShape } from '../../../errors.js';
import { atan2 } from '../../../ops/primitives/binary.js';
import { cast } from '../../../ops/primitives/cast.js';
import { cumprod, cumsum } from '../../../ops/primitives/cumulative.js';
import { topk } from '../../../ops/primitives/sort.js';
import { pad } from '../../../ops/primitives/structure.js';
import * as u from '../../../ops/primitives/unary.js';
import { tan } from '../../../ops/composite/elementwise.js';
import { einsum } from '../../../ops/composite/einsum.js';
import { oneHot } from '../../../ops/composite/one-hot.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { TfNodeAttrs } from '../graph-def.js';
import { assertSize, normAxis, type TfNodeContext } from '../node-context.js';
import { one, type TfOp, type TfOpTable } from '../op-table.js';

const unary = (f: (x: Tensor) => Tensor) => one((ctx) => f(ctx.input(0)));

function mirrorPad(ctx: TfNodeContext): Tensor {
  const x = ctx.input(0);
  const p = ctx.numbers(1, 'paddings');
  if (p.length !== 2 * x.rank) throw new ShapeError(`loadGraphModel: ${ctx.where}: paddings ${JSON.stringify(p)} do not fit input ${fmtShape(x.shape)} (expected [${x.rank}, 2])`);
  const pairs = x.shape.map((_, i) => [p[2 * i]!, p[2 * i + 1]!] as const);
  assertSize(ctx.where, x.shape.map((d, i) => d + pairs[i]![0] + pairs[i]![1]));
  return pad(x, pairs, { mode: ctx.attrs.string('mode', 'REFLECT') === 'SYMMETRIC' ? 'symmetric' : 'reflect' });
}

function checkMirrorPad(attrs: TfNodeAttrs): void {
  const mode = attrs.string('mode', 'REFLECT');
  if (mode !== 'REFLECT' && mode !== 'SYMMETRIC') attrs.unsupported(`mode '${mode}'`);
}

function checkEinsum(attrs: TfNodeAttrs): void {
  if (!attrs.string('equation', '')) attrs.unsupported('an Einsum without an equation');
  const n = attrs.int('N', 2);
  if (n < 1 || n > 2) attrs.unsupported(`Einsum of ${n} operands (one or two are)`);
}

function scan(f: typeof cumsum): TfOp {
  return one((ctx) => {
    const x = ctx.input(0);
    return f(x, normAxis(ctx.scalar(1, 'axis'), x.rank, ctx.where), { exclusive: ctx.attrs.bool('exclusive', false), reverse: ctx.attrs.bool('reverse', false) });
  });
}

/** OneHot: indices, depth, on_value, off_value; `axis` attribute (-1: last). */
function tfOneHot(ctx: TfNodeContext): Tensor {
  const indices = cast(ctx.input(0), 'int32');
  const depth = ctx.scalar(1, 'depth');
  assertSize(ctx.where, [...indices.shape, depth]);
  const on = ctx.scalar(2, 'on_value');
  const off = ctx.scalar(3, 'off_value');
  return oneHot(indices, depth, { onValue: on, offValue: off, dtype: ctx.input(2).dtype, axis: ctx.attrs.int('axis', -1) });
}

const topKV2: TfOp = {
  run: (ctx) => {
    const { values, indices } = topk(ctx.input(0), ctx.scalar(1, 'k'), { sorted: ctx.attrs.bool('sorted', true) });
    return [values, indices];
  },
  outputs: 2,
};

export const miscOps: TfOpTable = {
  MirrorPad: one(mirrorPad, checkMirrorPad),
  Einsum: one((ctx) => einsum(ctx.attrs.string('equation', ''), ...Array.from({ length: ctx.inputCount }, (_, i) => ctx.input(i))), checkEinsum),
  Cumsum: scan(cumsum),
  Cumprod: scan(cumprod),
  OneHot: one(tfOneHot),
  TopKV2: topKV2,
  Tan: unary(tan),
  Asin: unary(u.asin),
  Acos: unary(u.acos),
  Atan: unary(u.atan),
  Atan2: one((ctx) => atan2(ctx.input(0), ctx.input(1))),
  Expm1: unary(u.expm1),
  Log1p: unary(u.log1p),
  IsNan: unary(u.isNaN),
  IsFinite: unary(u.isFinite),
};
