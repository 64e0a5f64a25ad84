// TF1 control flow (what tf.cond and tf.while_loop write into TF1 graphs and many converted TF.js
// models): Switch/Merge for conditionals and Enter/Exit/NextIteration/LoopCond for loops, run by a
// dataflow executor that tracks frames the way TensorFlow's does. A Switch forwards its data to one
// output only; the other is dead (never produced), so the nodes of the untaken branch never become
// ready, and a Merge forwards its first live input. Enter starts a frame (one per while loop, and
// a fresh one per iteration of an enclosing loop), NextIteration moves a value to the frame's next
// iteration, Exit hands it back to the enclosing frame; an Enter with is_constant makes a loop
// invariant, visible in every iteration.
//
// Why an executor rather than rewriting the frames into nb.cond / nb.whileLoop: TF1 graphs do not
// delimit a conditional's branches (they are whatever lies between the Switches and the Merge,
// across control edges, and graph optimizers reshape them), so a recogniser would accept only the
// patterns it knows. The executor runs any well-formed frame graph, as TF.js's executeAsync does,
// at the price of reading each predicate on the host: such a model runs eagerly. Under nb.jit a
// predicate computed from constants and shapes alone (a loop of fixed trip count) is a host constant,
// so that loop unrolls into the trace; one that depends on the inputs' values is refused, naming its Switch.
import { ValueError } from '../../errors.js';
import { engine } from '../../engine/engine.js';
import { tensor } from '../../ops/creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { hostEval } from '../onnx/host-eval.js';
import { onCurrentBackend } from '../onnx/node-context.js';
import type { TfNodeAttrs } from './graph-def.js';
import type { TfValue } from './node-context.js';

/** The TF1 control-flow ops this executor implements (their outputs: Switch 2, Merge 2, others 1). */
export const FRAME_OPS: Readonly<Record<string, number>> = { Switch: 2, Merge: 2, Enter: 1, Exit: 1, NextIteration: 1, LoopCond: 1 };

export const isFrameOp = (op: string): boolean => Object.hasOwn(FRAME_OPS, op);

/** Iterations one loop frame may run before the executor gives up (a corrupt or endless loop). */
export const DEFAULT_MAX_LOOP_ITERATIONS = 100_000;

/** One node as the executor sees it: data inputs ('node' or 'node:k'), control inputs (node names), and how to run it. */
export interface FrameNode {
  attrs: TfNodeAttrs;
  inputs: string[];
  controls: string[];
  /** The node's outputs for its input values (frame ops are handled here, not through this). */
  run(values: TfValue[]): TfValue[];
}

/** Splits 'node:k' into the node and the output key under which it is stored. */
export type RefOf = (ref: string) => { node: string; key: string };

/** An execution context: one iteration of one frame instance (the root: no frame). */
interface Ctx {
  id: string;
  parent: Ctx | null;
  /** The frame instance this iteration belongs to ('' for the root): the frame name under the parent context. */
  frame: string;
  frameName: string;
  iteration: number;
  values: Map<string, TfValue>;
}

const CONTROL = (node: string) => `^${node}`;
/** Separates nested frames' names (which often contain '/'). */
const SEP = ' > ';
/** The control marker: a node that ran in a context (control inputs wait for it). */
const RAN: TfValue = { tensor: undefined as unknown as Tensor, folded: true };

/**
 * The statically inferred frame of every node ('' outside loops, 'outer/inner' nested), checking that
 * frames are well formed: NextIteration and Exit only inside a frame, Enter naming one, a node's
 * inputs from one frame (or its enclosing ones), NextIteration feeding a Merge of its own frame.
 */
