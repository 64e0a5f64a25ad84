// Convolution layers: Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D, channels
// last by default or channels first (dataFormat 'channelsFirst', run by the channels-first kernels).
import { ValueError } from '../../errors.js';
import { add } from '../../ops/primitives/binary.js';
import { conv1d, conv2d, conv2dTranspose, depthwiseConv2d, separableConv2d } from '../../ops/primitives/conv.js';
import { isChannelsFirst, type DataFormat } from '../../ops/primitives/channels-first.js';
import { reshape } from '../../ops/primitives/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { Variable } from '../../autograd/variable.js';
import { getActivation, serializeActivation, type ActivationFn, type ActivationIdentifier } from '../activations.js';
import { getInitializer, serializeInitializer, type Initializer, type InitializerIdentifier } from '../initializers.js';
import type { Regularizer, RegularizerIdentifier } from '../regularizers.js';
import { optionalRegularizer, positiveInt, serializeOptional } from './core.js';
import { mergePositional, optionKeys } from '../../check-options.js';
import { LAYER_KEYS, Layer, type InputShapes, type LayerArgs, type Shape } from './layer.js';

export type Padding = 'valid' | 'same';

export interface ConvArgs extends LayerArgs {
  filters?: number;
  kernelSize?: number | number[];
  strides?: number | number[];
  padding?: Padding;
  dilationRate?: number | number[];
  activation?: ActivationIdentifier;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  biasRegularizer?: RegularizerIdentifier | null;
  /** 'channelsLast' (default: [batch, ...spatial, channels]) or 'channelsFirst' ([batch, channels, ...spatial]). */
  dataFormat?: DataFormat;
}

/** Options of the plain convolutions (Conv1D, Conv2D, Conv3D). */
export interface GroupedConvArgs extends ConvArgs {
  /** Input and output channels split into this many independent groups (default 1). */
  groups?: number;
}

const CONV_KEY_LIST = {
  ...LAYER_KEYS, filters: true, kernelSize: true, strides: true, padding: true, dilationRate: true, activation: true, useBias: true,
  kernelInitializer: true, biasInitializer: true, kernelRegularizer: true, biasRegularizer: true, dataFormat: true,
} as const;
export const CONV_KEYS = optionKeys<ConvArgs>(CONV_KEY_LIST);
/** The keys of the plain convolutions (Conv1D, Conv2D, Conv3D), which also take `groups`. */
export const GROUPED_CONV_KEYS = optionKeys<GroupedConvArgs>({ ...CONV_KEY_LIST, groups: true });

/** A shape in a layer's layout: [batch, ...spatial, channels] or, channels first, [batch, channels, ...spatial]. */
export function shapeInLayout(channelsFirst: boolean, batch: number | null, spatial: readonly (number | null)[], channels: number | null): Shape {
  return channelsFirst ? [batch, channels, ...spatial] : [batch, ...spatial, channels];
}

/** The spatial sizes of a shape in a layer's layout. */
export function spatialOfShape(channelsFirst: boolean, s: Shape): (number | null)[] {
  return channelsFirst ? s.slice(2) : s.slice(1, -1);
}

/** The channel count of a shape in a layer's layout. */
export function channelsOfShape(channelsFirst: boolean, s: Shape): number | null {
  return (channelsFirst ? s[1] : s.at(-1)) ?? null;
}

/** A number or a per-axis list as exactly `rank` positive integers. */
export function tupleOf(layer: string, what: string, v: number | number[] | undefined, rank: number, dflt: number): number[] {
  const list = v === undefined ? new Array<number>(rank).fill(dflt) : typeof v === 'number' ? new Array<number>(rank).fill(v) : [...v];
  if (list.length !== rank || list.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new ValueError(`${layer}: ${what} must be a positive integer or ${rank} of them, got ${JSON.stringify(v)}`);
  }
  return list;
}

