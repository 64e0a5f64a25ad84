import type { OpDef } from '../../ops/define-op.js';
import { fusedElementwiseOp, fusedLinearOp, type FusedInstr } from '../fused-ops.js';
import { shapesEqual, sizeOf } from '../../tensor/shape.js';
import type { Graph, Node, Value } from '../graph.js';

/** How many times each value is used (by nodes, outputs and updates); an unused value has no entry. */
export function useCounts(g: Graph): Map<Value, number> {
  return countUses(g);
}

/** Each value's use count (by nodes, outputs and updates) and the nodes that read it (once per read). */
export interface Uses {
  readonly count: Map<Value, number>;
  readonly readers: Map<Value, Node[]>;
}

/** One pass over the graph; valid until the graph is rewritten. */
export function usesOf(g: Graph): Uses {
  const readers = new Map<Value, Node[]>();
  const count = countUses(g, (v, n) => {
    const list = readers.get(v);
    if (list) list.push(n);
    else readers.set(v, [n]);
  });
  return { count, readers };
}

/** Counts every read of a value: once per node input slot, once per output or update; `onRead` sees the node reads. */
function countUses(g: Graph, onRead?: (v: Value, reader: Node) => void): Map<Value, number> {
  const count = new Map<Value, number>();
  const bump = (v: Value) => count.set(v, (count.get(v) ?? 0) + 1);
  for (const n of g.nodes) for (const v of n.inputs) {
    bump(v);
    onRead?.(v, n);
  }
  g.roots().forEach(bump);
  return count;
}

function isElementwise(n: Node): boolean {
  if (!(n.op.pointwise || n.op.name === 'cast' || n.op.name === 'where') || n.outputs.length !== 1) return false;
  const out = n.outputs[0]!;
  return n.inputs.every((v) => shapesEqual(v.shape, out.shape) || sizeOf(v.shape) === 1);
}

/** The one node that reads v, where v has one use and that use is a node's. */
export function soleConsumer(v: Value, uses: Uses): Node | undefined {
  return uses.count.get(v) === 1 ? uses.readers.get(v)?.[0] : undefined;
}

/**
 * The steps of the chain that starts at `v`: each value's sole consumer, for as long as `asStep`
 * accepts it (given the value it reads); the next value is that consumer's first output. `uses`:
 * the graph's as it stands, where the caller has them.
 */
export function singleUseChain<S>(g: Graph, v: Value, asStep: (consumer: Node, v: Value) => S | undefined, uses = usesOf(g)): S[] {
  const steps: S[] = [];
  for (;;) {
    const consumer = soleConsumer(v, uses);
    const step = consumer && asStep(consumer, v);
    if (!step) return steps;
    steps.push(step);
    v = consumer.outputs[0]!;
  }
}

/**
 * matmul/conv2d → add(bias over the last axis) → optional unary activation becomes one
 * fusedLinear node, where the backend has that kernel.
 */
export function fuseLinear(g: Graph, kernels: Readonly<Record<string, unknown>>): number {
  if (!kernels.fusedLinear) return 0;
  let fused = 0;
  // Counted again after each fusion only: once per matmul or conv would be quadratic in a deep graph.
  let uses = usesOf(g);
  for (const base of [...g.nodes]) {
    if (base.op.name !== 'matmul' && base.op.name !== 'conv2d') continue;
    // A channels-first conv's channels are axis 1, not the last axis the fused bias runs along.
    if ((base.attrs as { channelsFirst?: boolean }).channelsFirst) continue;
    const y = base.outputs[0]!;
    const addNode = soleConsumer(y, uses);
    if (!addNode || addNode.op.name !== 'add') continue;
    const bias = addNode.inputs[0] === y ? addNode.inputs[1]! : addNode.inputs[0]!;
    const last = y.shape[y.shape.length - 1]!;
    const biasOk = bias.dtype === y.dtype && sizeOf(bias.shape) === last && bias.shape[bias.shape.length - 1] === last && bias.shape.length <= y.shape.length;
    if (!biasOk || !shapesEqual(addNode.outputs[0]!.shape, y.shape)) continue;
    let tail: Node = addNode;
    let activation: string | null = null;
    const actNode = soleConsumer(addNode.outputs[0]!, uses);
    if (actNode && actNode.op.pointwise && actNode.inputs.length === 1 && actNode.outputs[0]!.dtype === y.dtype) {
      activation = actNode.op.name;
      tail = actNode;
    }
    const node = g.unplacedNode(fusedLinearOp, [...base.inputs, bias], {
      base: base.op.name,
      baseAttrs: base.attrs,
      hasBias: true,
      activation,
      shape: y.shape,
      dtype: y.dtype,
    }, [{ shape: y.shape, dtype: y.dtype }]);
    // Put the fused node where the tail was, and drop the originals.
    g.replaceNode(tail, [node], node.outputs[0]!);
    g.removeNodes([base, addNode]);
    uses = usesOf(g);
    fused++;
  }
  return fused;
}


