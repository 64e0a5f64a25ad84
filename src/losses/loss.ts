// Loss objects (keras.losses.Loss and its subclasses): per-sample values from a loss function,
// then sample weights and the reduction.
import { checkOptions, optionKeys, type KeyList } from '../check-options.js';
import { ValueError } from '../errors.js';
import { notEqual } from '../ops/primitives/compare.js';
import type { TensorLike } from '../ops/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkReduction, reduceWeightedValues, type Reduction } from './reduction.js';
import { asFloat } from './reduction.js';
import * as fns from './regression.js';
import { binaryCrossentropy, categoricalCrossentropy, sparseCategoricalCrossentropy, sparseLabels } from './crossentropy.js';
import { binaryFocalCrossentropy, categoricalFocalCrossentropy } from './focal.js';

/** Options every loss object takes. */
export interface LossOptions {
  /** 'sum_over_batch_size' (default: the mean of the weighted per-sample values), 'sum' or 'none'. */
  reduction?: Reduction;
  /** Name in logs (default: the snake_case loss name). */
  name?: string;
}

/** The keys of LossOptions, spread into each loss's own list. */
export const LOSS_KEYS: KeyList<LossOptions> = { reduction: true, name: true };
const PLAIN_LOSS_KEYS = optionKeys<LossOptions>(LOSS_KEYS);

/** Per-sample loss: `(yTrue, yPred) => values` with the batch axes of `yPred` (its class axis reduced). */
export type LossFn = (yTrue: TensorLike, yPred: TensorLike) => Tensor;

/**
 * Base of loss objects, as keras.losses.Loss: subclasses implement `call` (the per-sample values);
 * `apply(yTrue, yPred, sampleWeight?)` (Keras's `loss(y_true, y_pred)`) weights and reduces them.
 */
export abstract class Loss {
  readonly name: string;
  readonly reduction: Reduction;

  /** `keys`: the options a built-in loss accepts (checked); a custom subclass passes none. */
  constructor(opts: LossOptions = {}, defaultName = 'loss', keys?: readonly string[]) {
    if (keys) checkOptions(new.target.name || defaultName, opts, keys);
    this.name = opts.name ?? defaultName;
    this.reduction = checkReduction(this.name, opts.reduction);
  }

  /** Unreduced per-sample losses (Keras's `call`); what a subclass implements. */
  abstract call(yTrue: TensorLike, yPred: TensorLike): Tensor;

  /** Entries to leave out (true = keep), or null; sparse cross-entropy's `ignoreClass` uses it. */
  protected mask(_yTrue: TensorLike, _yPred: TensorLike): Tensor | null {
    return null;
  }

  /** The loss: `call`'s per-sample values, times `sampleWeight` (broadcast to them) if given, reduced. */
  apply(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike | null): Tensor {
    return reduceWeightedValues(this.call(yTrue, yPred), sampleWeight, this.reduction, this.mask(yTrue, yPred));
  }

  /** Constructor arguments as JSON, enough to make an equal loss. */
  getConfig(): Record<string, unknown> {
    return { name: this.name, reduction: this.reduction };
  }
}

/** A loss object around a per-sample function (how `losses.get` wraps a custom function). */
export class LossFunctionWrapper extends Loss {
  readonly fn: LossFn;

  constructor(fn: LossFn, opts: LossOptions = {}) {
    if (typeof fn !== 'function') throw new ValueError(`LossFunctionWrapper: expected a function (yTrue, yPred) => Tensor, got ${typeof fn}`);
    super(opts, opts.name ?? (fn.name || 'loss'));
    checkOptions('LossFunctionWrapper', opts, PLAIN_LOSS_KEYS);
    this.fn = fn;
  }

  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return this.fn(yTrue, yPred);
  }
}

/** Declares a parameterless loss class around one function. */
function simpleLoss(fn: LossFn, defaultName: string):
  /** A loss object; `opts` sets its name and reduction. */
  new (opts?: LossOptions) => Loss {
  return class extends Loss {
    constructor(opts: LossOptions = {}) {
      super(opts, defaultName, PLAIN_LOSS_KEYS);
    }

    call(yTrue: TensorLike, yPred: TensorLike): Tensor {
      return fn(yTrue, yPred);
    }
  };
}

