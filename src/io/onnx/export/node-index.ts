// Who produces and who reads each value of an ONNX graph being rewritten, kept up to date through
// the rewrites, so a pass over the graph costs time in proportion to its size rather than a scan of
// every node per rewrite. Nodes whose outputs nothing reads any more are dropped as they die;
// new nodes go in after a given one; `commit` writes the order back into the builder.
import type { NodeProto } from '../proto.js';
import type { OnnxBuilder } from './onnx-builder.js';

export class NodeIndex {
  private producers = new Map<string, NodeProto>();
  private readers = new Map<string, Set<NodeProto>>();
  private dead = new Set<NodeProto>();
  private insertedAfter = new Map<NodeProto, NodeProto[]>();

  /** `keep`: the graph's outputs, read from outside. */
  constructor(private readonly b: OnnxBuilder, private readonly keep: ReadonlySet<string>) {
    for (const n of b.nodes) this.track(n);
    for (const n of b.nodes) if (this.unread(n)) this.kill(n);
  }

  producer(name: string | undefined): NodeProto | undefined {
    return name === undefined ? undefined : this.producers.get(name);
  }

  /** The live nodes reading `name`. */
  readersOf(name: string): NodeProto[] {
    return [...(this.readers.get(name) ?? [])];
  }

  /** How many inputs of live nodes read `name` (a node reading it twice counts twice). */
  reads(name: string): number {
    let count = 0;
    for (const n of this.readers.get(name) ?? []) for (const s of n.input ?? []) if (s === name) count++;
    return count;
  }

  isLive(n: NodeProto): boolean {
    return !this.dead.has(n);
  }

  /** n now reads `inputs`; what it no longer reads may die. */
  setInputs(n: NodeProto, inputs: string[]): void {
    const old = n.input ?? [];
    for (const s of old) this.readers.get(s)?.delete(n);
    n.input = inputs;
    for (const s of inputs) this.readerSet(s).add(n);
    for (const s of old) this.release(s);
  }

  /** n now writes `outputs`. */
  setOutputs(n: NodeProto, outputs: string[]): void {
    for (const o of n.output ?? []) if (this.producers.get(o) === n) this.producers.delete(o);
    n.output = outputs;
    for (const o of outputs) this.producers.set(o, n);
  }

  /** Every live reader of `from` reads `to` instead. */
  renameUses(from: string, to: string): void {
    for (const n of this.readersOf(from)) this.setInputs(n, (n.input ?? []).map((s) => (s === from ? to : s)));
  }

  /** Add `node` right after `anchor` in the graph's order. */
  insertAfter(anchor: NodeProto, node: NodeProto): void {
    const list = this.insertedAfter.get(anchor) ?? [];
    list.push(node);
    this.insertedAfter.set(anchor, list);
    this.track(node);
  }

  /** Drop n (its outputs are read elsewhere from now on or not at all). */
  remove(n: NodeProto): void {
    this.kill(n);
  }

  /** Write the live nodes, in order, and the initializers still read back into the builder. */
  commit(): void {
    const order: NodeProto[] = [];
    const visit = (n: NodeProto) => {
      if (!this.dead.has(n)) order.push(n);
      for (const m of this.insertedAfter.get(n) ?? []) visit(m);
    };
    for (const n of this.b.nodes) visit(n);
    this.insertedAfter.clear();
    this.b.nodes.splice(0, this.b.nodes.length, ...order);
    const read = (name: string) => this.keep.has(name) || (this.readers.get(name)?.size ?? 0) > 0;
    this.b.initializers.splice(0, this.b.initializers.length, ...this.b.initializers.filter((t) => read(t.name!)));
  }

  private track(n: NodeProto): void {
    for (const o of n.output ?? []) this.producers.set(o, n);
    for (const s of n.input ?? []) this.readerSet(s).add(n);
  }

  private readerSet(name: string): Set<NodeProto> {
    let set = this.readers.get(name);
    if (!set) this.readers.set(name, (set = new Set()));
    return set;
  }

  private unread(n: NodeProto): boolean {
    return (n.output ?? []).every((o) => !this.keep.has(o) && (this.readers.get(o)?.size ?? 0) === 0);
  }

  private release(name: string): void {
    const p = this.producers.get(name);
    if (p && !this.dead.has(p) && this.unread(p)) this.kill(p);
  }

  /** n and, transitively, the producers only it read. */
  private kill(first: NodeProto): void {
    const pending = [first];
    for (let n = pending.pop(); n; n = pending.pop()) {
      if (this.dead.has(n)) continue;
      this.dead.add(n);
      for (const o of n.output ?? []) if (this.producers.get(o) === n) this.producers.delete(o);
      for (const s of n.input ?? []) this.readers.get(s)?.delete(n);
      for (const s of n.input ?? []) {
        const p = this.producers.get(s);
        if (p && !this.dead.has(p) && this.unread(p)) pending.push(p);
      }
    }
  }
}
