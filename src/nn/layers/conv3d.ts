// Conv3D and Conv3DTranspose over volumes [batch, depth, height, width, channels]. Each is a sum
// over the kernel's depth of 2-D convolutions of depth slices, so gradients and every backend come
// from the 2-D kernels. Channels-first volumes run on the channels-first 2-D kernels with depth and
// height merged into one axis and the depth taps stacked as channels (conv3d-channels-first.ts): one
// 2-D convolution, no transpose of the volume.
import { add } from '../../ops/primitives/binary.js';
import { conv2d, conv2dTranspose } from '../../ops/primitives/conv.js';
import { pad } from '../../ops/primitives/structure.js';
import { reshape, slice, stridedView } from '../../ops/primitives/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import {
  BaseConv, CONV_KEYS, GROUPED_CONV_KEYS, argsOf, convOutputLength, shapeInLayout, spatialOfShape, transposeOutputLength, type ConvArgs, type GroupedConvArgs, type Padding,
} from './conv.js';
import type { InputShapes, Shape } from './layer.js';
import { conv3dChannelsFirst, conv3dTransposeChannelsFirst } from './conv3d-channels-first.js';

const pair = (v: number[]) => [v[1]!, v[2]!] as [number, number];

/** TensorFlow's 'same' padding before the first element: half the total, rounded down. */
function samePadBefore(n: number, k: number, stride: number, dilation: number): number {
  const dk = (k - 1) * dilation + 1;
  const out = Math.ceil(n / stride);
  return Math.floor(Math.max((out - 1) * stride + dk - n, 0) / 2);
}

/** The kernel's depth slice `i` as a 2-D kernel [kh, kw, a, b]. */
function kernelSlice(kernel: Tensor, i: number): Tensor {
  const [, kh, kw, a, b] = kernel.shape as number[];
  return reshape(slice(kernel, [i, 0, 0, 0, 0], [1, -1, -1, -1, -1]), [kh!, kw!, a!, b!]);
}

/** The channels-last output shape of a Conv3DTranspose layer for a channels-last input shape. */
function transposeShape(layer: BaseConv, s: readonly number[]): number[] {
  const spatial = s.slice(1, -1).map((n, i) => transposeOutputLength(n, layer.kernelSize[i]!, layer.padding, layer.strides[i]!, layer.dilationRate[i]!)!);
  return [s[0]!, ...spatial, layer.filters];
}

/** 3-D convolution (channels last) with TensorFlow's padding rules. */
export function conv3d(x: Tensor, kernel: Tensor, strides: number[], padding: Padding, dilations: number[], groups = 1): Tensor {
  const [b, depth, h, w, c] = x.shape as number[];
  const [kd] = kernel.shape as number[];
  const [sd] = strides as [number];
  const [dd] = dilations as [number];
  const outDepth = convOutputLength(depth!, kd!, padding, sd, dd)!;
  let xp = x;
  if (padding === 'same') {
    const before = samePadBefore(depth!, kd!, sd, dd);
    const after = Math.max((outDepth - 1) * sd + (kd! - 1) * dd + 1 - depth! - before, 0);
    xp = pad(x, [[0, 0], [before, after], [0, 0], [0, 0], [0, 0]]);
  }
  let y: Tensor | null = null;
  for (let i = 0; i < kd!; i++) {
    // Depth slices i*dd, i*dd + sd, ...: the ones kernel slice i meets at each output depth.
    const planes = stridedView(xp, [0, i * dd, 0, 0, 0], [b!, outDepth, h!, w!, c!], [1, sd, 1, 1, 1]);
    const part = conv2d(reshape(planes, [b! * outDepth, h!, w!, c!]), kernelSlice(kernel, i), { strides: pair(strides), padding, dilations: pair(dilations), groups });
    y = y ? add(y, part) : part;
  }
  const [, oh, ow, f] = y!.shape as number[];
  return reshape(y!, [b!, outDepth, oh!, ow!, f!]);
}

