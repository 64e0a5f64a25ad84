// A model's compile() settings as JSON and back: optimizer config, one loss per output, loss
// weights and metric names.
import { serialize as serializeLoss, type SerializedLoss } from '../losses/registry.js';
import { deserialize as deserializeOptimizer, serialize as serializeOptimizer, type SerializedOptimizer } from '../optimizers/registry.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import type { CompileArgs, CompiledState } from '../training/compile.js';
import { ValueError } from '../errors.js';
import { get as getMetric } from '../metrics/registry.js';

export interface CompileConfig {
  optimizer: SerializedOptimizer;
  /** One per output; null for an output that is not trained. */
  loss: (SerializedLoss | null)[];
  lossWeights: number[];
  /** Metric names per output, as they were resolved (and as they appear in the logs). */
  metrics: string[][];
}

/** The compile settings, or a reason why they cannot be written (a custom loss or optimizer). */
export function compileConfigOf(state: CompiledState): CompileConfig | { unserializable: string } {
  try {
    const metrics: string[][] = state.outputNames.map(() => []);
    for (const m of state.metrics) metrics[m.output]!.push(m.metric.name);
    return {
      optimizer: serializeOptimizer(state.optimizer),
      loss: state.losses.map((l) => (l ? serializeLoss(l) : null)),
      lossWeights: [...state.lossWeights],
      metrics,
    };
  } catch (e) {
    return { unserializable: (e as Error).message };
  }
}

/** compile() arguments from a saved config; the optimizer is made fresh (its state is restored separately). */
export function compileArgsFrom(config: CompileConfig, where: string): CompileArgs & { optimizer: Optimizer } {
  if (typeof config !== 'object' || config === null || !config.optimizer || !Array.isArray(config.loss)) {
    throw new ValueError(`${where}: compileConfig must have optimizer and loss, got ${JSON.stringify(config)}`);
  }
  return {
    optimizer: deserializeOptimizer(config.optimizer),
    loss: config.loss,
    lossWeights: config.lossWeights,
    metrics: (config.metrics ?? []).map((names) => names.filter((name) => knownMetric(name, where))),
  };
}

/** A metric saved under a custom name cannot be rebuilt from it: it is left out, with a warning. */
function knownMetric(name: string, where: string): boolean {
  try {
    getMetric(name);
    return true;
  } catch {
    console.warn(`${where}: metric '${name}' is not a known metric name; the model is compiled without it`);
    return false;
  }
}
