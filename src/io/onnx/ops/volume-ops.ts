// ONNX's 3-D Conv, MaxPool and AveragePool (NCDHW). Pooling separates into a channels-first 2-D
// pool over height and width (channels and depth folded together) and a pool over depth, with no
// transposes: a box's max is the max of the plane maxima, and its mean over the real cells is the
// mean over depth of the plane means (the real cells of a box are a product of three intervals).
// Conv and ConvTranspose are sums over the depth taps of channels-first 2-D convolutions with depth
// and height merged into one axis (src/nn/layers/conv3d-channels-first.ts): no transposes either.
import { ShapeError, fmtShape } from '../../../errors.js';
import { add } from '../../../ops/primitives/binary.js';
import { avgPoolOp, maxPoolOp } from '../../../ops/primitives/pool.js';
import { reshape, transpose } from '../../../ops/primitives/shape.js';
import { pad } from '../../../ops/primitives/structure.js';
import { run1 } from '../../../ops/run.js';
import { conv3dChannelsFirst, conv3dTransposeChannelsFirst } from '../../../nn/layers/conv3d-channels-first.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { NodeAttributes, NodeContext } from '../node-context.js';
import { assertSize } from '../op-table.js';

/** Window attributes of a 3-D node: per-axis [before, after] padding over an input of spatial sizes `inDHW`. */
export function window3d(attrs: NodeAttributes, kernel: number[], inDHW: number[]): { strides: number[]; dilations: number[]; pads: [number, number][] } {
  const where = attrs.where;
  const per = (name: string, dflt: number) => {
    const v = attrs.ints(name);
    if (!v || v.length === 0) return [dflt, dflt, dflt];
    if (v.length !== 3) throw new ShapeError(`onnx: ${where}: ${name} ${JSON.stringify(v)} should have 3 entries`);
    return v;
  };
  const strides = per('strides', 1);
  const dilations = per('dilations', 1);
  const autoPad = attrs.string('auto_pad', 'NOTSET');
  let pads: [number, number][];
  if (autoPad === 'NOTSET') {
    const p = attrs.ints('pads') ?? [];
    if (p.length !== 0 && p.length !== 6) throw new ShapeError(`onnx: ${where}: pads ${JSON.stringify(p)} should have 6 entries`);
    pads = [0, 1, 2].map((i) => [p[i] ?? 0, p[i + 3] ?? 0]);
    if (p.some((v) => v < 0)) throw new ShapeError(`onnx: ${where}: negative pads ${JSON.stringify(p)}`);
  } else if (autoPad === 'VALID') {
    pads = [[0, 0], [0, 0], [0, 0]];
  } else {
    pads = [0, 1, 2].map((i) => {
      const out = Math.ceil(inDHW[i]! / strides[i]!);
      const total = Math.max((out - 1) * strides[i]! + (kernel[i]! - 1) * dilations[i]! + 1 - inDHW[i]!, 0);
      const small = Math.floor(total / 2);
      return autoPad === 'SAME_UPPER' ? [small, total - small] : [total - small, small];
    });
  }
  assertSize(where, inDHW.map((n, i) => n + pads[i]![0] + pads[i]![1]));
  return { strides, dilations, pads };
}

function input5(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  if (x.rank !== 5) throw new ShapeError(`onnx: ${ctx.where}: a 3-D window needs an input [N, C, D, H, W], got shape ${fmtShape(x.shape)}`);
  return x;
}

/** ONNX's 3-D weight [a, b, kd, kh, kw]; its transpose to nabla's [kd, kh, kw, b, a] is a view at use, so the Variable keeps ONNX's layout. */
function weight5(ctx: NodeContext): Tensor {
  const w = ctx.input(1);
  if (w.rank !== 5) throw new ShapeError(`onnx: ${ctx.where}: weight has shape ${fmtShape(w.shape)}, expected rank 5`);
  return w;
}

/** A bias [C] added along the channel axis of an NCDHW result. */
function addVolumeBias(y: Tensor, b: Tensor | undefined): Tensor {
  return b ? add(y, reshape(b, [b.shape[0]!, 1, 1, 1])) : y;
}

/** 3-D Conv, channels first throughout. */
export function onnxConv3d(ctx: NodeContext): Tensor {
  const x = input5(ctx);
  const w = weight5(ctx);
  const win = window3d(ctx.attrs, w.shape.slice(2), x.shape.slice(2));
  const groups = ctx.attrs.int('group', 1);
  if (w.shape[1]! * groups !== x.shape[1] || w.shape[0]! % groups !== 0) {
    throw new ShapeError(`onnx: ${ctx.where}: input ${fmtShape(x.shape)} has ${x.shape[1]} channels, the weight ${fmtShape(w.shape)} expects ${w.shape[1]! * groups} in ${groups} groups`);
  }
  const y = conv3dChannelsFirst(x, transpose(w, [2, 3, 4, 1, 0]), win, groups);
  return addVolumeBias(y, ctx.optional(2));
}

