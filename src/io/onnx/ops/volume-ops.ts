// ONNX's 3-D Conv, MaxPool and AveragePool (NCDHW). Pooling separates into a channels-first 2-D
// pool over height and width (channels and depth folded together) and a pool over depth, with no
// transposes: a box's max is the max of the plane maxima, and its mean over the real cells is the
// mean over depth of the plane means (the real cells of a box are a product of three intervals).
// Conv is the Conv3D layer's sum of 2-D convolutions over the depth taps, channels last.
import { ShapeError, fmtShape } from '../../../errors.js';
import { add } from '../../../ops/primitives/binary.js';
import { avgPoolOp, maxPoolOp } from '../../../ops/primitives/pool.js';
import { reshape, transpose } from '../../../ops/primitives/shape.js';
import { pad } from '../../../ops/primitives/structure.js';
import { run1 } from '../../../ops/run.js';
import { conv3d } from '../../../nn/layers/conv3d.js';
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

/** 3-D Conv: explicit zero padding, then the channels-last sum of 2-D convolutions. */
export function onnxConv3d(ctx: NodeContext): Tensor {
  const x = input5(ctx);
  const w = ctx.input(1);
  if (w.rank !== 5) throw new ShapeError(`onnx: ${ctx.where}: weight has shape ${fmtShape(w.shape)}, expected rank 5`);
  const win = window3d(ctx.attrs, w.shape.slice(2), x.shape.slice(2));
  const padded = win.pads.some(([a, b]) => a || b) ? pad(x, [[0, 0], [0, 0], ...win.pads]) : x;
  const groups = ctx.attrs.int('group', 1);
  const y = conv3d(transpose(padded, [0, 2, 3, 4, 1]), transpose(w, [2, 3, 4, 1, 0]), win.strides, 'valid', win.dilations, groups);
  const b = ctx.optional(2);
  const out = transpose(b ? add(y, b) : y, [0, 4, 1, 2, 3]);
  return out;
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
