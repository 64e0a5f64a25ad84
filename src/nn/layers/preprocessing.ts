// Preprocessing layers: Normalization (with adapt) and Rescaling.
import { ValueError } from '../../errors.js';
import { add, div, maximum, mul, sub } from '../../ops/primitives/binary.js';
import { cast } from '../../ops/primitives/cast.js';
import { reshape } from '../../ops/primitives/shape.js';
import { sqrt } from '../../ops/primitives/unary.js';
import { tensor, toTensor, type TensorLike } from '../../ops/creation.js';
import { isFloat } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import type { Variable } from '../../autograd/variable.js';
import { checkOptions, mergePositional, optionKeys } from '../../check-options.js';
import { LAYER_KEYS, Layer, type InputShapes, type LayerArgs, type Shape } from './layer.js';

const EPSILON = 1e-7;

export interface NormalizationArgs extends LayerArgs {
  /** Axes that keep their own statistics (default -1: one mean per feature). */
  axis?: number | number[] | null;
  mean?: number | number[];
  variance?: number | number[];
  /** Undo the normalization instead (x * std + mean). */
  invert?: boolean;
}

const NORMALIZATION_KEYS = optionKeys<NormalizationArgs>({ ...LAYER_KEYS, axis: true, mean: true, variance: true, invert: true });

/** Running sums per feature, merged batch by batch (Chan et al.'s parallel variance). */
class Moments {
  count = 0;
  mean: Float64Array | null = null;
  m2: Float64Array | null = null;

  add(values: ArrayLike<number>, shape: readonly number[], keep: number[]): void {
    const featShape = keep.map((a) => shape[a]!);
    const nFeat = featShape.reduce((a, b) => a * b, 1);
    const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
    const n = values.length / nFeat;
    const sum = new Float64Array(nFeat);
    const sq = new Float64Array(nFeat);
    const featOf = (flat: number) => keep.reduce((f, a, j) => f * featShape[j]! + (Math.floor(flat / strides[a]!) % shape[a]!), 0);
    for (let i = 0; i < values.length; i++) sum[featOf(i)]! += values[i]!;
    for (let f = 0; f < nFeat; f++) sum[f]! /= n;
    for (let i = 0; i < values.length; i++) {
      const f = featOf(i);
      sq[f]! += (values[i]! - sum[f]!) ** 2;
    }
    if (!this.mean || !this.m2) {
      [this.mean, this.m2, this.count] = [sum, sq, n];
      return;
    }
    if (this.mean.length !== nFeat) throw new ValueError(`Normalization.adapt: batches have ${nFeat} features, earlier ones ${this.mean.length}`);
    const total = this.count + n;
    for (let f = 0; f < nFeat; f++) {
      const d = sum[f]! - this.mean[f]!;
      this.mean[f]! += (d * n) / total;
      this.m2[f]! += sq[f]! + (d * d * this.count * n) / total;
    }
    this.count = total;
  }
}