export function checkPadding(layer: string, p: unknown): Padding {
  if (p === undefined) return 'valid';
  if (p !== 'valid' && p !== 'same') throw new ValueError(`${layer}: padding must be 'valid' or 'same', got ${JSON.stringify(p)}`);
  return p;
}

/** Output length of a convolution or pooling window along one axis (Keras's conv_output_length). */
export function convOutputLength(n: number | null, k: number, padding: Padding, stride: number, dilation = 1): number | null {
  if (n === null) return null;
  const dk = k + (k - 1) * (dilation - 1);
  const len = padding === 'same' ? n : n - dk + 1;
  return Math.max(0, Math.floor((len + stride - 1) / stride));
}

/** Output length of a transposed convolution along one axis. */
export function transposeOutputLength(n: number | null, k: number, padding: Padding, stride: number, dilation: number): number | null {
  if (n === null) return null;
  const dk = k + (k - 1) * (dilation - 1);
  return padding === 'same' ? n * stride : n * stride + Math.max(dk - stride, 0);
}

export abstract class BaseConv extends Layer {
  readonly filters: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: Padding;
  readonly dilationRate: number[];
  readonly activation: ActivationFn;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  readonly dataFormat: DataFormat;
  readonly groups: number;
  kernel!: Variable;
  bias: Variable | null = null;

  constructor(
    readonly rank: number,
    a: GroupedConvArgs,
    needsFilters = true,
  ) {
    super(a);
    const name = `Conv${rank}D`;
    this.filters = needsFilters ? positiveInt(name, 'filters', a.filters) : (a.filters ?? 0);
    this.kernelSize = tupleOf(name, 'kernelSize', a.kernelSize, rank, NaN);
    this.strides = tupleOf(name, 'strides', a.strides, rank, 1);
    this.padding = checkPadding(name, a.padding);
    this.dilationRate = tupleOf(name, 'dilationRate', a.dilationRate, rank, 1);
    if (this.strides.some((s) => s > 1) && this.dilationRate.some((d) => d > 1)) {
      throw new ValueError(`${this.className}: strides > 1 and dilationRate > 1 cannot be combined`);
    }
    this.activation = getActivation(a.activation, this.className);
    this.useBias = a.useBias ?? true;
    this.kernelInitializer = getInitializer(a.kernelInitializer ?? 'glorotUniform');
    this.biasInitializer = getInitializer(a.biasInitializer ?? 'zeros');
    this.kernelRegularizer = optionalRegularizer(a.kernelRegularizer);
    this.biasRegularizer = optionalRegularizer(a.biasRegularizer);
    this.dataFormat = isChannelsFirst(this.className, a.dataFormat) ? 'channelsFirst' : 'channelsLast';
    this.groups = positiveInt(this.className, 'groups', a.groups ?? 1);
    if (needsFilters && this.filters % this.groups !== 0) {
      throw new ValueError(`${this.className}: filters (${this.filters}) must be divisible by groups (${this.groups})`);
    }
  }

  /** Whether images are [batch, channels, ...spatial]. */
  get channelsFirst(): boolean {
    return this.dataFormat === 'channelsFirst';
  }

  /** The input's channel count, checking the rank (and that groups divide it); also sets `inputSpec`. */
  protected inChannels(inputShape: InputShapes): number {
    const s = inputShape as Shape;
    if (s.length !== this.rank + 2) {
      const layout = this.channelsFirst ? '[batch, channels, ...spatial]' : '[batch, ...spatial, channels]';
      throw new ValueError(`${this.className} '${this.name}': expects inputs of rank ${this.rank + 2} ${layout}, got shape [${s.join(', ')}]`);
    }
    const c = channelsOfShape(this.channelsFirst, s);
    if (typeof c !== 'number') throw new ValueError(`${this.className} '${this.name}': the channel axis must be known`);
    if (c % this.groups !== 0) throw new ValueError(`${this.className} '${this.name}': ${c} input channels are not divisible into ${this.groups} groups`);
    this.inputSpec = { ndim: this.rank + 2, axes: { [this.channelsFirst ? 1 : -1]: c } };
    return c;
  }

