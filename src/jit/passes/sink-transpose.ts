// Channels-first models (ONNX files from PyTorch) run nabla's channels-last convolutions between
// transposes: conv2d → transpose to NCHW → BatchNormalization's sub/mul/add with [C, 1, 1]
// parameters → relu → transpose back for the next conv. Pointwise ops commute with a transpose, so
// this pass moves such a chain above the transpose, onto the conv's channels-last output (the
// parameters reshaped to [C]): fold-affine then folds the BatchNormalization into the conv, fusion
// joins conv + bias + relu, and simplify cancels the transpose pair between two convs. A binary op
// whose other operand comes through the same transpose (ResNet's residual add: both branches leave
// their convs channels last) joins the chain on the untransposed operand, so the add + relu run
// channels last too. Exact: the same ops on the same values, only the layout of the intermediates
// changes.
import type { OpDef } from '../../ops/define-op.js';
import { PRIMITIVES } from '../../ops/primitives/index.js';
import { shapesEqual, sizeOf } from '../../tensor/shape.js';
import type { Graph, Node, Value } from '../graph.js';
import { singleUseChain, usesOf, type Uses } from './fusion.js';

const ops = PRIMITIVES as Record<string, OpDef<any>>;

/** The axis of the transpose's output that holds its input's last (channel) axis, or -1. */
function channelAxis(t: Node): number {
  const perm = (t.attrs as { perm: readonly number[] }).perm;
  return perm.indexOf(perm.length - 1);
}

/**
 * Whether `p` broadcasts against `z` along `axis` only: one element, or (right-aligned against z's
 * shape) C at `axis` and 1 everywhere else.
 */
function perChannelAt(p: Value, z: Value, axis: number): boolean {
  if (p.dtype !== z.dtype || p.shape.length > z.shape.length) return false;
  if (sizeOf(p.shape) === 1) return true;
  const offset = z.shape.length - p.shape.length;
  return p.shape.every((d, i) => (i + offset === axis ? d === z.shape[axis] : d === 1));
}

/**
 * One pointwise op on the chain's value `z`: which input slot z takes, and the other operand, either
 * per channel (reshaped to [C] on the moved chain) or `untransposed`, the input of a transpose like
 * the chain's own (read as it is on the moved chain).
 */
interface Step {
  readonly node: Node;
  readonly slot: number;
  readonly other?: Value;
  readonly untransposed?: Value;
}

const samePerm = (a: Node, b: Node) => {
  const p = (a.attrs as { perm: readonly number[] }).perm;
  const q = (b.attrs as { perm: readonly number[] }).perm;
  return p.length === q.length && p.every((x, i) => x === q[i]);
};

/**
 * The input of `other`'s producer when that is a transpose with `t`'s permutation whose every other
 * consumer is a transpose too (simplify composes those with it, so it dies and the chain's one
 * transpose at its end costs nothing more); otherwise undefined.
 */
function untransposedTwin(g: Graph, uses: Uses, other: Value, t: Node, user: Node): Value | undefined {
  const p = other.source.kind === 'node' ? other.source.node : undefined;
  if (!p || p.op.name !== 'transpose' || !samePerm(p, t) || !g.nodes.includes(p)) return undefined;
  const consumers = uses.readers.get(other) ?? [];
  // A graph output or variable update keeps it alive.
  if (consumers.length !== uses.count.get(other)) return undefined;
  return consumers.every((n) => n === user || n.op.name === 'transpose') ? p.inputs[0] : undefined;
}

function asStep(g: Graph, uses: Uses, t: Node, n: Node, z: Value, axis: number): Step | undefined {
  if (!n.op.pointwise || n.outputs.length !== 1 || !shapesEqual(n.outputs[0]!.shape, z.shape)) return undefined;
  if (n.inputs.length === 1) return n.inputs[0] === z ? { node: n, slot: 0 } : undefined;
  if (n.inputs.length !== 2) return undefined;
  const slot = n.inputs.indexOf(z);
  const other = n.inputs[1 - slot];
  if (slot < 0 || !other || other === z) return undefined;
  if (perChannelAt(other, z, axis)) return { node: n, slot, other };
  if (other.dtype !== z.dtype || !shapesEqual(other.shape, z.shape)) return undefined;
  const untransposed = untransposedTwin(g, uses, other, t, n);
  return untransposed ? { node: n, slot, untransposed } : undefined;
}

/** Move pointwise per-channel (or like-transposed) chains above the channels-last → channels-first transposes before them. Returns chains moved. */
export function sinkPointwiseBelowTranspose(g: Graph): number {
  let moved = 0;
  // Counted again after each move only: once per transpose would be quadratic in a deep graph.
  let uses = usesOf(g);
  for (const t of [...g.nodes]) {
    if (t.op.name !== 'transpose' || !g.nodes.includes(t)) continue;
    const axis = channelAxis(t);
    const y = t.inputs[0]!;
    const rank = y.shape.length;
    if (axis < 0 || axis === rank - 1) continue;
    const channels = y.shape[rank - 1]!;
    const steps = singleUseChain(g, t.outputs[0]!, (consumer, z) => asStep(g, uses, t, consumer, z, axis), uses);
    if (!steps.length) continue;
    // Rebuild the chain on y, then one transpose of its end takes the tail's place.
    const fresh: Node[] = [];
    const add = (op: OpDef<any>, inputs: Value[], attrs: unknown): Value => {
      const node = g.unplacedNode(op, inputs, attrs);
      fresh.push(node);
      return node.outputs[0]!;
    };
    let v = y;
    for (const s of steps) {
      const inputs = [...s.node.inputs];
      inputs[s.slot] = v;
      if (s.untransposed) inputs[1 - s.slot] = s.untransposed;
      else if (s.other) inputs[1 - s.slot] = sizeOf(s.other.shape) === 1 ? s.other : add(ops.reshape!, [s.other], { shape: [channels] });
      v = add(s.node.op, inputs, s.node.attrs);
    }
    const out = add(t.op, [v], t.attrs);
    const tail = steps[steps.length - 1]!.node;
    g.replaceNode(tail, fresh, out);
    g.removeNodes([t, ...steps.map((s) => s.node)]);
    uses = usesOf(g);
    moved++;
  }
  return moved;
}
