// What compile() accepts as a metric: a name ('accuracy', 'mae', ...), a metric object, or a
// function (yTrue, yPred) => per-sample values, averaged over the epoch.
import { ValueError } from '../errors.js';
import { mul } from '../ops/primitives/binary.js';
import { sum } from '../ops/primitives/reduce.js';
import type { Loss } from '../losses/index.js';
import { tensor } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';

/** The stateful metric protocol (nb.metrics objects follow it). */
export interface MetricLike {
  readonly name: string;
  updateState(yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor): unknown;
  result(): Tensor;
  resetState(): void;
}

export type MetricFn = (yTrue: Tensor, yPred: Tensor) => Tensor;
export type MetricIdentifier = string | MetricLike | MetricFn;

/** What the metric is attached to, for Keras's choice of accuracy flavour. */
export interface MetricContext {
  loss: Loss | null;
  outputShape: (number | null)[] | null;
}

export function isMetricLike(x: unknown): x is MetricLike {
  return typeof x === 'object' && x !== null && typeof (x as MetricLike).updateState === 'function' && typeof (x as MetricLike).result === 'function';
}

/** A function of (yTrue, yPred) averaged over every sample seen (sample-weighted), on the host. */
export class FunctionMetric implements MetricLike {
  private total = 0;
  private count = 0;
  constructor(
    readonly fn: MetricFn,
    readonly name: string,
  ) {}
  updateState(yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor): void {
    const values = this.fn(yTrue, yPred);
    if (sampleWeight) {
      const w = sampleWeight.rank < values.rank ? sampleWeight.reshape([...sampleWeight.shape, ...new Array<number>(values.rank - sampleWeight.rank).fill(1)]) : sampleWeight;
      this.total += sum(mul(values, w)).item();
      this.count += sum(mul(w, values.size / Math.max(1, w.size))).item();
    } else {
      this.total += sum(values).item();
      this.count += values.size;
    }
  }
  result(): Tensor {
    return tensor(this.count ? this.total / this.count : 0);
  }
  resetState(): void {
    this.total = 0;
    this.count = 0;
  }
}

let lookupByName: ((name: string, ctx: MetricContext) => MetricLike) | null = null;

/** Connect the nb.metrics name lookup (done by the metrics module's entry point). */
export function setMetricLookup(fn: (name: string, ctx: MetricContext) => MetricLike): void {
  lookupByName = fn;
}

export function resolveMetric(id: MetricIdentifier, ctx: MetricContext): MetricLike {
  if (isMetricLike(id)) return id;
  if (typeof id === 'function') return new FunctionMetric(id, id.name || 'metric');
  if (typeof id === 'string') {
    if (!lookupByName) throw new ValueError(`compile: metric names need nb.metrics, which is not loaded; pass a metric object or function instead of '${id}'`);
    return lookupByName(id, ctx);
  }
  throw new ValueError(`compile: a metric must be a name, a metric object or a function (yTrue, yPred) => Tensor, got ${typeof id}`);
}