  /** Create the kernel of `shape` and, with `useBias`, a bias of `biasSize`. */
  protected buildKernel(shape: number[], biasSize: number): void {
    this.kernel = this.addWeight('kernel', shape, this.kernelInitializer, { regularizer: this.kernelRegularizer });
    if (this.useBias) this.bias = this.addWeight('bias', [biasSize], this.biasInitializer, { regularizer: this.biasRegularizer });
  }

  /** Add the bias (if any, along the channel axis) and apply the activation. */
  protected finish(y: Tensor): Tensor {
    if (!this.bias) return this.activation(y);
    const bias = this.channelsFirst ? reshape(this.bias, [this.bias.shape[0]!, ...new Array<number>(this.rank).fill(1)]) : this.bias;
    return this.activation(add(y, bias));
  }

  /** Channels of the output for an input shape (`filters` unless overridden). */
  protected outChannels(inputShape: Shape): number {
    void inputShape;
    return this.filters;
  }

  /** Output shape: each spatial size from kernel, padding, stride and dilation; `outChannels` channels. */
  override computeOutputShape(inputShape: InputShapes): Shape {
    const s = inputShape as Shape;
    const spatial = spatialOfShape(this.channelsFirst, s).map((n, i) => convOutputLength(n, this.kernelSize[i]!, this.padding, this.strides[i]!, this.dilationRate[i]!));
    return shapeInLayout(this.channelsFirst, s[0] ?? null, spatial, this.outChannels(s));
  }

  /** Constructor arguments as JSON, enough for fromConfig to make an equal (unbuilt) layer. */
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      strides: this.strides,
      padding: this.padding,
      dilationRate: this.dilationRate,
      activation: serializeActivation(this.activation),
      useBias: this.useBias,
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer),
      kernelRegularizer: serializeOptional(this.kernelRegularizer),
      biasRegularizer: serializeOptional(this.biasRegularizer),
      dataFormat: this.dataFormat,
      ...(this.groups !== 1 ? { groups: this.groups } : {}),
    };
  }
}

/** Keras's `(filters, kernelSize, options)`, any trailing part of which may be in the options object. */
export function argsOf<A extends ConvArgs>(layer: string, keys: readonly string[], given: unknown[]): A {
  return mergePositional<A>(layer, keys, ['filters', 'kernelSize'], given);
}

/** 1-D convolution over [batch, steps, channels] (channelsFirst: [batch, channels, steps]); kernel [k, in / groups, filters]. */
export class Conv1D extends BaseConv {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = GROUPED_CONV_KEYS;
  constructor(filters: number | GroupedConvArgs, kernelSize?: number | number[] | GroupedConvArgs, args?: GroupedConvArgs) {
    super(1, argsOf<GroupedConvArgs>('Conv1D', GROUPED_CONV_KEYS, [filters, kernelSize, args]));
  }
  override build(inputShape: InputShapes): void {
    this.buildKernel([this.kernelSize[0]!, this.inChannels(inputShape) / this.groups, this.filters], this.filters);
  }
  override call(x: Tensor): Tensor {
    const opts = { strides: this.strides[0], padding: this.padding, dilations: this.dilationRate[0], groups: this.groups, dataFormat: this.dataFormat };
    return this.finish(conv1d(x, this.kernel, opts));
  }
}

/** 2-D convolution over [batch, height, width, channels] (channelsFirst: [batch, channels, height, width]); kernel [kh, kw, in / groups, filters]. */
export class Conv2D extends BaseConv {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = GROUPED_CONV_KEYS;
  constructor(filters: number | GroupedConvArgs, kernelSize?: number | number[] | GroupedConvArgs, args?: GroupedConvArgs) {
    super(2, argsOf<GroupedConvArgs>('Conv2D', GROUPED_CONV_KEYS, [filters, kernelSize, args]));
  }
  override build(inputShape: InputShapes): void {
    this.buildKernel([...this.kernelSize, this.inChannels(inputShape) / this.groups, this.filters], this.filters);
  }
  override call(x: Tensor): Tensor {
    const pair = (v: number[]) => [v[0]!, v[1]!] as [number, number];
    const opts = { strides: pair(this.strides), padding: this.padding, dilations: pair(this.dilationRate), groups: this.groups, dataFormat: this.dataFormat };
    return this.finish(conv2d(x, this.kernel, opts));
  }
}

