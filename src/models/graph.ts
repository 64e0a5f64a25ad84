// A functional model's graph: the nodes between its inputs and outputs, in an order that runs them.
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { CallArgs, Layer } from '../nn/layers/layer.js';
import type { Node, SymbolicTensor } from '../nn/symbolic-tensor.js';
import { InputLayer } from './input-layer.js';

export class FunctionalGraph {
  /** Nodes in execution order (inputs' nodes excluded). */
  readonly nodes: Node[] = [];
  /** Layers in execution order, each once, inputs first. */
  readonly layers: Layer[] = [];

  constructor(
    readonly inputs: SymbolicTensor[],
    readonly outputs: SymbolicTensor[],
  ) {
    for (const [i, x] of inputs.entries()) {
      if (!(x.node.layer instanceof InputLayer)) {
        throw new ValueError(`Model: input ${i} (${x.name}) must come from nb.keras.Input, not from a layer's output`);
      }
    }
    const inputIds = new Set(inputs.map((t) => t.id));
    const done = new Set<Node>();
    const visiting = new Set<Node>();
    const visit = (t: SymbolicTensor, path: string) => {
      const node = t.node;
      if (done.has(node)) return;
      if (node.layer instanceof InputLayer) {
        if (!inputIds.has(t.id)) {
          throw new ValueError(`Model: the graph is disconnected: output ${path} needs the input '${t.name}', which is not among the model's inputs`);
        }
        done.add(node);
        return;
      }
      if (visiting.has(node)) throw new ValueError(`Model: cycle through layer '${node.layer.name}'`);
      visiting.add(node);
      for (const x of node.inputs) visit(x, path);
      visiting.delete(node);
      done.add(node);
      this.nodes.push(node);
    };
    outputs.forEach((o, i) => visit(o, `${i} (${o.name})`));
    const seen = new Set<Layer>();
    for (const t of inputs) {
      seen.add(t.node.layer);
      this.layers.push(t.node.layer);
    }
    for (const n of this.nodes) {
      if (!seen.has(n.layer)) {
        seen.add(n.layer);
        this.layers.push(n.layer);
      }
    }
  }

  /** Run the graph on tensors, one per input. */
  run(xs: Tensor[], kwargs: CallArgs): Tensor[] {
    if (xs.length !== this.inputs.length) {
      throw new ValueError(`Model: expected ${this.inputs.length} input(s), got ${xs.length}`);
    }
    const values = new Map<number, Tensor>();
    this.inputs.forEach((t, i) => values.set(t.id, xs[i]!));
    for (const node of this.nodes) {
      const ins = node.inputs.map((t) => values.get(t.id)!);
      // A training flag fixed when the graph was built (layer.apply(x, { training: false })) wins.
      const outs = node.layer.applyAll(node.inputsAsList ? ins : ins[0]!, { ...node.kwargs, training: node.kwargs.training ?? kwargs.training });
      node.outputs.forEach((t, i) => values.set(t.id, outs[i]!));
    }
    return this.outputs.map((t) => values.get(t.id)!);
  }

  /** Position of `node` among this graph's nodes of the same layer (for configs). */
  nodeIndex(node: Node): number {
    if (node.layer instanceof InputLayer) return 0;
    return this.nodes.filter((n) => n.layer === node.layer).indexOf(node);
  }
}
