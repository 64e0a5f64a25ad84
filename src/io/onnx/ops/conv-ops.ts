// ONNX Conv and ConvTranspose on nabla's conv2d primitives (3-D ones: volume-ops.ts). ONNX weights are [out, in/groups, kh, kw]
// (ConvTranspose: [in, out/groups, kh, kw]); nabla's filters are [kh, kw, in, out], so the weight
// is transposed at use: a view, and the Variable keeps ONNX's layout for fine-tuning and export.
// The activations stay NCHW: the convolutions run with dataFormat 'channelsFirst'.
import { ShapeError, fmtShape } from '../../../errors.js';
import { add } from '../../../ops/primitives/binary.js';
import { conv2d, conv2dTranspose } from '../../../ops/primitives/conv.js';
import { expandDims, reshape, slice, transpose } from '../../../ops/primitives/shape.js';
import { concat } from '../../../ops/primitives/structure.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { NodeContext } from '../node-context.js';
import { assertSize, one, type OpTable } from '../op-table.js';
import { asNCHW, checkSpatialRank, fromNCHW, windowOf } from './window-attrs.js';
import { onnxConv3d, onnxConvTranspose3d } from './volume-ops.js';

function weight4(ctx: NodeContext, spatial: number): Tensor {
  const w = ctx.input(1);
  if (w.rank !== spatial + 2) throw new ShapeError(`onnx: ${ctx.where}: weight has shape ${fmtShape(w.shape)}, expected rank ${spatial + 2}`);
  return spatial === 1 ? expandDims(w, 2) : w;
}

/** A bias [C] added along the channel axis of an NCHW result. */
function addChannelBias(y: Tensor, b: Tensor | undefined): Tensor {
  return b ? add(y, reshape(b, [b.shape[0]!, 1, 1])) : y;
}

function onnxConv(ctx: NodeContext): Tensor {
  if (ctx.input(0).rank === 5) return onnxConv3d(ctx);
  const { t, spatial } = asNCHW(ctx.input(0), ctx.where);
  const w = weight4(ctx, spatial);
  const win = windowOf(ctx.attrs, [w.shape[2]!, w.shape[3]!], [t.shape[2]!, t.shape[3]!], spatial);
  const groups = ctx.attrs.int('group', 1);
  const p = win.pads;
  const y = conv2d(t, transpose(w, [2, 3, 1, 0]), { strides: win.strides, dilations: win.dilations, padding: [[p[0], p[1]], [p[2], p[3]]], groups, dataFormat: 'channelsFirst' });
  return fromNCHW(addChannelBias(y, ctx.optional(2)), spatial);
}

function onnxConvTranspose(ctx: NodeContext): Tensor {
  if (ctx.input(0).rank === 5) return onnxConvTranspose3d(ctx);
  const { t, spatial } = asNCHW(ctx.input(0), ctx.where);
  const w = weight4(ctx, spatial);
  const groups = ctx.attrs.int('group', 1);
  const [n, c, h, wd] = t.shape as [number, number, number, number];
  const kernel: [number, number] = [w.shape[2]!, w.shape[3]!];
  if (w.shape[0] !== c || c % groups !== 0) {
    throw new ShapeError(`onnx: ${ctx.where}: input ${fmtShape(ctx.input(0).shape)} has ${c} channels, the weight ${fmtShape(ctx.input(1).shape)} expects ${w.shape[0]} in ${groups} groups`);
  }
  const win = windowOf(ctx.attrs, kernel, [h, wd], spatial);
  const widen = (v: number[] | undefined): [number, number] => (!v || !v.length ? [0, 0] : spatial === 1 ? [0, v[0]!] : [v[0]!, v[1]!]);
  const outPad = widen(ctx.attrs.ints('output_padding'));
  const inHW = [h, wd];
  const span = (i: 0 | 1) => win.strides[i] * (inHW[i]! - 1) + outPad[i] + (kernel[i] - 1) * win.dilations[i] + 1;
  let pads = win.pads;
  const outputShape = ctx.attrs.ints('output_shape');
  const autoPad = ctx.attrs.string('auto_pad', 'NOTSET');
  if ((outputShape && outputShape.length) || autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    // ONNX: total padding = span - requested size, split with the odd cell at the end for SAME_UPPER
    // (none when the span is smaller: a kernel smaller than the stride).
    const target = outputShape && outputShape.length ? widen(outputShape.slice(-spatial)) : [inHW[0]! * win.strides[0], inHW[1]! * win.strides[1]];
    if (spatial === 1) target[0] = 1;
    const split = (i: 0 | 1): [number, number] => {
      const total = Math.max(span(i) - target[i]!, 0);
      const half = Math.floor(total / 2);
      return autoPad === 'SAME_UPPER' ? [half, total - half] : [total - half, half];
    };
    pads = [...split(0), ...split(1)];
    // onnxruntime's 2-D output past the span is not a transposed convolution of the input (it
    // repeats the pattern past the last input row), so nabla refuses it.
    if (outputShape && outputShape.length && (target[0]! > span(0) || target[1]! > span(1))) {
      throw new ShapeError(`onnx: ${ctx.where}: output_shape ${JSON.stringify(outputShape)} is larger than the transposed convolution produces ([${span(0)}, ${span(1)}] from input ${fmtShape(ctx.input(0).shape)})`);
    }
  }
  const oh = span(0) - pads[0] - pads[1];
  const ow = span(1) - pads[2] - pads[3];
  assertSize(ctx.where, [n, w.shape[1]! * groups, oh, ow]);
  const outPerGroup = w.shape[1]!;
  const inPerGroup = c / groups;
  const parts: Tensor[] = [];
  for (let g = 0; g < groups; g++) {
    const xg = groups === 1 ? t : slice(t, [0, g * inPerGroup, 0, 0], [n, inPerGroup, h, wd]);
    const wg = groups === 1 ? w : slice(w, [g * inPerGroup, 0, 0, 0], [inPerGroup, outPerGroup, kernel[0], kernel[1]]);
    parts.push(
      conv2dTranspose(xg, transpose(wg, [2, 3, 1, 0]), [n, outPerGroup, oh, ow], {
        strides: win.strides,
        dilations: win.dilations,
        padding: [[pads[0], pads[1]], [pads[2], pads[3]]],
        dataFormat: 'channelsFirst',
      }),
    );
  }
  const y = groups === 1 ? parts[0]! : concat(parts, 1);
  return fromNCHW(addChannelBias(y, ctx.optional(2)), spatial);
}

export const convOps: OpTable = {
  Conv: one(onnxConv, (attrs) => checkSpatialRank(attrs, 3)),
  ConvTranspose: one(onnxConvTranspose, (attrs) => checkSpatialRank(attrs, 3)),
};