/** The transpose (gradient) of Conv2D, upsampling by `strides`; kernel [kh, kw, filters, in]. */
export class Conv2DTranspose extends BaseConv {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = CONV_KEYS;
  constructor(filters: number | ConvArgs, kernelSize?: number | number[] | ConvArgs, args?: ConvArgs) {
    super(2, argsOf('Conv2DTranspose', CONV_KEYS, [filters, kernelSize, args]));
  }
  override build(inputShape: InputShapes): void {
    const c = this.inChannels(inputShape);
    this.buildKernel([...this.kernelSize, this.filters, c], this.filters);
  }
  override call(x: Tensor): Tensor {
    const out = this.computeOutputShape([x.shape[0]!, ...x.shape.slice(1)]) as number[];
    const pair = (v: number[]) => [v[0]!, v[1]!] as [number, number];
    const y = conv2dTranspose(x, this.kernel, out, {
      strides: pair(this.strides),
      padding: this.padding,
      dilations: pair(this.dilationRate),
      dataFormat: this.dataFormat,
    });
    return this.finish(y);
  }
  /** Output shape: each spatial size upsampled by the stride (inverse of Conv2D's rule); `filters` channels. */
  override computeOutputShape(inputShape: InputShapes): Shape {
    const s = inputShape as Shape;
    const spatial = spatialOfShape(this.channelsFirst, s).map((n, i) => transposeOutputLength(n, this.kernelSize[i]!, this.padding, this.strides[i]!, this.dilationRate[i]!));
    return shapeInLayout(this.channelsFirst, s[0] ?? null, spatial, this.filters);
  }
}

export interface DepthwiseConvArgs extends ConvArgs {
  depthMultiplier?: number;
  depthwiseInitializer?: InitializerIdentifier;
  depthwiseRegularizer?: RegularizerIdentifier | null;
}

export const DEPTHWISE_KEY_LIST = { ...CONV_KEY_LIST, depthMultiplier: true, depthwiseInitializer: true, depthwiseRegularizer: true } as const;
export const DEPTHWISE_KEYS = optionKeys<DepthwiseConvArgs>(DEPTHWISE_KEY_LIST);

/** Each channel convolved with its own `depthMultiplier` filters; kernel [kh, kw, in, multiplier]. */
export class DepthwiseConv2D extends BaseConv {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = DEPTHWISE_KEYS;
  readonly depthMultiplier: number;
  constructor(kernelSize: number | number[] | DepthwiseConvArgs, args?: DepthwiseConvArgs) {
    const a = mergePositional<DepthwiseConvArgs>('DepthwiseConv2D', DEPTHWISE_KEYS, ['kernelSize'], [kernelSize, args]);
    super(2, { ...a, kernelInitializer: a.depthwiseInitializer ?? a.kernelInitializer, kernelRegularizer: a.depthwiseRegularizer ?? a.kernelRegularizer }, false);
    this.depthMultiplier = positiveInt('DepthwiseConv2D', 'depthMultiplier', a.depthMultiplier ?? 1);
  }
  override build(inputShape: InputShapes): void {
    const c = this.inChannels(inputShape);
    this.buildKernel([...this.kernelSize, c, this.depthMultiplier], c * this.depthMultiplier);
  }
  override call(x: Tensor): Tensor {
    const pair = (v: number[]) => [v[0]!, v[1]!] as [number, number];
    return this.finish(depthwiseConv2d(x, this.kernel, { strides: pair(this.strides), padding: this.padding, dilations: pair(this.dilationRate), dataFormat: this.dataFormat }));
  }
  /** Input channels times `depthMultiplier`. */
  protected override outChannels(s: Shape): number {
    return (channelsOfShape(this.channelsFirst, s) as number) * this.depthMultiplier;
  }
  /** Constructor arguments as JSON: the base config without `filters`, plus `depthMultiplier`. */
  override getConfig(): Record<string, unknown> {
    const { filters: _f, ...rest } = super.getConfig();
    return { ...rest, depthMultiplier: this.depthMultiplier };
  }
}

