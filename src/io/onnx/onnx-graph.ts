// An ONNX graph, checked at load and run node by node with nabla ops. Float initializers become
// Variables (trainable); integer initializers and everything computed only from constants and
// input shapes are host constants, folded eagerly (see host-eval.ts), so shape subgraphs resolve
// per input shape, in eager mode and inside nb.jit alike.
import { DTypeError, ShapeError, ValueError, fmtShape } from '../../errors.js';
import { cast } from '../../ops/primitives/cast.js';
import { tensor } from '../../ops/creation.js';
import { isFloat, type DType } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Variable } from '../../autograd/variable.js';
import { hostEval } from './host-eval.js';
import { NodeAttributes, NodeContext, onCurrentBackend, type OnnxValue } from './node-context.js';
import type { OnnxOp } from './op-table.js';
import { ONNX_OPS } from './ops/index.js';
import type { ModelProto, NodeProto, ValueInfoProto } from './proto.js';
import { dtypeOfOnnx, hostTensorOf } from './tensor-proto.js';

const MIN_OPSET = 9;
const MAX_OPSET = 21;

/** A graph input: its name, dtype and declared dims (null where symbolic). */
export interface OnnxInputSpec {
  name: string;
  dtype: DType;
  shape: (number | null)[];
}

interface CompiledNode {
  attrs: NodeAttributes;
  op: OnnxOp;
  inputs: string[];
  outputs: string[];
}

function inputSpec(v: ValueInfoProto): OnnxInputSpec {
  const name = v.name ?? '';
  const tt = v.type?.tensorType;
  if (!tt) throw new ValueError(`onnx.load: graph input '${name}' is not a tensor (sequences and maps are not supported)`);
  const dims = tt.shape?.dim ?? [];
  return {
    name,
    dtype: dtypeOfOnnx(tt.elemType ?? 0, `graph input '${name}'`),
    shape: dims.map((d) => (d.dimValue !== undefined && d.dimValue > 0 && !d.dimParam ? d.dimValue : null)),
  };
}

export class OnnxGraph {
  readonly opset: number;
  readonly inputs: OnnxInputSpec[];
  readonly outputNames: string[];
  /** The float initializers, by ONNX name. */
  readonly weights = new Map<string, Variable>();
  private readonly constants = new Map<string, OnnxValue>();
  private readonly nodes: CompiledNode[] = [];

  constructor(model: ModelProto, source: string) {
    const graph = model.graph;
    if (!graph) throw new ValueError(`onnx.load: ${source} holds no graph`);
    const opsets = model.opsetImport ?? [];
    const main = opsets.find((o) => !o.domain || o.domain === 'ai.onnx');
    this.opset = main?.version ?? 0;
    if (this.opset < MIN_OPSET || this.opset > MAX_OPSET) {
      throw new ValueError(`onnx.load: ${source} uses opset ${this.opset || '(none)'}; nabla imports opsets ${MIN_OPSET} to ${MAX_OPSET} (re-export with opset_version in that range)`);
    }
    const defined = new Set<string>();
    for (const init of graph.initializer ?? []) {
      const name = init.name ?? '';
      const h = hostTensorOf(init, `initializer '${name}'`);
      if (isFloat(h.dtype)) {
        this.weights.set(name, new Variable(tensor(h.data, h.shape, h.dtype), { name }));
        this.constants.set(name, { tensor: this.weights.get(name)!, folded: false });
      } else {
        this.constants.set(name, { tensor: hostEval(() => [tensor(h.data, h.shape, h.dtype)])[0]!, folded: true });
      }
      defined.add(name);
    }
    // Before IR 4 initializers are listed among the inputs too; they are weights, not feeds.
    this.inputs = (graph.input ?? []).filter((v) => !defined.has(v.name ?? '')).map(inputSpec);
    for (const i of this.inputs) defined.add(i.name);
    this.outputNames = (graph.output ?? []).map((o) => o.name ?? '');
    for (const node of graph.node ?? []) this.compile(node, defined);
    for (const o of this.outputNames) {
      if (!defined.has(o)) throw new ValueError(`onnx.load: graph output '${o}' is produced by no node`);
    }
  }

