// Channels-first 3-D convolutions ([batch, channels, depth, height, width]) built on the
// channels-first 2-D primitives, with no transpose of the volume (only of the small kernel). Depth
// and height merge into one axis (a free reshape of NCDHW): each plane becomes a block of hp rows of
// a tall image, hp a multiple of the height stride and at least the padded plane height, so a 2-D
// window never reads across two planes for the output rows that are kept; the (kh - 1) * dh rows
// per plane whose window would cross are computed and cut away. The kernel's depth taps become
// channels: the depths each tap meets are stacked along the channel axis, so one 2-D convolution
// (or one transposed one) covers every tap.
import { ShapeError, fmtShape } from '../../errors.js';
import { add } from '../../ops/primitives/binary.js';
import { conv2dBackpropInputOp, conv2dOp, type ConvAttrs } from '../../ops/primitives/conv.js';
import { pad, stack } from '../../ops/primitives/structure.js';
import { reshape, slice, stridedView, transpose } from '../../ops/primitives/shape.js';
import { zeros } from '../../ops/creation.js';
import { run1 } from '../../ops/run.js';
import type { Tensor } from '../../tensor/tensor.js';

/** Strides, dilations and [before, after] padding of the depth, height and width axes. */
export interface VolumeWindow {
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly pads: readonly (readonly [number, number])[];
}

const effective = (k: number, dilation: number) => (k - 1) * dilation + 1;
const roundUp = (n: number, m: number) => Math.ceil(n / m) * m;

/** The kernel's depth slice `i` as a 2-D filter [kh, kw, a, b]. */
function kernelSlice(kernel: Tensor, i: number): Tensor {
  const [, kh, kw, a, b] = kernel.shape as number[];
  return reshape(slice(kernel, [i, 0, 0, 0, 0], [1, -1, -1, -1, -1]), [kh!, kw!, a!, b!]);
}

function checkVolume(op: string, x: Tensor, kernel: Tensor): void {
  if (x.rank !== 5) throw new ShapeError(`${op}: input must have rank 5 [batch, channels, depth, height, width], got shape ${fmtShape(x.shape)}`);
  if (kernel.rank !== 5) throw new ShapeError(`${op}: kernel must have rank 5 [kd, kh, kw, a, b], got shape ${fmtShape(kernel.shape)}`);
}

/**
 * 3-D convolution of `x` [n, c, d, h, w] with `kernel` [kd, kh, kw, c / groups, f]: [n, f, od, oh, ow].
 */
export function conv3dChannelsFirst(x: Tensor, kernel: Tensor, win: VolumeWindow, groups = 1): Tensor {
  const op = 'conv3d (channelsFirst)';
  checkVolume(op, x, kernel);
  const [n, c, d, h, w] = x.shape as number[];
  const [kd, kh, kw, cg, f] = kernel.shape as number[];
  if (cg! * groups !== c || f! % groups !== 0) {
    throw new ShapeError(`${op}: input ${fmtShape(x.shape)} has ${c} channels, the kernel ${fmtShape(kernel.shape)} expects ${cg! * groups} (${cg} per group x ${groups} groups) and ${f} filters divisible by the groups`);
  }
  const [sd, sh, sw] = win.strides as [number, number, number];
  const [dd, dh, dw] = win.dilations as [number, number, number];
  const [[pd0, pd1], [ph0, ph1], [pw0, pw1]] = win.pads as [[number, number], [number, number], [number, number]];
  const ekh = effective(kh!, dh);
  const paddedD = d! + pd0 + pd1;
  const paddedH = h! + ph0 + ph1;
  const od = Math.floor((paddedD - effective(kd!, dd)) / sd) + 1;
  const oh = Math.floor((paddedH - ekh) / sh) + 1;
  const ow = Math.floor((w! + pw0 + pw1 - effective(kw!, dw)) / sw) + 1;
  if (!(od > 0 && oh > 0 && ow > 0)) {
    throw new ShapeError(`${op}: kernel ${fmtShape(kernel.shape)} with dilations ${JSON.stringify(win.dilations)} does not fit input ${fmtShape(x.shape)} padded by ${JSON.stringify(win.pads)}`);
  }
  const hp = roundUp(paddedH, sh);
  const xp = pd0 || pd1 || ph0 || hp - h! - ph0 ? pad(x, [[0, 0], [0, 0], [pd0, pd1], [ph0, hp - h! - ph0], [0, 0]]) : x;
  // The merged axis of od * hp rows gives od * hp / sh output rows with this bottom padding.
  const attrs: ConvAttrs = { strides: [sh, sw], dilations: [dh, dw], pads: [0, Math.max(ekh - sh, 0), pw0, pw1], groups, channelsFirst: true };
  // The depths each tap meets (i * dd, i * dd + sd, ...), stacked as channels: tap i of input
  // channel ci is channel ci * kd + i, so each group's channels stay together; one 2-D convolution
  // then sums over channels and taps at once.
  const taps = Array.from({ length: kd! }, (_, i) => stridedView(xp, [0, 0, i * dd, 0, 0], [n!, c!, od, hp, w!], [1, 1, sd, 1, 1]));
  const stacked = kd === 1 ? reshape(taps[0]!, [n!, c!, od * hp, w!]) : reshape(stack(taps, 2), [n!, c! * kd!, od * hp, w!]);
  const filter = kd === 1 ? kernelSlice(kernel, 0) : reshape(transpose(kernel, [1, 2, 3, 0, 4]), [kh!, kw!, cg! * kd!, f!]);
  const y = run1(conv2dOp, [stacked, filter], attrs);
  const blocks = reshape(y, [n!, f!, od, hp / sh, ow]);
  return oh === hp / sh ? blocks : slice(blocks, [0, 0, 0, 0, 0], [-1, -1, -1, oh, -1]);
}

