// 2-D convolution primitives (NHWC inputs, or NCHW with `channelsFirst`; [kh, kw, in/groups, out]
// filters) and the functions built on them. conv2d's two adjoints are primitives too; all three are linear in each input,
// so each one's gradient is written with the other two and derivatives of any order work.
import { DTypeError, ShapeError, ValueError, fmtShape } from '../../errors.js';
import { isFloat, type DType } from '../../tensor/dtype.js';
import { shapesEqual } from '../../tensor/shape.js';
import { toTensor, type TensorLike } from '../creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { defineOp, type OpDef, type TensorMeta } from '../define-op.js';
import { run1 } from '../run.js';
import { assertNHWC, outHW, pairOf, resolvePads, type Pair, type Padding, type Window2D } from './conv-geometry.js';
import { conv2dFilterGradKernel, conv2dInputGradKernel, conv2dKernel, convGeometry } from './conv-kernels.js';
import { batchSizeOf, batchedFront, expandDims, reshape, squeeze, toFront } from './shape.js';
import { declareOp } from '../surface.js';
import { batchFoldingIntoN, batchIntoChannels, channelsToBatch } from '../batch-rules.js';
import { convOptions, type TfPad } from '../tfjs-positional.js';
import { isChannelsFirst, lastShape, layoutShape, toFirstData, toLastData, type DataFormat } from './channels-first.js';
import { batchIntoChannelsFirst, channelsFirstToBatch } from './channels-first-batch.js';

export interface ConvAttrs extends Window2D {
  /** Input and output channels split into this many independent groups (depthwise: groups = channels). */
  readonly groups: number;
  /** Images are [n, c, h, w] (absent: [n, h, w, c]). */
  readonly channelsFirst?: boolean;
}

export interface ConvInputGradAttrs extends ConvAttrs {
  /** Shape [n, h, w, c] (channelsFirst: [n, c, h, w]) of the convolution's input, which this op produces. */
  readonly inputShape: readonly number[];
}

export interface ConvFilterGradAttrs extends ConvAttrs {
  /** Shape [kh, kw, c/groups, o] of the filter, which this op produces. */
  readonly filterShape: readonly number[];
}

function assertFloatPair(op: string, a: TensorMeta, b: TensorMeta): DType {
  if (!isFloat(a.dtype) || a.dtype !== b.dtype) {
    throw new DTypeError(`${op}: expected two float tensors of one dtype, got ${a.dtype} and ${b.dtype}`);
  }
  return a.dtype;
}

/** Check input and filter shapes against each other; returns the output shape. */
function convOutShape(op: string, xIn: readonly number[], fShape: readonly number[], attrs: ConvAttrs): number[] {
  assertNHWC(op, 'input', xIn, attrs.channelsFirst);
  const xShape = lastShape(xIn, attrs.channelsFirst);
  if (fShape.length !== 4) {
    throw new ShapeError(`${op}: filter must have rank 4 [kh, kw, inChannels, outChannels], got shape ${fmtShape(fShape)}`);
  }
  const { groups } = attrs;
  const c = xShape[3]!;
  const [kh, kw, fin, o] = fShape as [number, number, number, number];
  if (fin * groups !== c) {
    const expect = groups === 1 ? `${fin}` : `${fin} per group x ${groups} groups = ${fin * groups}`;
    throw new ShapeError(
      `${op}: input ${fmtShape(xIn)} has ${c} channels but the filter ${fmtShape(fShape)} expects ${expect} (filter is [kh, kw, inChannels, outChannels])`,
    );
  }
  if (o % groups !== 0) throw new ShapeError(`${op}: filter ${fmtShape(fShape)} has ${o} output channels, not divisible into ${groups} groups`);
  const [oh, ow] = outHW(op, xShape, [kh, kw], attrs);
  return layoutShape([xShape[0]!, oh, ow, o], attrs.channelsFirst);
}