/** Mean of `(yTrue - yPred) ** 2` over the last axis. */
export const MeanSquaredError = simpleLoss(fns.meanSquaredError, 'mean_squared_error');
/** Mean of `abs(yTrue - yPred)` over the last axis. */
export const MeanAbsoluteError = simpleLoss(fns.meanAbsoluteError, 'mean_absolute_error');
/** Mean of `100 * abs((yTrue - yPred) / yTrue)` over the last axis. */
export const MeanAbsolutePercentageError = simpleLoss(fns.meanAbsolutePercentageError, 'mean_absolute_percentage_error');
/** Mean of `(log(1 + yTrue) - log(1 + yPred)) ** 2` over the last axis. */
export const MeanSquaredLogarithmicError = simpleLoss(fns.meanSquaredLogarithmicError, 'mean_squared_logarithmic_error');
/** Mean of `log(cosh(yPred - yTrue))` over the last axis. */
export const LogCosh = simpleLoss(fns.logCosh, 'log_cosh');
/** Kullback-Leibler divergence `sum(yTrue * log(yTrue / yPred))` over the last axis. */
export const KLDivergence = simpleLoss(fns.kullbackLeiblerDivergence, 'kl_divergence');
/** Alias of {@link KLDivergence}. */
export const KullbackLeiblerDivergence = KLDivergence;
/** Mean of `yPred - yTrue * log(yPred)` over the last axis. */
export const Poisson = simpleLoss(fns.poisson, 'poisson');
/** Mean of `max(1 - yTrue * yPred, 0)` with labels in {-1, 1} (0/1 are mapped). */
export const Hinge = simpleLoss(fns.hinge, 'hinge');
/** Mean of `max(1 - yTrue * yPred, 0) ** 2` with labels in {-1, 1} (0/1 are mapped). */
export const SquaredHinge = simpleLoss(fns.squaredHinge, 'squared_hinge');
/** `max(0, 1 + max(wrong-class scores) - true-class score)` per sample. */
export const CategoricalHinge = simpleLoss(fns.categoricalHinge, 'categorical_hinge');

/** Options of {@link Huber}. */
export interface HuberOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear (default 1). */
  delta?: number;
}

const HUBER_KEYS = optionKeys<HuberOptions>({ ...LOSS_KEYS, delta: true });

export class Huber extends Loss {
  readonly delta: number;

  constructor(opts: HuberOptions = {}) {
    super(opts, 'huber_loss', HUBER_KEYS);
    this.delta = opts.delta ?? 1;
    if (!(this.delta > 0)) throw new ValueError(`Huber: delta must be > 0, got ${this.delta}`);
  }

  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return fns.huber(yTrue, yPred, { delta: this.delta });
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), delta: this.delta };
  }
}

/** Options of {@link CosineSimilarity}. */
export interface CosineSimilarityOptions extends LossOptions {
  axis?: number;
}

const COSINE_KEYS = optionKeys<CosineSimilarityOptions>({ ...LOSS_KEYS, axis: true });

export class CosineSimilarity extends Loss {
  readonly axis: number;

  constructor(opts: CosineSimilarityOptions = {}) {
    super(opts, 'cosine_similarity', COSINE_KEYS);
    this.axis = opts.axis ?? -1;
  }

  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return fns.cosineSimilarity(yTrue, yPred, { axis: this.axis });
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }
}

/** Options of {@link BinaryCrossentropy} and {@link CategoricalCrossentropy}. */
export interface CrossentropyLossOptions extends LossOptions {
  /** `yPred` holds logits (default false). */
  fromLogits?: boolean;
  /** Default 0. */
  labelSmoothing?: number;
  /** Default -1. */
  axis?: number;
}

const CROSSENTROPY_KEYS = optionKeys<CrossentropyLossOptions>({ ...LOSS_KEYS, fromLogits: true, labelSmoothing: true, axis: true });

export class BinaryCrossentropy extends Loss {
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;

  constructor(opts: CrossentropyLossOptions = {}) {
    super(opts, 'binary_crossentropy', CROSSENTROPY_KEYS);
    this.fromLogits = opts.fromLogits ?? false;
    this.labelSmoothing = opts.labelSmoothing ?? 0;
    this.axis = opts.axis ?? -1;
  }

  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return binaryCrossentropy(yTrue, yPred, { fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing, axis: this.axis });
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing, axis: this.axis };
  }
}

export class CategoricalCrossentropy extends Loss {
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;

  constructor(opts: CrossentropyLossOptions = {}) {
    super(opts, 'categorical_crossentropy', CROSSENTROPY_KEYS);
    this.fromLogits = opts.fromLogits ?? false;
    this.labelSmoothing = opts.labelSmoothing ?? 0;
    this.axis = opts.axis ?? -1;
  }

  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return categoricalCrossentropy(yTrue, yPred, { fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing, axis: this.axis });
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing, axis: this.axis };
  }
}

