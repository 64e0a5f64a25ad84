// The composed softmax over the last axis (ops/composite/activations.ts: max, the shift that
// keeps rows of -Infinity finite, sub, exp, sum, div) becomes one softmaxRows node in inference
// graphs, where the backend has that kernel (native, wasm): one pass over each block of rows
// instead of six over the whole array, with the same bits.
import { softmaxRowsOp } from '../softmax-rows-op.js';
import type { ReduceAttrs } from '../../ops/primitives/reduce.js';
import type { Graph, Node, Value } from '../graph.js';
import { useCounts } from './fusion.js';
import { uniformConst } from './simplify.js';

// Longer rows are left to the composed ops: a reduction of one run of 2^16 elements or more
// sums in parts (native/src/reduce.cc), which the kernel does not repeat.
const MAX_COLS = 16384;

function producer(v: Value | undefined, op: string): Node | undefined {
  const s = v?.source;
  return s?.kind === 'node' && s.node.op.name === op ? s.node : undefined;
}

/** A reduction over the last axis alone, keeping it. */
function lastAxisReduce(n: Node | undefined, x: Value): boolean {
  if (!n || n.inputs[0] !== x) return false;
  const { axes, keepDims } = n.attrs as ReduceAttrs;
  return keepDims && axes.length === 1 && axes[0] === x.shape.length - 1;
}

/** The nodes of a composed softmax ending at `div` and its input, or undefined. */
export function matchSoftmax(div: Node, uses: Map<Value, number>): { x: Value; nodes: Node[] } | undefined {
  if (div.op.name !== 'div') return undefined;
  const [eValue, tValue] = div.inputs;
  const exp = producer(eValue, 'exp');
  const sum = producer(tValue, 'sum');
  const sub = producer(exp?.inputs[0], 'sub');
  if (!exp || !sum || !sub || sum.inputs[0] !== eValue) return undefined;
  const [x, wValue] = sub.inputs as [Value, Value];
  const where = producer(wValue, 'where');
  if (!where || uniformConst(where.inputs[2]!) !== 0) return undefined;
  const greater = producer(where.inputs[0], 'greater');
  if (!greater || greater.inputs[0] !== where.inputs[1] || uniformConst(greater.inputs[1]!) !== -Infinity) return undefined;
  const shifted = where.inputs[1]!;
  // The maximum, possibly behind the stopGradient of a traced training graph.
  const held = producer(shifted, 'stopGradient');
  const max = producer(held ? held.inputs[0] : shifted, 'max');
  if (!max || !eValue || !lastAxisReduce(max, x) || !lastAxisReduce(sum, eValue)) return undefined;
  const y = div.outputs[0]!;
  const cols = x.shape[x.shape.length - 1] ?? 0;
  if ((x.dtype !== 'float32' && x.dtype !== 'float64') || y.dtype !== x.dtype || cols < 1 || cols > MAX_COLS) return undefined;
  if (y.shape.length !== x.shape.length || y.shape.some((d, i) => d !== x.shape[i])) return undefined;
  const inner = [max, ...(held ? [held] : []), greater, where, sub, exp, sum];
  // Every intermediate is read only inside the pattern (the maximum by greater and where, e by sum and div).
  const expected = new Map<Node, number>([[max, held ? 1 : 2], [greater, 1], [where, 1], [sub, 1], [exp, 2], [sum, 1]]);
  if (held) expected.set(held, 2);
  for (const n of inner) if (uses.get(n.outputs[0]!) !== expected.get(n)) return undefined;
  return { x, nodes: inner };
}

export function fuseSoftmaxRows(g: Graph, kernels: Readonly<Record<string, unknown>>): number {
  if (!kernels.softmaxRows) return 0;
  let fused = 0;
  // Counted again only after a rewrite: the graph's other uses do not change while nothing matches.
  let uses = useCounts(g);
  for (const div of [...g.nodes]) {
    if (div.op.name !== 'div') continue;
    const match = matchSoftmax(div, uses);
    if (!match) continue;
    const y = div.outputs[0]!;
    const node = g.unplacedNode(softmaxRowsOp, [match.x], { shape: y.shape, dtype: y.dtype }, [{ shape: y.shape, dtype: y.dtype }]);
    g.replaceNode(div, [node], node.outputs[0]!);
    g.removeNodes(match.nodes);
    uses = useCounts(g);
    fused++;
  }
  return fused;
}