  private compile(node: NodeProto, defined: Set<string>): void {
    const attrs = new NodeAttributes(node);
    const domain = node.domain ?? '';
    const op = domain === '' || domain === 'ai.onnx' ? ONNX_OPS[attrs.opType] : undefined;
    if (!op) {
      const dom = domain && domain !== 'ai.onnx' ? ` in domain '${domain}'` : '';
      throw new ValueError(`onnx.load: operator '${attrs.opType}'${dom} (${attrs.where}) is not supported by nabla's ONNX importer`);
    }
    op.check?.(attrs, this.opset);
    const inputs = node.input ?? [];
    for (const name of inputs) {
      if (name !== '' && !defined.has(name)) throw new ValueError(`onnx.load: ${attrs.where} reads '${name}', which no earlier node, input or initializer defines`);
    }
    const outputs = node.output ?? [];
    for (const name of outputs) if (name !== '') defined.add(name);
    const compiled = { attrs, op, inputs, outputs };
    // Nodes of constants only (shape constants, Constant nodes) run once here.
    const values = inputs.map((n) => (n === '' ? undefined : this.constants.get(n)));
    if (!op.random && values.every((v, i) => inputs[i] === '' || v?.folded)) {
      this.store(compiled, this.execute(compiled, values, true), this.constants, true);
      return;
    }
    this.nodes.push(compiled);
  }

  private execute(node: CompiledNode, values: (OnnxValue | undefined)[], folded: boolean): Tensor[] {
    const ctx = new NodeContext(node.attrs, this.opset, values);
    return folded ? hostEval(() => node.op.run(ctx)) : node.op.run(ctx);
  }

  private store(node: CompiledNode, outs: Tensor[], into: Map<string, OnnxValue>, folded: boolean): void {
    node.outputs.forEach((name, i) => {
      if (name === '') return;
      const t = outs[i];
      if (!t) throw new ValueError(`onnx: ${node.attrs.where}: output ${i} ('${name}') is not produced by nabla's implementation`);
      into.set(name, { tensor: t, folded });
    });
  }

  /** The graph's outputs for `feeds` (by input name). */
  run(feeds: Map<string, Tensor>): Tensor[] {
    const values = new Map(this.constants);
    for (const spec of this.inputs) {
      const t = feeds.get(spec.name);
      if (!t) throw new ValueError(`onnx model: input '${spec.name}' is missing (inputs: ${this.inputs.map((i) => i.name).join(', ')})`);
      values.set(spec.name, { tensor: this.checkFeed(spec, t), folded: false });
    }
    for (const node of this.nodes) {
      const ins = node.inputs.map((n) => (n === '' ? undefined : values.get(n)));
      const folded = node.op.shapeOnly || (!node.op.random && ins.every((v, i) => node.inputs[i] === '' || v?.folded));
      this.store(node, this.execute(node, ins, !!folded), values, !!folded);
    }
    return this.outputNames.map((n) => onCurrentBackend(values.get(n)!));
  }

  private checkFeed(spec: OnnxInputSpec, t: Tensor): Tensor {
    if (t.rank !== spec.shape.length || spec.shape.some((d, i) => d !== null && d !== t.shape[i])) {
      const want = spec.shape.map((d) => d ?? '?').join(', ');
      throw new ShapeError(`onnx model: input '${spec.name}' expects shape [${want}], got ${fmtShape(t.shape)}`);
    }
    if (t.dtype === spec.dtype) return t;
    // JS numbers arrive as float32 or int32; an integer input takes int32, a float one any float.
    if (isFloat(spec.dtype) && isFloat(t.dtype)) return cast(t, spec.dtype);
    throw new DTypeError(`onnx model: input '${spec.name}' expects ${spec.dtype}, got ${t.dtype}`);
  }
}