/** Feature-wise (x - mean) / sqrt(variance), statistics given or learned from data with `adapt`. */
export class Normalization extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = NORMALIZATION_KEYS;
  override readonly supportsMasking = true;
  readonly axis: number[];
  readonly invert: boolean;
  private readonly given: { mean?: number | number[]; variance?: number | number[] };
  adaptedMean: Variable | null = null;
  adaptedVariance: Variable | null = null;

  constructor(args: NormalizationArgs = {}) {
    checkOptions('Normalization', args, NORMALIZATION_KEYS);
    super(args);
    const axis = args.axis === undefined ? [-1] : args.axis === null ? [] : Array.isArray(args.axis) ? args.axis : [args.axis];
    this.axis = axis;
    this.invert = args.invert ?? false;
    if ((args.mean === undefined) !== (args.variance === undefined)) throw new ValueError('Normalization: give both mean and variance, or neither (and call adapt)');
    this.given = { mean: args.mean, variance: args.variance };
  }

  private keptAxes(rank: number): number[] {
    return this.axis.map((a) => {
      const n = a < 0 ? a + rank : a;
      if (n < 1 || n >= rank) throw new ValueError(`Normalization: axis ${a} is out of range for inputs of rank ${rank}`);
      return n;
    });
  }

  private statShape(shape: Shape): number[] {
    return shape.map((d, i) => (this.keptAxes(shape.length).includes(i) ? (d ?? 1) : 1));
  }

  override build(inputShape: InputShapes): void {
    const shape = inputShape as Shape;
    const st = this.statShape(shape);
    const n = st.reduce((a, b) => a * b, 1);
    const init = (v: number | number[] | undefined, dflt: number) => {
      const arr = v === undefined ? new Array<number>(n).fill(dflt) : typeof v === 'number' ? new Array<number>(n).fill(v) : v;
      if (arr.length !== n) throw new ValueError(`Normalization: expected ${n} statistics for input shape [${shape.join(', ')}], got ${arr.length}`);
      return tensor(arr, st, this.dtype);
    };
    this.adaptedMean = this.addWeight('mean', st, 'zeros', { trainable: false });
    this.adaptedVariance = this.addWeight('variance', st, 'ones', { trainable: false });
    this.adaptedMean.assign(init(this.given.mean, 0));
    this.adaptedVariance.assign(init(this.given.variance, 1));
  }

  /** Learn mean and variance from data: a tensor/array of samples, or an (async) iterable of batches. */
  adapt(data: TensorLike | Iterable<Tensor>): void;
  adapt(data: AsyncIterable<Tensor | Tensor[]>): Promise<void>;
  adapt(data: TensorLike | Iterable<Tensor> | AsyncIterable<Tensor | Tensor[]>): void | Promise<void> {
    const moments = new Moments();
    let firstShape: readonly number[] | null = null;
    const addBatch = (b: Tensor | Tensor[]) => {
      const t = Array.isArray(b) ? b[0]! : b;
      firstShape ??= t.shape;
      moments.add(t.dataSync(), t.shape, this.keptAxes(t.rank));
    };
    const finish = () => {
      if (!firstShape || !moments.mean || !moments.m2) throw new ValueError('Normalization.adapt: no data');
      this.maybeBuild([null, ...firstShape.slice(1)]);
      const st = this.adaptedMean!.shape;
      this.adaptedMean!.assign(tensor(moments.mean, [...st], this.dtype));
      this.adaptedVariance!.assign(tensor(moments.m2.map((v) => v / moments.count), [...st], this.dtype));
    };
    if (typeof data === 'object' && data !== null && Symbol.asyncIterator in data) {
      return (async () => {
        for await (const b of data as AsyncIterable<Tensor | Tensor[]>) addBatch(b);
        finish();
      })();
    }
    if (typeof data === 'object' && data !== null && !(data instanceof Tensor) && !Array.isArray(data) && Symbol.iterator in data) {
      for (const b of data as Iterable<Tensor>) addBatch(b);
    } else {
      addBatch(cast(toTensor(data as TensorLike, 'Normalization.adapt'), 'float64'));
    }
    finish();
  }

  override call(x: Tensor): Tensor {
    const xf = isFloat(x.dtype) ? x : cast(x, this.dtype);
    const m = this.adaptedMean!;
    const std = maximum(sqrt(this.adaptedVariance!), EPSILON);
    const view = (t: Tensor) => (t.rank === x.rank ? t : reshape(t, this.statShape(x.shape as Shape)));
    return this.invert ? add(mul(xf, view(std)), view(m)) : div(sub(xf, view(m)), view(std));
  }

  override computeOutputShape(s: InputShapes): InputShapes {
    return s;
  }

  override getConfig() {
    const c: Record<string, unknown> = { ...super.getConfig(), axis: this.axis, invert: this.invert };
    if (this.adaptedMean && this.adaptedVariance) {
      c.mean = Array.from(this.adaptedMean.dataSync());
      c.variance = Array.from(this.adaptedVariance.dataSync());
    } else if (this.given.mean !== undefined) {
      c.mean = this.given.mean;
      c.variance = this.given.variance;
    }
    return c;
  }
}

export interface RescalingArgs extends LayerArgs {
  scale?: number;
  offset?: number;
}

const RESCALING_KEYS = optionKeys<RescalingArgs>({ ...LAYER_KEYS, scale: true, offset: true });

/** x * scale + offset (integer inputs become floats), e.g. `new Rescaling(1 / 255)`. */
export class Rescaling extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = RESCALING_KEYS;
  override readonly supportsMasking = true;
  readonly scale: number;
  readonly offset: number;
  constructor(scale: number | RescalingArgs, args?: RescalingArgs) {
    const a = mergePositional<RescalingArgs>('Rescaling', RESCALING_KEYS, ['scale', 'offset'], [scale, args]);
    super(a);
    if (typeof a.scale !== 'number' || !Number.isFinite(a.scale)) throw new ValueError(`Rescaling: scale must be a finite number, got ${String(a.scale)}`);
    this.scale = a.scale;
    this.offset = a.offset ?? 0;
  }
  override call(x: Tensor): Tensor {
    const xf = isFloat(x.dtype) ? x : cast(x, this.dtype);
    return add(mul(xf, this.scale), this.offset);
  }
  override computeOutputShape(s: InputShapes): InputShapes {
    return s;
  }
  override getConfig() {
    return { ...super.getConfig(), scale: this.scale, offset: this.offset };
  }
}