export const conv2dOp: OpDef<ConvAttrs> = defineOp<ConvAttrs>({
  name: 'conv2d',
  bilinear: true,
  infer: ([x, f], attrs) => {
    const dtype = assertFloatPair('conv2d', x!, f!);
    return [{ shape: convOutShape('conv2d', x!.shape, f!.shape, attrs), dtype }];
  },
  ref: ([x, f], attrs, [o]) => {
    const cf = attrs.channelsFirst;
    const [xs, ys] = [lastShape(x!.shape, cf), lastShape(o!.shape, cf)];
    const y = conv2dKernel(cf ? toLastData(x!.data, x!.shape, x!.dtype) : x!.data, f!.data, convGeometry(xs, f!.shape, ys, attrs.groups, attrs), o!.dtype);
    return [cf ? toFirstData(y, ys, o!.dtype) : y];
  },
  grad: ([dy], { inputs: [x, f], attrs }) => [conv2dInputGrad(dy!, f!, attrs, x!.shape), conv2dFilterGrad(x!, dy!, attrs, f!.shape)],
  // A shared filter: the batch folds into N. A batched filter: the batch becomes B groups of channels.
  batch: ([x, f], [ax, af], attrs) => {
    if (af === null) return batchFoldingIntoN(conv2dOp, [x!, f!], [ax ?? null, null], attrs, [0]);
    const size = batchSizeOf([x!, f!], [ax, af]);
    if (attrs.channelsFirst) {
      const y = conv2dRaw(batchIntoChannelsFirst(batchedFront(x!, ax, size)), batchIntoChannels(toFront(f!, af!)), { ...attrs, groups: attrs.groups * size });
      return { outputs: [channelsFirstToBatch(y, size)], axes: [1] };
    }
    const y = conv2dRaw(batchIntoChannels(batchedFront(x!, ax, size)), batchIntoChannels(toFront(f!, af!)), { ...attrs, groups: attrs.groups * size });
    return { outputs: [channelsToBatch(y, size)], axes: [3] };
  },
});

/** The gradient of conv2d with respect to its input: inputs [dy, filter]. Also conv2dTranspose. */
export const conv2dBackpropInputOp: OpDef<ConvInputGradAttrs> = defineOp<ConvInputGradAttrs>({
  name: 'conv2dBackpropInput',
  bilinear: true,
  infer: ([dy, f], attrs) => {
    const op = 'conv2dBackpropInput';
    const dtype = assertFloatPair(op, dy!, f!);
    const expected = convOutShape(op, attrs.inputShape, f!.shape, attrs);
    if (!shapesEqual(expected, dy!.shape)) {
      throw new ShapeError(
        `${op}: an input of shape ${fmtShape(attrs.inputShape)} convolves with filter ${fmtShape(f!.shape)} to ${fmtShape(expected)}, but the gradient has shape ${fmtShape(dy!.shape)}`,
      );
    }
    return [{ shape: attrs.inputShape, dtype }];
  },
  ref: ([dy, f], attrs, [o]) => {
    const cf = attrs.channelsFirst;
    const [xs, ys] = [lastShape(o!.shape, cf), lastShape(dy!.shape, cf)];
    const dx = conv2dInputGradKernel(cf ? toLastData(dy!.data, dy!.shape, dy!.dtype) : dy!.data, f!.data, convGeometry(xs, f!.shape, ys, attrs.groups, attrs), o!.dtype);
    return [cf ? toFirstData(dx, xs, o!.dtype) : dx];
  },
  grad: ([ddx], { inputs: [dy, f], attrs }) => [conv2dRaw(ddx!, f!, attrs), conv2dFilterGrad(ddx!, dy!, attrs, f!.shape)],
  batch: ([dy, f], [ad, af], attrs) => {
    const [n, ...rest] = attrs.inputShape as [number, number, number, number];
    if (af === null) return batchFoldingIntoN(conv2dBackpropInputOp, [dy!, f!], [ad ?? null, null], attrs, [0], (a, size) => ({ ...a, inputShape: [size * n, ...rest] }));
    const size = batchSizeOf([dy!, f!], [ad, af]);
    const groups = { ...attrs, groups: attrs.groups * size };
    if (attrs.channelsFirst) {
      const [c, h, w] = rest;
      const dx = conv2dInputGrad(batchIntoChannelsFirst(batchedFront(dy!, ad, size)), batchIntoChannels(toFront(f!, af!)), groups, [n, size * c!, h!, w!]);
      return { outputs: [channelsFirstToBatch(dx, size)], axes: [1] };
    }
    const [h, w, c] = rest;
    const dx = conv2dInputGrad(batchIntoChannels(batchedFront(dy!, ad, size)), batchIntoChannels(toFront(f!, af!)), groups, [n, h!, w!, size * c!]);
    return { outputs: [channelsToBatch(dx, size)], axes: [3] };
  },
});

