// Keras's automatic choice for the metric names 'accuracy'/'acc' and 'crossentropy'/'ce': binary,
// categorical or sparse-categorical, from the loss and the shapes of labels and predictions.
import { checkOptions, optionKeys } from '../check-options.js';
import { ValueError } from '../errors.js';
import type { TensorLike } from '../ops/creation.js';
import { Tensor } from '../tensor/tensor.js';
import { toTensor } from '../ops/creation.js';
import { BinaryCrossentropy, CategoricalCrossentropy, Loss, SparseCategoricalCrossentropy, type LossFn } from '../losses/loss.js';
import { binaryCrossentropy, categoricalCrossentropy, sparseCategoricalCrossentropy } from '../losses/crossentropy.js';
import { nameKey } from '../losses/registry.js';
import { BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy } from './accuracy.js';
import { METRIC_KEYS, Metric, MeanMetricWrapper, type MetricOptions } from './metric.js';

/** How labels are encoded: one 0/1 column, one-hot rows, or class indices. */
export type LabelKind = 'binary' | 'categorical' | 'sparseCategorical';

/** A loss as `compile` may receive it. */
export type LossLike = string | Loss | LossFn | null | undefined;

function kindOfLoss(loss: LossLike): LabelKind | null {
  if (loss === null || loss === undefined) return null;
  if (loss instanceof BinaryCrossentropy || loss === binaryCrossentropy) return 'binary';
  if (loss instanceof SparseCategoricalCrossentropy || loss === sparseCategoricalCrossentropy) return 'sparseCategorical';
  if (loss instanceof CategoricalCrossentropy || loss === categoricalCrossentropy) return 'categorical';
  if (typeof loss !== 'string') return null;
  const key = nameKey(loss);
  if (key === 'binarycrossentropy') return 'binary';
  if (key === 'sparsecategoricalcrossentropy') return 'sparseCategorical';
  if (key === 'categoricalcrossentropy') return 'categorical';
  return null;
}

/** What is known when 'accuracy' or 'crossentropy' is resolved to a concrete metric. */
export interface LabelKindContext {
  /** The compiled loss, if any: a cross-entropy decides the kind. */
  loss?: LossLike;
  /** The labels' shape. */
  yTrueShape?: readonly number[];
  /** The model output's shape (the batch dimension may be any number). */
  yPredShape?: readonly number[];
}

/**
 * Which accuracy 'accuracy' means: a binary/categorical/sparse cross-entropy loss decides; otherwise
 * an output with last dimension 1 is binary, labels of lower rank (or last dimension 1 against
 * several classes) are sparse, and anything else is categorical.
 */
export function chooseLabelKind(ctx: LabelKindContext): LabelKind {
  const fromLoss = kindOfLoss(ctx.loss);
  if (fromLoss) return fromLoss;
  const p = ctx.yPredShape;
  if (!p) throw new ValueError("metrics: 'accuracy' needs the loss or the prediction shape to choose binary, categorical or sparse accuracy");
  const pLast = p.length ? p[p.length - 1] : undefined;
  if (pLast === 1 || p.length <= 1) return 'binary';
  const t = ctx.yTrueShape;
  if (t && (t.length < p.length || (t[t.length - 1] === 1 && pLast !== undefined && pLast > 1))) return 'sparseCategorical';
  return 'categorical';
}

/** The accuracy metric Keras picks for 'accuracy'/'acc' (named `name`, default 'accuracy'). */
export function chooseAccuracy(ctx: LabelKindContext & { name?: string }): Metric {
  const opts: MetricOptions = { name: ctx.name ?? 'accuracy' };
  const kind = chooseLabelKind(ctx);
  if (kind === 'binary') return new BinaryAccuracy(opts);
  return kind === 'sparseCategorical' ? new SparseCategoricalAccuracy(opts) : new CategoricalAccuracy(opts);
}

/** The cross-entropy metric Keras picks for 'crossentropy'/'ce'. */
export function chooseCrossentropy(ctx: LabelKindContext & { name?: string }): Metric {
  const name = ctx.name ?? 'crossentropy';
  const kind = chooseLabelKind(ctx);
  const fn =
    kind === 'binary'
      ? (t: Tensor, p: Tensor) => binaryCrossentropy(t, p)
      : kind === 'sparseCategorical'
        ? (t: Tensor, p: Tensor) => sparseCategoricalCrossentropy(t, p)
        : (t: Tensor, p: Tensor) => categoricalCrossentropy(t, p);
  return new MeanMetricWrapper(fn, { name });
}

/** Options of {@link AutoMetric}: the loss it looks at and which kind of metric it picks. */
export type AutoMetricOptions = MetricOptions & { loss?: LossLike; kind: 'accuracy' | 'crossentropy' };
const AUTO_METRIC_KEYS = optionKeys<AutoMetricOptions>({ ...METRIC_KEYS, loss: true, kind: true });

/**
 * 'accuracy' (or 'crossentropy') before the shapes are known: decides on the first `updateState`
 * from the loss and the batch's shapes, then behaves as the chosen metric.
 */
export class AutoMetric extends Metric {
  private chosen: Metric | null = null;
  private readonly loss: LossLike;
  private readonly choose: typeof chooseAccuracy;

  constructor(opts: AutoMetricOptions) {
    checkOptions('AutoMetric', opts, AUTO_METRIC_KEYS);
    super(opts, opts.kind);
    this.loss = opts.loss;
    this.choose = opts.kind === 'accuracy' ? chooseAccuracy : chooseCrossentropy;
  }

  /** The concrete metric, once the first batch decided it. */
  get resolved(): Metric | null {
    return this.chosen;
  }

  override get variables() {
    return this.chosen ? this.chosen.variables : [];
  }

  updateState(yTrue: TensorLike, yPred?: TensorLike | null, sampleWeight?: TensorLike | null): void {
    if (yPred === undefined || yPred === null) throw new ValueError(`${this.name}.updateState: expected (yTrue, yPred, sampleWeight?)`);
    if (!this.chosen) {
      const shape = (x: TensorLike) => (x instanceof Tensor ? x.shape : toTensor(x, this.name).shape);
      this.chosen = this.choose({ loss: this.loss, yTrueShape: shape(yTrue), yPredShape: shape(yPred), name: this.name });
    }
    this.chosen.updateState(yTrue, yPred, sampleWeight);
  }

  result(): Tensor {
    return this.chosen ? this.chosen.result() : toTensor(0, this.name, this.dtype);
  }

  override resetState(): void {
    this.chosen?.resetState();
  }
}
