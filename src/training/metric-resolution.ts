// What compile() accepts as a metric: a name ('accuracy', 'mae', ...), an nb.metrics object, or a
// function (yTrue, yPred) => per-sample values (averaged over the epoch). Resolved by nb.metrics.get,
// which picks binary/categorical/sparse accuracy for 'accuracy' from the loss and output shape.
import type { Loss } from '../losses/index.js';
import { get as getMetric, type Metric, type MetricFn } from '../metrics/index.js';

export type MetricLike = Metric;
export type MetricIdentifier = string | Metric | MetricFn;

/** What the metric is attached to. */
export interface MetricContext {
  loss: Loss | null;
  /** The output's shape, batch axis null; null when the model is not built yet. */
  outputShape: (number | null)[] | null;
}

export function resolveMetric(id: MetricIdentifier, ctx: MetricContext): Metric {
  const s = ctx.outputShape;
  // The batch size does not matter to the choice; other unknown sizes leave it to the first batch.
  const known = s && s.slice(1).every((d) => d !== null) ? s.map((d) => d ?? 1) : undefined;
  return getMetric(id, { loss: ctx.loss ?? undefined, yPredShape: known });
}