/** Options of {@link SparseCategoricalCrossentropy}. */
export interface SparseCrossentropyLossOptions extends LossOptions {
  fromLogits?: boolean;
  /** Labels equal to this are left out of the loss and of the mean (default none). */
  ignoreClass?: number | null;
}

const SPARSE_CROSSENTROPY_KEYS = optionKeys<SparseCrossentropyLossOptions>({ ...LOSS_KEYS, fromLogits: true, ignoreClass: true });

export class SparseCategoricalCrossentropy extends Loss {
  readonly fromLogits: boolean;
  readonly ignoreClass: number | null;

  constructor(opts: SparseCrossentropyLossOptions = {}) {
    super(opts, 'sparse_categorical_crossentropy', SPARSE_CROSSENTROPY_KEYS);
    this.fromLogits = opts.fromLogits ?? false;
    this.ignoreClass = opts.ignoreClass ?? null;
  }

  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return sparseCategoricalCrossentropy(yTrue, yPred, { fromLogits: this.fromLogits, ignoreClass: this.ignoreClass });
  }

  protected override mask(yTrue: TensorLike, yPred: TensorLike): Tensor | null {
    if (this.ignoreClass === null) return null;
    const op = 'SparseCategoricalCrossentropy';
    return notEqual(sparseLabels(yTrue, asFloat(yPred, op), op), this.ignoreClass);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), fromLogits: this.fromLogits, ignoreClass: this.ignoreClass };
  }
}

/** Options of the focal crossentropy losses. */
export interface FocalLossOptions extends CrossentropyLossOptions {
  /** Default 2. */
  gamma?: number;
  /** Default 0.25. */
  alpha?: number;
}

const FOCAL_KEYS = optionKeys<FocalLossOptions>({ ...LOSS_KEYS, fromLogits: true, labelSmoothing: true, axis: true, gamma: true, alpha: true });

/** Options of {@link BinaryFocalCrossentropy}. */
export interface BinaryFocalLossOptions extends FocalLossOptions {
  /** Weigh positives by alpha and negatives by 1 - alpha (default false). */
  applyClassBalancing?: boolean;
}

const BINARY_FOCAL_KEYS = optionKeys<BinaryFocalLossOptions>({ ...LOSS_KEYS, fromLogits: true, labelSmoothing: true, axis: true, gamma: true, alpha: true, applyClassBalancing: true });

export class BinaryFocalCrossentropy extends Loss {
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;
  readonly gamma: number;
  readonly alpha: number;
  readonly applyClassBalancing: boolean;

  constructor(opts: BinaryFocalLossOptions = {}) {
    super(opts, 'binary_focal_crossentropy', BINARY_FOCAL_KEYS);
    this.fromLogits = opts.fromLogits ?? false;
    this.labelSmoothing = opts.labelSmoothing ?? 0;
    this.axis = opts.axis ?? -1;
    this.gamma = opts.gamma ?? 2;
    this.alpha = opts.alpha ?? 0.25;
    this.applyClassBalancing = opts.applyClassBalancing ?? false;
  }

  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return binaryFocalCrossentropy(yTrue, yPred, this.options());
  }

  private options() {
    const { fromLogits, labelSmoothing, axis, gamma, alpha, applyClassBalancing } = this;
    return { fromLogits, labelSmoothing, axis, gamma, alpha, applyClassBalancing };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), ...this.options() };
  }
}

export class CategoricalFocalCrossentropy extends Loss {
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;
  readonly gamma: number;
  readonly alpha: number;

  constructor(opts: FocalLossOptions = {}) {
    super(opts, 'categorical_focal_crossentropy', FOCAL_KEYS);
    this.fromLogits = opts.fromLogits ?? false;
    this.labelSmoothing = opts.labelSmoothing ?? 0;
    this.axis = opts.axis ?? -1;
    this.gamma = opts.gamma ?? 2;
    this.alpha = opts.alpha ?? 0.25;
  }

  call(yTrue: TensorLike, yPred: TensorLike): Tensor {
    return categoricalFocalCrossentropy(yTrue, yPred, this.options());
  }

  private options() {
    const { fromLogits, labelSmoothing, axis, gamma, alpha } = this;
    return { fromLogits, labelSmoothing, axis, gamma, alpha };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), ...this.options() };
  }
}
