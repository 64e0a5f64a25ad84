// A traced nabla graph as TensorFlow's GraphDef, for TensorBoard's graph dashboard: one NodeDef per
// op under the layers that called it (TensorBoard folds names by '/' into one box per layer), plus
// the graph's inputs, variables and constants.
import type { Graph, Value } from '../../../jit/graph.js';
import type { DType } from '../../../tensor/dtype.js';
import type { AttrValueProto, GraphDefProto, NodeDefProto, ShapeProto } from './event-proto.js';

/** TensorFlow's DataType enum (types.proto) for nabla's dtypes. */
const TF_DATA_TYPE: Record<DType, number> = { float32: 1, float64: 2, int32: 3, bool: 10 };

/** The GraphDef TensorBoard draws for `graph`. */
export function graphDefOf(graph: Graph): GraphDefProto {
  const node: NodeDefProto[] = [];
  const taken = new Set<string>();
  const unique = (name: string) => {
    let n = name;
    for (let k = 1; taken.has(n); k++) n = `${name}_${k}`;
    taken.add(n);
    return n;
  };
  const leafNames = new Map<Value, string>();
  const nodeNames = new Map<number, string>();

  const shapeOf = (v: Value): ShapeProto => ({ dim: v.shape.map((size) => ({ size })) });
  const leaf = (v: Value, scope: string | undefined): string => {
    let name = leafNames.get(v);
    if (name !== undefined) return name;
    const src = v.source;
    const attr: Record<string, AttrValueProto> = { dtype: { type: TF_DATA_TYPE[v.dtype] }, shape: { shape: shapeOf(v) }, _output_shapes: { list: { shape: [shapeOf(v)] } } };
    if (src.kind === 'input') name = unique(`input_${src.index}`);
    else if (src.kind === 'variable') name = unique(src.variable.name);
    else name = unique(scope ? `${scope}/Const` : 'Const');
    const op = src.kind === 'input' ? 'Placeholder' : src.kind === 'variable' ? 'VariableV2' : 'Const';
    node.push({ name, op, input: [], attr });
    leafNames.set(v, name);
    return name;
  };
  const ref = (v: Value, scope: string | undefined): string => {
    if (v.source.kind !== 'node') return leaf(v, scope);
    const base = nodeNames.get(v.source.node.id)!;
    return v.source.index === 0 ? base : `${base}:${v.source.index}`;
  };

  for (const inp of graph.inputs) leaf(inp, undefined);
  for (const n of graph.nodes) {
    const input = n.inputs.map((v) => ref(v, n.scope));
    const name = unique(n.scope ? `${n.scope}/${n.op.name}` : n.op.name);
    nodeNames.set(n.id, name);
    const attr: Record<string, AttrValueProto> = { _output_shapes: { list: { shape: n.outputs.map(shapeOf) } } };
    if (n.outputs[0]) attr.T = { type: TF_DATA_TYPE[n.outputs[0].dtype] };
    node.push({ name, op: n.op.name, input, attr });
  }
  graph.outputs.forEach((v, i) => node.push({ name: unique(`output_${i}`), op: 'Identity', input: [ref(v, undefined)], attr: { T: { type: TF_DATA_TYPE[v.dtype] } } }));
  return { node, versions: { producer: 1 } };
}