/** The gradient of conv2d with respect to its filter: inputs [x, dy]. */
export const conv2dBackpropFilterOp: OpDef<ConvFilterGradAttrs> = defineOp<ConvFilterGradAttrs>({
  name: 'conv2dBackpropFilter',
  bilinear: true,
  infer: ([x, dy], attrs) => {
    const op = 'conv2dBackpropFilter';
    const dtype = assertFloatPair(op, x!, dy!);
    const expected = convOutShape(op, x!.shape, attrs.filterShape, attrs);
    if (!shapesEqual(expected, dy!.shape)) {
      throw new ShapeError(
        `${op}: input ${fmtShape(x!.shape)} convolves with a filter of shape ${fmtShape(attrs.filterShape)} to ${fmtShape(expected)}, but the gradient has shape ${fmtShape(dy!.shape)}`,
      );
    }
    return [{ shape: attrs.filterShape, dtype }];
  },
  ref: ([x, dy], attrs, [o]) => {
    const cf = attrs.channelsFirst;
    const [xs, ys] = [lastShape(x!.shape, cf), lastShape(dy!.shape, cf)];
    const [xd, dyd] = cf ? [toLastData(x!.data, x!.shape, x!.dtype), toLastData(dy!.data, dy!.shape, dy!.dtype)] : [x!.data, dy!.data];
    return [conv2dFilterGradKernel(xd, dyd, convGeometry(xs, o!.shape, ys, attrs.groups, attrs), o!.dtype)];
  },
  grad: ([ddf], { inputs: [x, dy], attrs }) => [conv2dInputGrad(dy!, ddf!, attrs, x!.shape), conv2dRaw(x!, ddf!, attrs)],
  // Every example has its own filter gradient: the batch becomes B groups of channels.
  batch: ([x, dy], [ax, ad], attrs) => {
    const size = batchSizeOf([x!, dy!], [ax, ad]);
    const [kh, kw, fin, o] = attrs.filterShape as [number, number, number, number];
    const groups = { ...attrs, groups: attrs.groups * size };
    const intoChannels = attrs.channelsFirst ? batchIntoChannelsFirst : batchIntoChannels;
    const df = conv2dFilterGrad(intoChannels(batchedFront(x!, ax, size)), intoChannels(batchedFront(dy!, ad, size)), groups, [kh, kw, fin, size * o]);
    return { outputs: [channelsToBatch(df, size)], axes: [3] };
  },
});

export const convOps = {
  conv2d: conv2dOp,
  conv2dBackpropInput: conv2dBackpropInputOp,
  conv2dBackpropFilter: conv2dBackpropFilterOp,
};

/** The conv2d attributes within a backprop op's (which add the shape they produce). */
function baseAttrs(attrs: ConvAttrs): ConvAttrs {
  const base = { strides: attrs.strides, dilations: attrs.dilations, pads: attrs.pads, groups: attrs.groups };
  return attrs.channelsFirst ? { ...base, channelsFirst: true } : base;
}