/** 3-D ConvTranspose: output_padding, output_shape and auto_pad resolve to a crop of the full transposed output. */
export function onnxConvTranspose3d(ctx: NodeContext): Tensor {
  const x = input5(ctx);
  const w = weight5(ctx);
  const groups = ctx.attrs.int('group', 1);
  const c = x.shape[1]!;
  if (w.shape[0] !== c || c % groups !== 0) {
    throw new ShapeError(`onnx: ${ctx.where}: input ${fmtShape(x.shape)} has ${c} channels, the weight ${fmtShape(w.shape)} expects ${w.shape[0]} in ${groups} groups`);
  }
  const kernel = w.shape.slice(2);
  const inDHW = x.shape.slice(2);
  const win = window3d(ctx.attrs, kernel, inDHW);
  const per = (name: string): number[] => {
    const v = ctx.attrs.ints(name);
    if (!v || v.length === 0) return [0, 0, 0];
    if (v.length !== 3 && v.length !== 5) throw new ShapeError(`onnx: ${ctx.where}: ${name} ${JSON.stringify(v)} should have 3 entries`);
    return v.slice(-3);
  };
  const outPad = per('output_padding');
  const span = inDHW.map((n, i) => win.strides[i]! * (n - 1) + outPad[i]! + (kernel[i]! - 1) * win.dilations[i]! + 1);
  let before = win.pads.map((p) => p[0]);
  let out = span.map((s, i) => s - win.pads[i]![0] - win.pads[i]![1]);
  const outputShape = ctx.attrs.ints('output_shape');
  const autoPad = ctx.attrs.string('auto_pad', 'NOTSET');
  if ((outputShape && outputShape.length) || autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    // ONNX: total padding = span - requested size, the odd cell at the end for SAME_UPPER. Past the
    // span, onnxruntime pads nothing: an output_shape gets zeros at the end, auto_pad the span itself.
    const target = outputShape && outputShape.length ? per('output_shape') : inDHW.map((n, i) => n * win.strides[i]!);
    const total = span.map((s, i) => Math.max(s - target[i]!, 0));
    before = total.map((t) => (autoPad === 'SAME_UPPER' ? Math.floor(t / 2) : t - Math.floor(t / 2)));
    out = outputShape && outputShape.length ? target : span.map((s, i) => s - total[i]!);
  }
  if (out.some((o) => o <= 0)) throw new ShapeError(`onnx: ${ctx.where}: pads ${JSON.stringify(win.pads)} leave an empty output for input ${fmtShape(x.shape)}`);
  assertSize(ctx.where, [x.shape[0]!, w.shape[1]! * groups, ...out]);
  const y = conv3dTransposeChannelsFirst(x, transpose(w, [2, 3, 4, 1, 0]), out, win.strides, win.dilations, before, groups);
  return addVolumeBias(y, ctx.optional(2));
}

/** End padding that lets ceil_mode's last window start inside the input (or its begin padding). */
function ceilExtra(inSize: number, k: number, stride: number, before: number, after: number): number {
  let out = Math.ceil((inSize + before + after - k) / stride) + 1;
  if ((out - 1) * stride >= inSize + before) out--;
  return Math.max(0, (out - 1) * stride + k - (inSize + before + after));
}

/** 3-D MaxPool / AveragePool as a channels-first plane pool, then a pool over depth. */
export function onnxPool3d(ctx: NodeContext, kind: 'max' | 'avg'): Tensor {
  let x = input5(ctx);
  const k = ctx.attrs.ints('kernel_shape') ?? [];
  if (k.length !== 3) throw new ShapeError(`onnx: ${ctx.where}: kernel_shape ${JSON.stringify(k)} does not fit input ${fmtShape(x.shape)}`);
  const inDHW = x.shape.slice(2);
  const win = window3d(ctx.attrs, k, inDHW);
  // ceil_mode's extra end padding, from the unpadded sizes and the node's own pads.
  const extra = win.pads.map(([a, b], i) => (ctx.attrs.int('ceil_mode', 0) === 1 ? ceilExtra(inDHW[i]!, k[i]!, win.strides[i]!, a, b) : 0));
  let pads = win.pads.map(([a, b], i) => [a, b + extra[i]!] as [number, number]);
  // count_include_pad: every padded cell counts, ceil_mode's extra ones too (onnxruntime divides every window by the full kernel size).
  if (kind === 'avg' && ctx.attrs.int('count_include_pad', 0) === 1 && pads.some(([a, b]) => a || b)) {
    x = pad(x, [[0, 0], [0, 0], ...pads]);
    pads = [[0, 0], [0, 0], [0, 0]];
  }
  const [n, c, d, h, w] = x.shape as [number, number, number, number, number];
  const op = kind === 'max' ? maxPoolOp : avgPoolOp;
  const planes = run1(op, [reshape(x, [n, c * d, h, w])], {
    poolSize: [k[1]!, k[2]!],
    strides: [win.strides[1]!, win.strides[2]!],
    pads: [pads[1]![0], pads[1]![1], pads[2]![0], pads[2]![1]],
    channelsFirst: true,
  });
  const [, , oh, ow] = planes.shape as number[];
  // Depth as the height of a channels-last image [n * c, d, 1, oh * ow].
  const depth = run1(op, [reshape(planes, [n * c, d, 1, oh! * ow!])], { poolSize: [k[0]!, 1], strides: [win.strides[0]!, 1], pads: [pads[0]![0], pads[0]![1], 0, 0] });
  return reshape(depth, [n, c, depth.shape[1]!, oh!, ow!]);
}
