// Pooling layers (channels last): windowed max/average in 1-D and 2-D, and global pooling.
import { avgPool, avgPool1d, maxPool, maxPool1d } from '../../ops/primitives/pool.js';
import { globalAvgPool, globalMaxPool } from '../../ops/composite/global-pool.js';
import type { Tensor } from '../../tensor/tensor.js';
import { ShapeError } from '../../errors.js';
import { div, mul } from '../../ops/primitives/binary.js';
import { cast } from '../../ops/primitives/cast.js';
import { sum } from '../../ops/primitives/reduce.js';
import { expandDims } from '../../ops/primitives/shape.js';
import { checkPadding, convOutputLength, tupleOf, type Padding } from './conv.js';
import { checkOptions, mergePositional, optionKeys } from '../../check-options.js';
import { LAYER_KEYS, Layer, type CallArgs, type InputShapes, type LayerArgs, type Shape } from './layer.js';

export interface PoolingArgs extends LayerArgs {
  /** Window size per spatial axis (default 2). */
  poolSize?: number | number[];
  /** Window step (default poolSize). */
  strides?: number | number[] | null;
  /** 'valid' (default) or 'same'. */
  padding?: Padding;
}

export const POOLING_KEYS = optionKeys<PoolingArgs>({ ...LAYER_KEYS, poolSize: true, strides: true, padding: true });

abstract class Pooling extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = POOLING_KEYS;
  readonly poolSize: number[];
  readonly strides: number[];
  readonly padding: Padding;
  constructor(
    readonly rank: 1 | 2,
    given: unknown[],
  ) {
    const a = mergePositional<PoolingArgs>(new.target.name, POOLING_KEYS, ['poolSize', 'strides', 'padding'], given);
    super(a);
    this.poolSize = tupleOf(this.className, 'poolSize', a.poolSize, rank, 2);
    this.strides = a.strides === null || a.strides === undefined ? [...this.poolSize] : tupleOf(this.className, 'strides', a.strides, rank, 1);
    this.padding = checkPadding(this.className, a.padding);
  }
  override build(inputShape: InputShapes): void {
    this.inputSpec = { ndim: this.rank + 2 };
    void inputShape;
  }
  override computeOutputShape(inputShape: InputShapes): Shape {
    const s = inputShape as Shape;
    const spatial = s.slice(1, -1).map((n, i) => convOutputLength(n, this.poolSize[i]!, this.padding, this.strides[i]!));
    return [s[0] ?? null, ...spatial, s.at(-1) ?? null];
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), poolSize: this.poolSize, strides: this.strides, padding: this.padding };
  }
  /** Options for the 2-D pooling ops. */
  protected opts2d() {
    return { poolSize: [this.poolSize[0]!, this.poolSize[1]!] as [number, number], strides: [this.strides[0]!, this.strides[1]!] as [number, number], padding: this.padding };
  }
  /** Options for the 1-D pooling ops. */
  protected opts1d() {
    return { poolSize: this.poolSize[0]!, strides: this.strides[0]!, padding: this.padding };
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
}

export const GLOBAL_POOLING_KEYS = optionKeys<GlobalPoolingArgs>({ ...LAYER_KEYS, keepDims: true });

abstract class GlobalPooling extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = GLOBAL_POOLING_KEYS;
  readonly keepDims: boolean;
  constructor(
    readonly rank: 1 | 2,
    args: GlobalPoolingArgs,
  ) {
    checkOptions(new.target.name, args, GLOBAL_POOLING_KEYS);
    super(args);
    this.keepDims = args.keepDims ?? false;
  }
  override build(): void {
    this.inputSpec = { ndim: this.rank + 2 };
  }
  override computeOutputShape(inputShape: InputShapes): Shape {
    const s = inputShape as Shape;
    return this.keepDims ? [s[0] ?? null, ...new Array<number>(this.rank).fill(1), s.at(-1) ?? null] : [s[0] ?? null, s.at(-1) ?? null];
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), keepDims: this.keepDims };
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
    if (!mask) return globalAvgPool(x, { keepDims: this.keepDims });
    if (mask.rank !== 2 || mask.shape[0] !== x.shape[0] || mask.shape[1] !== x.shape[1]) {
      throw new ShapeError(`GlobalAveragePooling1D '${this.name}': the mask must be [batch, steps] = [${x.shape.slice(0, 2).join(', ')}], got [${mask.shape.join(', ')}]`);
    }
    const m = expandDims(cast(mask, x.dtype), 2);
    return div(sum(mul(x, m), 1, this.keepDims), sum(m, 1, this.keepDims));
  }
}

/** Maximum over the steps axis: [batch, steps, channels] to [batch, channels]. */
export class GlobalMaxPooling1D extends GlobalPooling {
  constructor(args: GlobalPoolingArgs = {}) {
    super(1, args);
  }
  override call(x: Tensor): Tensor {
    return globalMaxPool(x, { keepDims: this.keepDims });
  }
}

/** Mean over height and width: [batch, h, w, channels] to [batch, channels]. */
export class GlobalAveragePooling2D extends GlobalPooling {
  constructor(args: GlobalPoolingArgs = {}) {
    super(2, args);
  }
  override call(x: Tensor): Tensor {
    return globalAvgPool(x, { keepDims: this.keepDims });
  }
}

/** Maximum over height and width: [batch, h, w, channels] to [batch, channels]. */
export class GlobalMaxPooling2D extends GlobalPooling {
  constructor(args: GlobalPoolingArgs = {}) {
    super(2, args);
  }
  override call(x: Tensor): Tensor {
    return globalMaxPool(x, { keepDims: this.keepDims });
  }
}