export interface SeparableConvArgs extends DepthwiseConvArgs {
  pointwiseInitializer?: InitializerIdentifier;
  pointwiseRegularizer?: RegularizerIdentifier | null;
}

export const SEPARABLE_KEYS = optionKeys<SeparableConvArgs>({ ...DEPTHWISE_KEY_LIST, pointwiseInitializer: true, pointwiseRegularizer: true });

/** A depthwise convolution then a pointwise (size-1) one to `filters` channels, in `rank` dimensions. */
export abstract class SeparableConvBase extends BaseConv {
  readonly depthMultiplier: number;
  readonly pointwiseInitializer: Initializer;
  readonly pointwiseRegularizer: Regularizer | null;
  pointwiseKernel!: Variable;

  /** `layer`: the name errors give. */
  constructor(rank: number, layer: string, a: SeparableConvArgs) {
    super(rank, { ...a, kernelInitializer: a.depthwiseInitializer ?? a.kernelInitializer, kernelRegularizer: a.depthwiseRegularizer ?? a.kernelRegularizer });
    this.depthMultiplier = positiveInt(layer, 'depthMultiplier', a.depthMultiplier ?? 1);
    this.pointwiseInitializer = getInitializer(a.pointwiseInitializer ?? 'glorotUniform');
    this.pointwiseRegularizer = optionalRegularizer(a.pointwiseRegularizer);
  }
  /** Kernels [...kernelSize, in, multiplier] and [1, ..., 1, in * multiplier, filters]. */
  override build(inputShape: InputShapes): void {
    const c = this.inChannels(inputShape);
    const ones = this.kernelSize.map(() => 1);
    this.kernel = this.addWeight('depthwise_kernel', [...this.kernelSize, c, this.depthMultiplier], this.kernelInitializer, { regularizer: this.kernelRegularizer });
    this.pointwiseKernel = this.addWeight('pointwise_kernel', [...ones, c * this.depthMultiplier, this.filters], this.pointwiseInitializer, { regularizer: this.pointwiseRegularizer });
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], this.biasInitializer, { regularizer: this.biasRegularizer });
  }
  /** Constructor arguments as JSON, enough for fromConfig to make an equal (unbuilt) layer. */
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      depthMultiplier: this.depthMultiplier,
      pointwiseInitializer: serializeInitializer(this.pointwiseInitializer),
      pointwiseRegularizer: serializeOptional(this.pointwiseRegularizer),
    };
  }
}

/** A depthwise convolution then a 1x1 convolution to `filters` channels. */
export class SeparableConv2D extends SeparableConvBase {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = SEPARABLE_KEYS;
  constructor(filters: number | SeparableConvArgs, kernelSize?: number | number[] | SeparableConvArgs, args?: SeparableConvArgs) {
    super(2, 'SeparableConv2D', argsOf<SeparableConvArgs>('SeparableConv2D', SEPARABLE_KEYS, [filters, kernelSize, args]));
  }
  override call(x: Tensor): Tensor {
    const pair = (v: number[]) => [v[0]!, v[1]!] as [number, number];
    const opts = { strides: pair(this.strides), padding: this.padding, dilations: pair(this.dilationRate), dataFormat: this.dataFormat };
    return this.finish(separableConv2d(x, this.kernel, this.pointwiseKernel, opts));
  }
}
