// BatchNormalization, LayerNormalization and GroupNormalization.
import { ValueError } from '../../errors.js';
import { variance, mean } from '../../ops/composite/math.js';
import { add, div, mul, sub } from '../../ops/primitives/binary.js';
import { cast } from '../../ops/primitives/cast.js';
import { sum } from '../../ops/primitives/reduce.js';
import { expandDims, reshape } from '../../ops/primitives/shape.js';
import { rsqrt, square } from '../../ops/primitives/unary.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { Variable } from '../../autograd/variable.js';
import { getInitializer, serializeInitializer, type Initializer, type InitializerIdentifier } from '../initializers.js';
import { optionalRegularizer, serializeOptional } from './core.js';
import { checkOptions, optionKeys } from '../../check-options.js';
import { LAYER_KEYS, Layer, type CallArgs, type InputShapes, type LayerArgs, type Shape } from './layer.js';
import type { Regularizer, RegularizerIdentifier } from '../regularizers.js';

function normalizeAxisList(layer: string, axis: number | number[], rank: number): number[] {
  const list = Array.isArray(axis) ? axis : [axis];
  return list.map((a) => {
    const n = a < 0 ? a + rank : a;
    if (!Number.isInteger(n) || n < 1 || n >= rank) throw new ValueError(`${layer}: axis ${a} is out of range for inputs of rank ${rank} (axis 0 is the batch)`);
    return n;
  });
}

/** A parameter of shape [sizes of `axes`] viewed so that it broadcasts against inputs of `rank`. */
function broadcastParam(p: Tensor, axes: number[], rank: number, shape: readonly number[]): Tensor {
  if (axes.length === 1 && axes[0] === rank - 1) return p;
  return reshape(p, shape.map((d, i) => (axes.includes(i) ? d : 1)));
}

interface AffineArgs extends LayerArgs {
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  betaInitializer?: InitializerIdentifier;
  gammaInitializer?: InitializerIdentifier;
  betaRegularizer?: RegularizerIdentifier | null;
  gammaRegularizer?: RegularizerIdentifier | null;
}

const AFFINE_KEY_LIST = {
  ...LAYER_KEYS, epsilon: true, center: true, scale: true, betaInitializer: true, gammaInitializer: true, betaRegularizer: true, gammaRegularizer: true,
} as const;

/** The learned scale (gamma) and offset (beta) shared by the normalization layers. */
abstract class AffineNormalization extends Layer {
  override readonly supportsMasking = true;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly betaInitializer: Initializer;
  readonly gammaInitializer: Initializer;
  readonly betaRegularizer: Regularizer | null;
  readonly gammaRegularizer: Regularizer | null;
  gamma: Variable | null = null;
  beta: Variable | null = null;
  protected axes: number[] = [];

  constructor(a: AffineArgs, defaultEpsilon: number) {
    super(a);
    this.epsilon = a.epsilon ?? defaultEpsilon;
    if (!(this.epsilon > 0)) throw new ValueError(`${this.className}: epsilon must be positive, got ${this.epsilon}`);
    this.center = a.center ?? true;
    this.scale = a.scale ?? true;
    this.betaInitializer = getInitializer(a.betaInitializer ?? 'zeros');
    this.gammaInitializer = getInitializer(a.gammaInitializer ?? 'ones');
    this.betaRegularizer = optionalRegularizer(a.betaRegularizer);
    this.gammaRegularizer = optionalRegularizer(a.gammaRegularizer);
  }

  /** Record the normalized axes and create gamma/beta over them; returns their shape. */
  protected buildAffine(shape: Shape, axes: number[]): number[] {
    this.axes = axes;
    const paramShape = axes.map((a) => {
      const d = shape[a];
      if (typeof d !== 'number') throw new ValueError(`${this.className} '${this.name}': axis ${a} of the input must be known, got shape [${shape.join(', ')}]`);
      return d;
    });
    if (this.scale) this.gamma = this.addWeight('gamma', paramShape, this.gammaInitializer, { regularizer: this.gammaRegularizer });
    if (this.center) this.beta = this.addWeight('beta', paramShape, this.betaInitializer, { regularizer: this.betaRegularizer });
    const axesSpec: Record<number, number> = {};
    axes.forEach((a, i) => (axesSpec[a] = paramShape[i]!));
    this.inputSpec = { ndim: shape.length, axes: axesSpec };
    return paramShape;
  }

