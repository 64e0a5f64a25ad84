// Pooling layers: windowed max/average in 1-D and 2-D, and global pooling; channels last by
// default, channels first with dataFormat 'channelsFirst'.
import { avgPool, avgPool1d, maxPool, maxPool1d } from '../../ops/primitives/pool.js';
import { globalAvgPool, globalMaxPool } from '../../ops/composite/global-pool.js';
import type { Tensor } from '../../tensor/tensor.js';
import { ShapeError } from '../../errors.js';
import { div, mul } from '../../ops/primitives/binary.js';
import { cast } from '../../ops/primitives/cast.js';
import { sum } from '../../ops/primitives/reduce.js';
import { expandDims } from '../../ops/primitives/shape.js';
import { channelsOfShape, checkPadding, convOutputLength, shapeInLayout, spatialOfShape, tupleOf, type Padding } from './conv.js';
import { isChannelsFirst, type DataFormat } from '../../ops/primitives/channels-first.js';
import { checkOptions, mergePositional, optionKeys } from '../../check-options.js';
import { LAYER_KEYS, Layer, type CallArgs, type InputShapes, type LayerArgs, type Shape } from './layer.js';

export interface PoolingArgs extends LayerArgs {
  /** Window size per spatial axis (default 2). */
  poolSize?: number | number[];
  /** Window step (default poolSize). */
  strides?: number | number[] | null;
  /** 'valid' (default) or 'same'. */
  padding?: Padding;
  /** 'channelsLast' (default) or 'channelsFirst'. */
  dataFormat?: DataFormat;
}

export const POOLING_KEYS = optionKeys<PoolingArgs>({ ...LAYER_KEYS, poolSize: true, strides: true, padding: true, dataFormat: true });

/** A layer's dataFormat option, checked. */
export function dataFormatOf(layer: string, v: unknown): DataFormat {
  return isChannelsFirst(layer, v) ? 'channelsFirst' : 'channelsLast';
}

abstract class Pooling extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = POOLING_KEYS;
  readonly poolSize: number[];
  readonly strides: number[];
  readonly padding: Padding;
  readonly dataFormat: DataFormat;
  constructor(
    readonly rank: 1 | 2,
    given: unknown[],
  ) {
    const a = mergePositional<PoolingArgs>(new.target.name, POOLING_KEYS, ['poolSize', 'strides', 'padding'], given);
    super(a);
    this.poolSize = tupleOf(this.className, 'poolSize', a.poolSize, rank, 2);
    this.strides = a.strides === null || a.strides === undefined ? [...this.poolSize] : tupleOf(this.className, 'strides', a.strides, rank, 1);
    this.padding = checkPadding(this.className, a.padding);
    this.dataFormat = dataFormatOf(this.className, a.dataFormat);
  }
  override build(inputShape: InputShapes): void {
    this.inputSpec = { ndim: this.rank + 2 };
    void inputShape;
  }
  override computeOutputShape(inputShape: InputShapes): Shape {
    const s = inputShape as Shape;
    const first = this.dataFormat === 'channelsFirst';
    const spatial = spatialOfShape(first, s).map((n, i) => convOutputLength(n, this.poolSize[i]!, this.padding, this.strides[i]!));
    return shapeInLayout(first, s[0] ?? null, spatial, channelsOfShape(first, s));
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), poolSize: this.poolSize, strides: this.strides, padding: this.padding, dataFormat: this.dataFormat };
  }
  /** Options for the 2-D pooling ops. */
  protected opts2d() {
    const [poolSize, strides] = [[this.poolSize[0]!, this.poolSize[1]!] as [number, number], [this.strides[0]!, this.strides[1]!] as [number, number]];
    return { poolSize, strides, padding: this.padding, dataFormat: this.dataFormat };
  }
  /** Options for the 1-D pooling ops. */
  protected opts1d() {
    return { poolSize: this.poolSize[0]!, strides: this.strides[0]!, padding: this.padding, dataFormat: this.dataFormat };
  }
}

/** Maximum over windows of `poolSize` steps, over [batch, steps, channels]. */
export class MaxPooling1D extends Pooling {
  constructor(poolSize?: number | PoolingArgs, args?: PoolingArgs) {
    super(1, [poolSize, args]);
  }
  override call(x: Tensor): Tensor {
    return maxPool1d(x, this.opts1d());
  }
}

/** Mean over windows of `poolSize` steps, over [batch, steps, channels]. */
export class AveragePooling1D extends Pooling {
  constructor(poolSize?: number | PoolingArgs, args?: PoolingArgs) {
    super(1, [poolSize, args]);
  }
  override call(x: Tensor): Tensor {
    return avgPool1d(x, this.opts1d());
  }
}