/** The transpose of conv3d: output depth d * stride + i * dilation gets slice d convolved with kernel slice i. */
export function conv3dTranspose(x: Tensor, kernel: Tensor, outShape: number[], strides: number[], padding: Padding, dilations: number[]): Tensor {
  const [b, depth, h, w, c] = x.shape as number[];
  const [kd, , , f] = kernel.shape as number[];
  const [sd] = strides as [number];
  const [dd] = dilations as [number];
  const [, outDepth, oh, ow] = outShape as number[];
  const flat = reshape(x, [b! * depth!, h!, w!, c!]);
  const full = (depth! - 1) * sd + (kd! - 1) * dd + 1;
  const cropBefore = padding === 'same' ? Math.floor(Math.max(full - outDepth!, 0) / 2) : 0;
  let y: Tensor | null = null;
  for (let i = 0; i < kd!; i++) {
    const part = reshape(conv2dTranspose(flat, kernelSlice(kernel, i), [b! * depth!, oh!, ow!, f!], { strides: pair(strides), padding, dilations: pair(dilations) }), [b!, depth!, oh!, ow!, f!]);
    // Spread the depth slices `sd` apart (zeros between), then shift them to start at i * dd.
    const spread = sd === 1 ? part : reshape(pad(reshape(part, [b!, depth!, 1, oh!, ow!, f!]), [[0, 0], [0, 0], [0, sd - 1], [0, 0], [0, 0], [0, 0]]), [b!, depth! * sd, oh!, ow!, f!]);
    const used = (depth! - 1) * sd + 1;
    const start = i * dd - cropBefore;
    // Place rows [0, used) of `spread` at output depths start .. start + used, cut to [0, outDepth).
    const from = Math.max(0, -start);
    const to = Math.min(used, outDepth! - start);
    if (to <= from) continue;
    const piece = slice(spread, [0, from, 0, 0, 0], [-1, to - from, -1, -1, -1]);
    const placed = pad(piece, [[0, 0], [start + from, outDepth! - (start + to)], [0, 0], [0, 0], [0, 0]]);
    y = y ? add(y, placed) : placed;
  }
  return y!; // some kernel slice always lands inside the output
}

/** TensorFlow's [before, after] padding of each spatial axis of `inSpatial` for a window of `kernel` taps. */
function explicitPads(padding: Padding, inSpatial: readonly number[], kernel: readonly number[], strides: readonly number[], dilations: readonly number[]): [number, number][] {
  return inSpatial.map((n, i) => {
    if (padding !== 'same') return [0, 0];
    const before = samePadBefore(n, kernel[i]!, strides[i]!, dilations[i]!);
    const out = Math.ceil(n / strides[i]!);
    return [before, Math.max((out - 1) * strides[i]! + (kernel[i]! - 1) * dilations[i]! + 1 - n - before, 0)];
  });
}

/** 3-D convolution over [batch, depth, height, width, channels] (or channels first); kernel [kd, kh, kw, in / groups, filters]. */
export class Conv3D extends BaseConv {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = GROUPED_CONV_KEYS;
  constructor(filters: number | GroupedConvArgs, kernelSize?: number | number[] | GroupedConvArgs, args?: GroupedConvArgs) {
    super(3, argsOf<GroupedConvArgs>('Conv3D', GROUPED_CONV_KEYS, [filters, kernelSize, args]));
  }
  override build(inputShape: InputShapes): void {
    this.buildKernel([...this.kernelSize, this.inChannels(inputShape) / this.groups, this.filters], this.filters);
  }
  override call(x: Tensor): Tensor {
    if (!this.channelsFirst) return this.finish(conv3d(x, this.kernel, this.strides, this.padding, this.dilationRate, this.groups));
    const pads = explicitPads(this.padding, x.shape.slice(2), this.kernelSize, this.strides, this.dilationRate);
    return this.finish(conv3dChannelsFirst(x, this.kernel, { strides: this.strides, dilations: this.dilationRate, pads }, this.groups));
  }
}

/** The transpose (gradient) of Conv3D, upsampling by `strides`; kernel [kd, kh, kw, filters, in]. */
export class Conv3DTranspose extends BaseConv {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = CONV_KEYS;
  constructor(filters: number | ConvArgs, kernelSize?: number | number[] | ConvArgs, args?: ConvArgs) {
    super(3, argsOf('Conv3DTranspose', CONV_KEYS, [filters, kernelSize, args]));
  }
  override build(inputShape: InputShapes): void {
    const c = this.inChannels(inputShape);
    this.buildKernel([...this.kernelSize, this.filters, c], this.filters);
  }
  override call(x: Tensor): Tensor {
    if (!this.channelsFirst) return this.finish(conv3dTranspose(x, this.kernel, transposeShape(this, x.shape), this.strides, this.padding, this.dilationRate));
    const inSpatial = x.shape.slice(2);
    const outSpatial = inSpatial.map((n, i) => transposeOutputLength(n, this.kernelSize[i]!, this.padding, this.strides[i]!, this.dilationRate[i]!)!);
    // 'same' crops half the overhang of the full transposed output at the start (TensorFlow's rule).
    const before = inSpatial.map((n, i) => {
      const full = (n - 1) * this.strides[i]! + (this.kernelSize[i]! - 1) * this.dilationRate[i]! + 1;
      return this.padding === 'same' ? Math.floor(Math.max(full - outSpatial[i]!, 0) / 2) : 0;
    });
    return this.finish(conv3dTransposeChannelsFirst(x, this.kernel, outSpatial, this.strides, this.dilationRate, before));
  }
  /** Output shape: each spatial size upsampled by the stride (inverse of Conv3D's rule); `filters` channels. */
  override computeOutputShape(inputShape: InputShapes): Shape {
    const s = inputShape as Shape;
    const spatial = spatialOfShape(this.channelsFirst, s).map((n, i) => transposeOutputLength(n, this.kernelSize[i]!, this.padding, this.strides[i]!, this.dilationRate[i]!));
    return shapeInLayout(this.channelsFirst, s[0] ?? null, spatial, this.filters);
  }
}
