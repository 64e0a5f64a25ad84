// Channels-first convolutions and pools (ONNX models, `dataFormat: 'channelsFirst'`) convert their
// images to channels-last inside every kernel call. In an inference graph this pass writes that
// conversion out instead: transpose → the channels-last op → transpose back. Between two convs the
// pair of transposes then cancels (simplify), per-channel BatchNormalization/bias/activation chains
// move onto the channels-last output (sinkTranspose), and fold-affine and fusion see ordinary
// channels-last convs. Exact: the same kernels on the same values.
import type { OpDef } from '../../ops/define-op.js';
import { PRIMITIVES } from '../../ops/primitives/index.js';
import type { Graph, Node, Value } from '../graph.js';

const ops = PRIMITIVES as Record<string, OpDef<any>>;

const TO_LAST = [0, 2, 3, 1] as const;
const TO_FIRST = [0, 3, 1, 2] as const;

/** The ops rewritten, and which of their attributes hold an image shape in the images' layout. */
const IMAGE_OPS: Record<string, { shapeAttr?: string }> = {
  conv2d: {},
  conv2dBackpropInput: { shapeAttr: 'inputShape' },
  maxPool: {},
  avgPool: {},
};

const permute = (shape: readonly number[], perm: readonly number[]) => perm.map((p) => shape[p]!);

/** Rewrite every channels-first conv/pool of `g` as transposes around its channels-last form. Returns nodes rewritten. */
export function channelsLastImages(g: Graph): number {
  let rewritten = 0;
  for (const n of [...g.nodes]) {
    const rule = IMAGE_OPS[n.op.name];
    const attrs = n.attrs as Record<string, unknown> & { channelsFirst?: boolean };
    if (!rule || !attrs.channelsFirst || n.inputs[0]!.shape.length !== 4 || n.outputs.length !== 1) continue;
    const fresh: Node[] = [];
    const add = (op: OpDef<any>, inputs: Value[], a: unknown): Value => {
      const node = g.unplacedNode(op, inputs, a);
      if (n.scope) node.scope = n.scope;
      fresh.push(node);
      return node.outputs[0]!;
    };
    const { channelsFirst: _, ...lastAttrs } = attrs;
    if (rule.shapeAttr) lastAttrs[rule.shapeAttr] = permute(attrs[rule.shapeAttr] as number[], TO_LAST);
    const image = add(ops.transpose!, [n.inputs[0]!], { perm: TO_LAST });
    const y = add(n.op, [image, ...n.inputs.slice(1)], lastAttrs);
    const out = add(ops.transpose!, [y], { perm: TO_FIRST });
    g.replaceNode(n, fresh, out);
    rewritten++;
  }
  return rewritten;
}