/** Maximum over `poolSize` windows, over [batch, height, width, channels]. */
export class MaxPooling2D extends Pooling {
  constructor(poolSize?: number | number[] | PoolingArgs, args?: PoolingArgs) {
    super(2, [poolSize, args]);
  }
  override call(x: Tensor): Tensor {
    return maxPool(x, this.opts2d());
  }
}

/** Mean over `poolSize` windows, over [batch, height, width, channels]. */
export class AveragePooling2D extends Pooling {
  constructor(poolSize?: number | number[] | PoolingArgs, args?: PoolingArgs) {
    super(2, [poolSize, args]);
  }
  override call(x: Tensor): Tensor {
    return avgPool(x, this.opts2d());
  }
}

export interface GlobalPoolingArgs extends LayerArgs {
  /** Keep the pooled spatial axes as size 1 (default false). */
  keepDims?: boolean;
  /** 'channelsLast' (default) or 'channelsFirst'. */
  dataFormat?: DataFormat;
}

export const GLOBAL_POOLING_KEYS = optionKeys<GlobalPoolingArgs>({ ...LAYER_KEYS, keepDims: true, dataFormat: true });

export abstract class GlobalPooling extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = GLOBAL_POOLING_KEYS;
  readonly keepDims: boolean;
  readonly dataFormat: DataFormat;
  constructor(
    readonly rank: 1 | 2 | 3,
    args: GlobalPoolingArgs,
  ) {
    checkOptions(new.target.name, args, GLOBAL_POOLING_KEYS);
    super(args);
    this.keepDims = args.keepDims ?? false;
    this.dataFormat = dataFormatOf(this.className, args.dataFormat);
  }
  override build(inputShape: InputShapes): void {
    const s = inputShape as Shape;
    if (s.length !== this.rank + 2) {
      throw new ShapeError(`${this.className} '${this.name}': expects inputs of rank ${this.rank + 2}, got shape [${s.join(', ')}]`);
    }
    this.inputSpec = { ndim: this.rank + 2 };
  }
  override computeOutputShape(inputShape: InputShapes): Shape {
    const s = inputShape as Shape;
    const first = this.dataFormat === 'channelsFirst';
    const c = channelsOfShape(first, s);
    return this.keepDims ? shapeInLayout(first, s[0] ?? null, new Array<number>(this.rank).fill(1), c) : [s[0] ?? null, c];
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), keepDims: this.keepDims, dataFormat: this.dataFormat };
  }
  /** Options of the global pooling ops. */
  protected get opts() {
    return { keepDims: this.keepDims, dataFormat: this.dataFormat };
  }
}

/**
 * Mean over the steps axis: [batch, steps, channels] to [batch, channels]. With a mask (from
 * `Embedding({ maskZero: true })` or `Masking`), the mean of the unmasked steps only, as in Keras.
 */
export class GlobalAveragePooling1D extends GlobalPooling {
  constructor(args: GlobalPoolingArgs = {}) {
    super(1, args);
  }
  override call(x: Tensor, kwargs: CallArgs): Tensor {
    const mask = Array.isArray(kwargs.mask) ? (kwargs.mask[0] ?? null) : (kwargs.mask ?? null);
    if (!mask) return globalAvgPool(x, this.opts);
    const [stepAxis, channelAxis] = this.dataFormat === 'channelsFirst' ? [2, 1] : [1, 2];
    if (mask.rank !== 2 || mask.shape[0] !== x.shape[0] || mask.shape[1] !== x.shape[stepAxis]) {
      throw new ShapeError(`GlobalAveragePooling1D '${this.name}': the mask must be [batch, steps] = [${x.shape[0]}, ${x.shape[stepAxis]}], got [${mask.shape.join(', ')}]`);
    }
    const m = expandDims(cast(mask, x.dtype), channelAxis);
    return div(sum(mul(x, m), stepAxis, this.keepDims), sum(m, stepAxis, this.keepDims));
  }
}

/** Maximum over the steps axis: [batch, steps, channels] to [batch, channels]. */
export class GlobalMaxPooling1D extends GlobalPooling {
  constructor(args: GlobalPoolingArgs = {}) {
    super(1, args);
  }
  override call(x: Tensor): Tensor {
    return globalMaxPool(x, this.opts);
  }
}

/** Mean over height and width: [batch, h, w, channels] to [batch, channels]. */
export class GlobalAveragePooling2D extends GlobalPooling {
  constructor(args: GlobalPoolingArgs = {}) {
    super(2, args);
  }
  override call(x: Tensor): Tensor {
    return globalAvgPool(x, this.opts);
  }
}

/** Maximum over height and width: [batch, h, w, channels] to [batch, channels]. */
export class GlobalMaxPooling2D extends GlobalPooling {
  constructor(args: GlobalPoolingArgs = {}) {
    super(2, args);
  }
  override call(x: Tensor): Tensor {
    return globalMaxPool(x, this.opts);
  }
}