/** Distinct values the members read that no member produces. */
function externalInputs(members: readonly Node[]): number {
  const produced = new Set(members.flatMap((m) => m.outputs));
  return new Set(members.flatMap((m) => m.inputs.filter((v) => !produced.has(v)))).size;
}

/**
 * Chains of elementwise ops (same output shape, inputs full-size or scalar) become one loop.
 * `maxInputs` and `maxOutputs`: the most tensors one fused loop may read and write on this backend
 * (Backend.maxFusedInputs, maxFusedOutputs). Where it may write more than one, a value that one
 * node reads and that is also a result of the graph (an output, a variable's new value) joins its
 * reader's loop, which writes it as well: Adam's new moments, which the weight's update reads,
 * become one loop with that update (the moments are read once, not written then read again).
 */
export function fuseElementwise(g: Graph, kernels: Readonly<Record<string, unknown>>, maxInputs = Infinity, maxOutputs = 1): number {
  if (!kernels.fusedElementwise) return 0;
  const { count, readers } = usesOf(g);
  const results = new Set(g.roots());
  // One node reads v, and nothing else does but the graph's results (which the loop then writes).
  const joinable = (v: Value) => readers.get(v)?.length === 1 && (count.get(v) === 1 || maxOutputs > 1);
  const extraOutputs = (members: readonly Node[], last: Node) => members.filter((m) => m !== last && results.has(m.outputs[0]!)).length;
  const group = new Map<Node, Node[]>();
  const groupOf = new Map<Node, Node[]>();
  for (const n of g.nodes) {
    if (!isElementwise(n)) continue;
    let members: Node[] = [n];
    for (const v of n.inputs) {
      if (v.source.kind !== 'node') continue;
      const p = v.source.node;
      const pg = groupOf.get(p);
      if (!pg || !joinable(v) || !shapesEqual(p.outputs[0]!.shape, n.outputs[0]!.shape)) continue;
      const merged = [...pg, ...members.filter((m) => !pg.includes(m))];
      if (externalInputs(merged) > maxInputs || 1 + extraOutputs(merged, n) > maxOutputs) continue;
      members = merged;
      group.delete(pg[pg.length - 1]!);
    }
    for (const m of members) groupOf.set(m, members);
    group.set(n, members);
  }
  let fused = 0;
  for (const [last, members] of group) {
    if (members.length < 2) continue;
    const ordered = g.nodes.filter((n) => members.includes(n));
    const external: Value[] = [];
    const reg = new Map<Value, number>();
    for (const n of ordered) {
      for (const v of n.inputs) {
        if (v.source.kind === 'node' && members.includes(v.source.node)) continue;
        if (!reg.has(v)) {
          reg.set(v, external.length);
          external.push(v);
        }
      }
    }
    const program: FusedInstr[] = [];
    for (const n of ordered) {
      const args = n.inputs.map((v) => reg.get(v)!);
      program.push({ op: n.op.name, args, dtype: n.outputs[0]!.dtype });
      reg.set(n.outputs[0]!, external.length + program.length - 1);
    }
    const out = last.outputs[0]!;
    const extras = ordered.filter((n) => n !== last && results.has(n.outputs[0]!)).map((n) => n.outputs[0]!);
    const written = [out, ...extras];
    const node = g.unplacedNode(
      fusedElementwiseOp as OpDef<any>,
      external,
      {
        program,
        nInputs: external.length,
        shape: out.shape,
        dtype: out.dtype,
        inPlace: -1,
        ...(extras.length ? { outputs: written.map((v) => reg.get(v)!) } : {}),
      },
      written.map((v) => ({ shape: v.shape, dtype: v.dtype })),
    );
    g.replaceNode(last, [node], node.outputs[0]!);
    extras.forEach((v, k) => g.replaceUses(v, node.outputs[k + 1]!));
    g.removeNodes(members);
    fused++;
  }
  return fused;
}
