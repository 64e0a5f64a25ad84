// Keras's 1-D forms of the other convolutions (SeparableConv1D, DepthwiseConv1D, Conv1DTranspose)
// over [batch, steps, channels] (channelsFirst: [batch, channels, steps]): the 2-D kernels on a
// height-1 image, with Keras's 1-D weight shapes.
import { conv2dTranspose, depthwiseConv2d, separableConv2d } from '../../ops/primitives/conv.js';
import { expandDims, squeeze } from '../../ops/primitives/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { positiveInt } from './core.js';
import {
  BaseConv, CONV_KEYS, DEPTHWISE_KEYS, SEPARABLE_KEYS, SeparableConvBase, argsOf, channelsOfShape, shapeInLayout, spatialOfShape, transposeOutputLength,
  type ConvArgs, type DepthwiseConvArgs, type SeparableConvArgs,
} from './conv.js';
import { mergePositional } from '../../check-options.js';
import type { InputShapes, Shape } from './layer.js';

/** The 2-D ops' options for a height-1 image: stride and dilation 1 along the height. */
function opts2d(layer: BaseConv) {
  return { strides: [1, layer.strides[0]!] as [number, number], padding: layer.padding, dilations: [1, layer.dilationRate[0]!] as [number, number], dataFormat: layer.dataFormat };
}

/** The axis of the unit height: before the steps (axis 1 channels-last, 2 channels-first). */
const heightAxis = (layer: BaseConv) => (layer.channelsFirst ? 2 : 1);

/** Each channel convolved with its own `depthMultiplier` filters; depthwise kernel [k, in, multiplier]. */
export class DepthwiseConv1D extends BaseConv {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = DEPTHWISE_KEYS;
  readonly depthMultiplier: number;
  constructor(kernelSize: number | number[] | DepthwiseConvArgs, args?: DepthwiseConvArgs) {
    const a = mergePositional<DepthwiseConvArgs>('DepthwiseConv1D', DEPTHWISE_KEYS, ['kernelSize'], [kernelSize, args]);
    super(1, { ...a, kernelInitializer: a.depthwiseInitializer ?? a.kernelInitializer, kernelRegularizer: a.depthwiseRegularizer ?? a.kernelRegularizer }, false);
    this.depthMultiplier = positiveInt('DepthwiseConv1D', 'depthMultiplier', a.depthMultiplier ?? 1);
  }
  override build(inputShape: InputShapes): void {
    const c = this.inChannels(inputShape);
    this.kernel = this.addWeight('depthwise_kernel', [this.kernelSize[0]!, c, this.depthMultiplier], this.kernelInitializer, { regularizer: this.kernelRegularizer });
    if (this.useBias) this.bias = this.addWeight('bias', [c * this.depthMultiplier], this.biasInitializer, { regularizer: this.biasRegularizer });
  }
  override call(x: Tensor): Tensor {
    const h = heightAxis(this);
    return this.finish(squeeze(depthwiseConv2d(expandDims(x, h), expandDims(this.kernel, 0), opts2d(this)), h));
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

/** A depthwise 1-D convolution then a pointwise one to `filters` channels; kernels [k, in, multiplier] and [1, in * multiplier, filters]. */
export class SeparableConv1D extends SeparableConvBase {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = SEPARABLE_KEYS;
  constructor(filters: number | SeparableConvArgs, kernelSize?: number | number[] | SeparableConvArgs, args?: SeparableConvArgs) {
    super(1, 'SeparableConv1D', argsOf<SeparableConvArgs>('SeparableConv1D', SEPARABLE_KEYS, [filters, kernelSize, args]));
  }
  override call(x: Tensor): Tensor {
    const h = heightAxis(this);
    return this.finish(squeeze(separableConv2d(expandDims(x, h), expandDims(this.kernel, 0), expandDims(this.pointwiseKernel, 0), opts2d(this)), h));
  }
}

/** The transpose (gradient) of Conv1D, upsampling the steps by `strides`; kernel [k, filters, in]. */
export class Conv1DTranspose extends BaseConv {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = CONV_KEYS;
  constructor(filters: number | ConvArgs, kernelSize?: number | number[] | ConvArgs, args?: ConvArgs) {
    super(1, argsOf('Conv1DTranspose', CONV_KEYS, [filters, kernelSize, args]));
  }
  override build(inputShape: InputShapes): void {
    const c = this.inChannels(inputShape);
    this.buildKernel([this.kernelSize[0]!, this.filters, c], this.filters);
  }
  override call(x: Tensor): Tensor {
    const h = heightAxis(this);
    const out = this.computeOutputShape([x.shape[0]!, ...x.shape.slice(1)]) as number[];
    const y = conv2dTranspose(expandDims(x, h), expandDims(this.kernel, 0), [...out.slice(0, h), 1, ...out.slice(h)], opts2d(this));
    return this.finish(squeeze(y, h));
  }
  /** Output shape: the steps upsampled by the stride (inverse of Conv1D's rule); `filters` channels. */
  override computeOutputShape(inputShape: InputShapes): Shape {
    const s = inputShape as Shape;
    const steps = spatialOfShape(this.channelsFirst, s)[0] ?? null;
    return shapeInLayout(this.channelsFirst, s[0] ?? null, [transposeOutputLength(steps, this.kernelSize[0]!, this.padding, this.strides[0]!, this.dilationRate[0]!)], this.filters);
  }
}
