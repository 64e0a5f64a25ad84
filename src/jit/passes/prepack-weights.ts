// Inference graphs on backends with a packed GEMM (native, wasm): a matmul or conv2d whose weight
// is read-only for the graph reads a copy of it packed once into the GEMM's panel layout
// (packGemmB), rather than packing it on every call. The pack depends on the weight alone, so
// the weight-prep split (weight-prep.ts) moves it out of the per-call plan: it runs once and
// again only after the weight is written. The linear op becomes a fusedLinear with the pack as
// its last input; the backend's kernel still gets the unpacked weight for the cases where it
// would not pack (Backend.prepack says which shapes pack at all, so no pack is made in vain).
import type { Backend } from '../../backends/backend.js';
import type { ConvAttrs } from '../../ops/primitives/conv.js';
import type { MatmulAttrs } from '../../ops/primitives/matmul.js';
import { fusedLinearOp, type FusedLinearAttrs } from '../fused-ops.js';
import type { Graph, Node, Value } from '../graph.js';
import { packGemmBOp, type PackGemmBAttrs } from '../prepacked-ops.js';
import { readOnlyParams } from './fold-affine.js';

type Linear = { base: 'matmul' | 'conv2d'; baseAttrs: unknown };

function linearOf(n: Node): Linear | undefined {
  if (n.op.name === 'matmul' || n.op.name === 'conv2d') return { base: n.op.name, baseAttrs: n.attrs };
  if (n.op.name !== 'fusedLinear') return undefined;
  const a = n.attrs as FusedLinearAttrs;
  if (a.prepacked || (a.base !== 'matmul' && a.base !== 'conv2d')) return undefined;
  return { base: a.base, baseAttrs: a.baseAttrs };
}

/** How packGemmB reads the weight as k x n matrices, or undefined for layouts it does not pack. */
function packGeometry(l: Linear, x: Value, w: Value): Omit<PackGemmBAttrs, 'dtype'> | undefined {
  if (l.base === 'conv2d') {
    const attrs = l.baseAttrs as ConvAttrs;
    if (attrs.channelsFirst || w.shape.length !== 4) return undefined;
    const [kh, kw, cg, o] = w.shape as [number, number, number, number];
    return { k: kh * kw * cg, n: o / attrs.groups, groups: attrs.groups, rowStride: o, colStride: 1 };
  }
  // A batch of matrices against one weight is several GEMMs: packed only for 2-D inputs.
  if (x.shape.length !== 2 || w.shape.length !== 2) return undefined;
  const [r, c] = w.shape as [number, number];
  return (l.baseAttrs as MatmulAttrs).transposeB ? { k: c, n: r, groups: 1, rowStride: 1, colStride: c } : { k: r, n: c, groups: 1, rowStride: c, colStride: 1 };
}

/** Rewrite the graph's packable linear ops in place; returns how many now read a packed weight. */
export function prepackWeights(g: Graph, backend: Backend): number {
  const prepack = backend.prepack;
  if (!prepack || !backend.kernels.fusedLinear || !backend.kernels.packGemmB || g.updates.size) return 0;
  const isParam = readOnlyParams(g);
  // A result computed from weights alone keeps the weight prep from being split off
  // (weight-prep.ts): the packs would then run on every call.
  if (g.roots().some((v) => v.source.kind === 'node' && isParam(v))) return 0;
  const packs = new Map<string, Value>();
  let count = 0;
  for (const node of [...g.nodes]) {
    const linear = linearOf(node);
    if (!linear) continue;
    const [x, w] = node.inputs as [Value, Value];
    const y = node.outputs[0]!;
    // Where the input is a weight too, the whole product moves to the weight prep already.
    if (!isParam(w) || isParam(x) || w.dtype !== y.dtype) continue;
    const geometry = packGeometry(linear, x, w);
    if (!geometry || !Number.isInteger(geometry.n)) continue;
    let attrs: PackGemmBAttrs;
    if (linear.base === 'conv2d' && prepack.winograd?.(x.shape, w.shape, y.shape, y.dtype, linear.baseAttrs)) {
      // A Winograd conv's pack is its transformed filter: [3, 3, c, o] as 36 planes of c x o.
      const [, , c, o] = w.shape as [number, number, number, number];
      attrs = { k: c, n: o, groups: 1, rowStride: o, colStride: 1, dtype: w.dtype, winograd: true };
    } else if (prepack.uses(linear.base, x.shape, w.shape, y.shape, y.dtype, linear.baseAttrs)) {
      attrs = { ...geometry, dtype: w.dtype };
    } else continue;
    const key = `${w.id}:${JSON.stringify(attrs)}`;
    let packed = packs.get(key);
    if (!packed) {
      const packNode = g.addNode(packGemmBOp, [w], attrs, packGemmBOp.infer([w], attrs));
      g.nodes.pop();
      g.nodes.splice(g.nodes.indexOf(node), 0, packNode);
      packed = packNode.outputs[0]!;
      packs.set(key, packed);
    }
    const fused: FusedLinearAttrs =
      node.op.name === 'fusedLinear'
        ? { ...(node.attrs as FusedLinearAttrs), prepacked: true }
        : { base: linear.base, baseAttrs: linear.baseAttrs, hasBias: false, activation: null, shape: y.shape, dtype: y.dtype, prepacked: true };
    node.op = fusedLinearOp;
    node.attrs = fused;
    node.inputs = [...node.inputs, packed];
    count++;
  }
  return count;
}
