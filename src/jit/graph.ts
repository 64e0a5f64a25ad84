import type { OutSpec } from '../backends/backend.js';
import type { OpDef } from '../ops/define-op.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';

/** Where a value of the graph comes from. */
export type ValueSource =
  | { readonly kind: 'input'; readonly index: number }
  /** `origin`: for a constant folded from weights, the variable it was computed from (names it on export). */
  | { readonly kind: 'const'; readonly tensor: Tensor; readonly origin?: string }
  | { readonly kind: 'variable'; readonly variable: Variable }
  | { readonly kind: 'node'; readonly node: Node; readonly index: number };

export interface Value extends OutSpec {
  readonly id: number;
  source: ValueSource;
}

export interface Node {
  readonly id: number;
  op: OpDef<any>;
  inputs: Value[];
  attrs: unknown;
  outputs: Value[];
  /** The layers that were being called when the node was traced, outermost first, joined by '/'. */
  scope?: string;
}

/**
 * A traced function: inputs, captured constants and variables, op nodes in execution order,
 * outputs, and the variable updates to apply after a run.
 */
export class Graph {
  private nextValue = 0;
  private nextNode = 0;
  readonly inputs: Value[] = [];
  nodes: Node[] = [];
  outputs: Value[] = [];
  /** Variables assigned by the function, with their final values. */
  updates = new Map<Variable, Value>();

  newValue(spec: OutSpec, source: ValueSource): Value {
    return { id: this.nextValue++, shape: spec.shape, dtype: spec.dtype, source };
  }

  addInput(spec: OutSpec): Value {
    const v = this.newValue(spec, { kind: 'input', index: this.inputs.length });
    this.inputs.push(v);
    return v;
  }

  addNode(op: OpDef<any>, inputs: Value[], attrs: unknown, specs: readonly OutSpec[]): Node {
    const node = this.unplacedNode(op, inputs, attrs, specs);
    this.nodes.push(node);
    return node;
  }

  /**
   * A node for a rewrite: numbered like any other, but not yet in `nodes` (the pass places it, with
   * replaceNode). Its outputs' shapes are the op's inference unless `specs` are given.
   */
  unplacedNode(op: OpDef<any>, inputs: Value[], attrs: unknown, specs: readonly OutSpec[] = op.infer(inputs, attrs)): Node {
    const node: Node = { id: this.nextNode++, op, inputs, attrs, outputs: [] };
    node.outputs = specs.map((s, index) => this.newValue(s, { kind: 'node', node, index }));
    return node;
  }

  /** Put `nodes` where `old` stands in the order, in its stead, and let every use of old's output read `output`. */
  replaceNode(old: Node, nodes: readonly Node[], output: Value): void {
    this.nodes.splice(this.nodes.indexOf(old), 1, ...nodes);
    this.replaceUses(old.outputs[0]!, output);
  }

  /** Take `dropped` out of the order (a rewrite's originals, after replaceNode redirected their uses). */
  removeNodes(dropped: Iterable<Node>): void {
    const set = new Set(dropped);
    this.nodes = this.nodes.filter((n) => !set.has(n));
  }

  /** Values the graph must produce: outputs and variable updates. */
  roots(): Value[] {
    return [...this.outputs, ...this.updates.values()];
  }

  /** Replace every use of `from` by `to` (nodes, outputs, updates). */
  replaceUses(from: Value, to: Value): void {
    if (from === to) return;
    for (const n of this.nodes) if (n.inputs.includes(from)) n.inputs = n.inputs.map((v) => (v === from ? to : v));
    this.outputs = this.outputs.map((v) => (v === from ? to : v));
    for (const [k, v] of this.updates) if (v === from) this.updates.set(k, to);
  }

  /** A readable listing: one line per node, `%7 = mul(%3, %5) : float32[32, 10]`. */
  dump(name = 'fn'): string {
    const label = (v: Value): string => {
      switch (v.source.kind) {
        case 'input':
          return `%in${v.source.index}`;
        case 'const':
          return v.source.tensor.size <= 4 ? `const(${Array.from(v.source.tensor.dataSync()).join(', ')})` : `const#${v.id}`;
        case 'variable':
          return `var(${v.source.variable.name})`;
        default:
          return `%${v.id}`;
      }
    };
    const ty = (v: Value) => `${v.dtype}[${v.shape.join(', ')}]`;
    const lines = [`graph ${name}(${this.inputs.map((v) => `${label(v)}: ${ty(v)}`).join(', ')}) {`];
    for (const n of this.nodes) {
      const attrs = describeAttrs(n.attrs);
      const outs = n.outputs.map(label).join(', ');
      lines.push(`  ${outs} = ${n.op.name}(${n.inputs.map(label).join(', ')})${attrs ? ` {${attrs}}` : ''} : ${n.outputs.map(ty).join(', ')}`);
    }
    for (const [variable, v] of this.updates) lines.push(`  var(${variable.name}) <- ${label(v)}`);
    lines.push(`  return ${this.outputs.map(label).join(', ')}`);
    lines.push('}');
    return lines.join('\n');
  }
}

function describeAttrs(attrs: unknown): string {
  if (!attrs || typeof attrs !== 'object') return '';
  return Object.entries(attrs as Record<string, unknown>)
    .filter(([, v]) => typeof v !== 'function' && v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');
}
