// A reduction over a transpose reads the transposed copy only to reduce it: ResNet's global average
// pool in a PyTorch model is a mean over H and W of the NCHW transpose of the last block's
// channels-last output. This inference pass reduces the untransposed value over the matching axes
// instead and permutes the small result (a reshape where only size-1 axes move), so the transpose
// of the whole activation goes. Max/min/all/any are exact; sum and prod may add in another order.
import type { OpDef } from '../../ops/define-op.js';
import type { ReduceAttrs } from '../../ops/primitives/reduce.js';
import { PRIMITIVES } from '../../ops/primitives/index.js';
import type { Graph, Node, Value } from '../graph.js';
import { useCounts } from './fusion.js';

const ops = PRIMITIVES as Record<string, OpDef<any>>;

const REDUCTIONS = new Set(['sum', 'prod', 'max', 'min', 'all', 'any']);

const isIdentity = (perm: readonly number[]) => perm.every((p, i) => p === i);

/** Whether permuting `shape` by `perm` keeps its non-1 axes in order (a reshape does it). */
function movesOnlyUnitAxes(shape: readonly number[], perm: readonly number[]): boolean {
  const big = perm.filter((p) => shape[p] !== 1);
  return big.every((p, i) => i === 0 || p > big[i - 1]!);
}

/** Rewrite reduce(transpose(x)) as a permutation of reduce(x) where the transpose has no other use. Returns nodes rewritten. */
export function reduceBeforeTranspose(g: Graph): number {
  let rewritten = 0;
  // Counted again after each rewrite only: once per reduction would be quadratic in a deep graph.
  let uses = useCounts(g);
  for (const r of [...g.nodes]) {
    if (!REDUCTIONS.has(r.op.name) || r.inputs.length !== 1 || r.outputs.length !== 1) continue;
    const t = r.inputs[0]!.source.kind === 'node' ? r.inputs[0]!.source.node : undefined;
    if (!t || t.op.name !== 'transpose' || uses.get(t.outputs[0]!) !== 1) continue;
    const perm = (t.attrs as { perm: readonly number[] }).perm;
    const x = t.inputs[0]!;
    const { axes, keepDims } = r.attrs as ReduceAttrs;
    const fresh: Node[] = [];
    const add = (op: OpDef<any>, inputs: Value[], attrs: unknown): Value => {
      const node = g.unplacedNode(op, inputs, attrs);
      if (r.scope) node.scope = r.scope;
      fresh.push(node);
      return node.outputs[0]!;
    };
    const xAxes = axes.map((a) => perm[a]!).sort((a, b) => a - b);
    const reduced = add(r.op, [x], { ...(r.attrs as ReduceAttrs), axes: xAxes });
    // The reduced value's axes (x's axes, in order) and the order the original result has them in.
    const kept = keepDims ? perm.map((_, i) => i) : perm.map((_, i) => i).filter((i) => !xAxes.includes(i));
    const wanted = keepDims ? perm : perm.filter((_, i) => !axes.includes(i));
    const outPerm = wanted.map((a) => kept.indexOf(a));
    let out = reduced;
    if (!isIdentity(outPerm)) {
      const shape = r.outputs[0]!.shape;
      out = movesOnlyUnitAxes(reduced.shape, outPerm) ? add(ops.reshape!, [reduced], { shape: [...shape] }) : add(ops.transpose!, [reduced], { perm: outPerm });
    }
    g.replaceNode(r, fresh, out);
    g.removeNodes([t]);
    uses = useCounts(g);
    rewritten++;
  }
  return rewritten;
}