function conv2dRaw(x: Tensor, f: Tensor, attrs: ConvAttrs): Tensor {
  return run1(conv2dOp, [x, f], baseAttrs(attrs));
}

function conv2dInputGrad(dy: Tensor, f: Tensor, attrs: ConvAttrs, inputShape: readonly number[]): Tensor {
  return run1(conv2dBackpropInputOp, [dy, f], { ...baseAttrs(attrs), inputShape: [...inputShape] });
}

function conv2dFilterGrad(x: Tensor, dy: Tensor, attrs: ConvAttrs, filterShape: readonly number[]): Tensor {
  return run1(conv2dBackpropFilterOp, [x, dy], { ...baseAttrs(attrs), filterShape: [...filterShape] });
}

// ---------------------------------------------------------------- functions

/** Options of {@link conv2d}. */
export interface Conv2DOptions {
  /** Step of the window: a number or [h, w] (default 1). */
  strides?: Pair;
  /** 'valid' (default), 'same', or explicit [[top, bottom], [left, right]]. */
  padding?: Padding;
  /** Spacing of the filter taps: a number or [h, w] (default 1). */
  dilations?: Pair;
  /** Grouped convolution: input channels = groups x filter inChannels (default 1). */
  groups?: number;
  /** 'channelsLast' (default: [n, h, w, c]) or 'channelsFirst' ([n, c, h, w]); the filter layout is the same for both. */
  dataFormat?: DataFormat;
}

/** Attributes for a window of `filterHW` over an input of spatial size `inHW`. */
export function convAttrs(op: string, opts: Conv2DOptions, inHW: readonly [number, number], filterHW: readonly [number, number]): ConvAttrs {
  const strides = pairOf(op, 'strides', opts.strides, 1);
  const dilations = pairOf(op, 'dilations', opts.dilations, 1);
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new ValueError(`${op}: groups must be a positive integer, got ${groups}`);
  const attrs: ConvAttrs = { strides, dilations, pads: resolvePads(op, opts.padding, inHW, filterHW, strides, dilations), groups };
  return isChannelsFirst(op, opts.dataFormat) ? { ...attrs, channelsFirst: true } : attrs;
}

/** [h, w] of a rank-4 image shape in the given layout. */
function spatialOf(shape: readonly number[], channelsFirst: boolean): [number, number] {
  return channelsFirst ? [shape[2]!, shape[3]!] : [shape[1]!, shape[2]!];
}

/** The channel count of a rank-4 image shape in the given layout. */
function channelsOf(shape: readonly number[], channelsFirst: boolean): number {
  return shape[channelsFirst ? 1 : 3]!;
}

/** `x` as a rank-4 image batch: rank 4 as is, rank 3 with a batch axis of 1 added (and `unbatched` set). */
export function batched(op: string, x: TensorLike, what = 'input', channelsFirst = false): { t: Tensor; unbatched: boolean } {
  const t = toTensor(x, op);
  if (t.rank === 3) return { t: expandDims(t, 0), unbatched: true };
  assertNHWC(op, what, t.shape, channelsFirst);
  return { t, unbatched: false };
}

function rank4Filter(op: string, f: TensorLike, layout = '[kh, kw, inChannels, outChannels]'): Tensor {
  const t = toTensor(f, op);
  if (t.rank !== 4) throw new ShapeError(`${op}: filter must have rank 4 ${layout}, got shape ${fmtShape(t.shape)}`);
  return t;
}

/**
 * 2-D convolution of `x` ([n, h, w, c] or [h, w, c]; with `dataFormat: 'channelsFirst'`
 * [n, c, h, w] or [c, h, w]) with `filter` [kh, kw, c, outChannels].
 */