  /** (x - m) / sqrt(v + eps) * gamma + beta, with m, v broadcastable to x. */
  protected normalize(x: Tensor, m: Tensor, v: Tensor): Tensor {
    let y = mul(sub(x, m), rsqrt(add(v, this.epsilon)));
    if (this.gamma) y = mul(y, broadcastParam(this.gamma, this.axes, x.rank, x.shape));
    if (this.beta) y = add(y, broadcastParam(this.beta, this.axes, x.rank, x.shape));
    return y;
  }

  override computeOutputShape(s: InputShapes): InputShapes {
    return s;
  }

  /** Constructor arguments as JSON, enough for fromConfig to make an equal (unbuilt) layer. */
  override getConfig() {
    return {
      ...super.getConfig(),
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      betaInitializer: serializeInitializer(this.betaInitializer),
      gammaInitializer: serializeInitializer(this.gammaInitializer),
      betaRegularizer: serializeOptional(this.betaRegularizer),
      gammaRegularizer: serializeOptional(this.gammaRegularizer),
    };
  }
}

/** Options of {@link BatchNormalization}. */
export interface BatchNormalizationArgs extends AffineArgs {
  axis?: number;
  momentum?: number;
  movingMeanInitializer?: InitializerIdentifier;
  movingVarianceInitializer?: InitializerIdentifier;
}

const BATCH_NORMALIZATION_KEYS = optionKeys<BatchNormalizationArgs>({
  ...AFFINE_KEY_LIST, axis: true, momentum: true, movingMeanInitializer: true, movingVarianceInitializer: true,
});

/**
 * Normalizes with the batch's statistics while training (updating moving averages with `momentum`)
 * and with the moving averages at inference. A frozen layer (trainable false) runs in inference mode.
 */
export class BatchNormalization extends AffineNormalization {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = BATCH_NORMALIZATION_KEYS;
  readonly axis: number;
  readonly momentum: number;
  readonly movingMeanInitializer: Initializer;
  readonly movingVarianceInitializer: Initializer;
  movingMean!: Variable;
  movingVariance!: Variable;

  constructor(args: BatchNormalizationArgs = {}) {
    checkOptions('BatchNormalization', args, BATCH_NORMALIZATION_KEYS);
    super(args, 1e-3);
    this.axis = args.axis ?? -1;
    this.momentum = args.momentum ?? 0.99;
    if (!(this.momentum >= 0 && this.momentum <= 1)) throw new ValueError(`BatchNormalization: momentum must be in [0, 1], got ${this.momentum}`);
    this.movingMeanInitializer = getInitializer(args.movingMeanInitializer ?? 'zeros');
    this.movingVarianceInitializer = getInitializer(args.movingVarianceInitializer ?? 'ones');
  }

  override build(inputShape: InputShapes): void {
    const shape = inputShape as Shape;
    const axes = normalizeAxisList('BatchNormalization', this.axis, shape.length);
    const paramShape = this.buildAffine(shape, axes);
    this.movingMean = this.addWeight('moving_mean', paramShape, this.movingMeanInitializer, { trainable: false });
    this.movingVariance = this.addWeight('moving_variance', paramShape, this.movingVarianceInitializer, { trainable: false });
  }

  override call(x: Tensor, kwargs: CallArgs): Tensor {
    const rank = x.rank;
    const reduceAxes = [...Array(rank).keys()].filter((i) => !this.axes.includes(i));
    if (kwargs.training && this.trainable) {
      const given = Array.isArray(kwargs.mask) ? null : (kwargs.mask ?? null);
      const { m, v } = given && given.rank === rank - 1 ? maskedMoments(x, given, reduceAxes) : { m: mean(x, reduceAxes, true), v: variance(x, reduceAxes, true) };
      const shape = this.movingMean.shape;
      const k = this.momentum;
      this.movingMean.assign(add(mul(this.movingMean.value(), k), mul(reshape(m, shape), 1 - k)));
      this.movingVariance.assign(add(mul(this.movingVariance.value(), k), mul(reshape(v, shape), 1 - k)));
      return this.normalize(x, m, v);
    }
    const m = broadcastParam(this.movingMean, this.axes, rank, x.shape);
    const v = broadcastParam(this.movingVariance, this.axes, rank, x.shape);
    return this.normalize(x, m, v);
  }

  /** Constructor arguments as JSON, enough for fromConfig to make an equal (unbuilt) layer. */
  override getConfig() {
    return {
      ...super.getConfig(),
      axis: this.axis,
      momentum: this.momentum,
      movingMeanInitializer: serializeInitializer(this.movingMeanInitializer),
      movingVarianceInitializer: serializeInitializer(this.movingVarianceInitializer),
    };
  }
}

