// PyTorch's Linear is exported as Gemm with transB = 1: the weight stays [out, in] and the product
// reads it transposed. nabla's kernels read a [in, out] weight best (a Keras Dense's layout: at one
// row, a plain vector-matrix pass over it; at more rows, the prepacked GEMM the prepack pass adds
// either way). In inference graphs this pass writes the weight's transpose out as its own node, so
// that the weight preparation (weight-prep.ts) computes it once per weight write, and the product
// runs with transposeB off: an imported Gemm then takes the path of a Dense. The same products,
// summed by another kernel: float rounding may differ, the math does not.
import type { OpDef } from '../../ops/define-op.js';
import type { MatmulAttrs } from '../../ops/primitives/matmul.js';
import { PRIMITIVES } from '../../ops/primitives/index.js';
import type { Graph } from '../graph.js';
import { readOnlyParams } from './fold-affine.js';

const ops = PRIMITIVES as Record<string, OpDef<any>>;

/** Give every matmul that reads a read-only 2-D weight transposed a transposed copy of it instead. Returns nodes rewritten. */
export function untransposeWeights(g: Graph): number {
  const isParam = readOnlyParams(g);
  let rewritten = 0;
  for (const n of [...g.nodes]) {
    if (n.op.name !== 'matmul') continue;
    const attrs = n.attrs as MatmulAttrs;
    const [a, w] = n.inputs as [typeof n.inputs[0], typeof n.inputs[0]];
    // Where the other operand is a weight too, the whole product is weight preparation already.
    if (!attrs.transposeB || w!.shape.length !== 2 || !isParam(w!) || isParam(a!)) continue;
    const t = g.unplacedNode(ops.transpose!, [w!], { perm: [1, 0] });
    if (n.scope) t.scope = n.scope;
    g.nodes.splice(g.nodes.indexOf(n), 0, t);
    n.inputs = [a!, t.outputs[0]!];
    n.attrs = { ...attrs, transposeB: false };
    rewritten++;
  }
  return rewritten;
}