export function conv2d(x: TensorLike, filter: TensorLike, opts?: Conv2DOptions): Tensor;
/** TF.js's positional form: `strides, pad, dataFormat` ('NHWC' or 'NCHW'), `dilations`. */
export function conv2d(x: TensorLike, filter: TensorLike, strides: Pair, pad?: TfPad, dataFormat?: 'NHWC' | 'NCHW', dilations?: Pair): Tensor;
export function conv2d(x: TensorLike, filter: TensorLike, ...args: unknown[]): Tensor {
  const opts = convOptions<Conv2DOptions>('conv2d', args, 'conv2d(x, filter, { strides, padding, dilations, groups, dataFormat })', { dataFormat: 'NHWC', spatial: 2 });
  const cf = isChannelsFirst('conv2d', opts.dataFormat);
  const { t, unbatched } = batched('conv2d', x, 'input', cf);
  const f = rank4Filter('conv2d', filter);
  const y = run1(conv2dOp, [t, f], convAttrs('conv2d', opts, spatialOf(t.shape, cf), [f.shape[0]!, f.shape[1]!]));
  return unbatched ? squeeze(y, 0) : y;
}

/** Options of {@link conv1d}. */
export interface Conv1DOptions {
  /** Step of the window (default 1). */
  strides?: number;
  padding?: 'valid' | 'same' | readonly [number, number];
  dilations?: number;
  groups?: number;
  /** 'channelsLast' (default: [n, width, c]) or 'channelsFirst' ([n, c, width]). */
  dataFormat?: DataFormat;
}

/**
 * 1-D convolution of `x` [n, width, c] (or [width, c]; channelsFirst: [n, c, width] or [c, width])
 * with `filter` [k, c, outChannels], via conv2d over a unit height.
 */
export function conv1d(x: TensorLike, filter: TensorLike, opts?: Conv1DOptions): Tensor;
/** TF.js's positional form: `stride, pad, dataFormat` ('NWC' or 'NCW'), `dilation`. */
export function conv1d(x: TensorLike, filter: TensorLike, stride: number, pad?: TfPad, dataFormat?: 'NWC' | 'NCW', dilation?: number): Tensor;
export function conv1d(x: TensorLike, filter: TensorLike, ...args: unknown[]): Tensor {
  const opts = convOptions<Conv1DOptions>('conv1d', args, 'conv1d(x, filter, { strides, padding, dilations, groups, dataFormat })', { dataFormat: 'NWC', spatial: 1 });
  const cf = isChannelsFirst('conv1d', opts.dataFormat);
  const t = toTensor(x, 'conv1d');
  const f = toTensor(filter, 'conv1d');
  if (t.rank !== 3 && t.rank !== 2) {
    throw new ShapeError(`conv1d: input must have rank 3 ${cf ? '[batch, channels, width]' : '[batch, width, channels]'}, got shape ${fmtShape(t.shape)}`);
  }
  if (f.rank !== 3) throw new ShapeError(`conv1d: filter must have rank 3 [k, inChannels, outChannels], got shape ${fmtShape(f.shape)}`);
  for (const [name, v] of [['strides', opts.strides], ['dilations', opts.dilations]] as const) {
    if (v !== undefined && !(Number.isInteger(v) && v > 0)) throw new ValueError(`conv1d: ${name} must be a positive integer, got ${JSON.stringify(v)}`);
  }
  const p = opts.padding;
  const padding: Padding | undefined = Array.isArray(p) ? [[0, 0], p as readonly [number, number]] : (p as Padding | undefined);
  const groups = opts.groups ?? 1;
  const channels = t.shape[cf ? t.rank - 2 : t.rank - 1];
  if (f.shape[1]! * groups !== channels) {
    throw new ShapeError(
      `conv1d: input ${fmtShape(t.shape)} has ${channels} channels but the filter ${fmtShape(f.shape)} expects ${f.shape[1]! * groups} (filter is [k, inChannels, outChannels])`,
    );
  }
  // The unit height goes before the width: axis 1 channels-last, axis 2 channels-first.
  const hAxis = cf ? 2 : 1;
  const x4 = expandDims(t.rank === 2 ? expandDims(t, 0) : t, hAxis);
  const y = conv2d(x4, expandDims(f, 0), { strides: [1, opts.strides ?? 1], dilations: [1, opts.dilations ?? 1], padding, groups: opts.groups, dataFormat: opts.dataFormat });
  const out = squeeze(y, hAxis);
  return t.rank === 2 ? squeeze(out, 0) : out;
}

