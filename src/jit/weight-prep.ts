// Weight preparation hoisted out of compiled inference graphs. After the inference rewrites, part
// of a predict graph computes from weights alone: BatchNormalization folded into a conv's weight
// and bias, an imported model's weights transposed to nabla's layouts. That part is split off into
// its own plan, run once, and its results are fed to the main plan as extra inputs on every call
// until one of the variables it reads is written (src/engine/variable-writes.ts), when it runs
// again: a model whose weights change between predicts never sees stale prepared weights, and
// writes to other variables (another model's training) cost nothing.
import { engine } from '../engine/engine.js';
import { variableVersion, variableWriteEpoch } from '../engine/variable-writes.js';
import type { Backend } from '../backends/backend.js';
import type { Tensor } from '../tensor/tensor.js';
import { Plan } from './executor.js';
import { Graph, type Node, type Value } from './graph.js';
import { readOnlyParams } from './passes/fold-affine.js';

/** The weight-only part of a graph, planned, with its last results. */
export class WeightPrep {
  private cached: Tensor[] | undefined;
  private epoch = -1;
  private readonly plan: Plan;
  /** The variables the weight graph reads, and their write counts when `cached` was computed. */
  private readonly variables: readonly object[];
  private versions: number[] = [];

  constructor(
    prep: Graph,
    backend: Backend,
    /** How many values the main graph takes from here (its last inputs). */
    readonly count: number,
  ) {
    this.plan = new Plan(prep, backend);
    const read = new Set<object>();
    for (const n of prep.nodes) for (const v of n.inputs) if (v.source.kind === 'variable') read.add(v.source.variable);
    this.variables = [...read];
  }

  /** The prepared weights, recomputed if a variable they read was written since they were last computed. */
  tensors(): Tensor[] {
    const now = variableWriteEpoch();
    if (this.cached && this.epoch === now) return this.cached;
    if (this.cached && this.variables.every((v, i) => variableVersion(v) === this.versions[i])) {
      this.epoch = now;
      return this.cached;
    }
    this.release();
    // Outside any tidy scope of the caller: the results outlive this call.
    this.cached = this.plan.run([]).map((t) => engine.keep(t));
    this.epoch = now;
    this.versions = this.variables.map(variableVersion);
    return this.cached;
  }

  release(): void {
    for (const t of this.cached ?? []) t.dispose();
    this.cached = undefined;
  }
}

/**
 * Split `g` (an inference graph: no variable updates) in place: nodes computed only from constants
 * and variables move to a new graph whose outputs are the values the rest reads; those values
 * become new inputs of `g`, appended after its existing ones. Returns the weight graph, or
 * undefined where nothing moves (or `g` assigns variables, or returns a weight-only value).
 */
export function splitWeightPrep(g: Graph): Graph | undefined {
  if (g.updates.size) return undefined;
  const isParam = readOnlyParams(g);
  // Nodes without inputs (iota, fill) are constants too, but cheap: left where they are.
  const moved = new Set<Node>(g.nodes.filter((n) => n.inputs.length > 0 && n.outputs.every(isParam)));
  if (!moved.size) return undefined;
  const roots = new Set(g.roots());
  const boundary: Value[] = [];
  const seen = new Set<Value>();
  for (const n of g.nodes) {
    if (moved.has(n)) continue;
    for (const v of n.inputs) {
      if (seen.has(v) || v.source.kind !== 'node' || !moved.has(v.source.node)) continue;
      seen.add(v);
      boundary.push(v);
    }
  }
  for (const n of moved) if (n.outputs.some((v) => roots.has(v))) return undefined;
  if (!boundary.length) return undefined;
  const prep = new Graph();
  prep.nodes = g.nodes.filter((n) => moved.has(n));
  prep.outputs = boundary;
  g.nodes = g.nodes.filter((n) => !moved.has(n));
  for (const v of boundary) g.replaceUses(v, g.addInput(v));
  return prep;
}
