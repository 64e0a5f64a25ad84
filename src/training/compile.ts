// model.compile(): resolve the optimizer, one loss per output, loss weights and metrics.
import { checkOptions, optionKeys } from '../check-options.js';
import { engine } from '../engine/engine.js';
import { ValueError } from '../errors.js';
import { add, mul } from '../ops/primitives/binary.js';
import { get as getLoss, type Loss, type LossFn, type SerializedLoss } from '../losses/index.js';
import { get as getOptimizer, type Optimizer, type SerializedOptimizer } from '../optimizers/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { resolveMetric, type MetricIdentifier, type MetricLike } from './metric-resolution.js';

export type LossIdentifier = string | Loss | LossFn | SerializedLoss;

export interface CompileArgs {
  optimizer: string | Optimizer | SerializedOptimizer;
  /** One loss for every output, one per output (array), or by output name. */
  loss: LossIdentifier | (LossIdentifier | null)[] | Record<string, LossIdentifier | null>;
  /** Metrics for every output, or per output (array of arrays, or by output name). */
  metrics?: MetricIdentifier[] | MetricIdentifier[][] | Record<string, MetricIdentifier | MetricIdentifier[]>;
  /** Scale of each output's loss in the total (array, or by output name). */
  lossWeights?: number[] | Record<string, number>;
  /** Run fit/evaluate/predict steps through nb.jit (default true). */
  jitCompile?: boolean;
}

const COMPILE_KEYS = optionKeys<CompileArgs>({ optimizer: true, loss: true, metrics: true, lossWeights: true, jitCompile: true });

/** A metric attached to one output, and the key it logs under. */
export interface OutputMetric {
  output: number;
  metric: MetricLike;
  logName: string;
}

export class CompiledState {
  readonly optimizer: Optimizer;
  /** One loss per output (null: that output is not trained). */
  readonly losses: (Loss | null)[];
  readonly lossWeights: number[];
  readonly metrics: OutputMetric[];
  readonly jitCompile: boolean;

  constructor(args: CompileArgs, readonly outputNames: string[], outputShapes: ((number | null)[] | null)[]) {
    if (!args || typeof args !== 'object') throw new ValueError('compile: expected { optimizer, loss, metrics? }');
    checkOptions('compile', args, COMPILE_KEYS);
    if (args.optimizer === undefined) throw new ValueError("compile: an optimizer is required, e.g. 'adam' or new nb.optimizers.SGD(0.1)");
    if (args.loss === undefined) throw new ValueError("compile: a loss is required, e.g. 'mse' or 'binaryCrossentropy'");
    this.optimizer = getOptimizer(args.optimizer);
    this.jitCompile = args.jitCompile ?? true;
    const n = outputNames.length;
    this.losses = perOutput('loss', args.loss, outputNames).map((l) =>
      l === null || l === undefined ? null : getLoss(l as LossIdentifier),
    );
    if (this.losses.every((l) => l === null)) throw new ValueError('compile: every output has a null loss; nothing to train');
    const w = args.lossWeights;
    this.lossWeights = w === undefined ? new Array<number>(n).fill(1) : perOutputWeights(w, outputNames);
    this.metrics = [];
    const metricLists = metricsPerOutput(args.metrics, outputNames);
    metricLists.forEach((ids, o) => {
      for (const id of ids) {
        const metric = resolveMetric(id, { loss: this.losses[o] ?? null, outputShape: outputShapes[o] ?? null });
        const logName = n > 1 ? `${outputNames[o]}_${metric.name}` : metric.name;
        if (this.metrics.some((m) => m.logName === logName)) throw new ValueError(`compile: two metrics log as '${logName}'; give one a name`);
        this.metrics.push({ output: o, metric, logName });
      }
    });
  }

  /** Names in the logs, in order: loss, per-output losses (several outputs), metrics. */
  get logNames(): string[] {
    const perOutput = this.outputNames.length > 1 ? this.outputNames.map((o) => `${o}_loss`) : [];
    return ['loss', ...perOutput, ...this.metrics.map((m) => m.logName)];
  }

  /** Weighted sum of the outputs' losses (and each output's own loss, for the logs). */
  computeLoss(ys: Tensor[], preds: Tensor[], sampleWeight: Tensor | null): { total: Tensor; perOutput: (Tensor | null)[] } {
    if (ys.length !== this.losses.length) {
      throw new ValueError(`the model has ${this.losses.length} output(s) but got ${ys.length} target(s)`);
    }
    let total: Tensor | null = null;
    const perOutput = this.losses.map((loss, i) => {
      if (!loss) return null;
      const value = loss.apply(ys[i]!, preds[i]!, sampleWeight);
      const weighted = this.lossWeights[i] === 1 ? value : mul(value, this.lossWeights[i]!);
      total = total ? add(total, weighted) : weighted;
      return value;
    });
    return { total: total!, perOutput };
  }

  updateMetrics(ys: Tensor[], preds: Tensor[], sampleWeight: Tensor | null): void {
    for (const m of this.metrics) m.metric.updateState(ys[m.output]!, preds[m.output]!, sampleWeight ?? undefined);
  }

  resetMetrics(): void {
    engine.tidy(() => {
      for (const m of this.metrics) m.metric.resetState();
    });
  }
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && Object.getPrototypeOf(x) === Object.prototype;
}

/** Spread a spec over outputs: the same for all, an array of one per output, or a record by output name. */
function perOutput<T>(what: string, spec: T | T[] | Record<string, T>, names: string[]): (T | null)[] {
  if (Array.isArray(spec)) {
    if (spec.length !== names.length) throw new ValueError(`compile: got ${spec.length} ${what}es for ${names.length} output(s) (${names.join(', ')})`);
    return spec;
  }
  // A record keyed by output name (a serialized loss has a className instead).
  if (isRecord(spec) && !('className' in spec)) {
    for (const k of Object.keys(spec)) if (!names.includes(k)) throw new ValueError(`compile: ${what} given for '${k}', which is not an output; outputs: ${names.join(', ')}`);
    return names.map((n) => (spec as Record<string, T>)[n] ?? null);
  }
  return names.map(() => spec as T);
}

function perOutputWeights(w: number[] | Record<string, number>, names: string[]): number[] {
  const out = Array.isArray(w) ? w : names.map((n) => w[n] ?? 1);
  if (out.length !== names.length) throw new ValueError(`compile: got ${out.length} lossWeights for ${names.length} output(s)`);
  for (const v of out) if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`compile: lossWeights must be finite numbers, got ${String(v)}`);
  return out;
}

function metricsPerOutput(spec: CompileArgs['metrics'], names: string[]): MetricIdentifier[][] {
  if (spec === undefined) return names.map(() => []);
  if (Array.isArray(spec)) {
    if (spec.length && spec.every((s) => Array.isArray(s))) {
      if (spec.length !== names.length) throw new ValueError(`compile: got ${spec.length} metric lists for ${names.length} output(s)`);
      return spec as MetricIdentifier[][];
    }
    return names.map(() => spec as MetricIdentifier[]);
  }
  if (isRecord(spec)) {
    for (const k of Object.keys(spec)) if (!names.includes(k)) throw new ValueError(`compile: metrics given for '${k}', which is not an output; outputs: ${names.join(', ')}`);
    return names.map((n) => {
      const v = (spec as Record<string, MetricIdentifier | MetricIdentifier[]>)[n];
      return v === undefined ? [] : Array.isArray(v) ? v : [v];
    });
  }
  throw new ValueError('compile: metrics must be an array (or per-output arrays / a record by output name)');
}