/** Options of {@link conv2dTranspose}. */
export interface Conv2DTransposeOptions {
  strides?: Pair;
  padding?: Padding;
  dilations?: Pair;
  /** 'channelsLast' (default) or 'channelsFirst': the layout of x and of outputShape. */
  dataFormat?: DataFormat;
}

/**
 * Transposed convolution (the gradient of conv2d with respect to its input), like
 * tf.nn.conv2d_transpose: `x` [n, h, w, inChannels], `filter` [kh, kw, outChannels, inChannels],
 * `outputShape` [n, oh, ow, outChannels] (the shape a conv2d with these options maps to x's shape).
 */
export function conv2dTranspose(x: TensorLike, filter: TensorLike, outputShape: readonly number[], opts?: Conv2DTransposeOptions): Tensor;
/** TF.js's positional form: `strides, pad`. */
export function conv2dTranspose(x: TensorLike, filter: TensorLike, outputShape: readonly number[], strides: Pair, pad?: TfPad): Tensor;
export function conv2dTranspose(x: TensorLike, filter: TensorLike, outputShape: readonly number[], ...args: unknown[]): Tensor {
  const op = 'conv2dTranspose';
  const opts = convOptions<Conv2DTransposeOptions>(op, args, 'conv2dTranspose(x, filter, outputShape, { strides, padding, dilations })', {
    dataFormat: 'NHWC',
    spatial: 2,
    onlyRounding: true,
  });
  const cf = isChannelsFirst(op, opts.dataFormat);
  const { t, unbatched } = batched(op, x, 'input', cf);
  const f = rank4Filter(op, filter, '[kh, kw, outChannels, inChannels]');
  const full = unbatched && outputShape.length === 3 ? [1, ...outputShape] : [...outputShape];
  if (full.length !== 4 || !full.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new ShapeError(`${op}: outputShape must be ${cf ? '[batch, channels, height, width]' : '[batch, height, width, channels]'}, got ${JSON.stringify(outputShape)}`);
  }
  const c = channelsOf(t.shape, cf);
  if (f.shape[3] !== c) {
    throw new ShapeError(`${op}: input ${fmtShape(t.shape)} has ${c} channels but the filter ${fmtShape(f.shape)} expects ${f.shape[3]} (filter is [kh, kw, outChannels, inChannels])`);
  }
  const attrs = convAttrs(op, opts, spatialOf(full, cf), [f.shape[0]!, f.shape[1]!]);
  const [oh, ow] = outHW(op, lastShape(full, cf), [f.shape[0]!, f.shape[1]!], attrs);
  const [h, w] = spatialOf(t.shape, cf);
  if (full[0] !== t.shape[0] || oh !== h || ow !== w) {
    const mapped = layoutShape([full[0]!, oh, ow, c], cf);
    throw new ShapeError(`${op}: a conv2d with these options maps outputShape ${fmtShape(full)} to ${fmtShape(mapped)}, not to the input's shape ${fmtShape(t.shape)}`);
  }
  const y = run1(conv2dBackpropInputOp, [t, f], { ...attrs, inputShape: full });
  return unbatched ? squeeze(y, 0) : y;
}

/** Options of {@link depthwiseConv2d}. */
export interface DepthwiseConv2DOptions {
  strides?: Pair;
  padding?: Padding;
  dilations?: Pair;
  /** 'channelsLast' (default) or 'channelsFirst'. */
  dataFormat?: DataFormat;
}

/**
 * Each input channel convolved with its own `multiplier` filters: `filter` [kh, kw, c, multiplier],
 * output channels c * multiplier (channel k * multiplier + m from input channel k), like
 * tf.nn.depthwise_conv2d. A grouped conv2d with one group per channel.
 */