/**
 * The transpose of conv3dChannelsFirst: `x` [n, c, d, h, w], `kernel` [kd, kh, kw, f / groups, c],
 * output [n, f, ...outSpatial]. Output cell `s * i + dilation * k - padBefore` of each axis gathers
 * input cell i through tap k; cells no tap reaches (ONNX's output_padding) are zero.
 */
export function conv3dTransposeChannelsFirst(x: Tensor, kernel: Tensor, outSpatial: readonly number[], strides: readonly number[], dilations: readonly number[], padBefore: readonly number[], groups = 1): Tensor {
  const op = 'conv3dTranspose (channelsFirst)';
  checkVolume(op, x, kernel);
  const [n, c, d, h, w] = x.shape as number[];
  const [kd, kh, kw, fg, kc] = kernel.shape as number[];
  if (kc! !== c || c! % groups !== 0) throw new ShapeError(`${op}: input ${fmtShape(x.shape)} has ${c} channels, the kernel ${fmtShape(kernel.shape)} expects ${kc} in ${groups} groups`);
  const f = fg! * groups;
  const [od, oh, ow] = outSpatial as [number, number, number];
  const [sd, sh, sw] = strides as [number, number, number];
  const [dd, dh, dw] = dilations as [number, number, number];
  const [pd0, ph0, pw0] = padBefore as [number, number, number];
  const ekh = effective(kh!, dh);
  const fullH = (h! - 1) * sh + ekh;
  const fullW = (w! - 1) * sw + effective(kw!, dw);
  if (!(od > 0 && oh > 0 && ow > 0) || ph0 >= fullH || pw0 >= fullW) {
    throw new ShapeError(`${op}: output ${JSON.stringify(outSpatial)} cropped by ${JSON.stringify(padBefore)} is empty or outside what input ${fmtShape(x.shape)} reaches`);
  }
  // Each input plane fills hp / sh rows of a tall image; its transposed plane fills hp >= fullH rows.
  const hp = roundUp(Math.max(fullH, ph0 + oh), sh);
  const hq = hp / sh;
  const xq = hq > h! ? pad(x, [[0, 0], [0, 0], [0, 0], [0, hq - h!], [0, 0]]) : x;
  const merged = reshape(xq, [n!, c!, d! * hq, w!]);
  // Width: crop pw0 at the start and the rest at the end inside the kernel; a wider output gains zero columns.
  const keptW = Math.min(ow, fullW - pw0);
  const attrs = {
    strides: [sh, sw] as [number, number],
    dilations: [dh, dw] as [number, number],
    pads: [0, Math.max(ekh - sh, 0), pw0, fullW - pw0 - keptW] as [number, number, number, number],
    groups,
    channelsFirst: true,
    inputShape: [n!, f * kd!, d! * hp, keptW],
  };
  // One transposed convolution for all depth taps: output channel fi * kd + i is tap i of channel fi
  // (the adjoint of conv3dChannelsFirst's taps-as-channels stacking).
  const filter = kd === 1 ? kernelSlice(kernel, 0) : reshape(transpose(kernel, [1, 2, 3, 0, 4]), [kh!, kw!, fg! * kd!, c!]);
  const tall = run1(conv2dBackpropInputOp, [merged, filter], attrs);
  const taps = slice(reshape(tall, [n!, f, kd!, d!, hp, keptW]), [0, 0, 0, 0, ph0, 0], [-1, -1, -1, -1, oh, -1]);
  const used = (d! - 1) * sd + 1;
  let y: Tensor | null = null;
  for (let i = 0; i < kd!; i++) {
    const start = i * dd - pd0;
    // Place rows [0, used) of the depth-spread slices at output depths start .. start + used, cut to [0, od).
    const from = Math.max(0, -start);
    const to = Math.min(used, od - start);
    if (to <= from) continue;
    const planes = reshape(slice(taps, [0, 0, i, 0, 0, 0], [-1, -1, 1, -1, -1, -1]), [n!, f, d!, oh, keptW]);
    // Spread the depth slices `sd` apart (zeros between).
    const spread = sd === 1 ? planes : reshape(pad(reshape(planes, [n!, f, d!, 1, oh * keptW]), [[0, 0], [0, 0], [0, 0], [0, sd - 1], [0, 0]]), [n!, f, d! * sd, oh, keptW]);
    const piece = slice(spread, [0, 0, from, 0, 0], [-1, -1, to - from, -1, -1]);
    const placed = pad(piece, [[0, 0], [0, 0], [start + from, od - (start + to)], [0, 0], [0, 0]]);
    y = y ? add(y, placed) : placed;
  }
  // Every tap outside the output (padding at least the whole reach): nothing depends on x.
  const out = y ?? zeros([n!, f, od, oh, keptW], x.dtype);
  return keptW === ow ? out : pad(out, [[0, 0], [0, 0], [0, 0], [0, 0], [0, ow - keptW]]);
}