export function checkFrames(order: readonly FrameNode[], refOf: RefOf, source: string): void {
  const frameOf = new Map<string, string | null>(); // null: a constant, valid in every frame
  const byName = new Map(order.map((n) => [n.attrs.node.name, n]));
  const inner = (a: string, b: string, where: string) => {
    if (a === b || a === '' || b.startsWith(`${a}${SEP}`)) return b;
    if (b === '' || a.startsWith(`${b}${SEP}`)) return a;
    throw new ValueError(`loadGraphModel: ${source}: ${where} reads tensors of two unrelated loop frames ('${a}' and '${b}')`);
  };
  for (const n of order) {
    const { op, where } = { op: n.attrs.op, where: n.attrs.where };
    let frame: string | null = null;
    for (const ref of [...n.inputs, ...n.controls.map(CONTROL)]) {
      const producer = ref.startsWith('^') ? ref.slice(1) : refOf(ref).node;
      if (op === 'Merge' && byName.get(producer)?.attrs.op === 'NextIteration') continue; // the back edge, checked at the NextIteration
      const f = frameOf.get(producer) ?? null;
      if (f !== null) frame = frame === null ? f : inner(frame, f, where);
    }
    if (op === 'Enter') {
      const name = n.attrs.string('frame_name', '');
      if (!name) throw new ValueError(`loadGraphModel: ${source}: ${where} has no frame_name (an Enter must name the loop frame it starts)`);
      frame = frame ? `${frame}${SEP}${name}` : name;
    } else if (op === 'Exit' || op === 'NextIteration') {
      if (!frame) throw new ValueError(`loadGraphModel: ${source}: ${where} is outside any while-loop frame (no Enter leads to it)`);
      if (op === 'Exit') frame = frame.includes(SEP) ? frame.slice(0, frame.lastIndexOf(SEP)) : '';
    }
    frameOf.set(n.attrs.node.name, frame);
  }
  for (const n of order) {
    if (n.attrs.op !== 'Merge') continue;
    for (const ref of n.inputs) {
      const producer = byName.get(refOf(ref).node);
      if (producer?.attrs.op !== 'NextIteration') continue;
      if (frameOf.get(producer.attrs.node.name) !== frameOf.get(n.attrs.node.name)) {
        throw new ValueError(`loadGraphModel: ${source}: ${producer.attrs.where} feeds ${n.attrs.where} of another frame ('${frameOf.get(producer.attrs.node.name)}' vs '${frameOf.get(n.attrs.node.name) ?? ''}')`);
      }
    }
  }
  for (const n of order) {
    if (n.attrs.op !== 'NextIteration') continue;
    const readers = order.filter((m) => m.inputs.some((r) => refOf(r).node === n.attrs.node.name));
    const bad = readers.find((m) => m.attrs.op !== 'Merge');
    if (bad) throw new ValueError(`loadGraphModel: ${source}: ${n.attrs.where} feeds ${bad.attrs.where}; a NextIteration may only feed the Merge at the top of its loop`);
  }
}

/** The nodes `targets` (node names) depend on, through data, control and loop back edges. */
function needed(nodes: readonly FrameNode[], targets: readonly string[], refOf: RefOf): FrameNode[] {
  const byName = new Map(nodes.map((n) => [n.attrs.node.name, n]));
  const keep = new Set<string>();
  const stack = [...targets];
  while (stack.length) {
    const name = stack.pop()!;
    const n = byName.get(name);
    if (!n || keep.has(name)) continue;
    keep.add(name);
    for (const r of n.inputs) stack.push(refOf(r).node);
    stack.push(...n.controls);
  }
  return nodes.filter((n) => keep.has(n.attrs.node.name));
}

/**
 * Runs the nodes of `all` (every node not folded at load, in any order) that `targets` (node names)
 * need, from the constants and fed inputs, returning the root context's values. Under nb.jit, a
 * Switch whose predicate depends on the inputs' values throws, naming it.
 */