export function depthwiseConv2d(x: TensorLike, filter: TensorLike, opts?: DepthwiseConv2DOptions): Tensor;
/** TF.js's positional form: `strides, pad, dataFormat` ('NHWC' or 'NCHW'), `dilations`. */
export function depthwiseConv2d(x: TensorLike, filter: TensorLike, strides: Pair, pad?: TfPad, dataFormat?: 'NHWC' | 'NCHW', dilations?: Pair): Tensor;
export function depthwiseConv2d(x: TensorLike, filter: TensorLike, ...args: unknown[]): Tensor {
  const op = 'depthwiseConv2d';
  const opts = convOptions<DepthwiseConv2DOptions>(op, args, 'depthwiseConv2d(x, filter, { strides, padding, dilations, dataFormat })', { dataFormat: 'NHWC', spatial: 2 });
  const cf = isChannelsFirst(op, opts.dataFormat);
  const { t, unbatched } = batched(op, x, 'input', cf);
  const f = rank4Filter(op, filter, '[kh, kw, inChannels, multiplier]');
  const [kh, kw, c, m] = f.shape as [number, number, number, number];
  if (c !== channelsOf(t.shape, cf)) {
    throw new ShapeError(`${op}: input ${fmtShape(t.shape)} has ${channelsOf(t.shape, cf)} channels but the filter ${fmtShape(f.shape)} expects ${c} (filter is [kh, kw, inChannels, multiplier])`);
  }
  const attrs = convAttrs(op, { ...opts, groups: c }, spatialOf(t.shape, cf), [kh, kw]);
  const y = run1(conv2dOp, [t, reshape(f, [kh, kw, 1, c * m])], attrs);
  return unbatched ? squeeze(y, 0) : y;
}

/**
 * Depthwise convolution followed by a 1x1 convolution mixing channels, like
 * tf.nn.separable_conv2d: `depthwiseFilter` [kh, kw, c, multiplier], `pointwiseFilter`
 * [1, 1, c * multiplier, outChannels].
 */
export function separableConv2d(x: TensorLike, depthwiseFilter: TensorLike, pointwiseFilter: TensorLike, opts?: DepthwiseConv2DOptions): Tensor;
/** TF.js's positional form: `strides, pad, dilation, dataFormat` ('NHWC' or 'NCHW'). */
export function separableConv2d(x: TensorLike, depthwiseFilter: TensorLike, pointwiseFilter: TensorLike, strides: Pair, pad?: TfPad, dilation?: Pair, dataFormat?: 'NHWC' | 'NCHW'): Tensor;
export function separableConv2d(x: TensorLike, depthwiseFilter: TensorLike, pointwiseFilter: TensorLike, ...args: unknown[]): Tensor {
  const opts = convOptions<DepthwiseConv2DOptions>('separableConv2d', args, 'separableConv2d(x, depthwiseFilter, pointwiseFilter, { strides, padding, dilations })', {
    dataFormat: 'NHWC',
    spatial: 2,
    dilationsFirst: true,
  });
  const pw = rank4Filter('separableConv2d', pointwiseFilter, '[1, 1, inChannels * multiplier, outChannels]');
  if (pw.shape[0] !== 1 || pw.shape[1] !== 1) {
    throw new ShapeError(`separableConv2d: pointwise filter must be [1, 1, inChannels * multiplier, outChannels], got shape ${fmtShape(pw.shape)}`);
  }
  return conv2d(depthwiseConv2d(x, depthwiseFilter, opts), pw, { dataFormat: opts.dataFormat });
}

// The public surface of these ops (src/ops/surface.ts).
declareOp(conv2d, { nn: true });
declareOp(conv1d, { nn: true });
declareOp(conv2dTranspose, { nn: true });
declareOp(depthwiseConv2d, { nn: true });
declareOp(separableConv2d, { nn: true });