/**
 * Batch statistics over the unmasked steps only (a [batch, steps] mask for [batch, steps, ...] inputs),
 * as Keras's BatchNormalization computes them, so padding does not shift the moving mean.
 */
function maskedMoments(x: Tensor, mask: Tensor, axes: number[]): { m: Tensor; v: Tensor } {
  const w = expandDims(cast(mask, x.dtype), -1);
  const count = add(sum(w, axes, true), 1e-7);
  const m = div(sum(mul(x, w), axes, true), count);
  const v = div(sum(mul(w, square(sub(x, m))), axes, true), count);
  return { m, v };
}

/** Options of {@link LayerNormalization}. */
export interface LayerNormalizationArgs extends AffineArgs {
  axis?: number | number[];
}

const LAYER_NORMALIZATION_KEYS = optionKeys<LayerNormalizationArgs>({ ...AFFINE_KEY_LIST, axis: true });

/** Normalizes each sample over `axis` (the last by default) with its own mean and variance. */
export class LayerNormalization extends AffineNormalization {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = LAYER_NORMALIZATION_KEYS;
  readonly axis: number | number[];
  constructor(args: LayerNormalizationArgs = {}) {
    checkOptions('LayerNormalization', args, LAYER_NORMALIZATION_KEYS);
    super(args, 1e-3);
    this.axis = args.axis ?? -1;
  }
  override build(inputShape: InputShapes): void {
    const shape = inputShape as Shape;
    this.buildAffine(shape, normalizeAxisList('LayerNormalization', this.axis, shape.length));
  }
  override call(x: Tensor): Tensor {
    return this.normalize(x, mean(x, this.axes, true), variance(x, this.axes, true));
  }
  /** Constructor arguments as JSON, enough for fromConfig to make an equal (unbuilt) layer. */
  override getConfig() {
    return { ...super.getConfig(), axis: this.axis };
  }
}

/** Options of {@link GroupNormalization}. */
export interface GroupNormalizationArgs extends AffineArgs {
  /** Channel groups (default 32); -1 makes one group per channel (instance normalization). */
  groups?: number;
  /** The channel axis (default -1). */
  axis?: number;
}

const GROUP_NORMALIZATION_KEYS = optionKeys<GroupNormalizationArgs>({ ...AFFINE_KEY_LIST, groups: true, axis: true });

/** Normalizes each sample over every axis but the batch, separately for each group of channels. */
export class GroupNormalization extends AffineNormalization {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = GROUP_NORMALIZATION_KEYS;
  readonly groups: number;
  readonly axis: number;
  constructor(args: GroupNormalizationArgs = {}) {
    checkOptions('GroupNormalization', args, GROUP_NORMALIZATION_KEYS);
    super(args, 1e-3);
    this.groups = args.groups ?? 32;
    if (!Number.isInteger(this.groups) || (this.groups < 1 && this.groups !== -1)) throw new ValueError(`GroupNormalization: groups must be a positive integer or -1, got ${String(args.groups)}`);
    this.axis = args.axis ?? -1;
  }
  override build(inputShape: InputShapes): void {
    const shape = inputShape as Shape;
    const [axis] = normalizeAxisList('GroupNormalization', this.axis, shape.length) as [number];
    const [channels] = this.buildAffine(shape, [axis]) as [number];
    const groups = this.groups === -1 ? channels : this.groups;
    if (channels % groups !== 0) {
      throw new ValueError(`GroupNormalization '${this.name}': ${channels} channels (axis ${axis}) do not split into ${groups} groups`);
    }
  }
  override call(x: Tensor): Tensor {
    const axis = this.axes[0]!;
    const channels = x.shape[axis]!;
    const groups = this.groups === -1 ? channels : this.groups;
    const grouped = reshape(x, [...x.shape.slice(0, axis), groups, channels / groups, ...x.shape.slice(axis + 1)]);
    const reduce = grouped.shape.map((_, i) => i).filter((i) => i !== 0 && i !== axis);
    const m = mean(grouped, reduce, true);
    const v = variance(grouped, reduce, true);
    let y = reshape(mul(sub(grouped, m), rsqrt(add(v, this.epsilon))), x.shape);
    if (this.gamma) y = mul(y, broadcastParam(this.gamma, this.axes, x.rank, x.shape));
    if (this.beta) y = add(y, broadcastParam(this.beta, this.axes, x.rank, x.shape));
    return y;
  }
  /** Constructor arguments as JSON, enough for fromConfig to make an equal (unbuilt) layer. */
  override getConfig() {
    return { ...super.getConfig(), groups: this.groups, axis: this.axis };
  }
}
