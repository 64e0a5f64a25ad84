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
// so that loop unrolls into the trace; a conditional on the inputs' values runs both branches, each
// value guarded by its Switch side, and its Merge selects (if-conversion); a while loop on the
// inputs' values is refused, naming its Switch.
import { ValueError } from '../../errors.js';
import { engine } from '../../engine/engine.js';
import { tensor } from '../../ops/creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { hostEval } from '../onnx/host-eval.js';
import { onCurrentBackend } from '../onnx/node-context.js';
import { where as select } from '../../ops/primitives/select.js';
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

/**
 * Under nb.jit a conditional's predicate is a traced value: both branches run, each value guarded by
 * the side of the Switch it came through, and the Merge selects between its two guarded inputs.
 */
interface Guard {
  pred: TfValue;
  side: 0 | 1;
  parent: Guard | undefined;
  depth: number;
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

  const guards = new WeakMap<TfValue, Guard>();
  /** The innermost guard among `vs` (undefined outside traced conditionals). */
  const deepest = (vs: readonly (TfValue | undefined)[]) =>
    vs.reduce<Guard | undefined>((g, v) => {
      const h = v && guards.get(v);
      return h && (!g || h.depth > g.depth) ? h : g;
    }, undefined);
  const byName = new Map(nodes.map((n) => [n.attrs.node.name, n]));
  const isLoopMerge = (n: FrameNode) => n.inputs.some((r) => byName.get(refOf(r).node)?.attrs.op === 'NextIteration');

  const ready = (n: FrameNode, ctx: Ctx): boolean => {
    if (!n.controls.every((c) => lookup(CONTROL(c), ctx))) return false;
    const vs = n.inputs.map((r) => lookup(refOf(r).key, ctx));
    if (n.attrs.op !== 'Merge') return vs.every(Boolean);
    // A traced conditional's Merge waits for both branches.
    if (vs.some((v) => v && guards.has(v)) && !isLoopMerge(n)) return vs.every(Boolean);
    return vs.some(Boolean);
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

  const guarded = (v: TfValue, g: Guard | undefined): TfValue => {
    if (!g || guards.get(v) === g) return v;
    const copy = { ...v };
    guards.set(copy, g);
    return copy;
  };
  const store = (n: FrameNode, outs: (TfValue | undefined)[], into: Map<string, TfValue>, guard?: Guard, perOutput?: (Guard | undefined)[]) => {
    outs.forEach((v, i) => v && into.set(i === 0 ? n.attrs.node.name : `${n.attrs.node.name}:${i}`, guarded(v, perOutput?.[i] ?? guard)));
    into.set(CONTROL(n.attrs.node.name), guarded(RAN, guard));
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
    const guard = deepest([...ins, ...n.controls.map((c) => lookup(CONTROL(c), ctx))]);
    if (op === 'Merge' && guard && !isLoopMerge(n)) {
      store(n, mergeTraced(ins as TfValue[], guards, where), ctx.values, guard.parent);
      schedule(n, ctx);
    } else if (op === 'Merge') {
      const k = ins.findIndex((v) => v);
      store(n, [ins[k], { tensor: hostEval(() => [tensor(k, [], 'int32')])[0]!, folded: true }], ctx.values, guard);
      schedule(n, ctx);
    } else if (op === 'Switch') {
      if (ins[1]!.host) throw new ValueError(`loadGraphModel: ${where}: the predicate must be a boolean tensor, not strings or a table`);
      // Under nb.jit a predicate known from constants and input shapes (a loop over a fixed count) is
      // read like any host constant, and the loop unrolls into the trace; a conditional on the inputs'
      // values runs both branches and selects; a loop on them cannot be traced.
      if (engine.tracer && !ins[1]!.folded) {
        if (byName.get(refOf(n.inputs[1]!).node)?.attrs.op === 'LoopCond') {
          throw new ValueError(`loadGraphModel: ${where} is a TF1 while loop whose predicate depends on the model's input values, which nabla reads on the host, so it cannot run under nb.jit; call the model outside nb.jit`);
        }
        const side = (s: 0 | 1): Guard => ({ pred: ins[1]!, side: s, parent: guard, depth: (guard?.depth ?? 0) + 1 });
        store(n, [ins[0], ins[0]], ctx.values, guard, [side(0), side(1)]);
        schedule(n, ctx);
        continue;
      }
      const pred = onCurrentBackend(ins[1]!).dataSync();
      if (pred.length !== 1) throw new ValueError(`loadGraphModel: ${where}: the predicate must be a single boolean, got ${pred.length} values`);
      store(n, pred[0] ? [undefined, ins[0]] : [ins[0], undefined], ctx.values, guard);
      schedule(n, ctx);
    } else if (op === 'Enter') {
      const inner = iterationOf(ctx, n.attrs.string('frame_name', ''), 0);
      if (n.attrs.bool('is_constant', false)) {
        const frame = invariants.get(inner.frame) ?? new Map<string, TfValue>();
        invariants.set(inner.frame, frame);
        store(n, [ins[0]], frame, guard);
        invariantNodes.set(inner.frame, (invariantNodes.get(inner.frame) ?? new Set()).add(n));
      } else {
        store(n, [ins[0]], inner.values, guard);
      }
      schedule(n, inner);
    } else if (op === 'Exit') {
      if (!ctx.parent) throw new ValueError(`loadGraphModel: ${where} ran outside any loop frame`);
      store(n, [ins[0]], ctx.parent.values, guard);
      schedule(n, ctx.parent);
    } else if (op === 'NextIteration') {
      if (!ctx.parent) throw new ValueError(`loadGraphModel: ${where} ran outside any loop frame`);
      if (ctx.iteration + 1 > maxIterations) {
        throw new ValueError(`loadGraphModel: the while loop of frame '${ctx.frameName}' (${where}) ran ${maxIterations} iterations without its LoopCond turning false; raise model.maxLoopIterations if the model really loops that long`);
      }
      const next = iterationOf(ctx.parent, ctx.frameName, ctx.iteration + 1);
      store(n, [ins[0]], next.values, guard);
      schedule(n, next);
    } else if (op === 'LoopCond') {
      store(n, [ins[0]], ctx.values, guard);
      schedule(n, ctx);
    } else {
      store(n, n.run(ins as TfValue[]), ctx.values, guard);
      schedule(n, ctx);
    }
  }
  return root.values;
}

/** A traced conditional's Merge: its two inputs come through opposite sides of one Switch predicate; the output selects by it. */
function mergeTraced(ins: readonly TfValue[], guards: WeakMap<TfValue, Guard>, where: string): TfValue[] {
  const [a, b] = ins.map((v) => guards.get(v));
  if (ins.length !== 2 || !a || !b || a.pred !== b.pred || a.side === b.side || ins.some((v) => v.host)) {
    throw new ValueError(`loadGraphModel: ${where}: under nb.jit nabla runs both branches of a TF1 conditional and selects, which needs a Merge of two tensors from the two sides of one Switch predicate; call the model outside nb.jit`);
  }
  const [whenFalse, whenTrue] = a.side === 0 ? [ins[0]!, ins[1]!] : [ins[1]!, ins[0]!];
  const pred = onCurrentBackend(a.pred);
  const indexTrue = a.side === 1 ? 0 : 1;
  return [
    { tensor: select(pred, onCurrentBackend(whenTrue), onCurrentBackend(whenFalse)), folded: false },
    { tensor: select(pred, tensor(indexTrue, [], 'int32'), tensor(1 - indexTrue, [], 'int32')), folded: false },
  ];
}
