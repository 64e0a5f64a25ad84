// conv2d (alone, or with bias and activation as a fusedLinear node) followed by the max or average pool that alone
// reads it becomes one fusedConvPool node, where the backend has that kernel (native, wasm): the
// kernel runs the steps over the batch in cache-sized pieces of images (reading the conv's
// prepacked filter where the prepack pass made one). Channels last only.
import { CONV_POOLS, fusedConvPoolOp, type ConvPoolName } from '../conv-pool-op.js';
import type { FusedLinearAttrs } from '../fused-ops.js';
import type { PoolAttrs } from '../../ops/primitives/pool.js';
import type { Graph, Node } from '../graph.js';
import { soleConsumer, usesOf } from './fusion.js';

/** The node as a fusedLinear's attributes: a plain conv2d is one without bias and activation. */
function linearOf(conv: Node): FusedLinearAttrs | undefined {
  if (conv.op.name === 'fusedLinear') return conv.attrs as FusedLinearAttrs;
  if (conv.op.name !== 'conv2d') return undefined;
  const y = conv.outputs[0]!;
  return { base: 'conv2d', baseAttrs: conv.attrs, hasBias: false, activation: null, shape: y.shape, dtype: y.dtype };
}

/** Why `conv` and `pool` cannot fuse, or null where they can (for tests of what the pass refuses). */
export function convPoolRefusal(conv: Node, pool: Node): string | null {
  const linear = linearOf(conv);
  if (!linear) return 'not a conv';
  if (linear.base !== 'conv2d') return 'not a conv2d';
  if ((linear.baseAttrs as { channelsFirst?: boolean }).channelsFirst) return 'channels first';
  if (linear.dtype !== 'float32' && linear.dtype !== 'float64') return `dtype ${linear.dtype}`;
  if (!(pool.op.name in CONV_POOLS)) return `${pool.op.name} is not a max or average pool`;
  if ((pool.attrs as PoolAttrs).channelsFirst) return 'channels-first pool';
  if (pool.inputs[0] !== conv.outputs[0] || linear.shape.length !== 4) return 'pool does not read the conv';
  return null;
}

export function fuseConvPool(g: Graph, kernels: Readonly<Record<string, unknown>>): number {
  if (!kernels.fusedConvPool) return 0;
  let fused = 0;
  // Counted again after each fusion only: once per conv would be quadratic in a deep graph.
  let uses = usesOf(g);
  for (const conv of [...g.nodes]) {
    const linear = linearOf(conv);
    if (!linear) continue;
    const y = conv.outputs[0]!;
    const pool = soleConsumer(y, uses);
    if (!pool || convPoolRefusal(conv, pool) !== null) continue;
    const out = pool.outputs[0]!;
    const node = g.unplacedNode(
      fusedConvPoolOp,
      [...conv.inputs],
      { linear, pool: pool.op.name as ConvPoolName, poolAttrs: pool.attrs as PoolAttrs, shape: out.shape, dtype: out.dtype },
      [{ shape: out.shape, dtype: out.dtype }],
    );
    g.replaceNode(pool, [node], node.outputs[0]!);
    g.removeNodes([conv]);
    uses = usesOf(g);
    fused++;
  }
  return fused;
}
