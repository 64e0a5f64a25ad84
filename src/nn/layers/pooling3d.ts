// 3-D pooling over volumes [batch, depth, height, width, channels]. A box window's max (or mean of
// the in-bounds elements, as TensorFlow counts them) is a 2-D pooling over height and width
// followed by a 1-D pooling over depth, so these reuse the 2-D and 1-D kernels. Channels first
// ([batch, channels, depth, height, width]), the channels and depth fold into the 2-D kernel's
// channels and the depth pooling runs over [batch * channels, depth, plane]: no transposes.
import { avgPool, avgPool1d, maxPool, maxPool1d } from '../../ops/primitives/pool.js';
import { globalAvgPool, globalMaxPool } from '../../ops/composite/global-pool.js';
import { reshape } from '../../ops/primitives/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { ShapeError } from '../../errors.js';
import { channelsOfShape, checkPadding, convOutputLength, shapeInLayout, spatialOfShape, tupleOf, type Padding } from './conv.js';
import { mergePositional } from '../../check-options.js';
import type { GlobalPoolingArgs, PoolingArgs } from './pooling.js';
import { GlobalPooling, POOLING_KEYS, dataFormatOf } from './pooling.js';
import type { DataFormat } from '../../ops/primitives/channels-first.js';
import { Layer, type InputShapes, type Shape } from './layer.js';

type Pool2d = typeof maxPool;
type Pool1d = typeof maxPool1d;

function checkRank5(layer: Layer, s: readonly (number | null)[]): void {
  if (s.length !== 5) throw new ShapeError(`${layer.className} '${layer.name}': expects inputs of rank 5 (batch, channels and depth, height, width), got shape [${s.join(', ')}]`);
}

abstract class Pooling3D extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = POOLING_KEYS;
  readonly poolSize: number[];
  readonly strides: number[];
  readonly padding: Padding;
  readonly dataFormat: DataFormat;
  constructor(given: unknown[]) {
    const a = mergePositional<PoolingArgs>(new.target.name, POOLING_KEYS, ['poolSize', 'strides', 'padding'], given);
    super(a);
    this.poolSize = tupleOf(this.className, 'poolSize', a.poolSize, 3, 2);
    this.strides = a.strides === null || a.strides === undefined ? [...this.poolSize] : tupleOf(this.className, 'strides', a.strides, 3, 1);
    this.padding = checkPadding(this.className, a.padding);
    this.dataFormat = dataFormatOf(this.className, a.dataFormat);
  }
  protected abstract readonly pool2d: Pool2d;
  protected abstract readonly pool1d: Pool1d;
  override build(inputShape: InputShapes): void {
    checkRank5(this, inputShape as Shape);
    this.inputSpec = { ndim: 5 };
  }
  override call(x: Tensor): Tensor {
    checkRank5(this, x.shape);
    const [pd, ph, pw] = this.poolSize as [number, number, number];
    const [sd, sh, sw] = this.strides as [number, number, number];
    const window = { poolSize: [ph, pw] as [number, number], strides: [sh, sw] as [number, number], padding: this.padding };
    if (this.dataFormat === 'channelsFirst') {
      const [b, c, d, h, w] = x.shape as number[];
      const planes = this.pool2d(reshape(x, [b!, c! * d!, h!, w!]), { ...window, dataFormat: 'channelsFirst' });
      const [, , oh, ow] = planes.shape as number[];
      const columns = this.pool1d(reshape(planes, [b! * c!, d!, oh! * ow!]), { poolSize: pd, strides: sd, padding: this.padding });
      return reshape(columns, [b!, c!, columns.shape[1]!, oh!, ow!]);
    }
    const [b, d, h, w, c] = x.shape as number[];
    const planes = this.pool2d(reshape(x, [b! * d!, h!, w!, c!]), window);
    const [, oh, ow] = planes.shape as number[];
    const columns = this.pool1d(reshape(planes, [b!, d!, oh! * ow! * c!]), { poolSize: pd, strides: sd, padding: this.padding });
    return reshape(columns, [b!, columns.shape[1]!, oh!, ow!, c!]);
  }
  override computeOutputShape(inputShape: InputShapes): Shape {
    const s = inputShape as Shape;
    checkRank5(this, s);
    const first = this.dataFormat === 'channelsFirst';
    const spatial = spatialOfShape(first, s).map((n, i) => convOutputLength(n, this.poolSize[i]!, this.padding, this.strides[i]!));
    return shapeInLayout(first, s[0] ?? null, spatial, channelsOfShape(first, s));
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), poolSize: this.poolSize, strides: this.strides, padding: this.padding, dataFormat: this.dataFormat };
  }
}

/** Maximum over `poolSize` boxes of [batch, depth, height, width, channels]. */
export class MaxPooling3D extends Pooling3D {
  protected readonly pool2d = maxPool;
  protected readonly pool1d = maxPool1d;
  constructor(poolSize?: number | number[] | PoolingArgs, args?: PoolingArgs) {
    super([poolSize, args]);
  }
}

/** Mean over `poolSize` boxes of [batch, depth, height, width, channels] (in-bounds elements only with 'same'). */
export class AveragePooling3D extends Pooling3D {
  protected readonly pool2d = avgPool;
  protected readonly pool1d = avgPool1d;
  constructor(poolSize?: number | number[] | PoolingArgs, args?: PoolingArgs) {
    super([poolSize, args]);
  }
}

/** Mean over depth, height and width: [batch, d, h, w, channels] (or [batch, channels, d, h, w]) to [batch, channels]. */
export class GlobalAveragePooling3D extends GlobalPooling {
  constructor(args: GlobalPoolingArgs = {}) {
    super(3, args);
  }
  override call(x: Tensor): Tensor {
    return globalAvgPool(x, this.opts);
  }
}

/** Maximum over depth, height and width: [batch, d, h, w, channels] (or [batch, channels, d, h, w]) to [batch, channels]. */
export class GlobalMaxPooling3D extends GlobalPooling {
  constructor(args: GlobalPoolingArgs = {}) {
    super(3, args);
  }
  override call(x: Tensor): Tensor {
    return globalMaxPool(x, this.opts);
  }
}