export function runFrames(all: readonly FrameNode[], constants: ReadonlyMap<string, TfValue>, feeds: ReadonlyMap<string, TfValue>, refOf: RefOf, maxIterations: number, targets: readonly string[]): Map<string, TfValue> {
  const nodes = needed(all, targets, refOf);
  const consumers = new Map<string, FrameNode[]>();
  for (const n of nodes) {
    const producers = new Set([...n.inputs.map((r) => refOf(r).node), ...n.controls]);
    for (const p of producers) consumers.set(p, [...(consumers.get(p) ?? []), n]);
  }
  const root: Ctx = { id: '', parent: null, frame: '', frameName: '', iteration: 0, values: new Map(feeds) };
  const contexts = new Map<string, Ctx>([['', root]]);
  /** Loop invariants (is_constant Enters) by frame instance, visible in all its iterations. */
  const invariants = new Map<string, Map<string, TfValue>>();
  const invariantNodes = new Map<string, Set<FrameNode>>();
  const ran = new Set<string>();
  const stack: { node: FrameNode; ctx: Ctx }[] = [];

  const iterationOf = (parent: Ctx, frameName: string, iteration: number): Ctx => {
    const frame = `${parent.id}${SEP}${frameName}`;
    const id = `${frame}:${iteration}`;
    let ctx = contexts.get(id);
    if (!ctx) {
      ctx = { id, parent, frame, frameName, iteration, values: new Map() };
      contexts.set(id, ctx);
      // A new iteration sees the loop invariants: what reads them runs in it too.
      for (const inv of invariantNodes.get(frame) ?? []) schedule(inv, ctx);
    }
    return ctx;
  };

  const lookup = (key: string, ctx: Ctx): TfValue | undefined => {
    for (let c: Ctx | null = ctx; c; c = c.parent) {
      const v = c.values.get(key) ?? invariants.get(c.frame)?.get(key);
      if (v) return v;
    }
    return constants.get(key);
  };

  const ready = (n: FrameNode, ctx: Ctx): boolean => {
    if (!n.controls.every((c) => lookup(CONTROL(c), ctx))) return false;
    if (n.attrs.op === 'Merge') return n.inputs.some((r) => lookup(refOf(r).key, ctx));
    return n.inputs.every((r) => lookup(refOf(r).key, ctx));
  };

  /** Queues the consumers of `producer`'s outputs in `ctx` that have become ready. */
  const schedule = (producer: FrameNode, ctx: Ctx) => {
    for (const c of consumers.get(producer.attrs.node.name) ?? []) {
      if (!ran.has(`${ctx.id}|${c.attrs.node.name}`) && ready(c, ctx)) {
        ran.add(`${ctx.id}|${c.attrs.node.name}`);
        stack.push({ node: c, ctx });
      }
    }
  };

  const store = (n: FrameNode, outs: (TfValue | undefined)[], into: Map<string, TfValue>) => {
    outs.forEach((v, i) => v && into.set(i === 0 ? n.attrs.node.name : `${n.attrs.node.name}:${i}`, v));
    into.set(CONTROL(n.attrs.node.name), RAN);
  };

  for (const n of nodes) {
    if (ready(n, root)) {
      ran.add(`|${n.attrs.node.name}`);
      stack.push({ node: n, ctx: root });
    }
  }
  while (stack.length) {
    const { node: n, ctx } = stack.pop()!;
    const op = n.attrs.op;
    const ins = n.inputs.map((r) => lookup(refOf(r).key, ctx));
    const where = n.attrs.where;
    if (op === 'Merge') {
      const k = ins.findIndex((v) => v);
      store(n, [ins[k], { tensor: hostEval(() => [tensor(k, [], 'int32')])[0]!, folded: true }], ctx.values);
      schedule(n, ctx);
    } else if (op === 'Switch') {
      if (ins[1]!.host) throw new ValueError(`loadGraphModel: ${where}: the predicate must be a boolean tensor, not strings or a table`);
      // Under nb.jit a predicate known from constants and input shapes (a loop over a fixed count) is
      // read like any host constant, and the loop unrolls into the trace; one that depends on the inputs' values cannot be.
      if (engine.tracer && !ins[1]!.folded) {
        throw new ValueError(`loadGraphModel: ${where} is TF1 control flow whose predicate depends on the model's input values, which nabla reads on the host, so it cannot run under nb.jit; call the model outside nb.jit`);
      }
      const pred = onCurrentBackend(ins[1]!).dataSync();
      if (pred.length !== 1) throw new ValueError(`loadGraphModel: ${where}: the predicate must be a single boolean, got ${pred.length} values`);
      store(n, pred[0] ? [undefined, ins[0]] : [ins[0], undefined], ctx.values);
      schedule(n, ctx);
    } else if (op === 'Enter') {
      const inner = iterationOf(ctx, n.attrs.string('frame_name', ''), 0);
      if (n.attrs.bool('is_constant', false)) {
        const frame = invariants.get(inner.frame) ?? new Map<string, TfValue>();
        invariants.set(inner.frame, frame);
        store(n, [ins[0]], frame);
        invariantNodes.set(inner.frame, (invariantNodes.get(inner.frame) ?? new Set()).add(n));
      } else {
        store(n, [ins[0]], inner.values);
      }
      schedule(n, inner);
    } else if (op === 'Exit') {
      if (!ctx.parent) throw new ValueError(`loadGraphModel: ${where} ran outside any loop frame`);
      store(n, [ins[0]], ctx.parent.values);
      schedule(n, ctx.parent);
    } else if (op === 'NextIteration') {
      if (!ctx.parent) throw new ValueError(`loadGraphModel: ${where} ran outside any loop frame`);
      if (ctx.iteration + 1 > maxIterations) {
        throw new ValueError(`loadGraphModel: the while loop of frame '${ctx.frameName}' (${where}) ran ${maxIterations} iterations without its LoopCond turning false; raise model.maxLoopIterations if the model really loops that long`);
      }
      const next = iterationOf(ctx.parent, ctx.frameName, ctx.iteration + 1);
      store(n, [ins[0]], next.values);
      schedule(n, next);
    } else if (op === 'LoopCond') {
      store(n, [ins[0]], ctx.values);
      schedule(n, ctx);
    } else {
      store(n, n.run(ins as TfValue[]), ctx.values);
      schedule(n, ctx);
    }
  }
  return root.values;
}
