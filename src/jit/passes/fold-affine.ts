// Inference-time folding of per-channel affine ops (BatchNormalization at inference, biases) into
// the matmul or conv2d before them: linear(x, W) * s + t becomes linear(x, W * s) + t.
import type { OpDef } from '../../ops/define-op.js';
import { PRIMITIVES } from '../../ops/primitives/index.js';
import { isFloat } from '../../tensor/dtype.js';
import { shapesEqual, sizeOf } from '../../tensor/shape.js';
import type { Graph, Node, Value } from '../graph.js';
import { singleUseChain, usesOf } from './fusion.js';

const ops = PRIMITIVES as Record<string, OpDef<any>>;

/**
 * Whether `v` is computed from constants and variables the graph never assigns: a weight that is
 * read-only for this graph. Such values are recomputed from the variables on every run, so a
 * fold built from them follows fit() and setWeights() without any cache to invalidate.
 */
export function readOnlyParams(g: Graph): (v: Value) => boolean {
  const memo = new Map<Value, boolean>();
  const check = (v: Value): boolean => {
    const known = memo.get(v);
    if (known !== undefined) return known;
    const s = v.source;
    let ok: boolean;
    if (s.kind === 'const') ok = true;
    else if (s.kind === 'variable') ok = !g.updates.has(s.variable);
    else if (s.kind === 'input') ok = false;
    else ok = s.node.op.name !== 'random' && s.node.inputs.every(check);
    memo.set(v, ok);
    return ok;
  };
  return check;
}

/** One step of the chain after the linear op: y ← y * p, y + p, y - p, p - y or y / p. */
interface AffineStep {
  readonly node: Node;
  readonly op: 'mul' | 'add' | 'sub' | 'rsub' | 'div';
  readonly param: Value;
}

/** A parameter that broadcasts along the output-channel (last) axis only: [C], [1, ..., C] or one element. */
function perChannel(p: Value, y: Value): boolean {
  const c = y.shape[y.shape.length - 1]!;
  const n = sizeOf(p.shape);
  if (p.dtype !== y.dtype || p.shape.length > y.shape.length) return false;
  return n === 1 || (n === c && p.shape[p.shape.length - 1] === c);
}

function asStep(node: Node, y: Value, isParam: (v: Value) => boolean): AffineStep | undefined {
  const name = node.op.name;
  if (node.inputs.length !== 2 || !['mul', 'add', 'sub', 'div'].includes(name)) return undefined;
  if (!shapesEqual(node.outputs[0]!.shape, y.shape) || node.outputs[0]!.dtype !== y.dtype) return undefined;
  const [a, b] = node.inputs as [Value, Value];
  const first = a === y;
  const param = first ? b : a;
  if (param === y || !isParam(param) || !perChannel(param, y)) return undefined;
  if (name === 'div') return first ? { node, op: 'div', param } : undefined;
  if (name === 'sub') return { node, op: first ? 'sub' : 'rsub', param };
  return { node, op: name as 'mul' | 'add', param };
}

/** A linear op whose output channels are the last axis of both its weight and its output. */
function isChannelLinear(n: Node): boolean {
  if (n.op.name === 'conv2d') return !(n.attrs as { channelsFirst?: boolean }).channelsFirst;
  if (n.op.name !== 'matmul') return false;
  const { transposeB } = n.attrs as { transposeB: boolean };
  return !transposeB && n.inputs[1]!.shape.length === 2;
}

/** Emits the parameter arithmetic as graph nodes, in order, just before the rewritten linear op. */
class ParamBuilder {
  readonly nodes: Node[] = [];
  constructor(
    private readonly g: Graph,
    private readonly channels: number,
  ) {}

  /** A new node (not yet in the graph's order: the pass places `nodes` with replaceNode). */
  node(op: OpDef<any>, inputs: Value[], attrs: unknown): Node {
    const node = this.g.unplacedNode(op, inputs, attrs);
    this.nodes.push(node);
    return node;
  }

  private op(name: string, inputs: Value[], attrs: unknown = {}): Value {
    return this.node(ops[name]!, inputs, attrs).outputs[0]!;
  }

  /** A parameter as [C] (or left as one element, which broadcasts anyway). */
  channel(p: Value): Value {
    if (sizeOf(p.shape) === 1 || p.shape.length === 1) return p;
    return this.op('reshape', [p], { shape: [this.channels] });
  }

  /** A one-element parameter spread over the C channels. */
  broadcast(p: Value): Value {
    return this.op('broadcastTo', [this.op('reshape', [p], { shape: [1] })], { shape: [this.channels] });
  }

  mul = (a: Value, b: Value) => this.op('mul', [a, b]);
  add = (a: Value, b: Value) => this.op('add', [a, b]);
  sub = (a: Value, b: Value) => this.op('sub', [a, b]);
  div = (a: Value, b: Value) => this.op('div', [a, b]);
  unary = (name: string, a: Value) => this.op(name, [a]);
}

/**
 * Fold chains of per-channel mul/add/sub/div after a matmul or conv2d into its weight and one bias,
 * where the linear op's weight and every parameter are read-only in the graph and each intermediate
 * has no other use (so a gradient computed in the same graph keeps its own values). Only chains with
 * a scale are folded; a lone bias is fusedLinear's. Returns how many linear ops were rewritten.
 */
export function foldAffineIntoLinear(g: Graph): number {
  const isParam = readOnlyParams(g);
  let folded = 0;
  // Counted again after each fold only: once per linear op would be quadratic in a deep graph.
  let uses = usesOf(g);
  for (const base of [...g.nodes]) {
    // Integer products do not distribute over division: floats only.
    if (!g.nodes.includes(base) || !isChannelLinear(base) || !isFloat(base.outputs[0]!.dtype) || !isParam(base.inputs[1]!)) continue;
    const steps = singleUseChain(g, base.outputs[0]!, (consumer, y) => asStep(consumer, y, isParam), uses);
    if (!steps.some((s) => s.op === 'mul' || s.op === 'div')) continue;
    const out = base.outputs[0]!;
    // The scaled weight is computed from weights alone: compiled inference runs it once per change
    // of the variables (src/jit/weight-prep.ts), so folding pays even for a dense layer at batch 1.
    // A graph that assigns variables (evaluate's metric state) is not split that way and rescales
    // the weight on every call: there, fold only where the chain over the activations costs more.
    if (g.updates.size && sizeOf(base.inputs[1]!.shape) > steps.length * sizeOf(out.shape)) continue;
    const channels = out.shape[out.shape.length - 1]!;
    const b = new ParamBuilder(g, channels);
    // y = sign * linear * scale + shift, composed step by step (scale and shift undefined: 1 and 0).
    let scale: Value | undefined;
    let shift: Value | undefined;
    let negate = false;
    for (const s of steps) {
      const p = b.channel(s.param);
      if (s.op === 'mul') {
        scale = scale ? b.mul(scale, p) : p;
        if (shift) shift = b.mul(shift, p);
      } else if (s.op === 'div') {
        scale = scale ? b.div(scale, p) : b.unary('reciprocal', p);
        if (shift) shift = b.div(shift, p);
      } else if (s.op === 'add') shift = shift ? b.add(shift, p) : p;
      else if (s.op === 'sub') shift = shift ? b.sub(shift, p) : b.unary('neg', p);
      else {
        negate = !negate;
        shift = shift ? b.sub(p, shift) : p;
      }
    }
    // Weights scaled along their last (output-channel) axis; the bias spans all channels.
    let weight = b.mul(base.inputs[1]!, scale!);
    if (negate) weight = b.unary('neg', weight);
    const bias = shift && (sizeOf(shift.shape) === channels ? shift : b.broadcast(shift));
    const linear = b.node(base.op, [base.inputs[0]!, weight], base.attrs);
    const result = bias ? b.node(ops.add!, [linear.outputs[0]!, bias], {}).outputs[0]! : linear.outputs[0]!;
    const tail = steps[steps.length - 1]!.node;
    g.replaceNode(tail, b.nodes, result);
    g.removeNodes([base, ...steps.map((s) => s.node)]);
    uses = usesOf(g);
    folded++;
  }
  return folded;
}
