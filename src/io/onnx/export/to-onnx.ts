// nb.onnx.save: trace a Keras-style model (or a function of tensors) with the jit tracer and write
// each traced primitive as ONNX nodes. Variables become initializers under their own names; the
// input shapes are fixed at export (batch 1 unless `inputShapes` says otherwise).
import { ValueError } from '../../../errors.js';
import type { Value } from '../../../jit/graph.js';
import { trace } from '../../../jit/trace.js';
import { Layer } from '../../../nn/layers/layer.js';
import { zeros } from '../../../tensor/creation.js';
import type { DType, TypedArray } from '../../../tensor/dtype.js';
import { Tensor } from '../../../tensor/tensor.js';
import { encodeModelProto, ONNX_DTYPE, type ModelProto, type ValueInfoProto } from '../proto.js';
import { OnnxBuilder } from './onnx-builder.js';
import { PRIMITIVE_EXPORTS } from './primitive-map.js';

export interface OnnxSaveOptions {
  /** Shape of each input, batch included (default: the model's input shapes with batch 1). */
  inputShapes?: number[][];
  /** Input dtypes (default float32). */
  inputDTypes?: DType[];
  /** Graph input and output names (default input_0..., output_0...). */
  inputNames?: string[];
  outputNames?: string[];
}

export type Exportable = Layer | ((...xs: Tensor[]) => Tensor | Tensor[]);

const OPSET = 17;
const ONNX_OF: Record<DType, number> = { float32: ONNX_DTYPE.FLOAT, float64: ONNX_DTYPE.DOUBLE, int32: ONNX_DTYPE.INT32, bool: ONNX_DTYPE.BOOL };

function valueInfo(name: string, dtype: DType, shape: readonly number[]): ValueInfoProto {
  return { name, type: { tensorType: { elemType: ONNX_OF[dtype], shape: { dim: shape.map((d) => ({ dimValue: d })) } } } };
}

function defaultShapes(model: Exportable): number[][] {
  const inputs = model instanceof Layer ? (model as Layer & { inputs?: { shape: (number | null)[] }[] }).inputs : undefined;
  if (!inputs || inputs.length === 0) {
    throw new ValueError('onnx.save: the input shapes are unknown; pass { inputShapes: [[batch, ...dims]] } (a Sequential needs an inputShape or an nb.keras.Input to know them)');
  }
  return inputs.map((t) => t.shape.map((d) => d ?? 1));
}

/** The ONNX ModelProto of `model` traced at the given input shapes. */
export function exportModelProto(model: Exportable, opts: OnnxSaveOptions = {}): ModelProto {
  const shapes = opts.inputShapes ?? defaultShapes(model);
  const dtypes = opts.inputDTypes ?? shapes.map(() => 'float32' as DType);
  const run = model instanceof Layer ? (...xs: Tensor[]) => model.applyAll(xs.length === 1 ? xs[0]! : xs, { training: false }) : model;
  const examples = shapes.map((s, i) => zeros(s, dtypes[i] ?? 'float32'));
  const { tracer, result } = trace(examples, (symbols) => run(...symbols));
  const outs = (Array.isArray(result) ? result : [result]).map((t) => {
    if (!(t instanceof Tensor)) throw new ValueError('onnx.save: the model must return a tensor or an array of tensors');
    return tracer.valueOf(t);
  });
  const graph = tracer.graph;
  if (graph.updates.size) throw new ValueError('onnx.save: the traced function assigns variables; export an inference function');
  const b = new OnnxBuilder();
  const names = new Map<Value, string>();
  const inputNames = shapes.map((_, i) => b.fresh(opts.inputNames?.[i] ?? `input_${i}`));
  graph.inputs.forEach((v, i) => names.set(v, inputNames[i]!));
  const nameOf = (v: Value): string => {
    let n = names.get(v);
    if (n) return n;
    const src = v.source;
    if (src.kind === 'variable') n = b.initializer(src.variable.name, v.dtype, v.shape, src.variable.dataSync() as TypedArray);
    else if (src.kind === 'const') n = b.initializer('const', v.dtype, v.shape, src.tensor.dataSync() as TypedArray);
    else throw new ValueError(`onnx.save: internal error, value %${v.id} is used before it is computed`);
    names.set(v, n);
    return n;
  };
  for (const node of graph.nodes) {
    const emit = PRIMITIVE_EXPORTS[node.op.name];
    if (!emit) throw new ValueError(`onnx.save: nabla op '${node.op.name}' has no ONNX export yet (exportable: ${Object.keys(PRIMITIVE_EXPORTS).join(', ')})`);
    const produced = emit(b, {
      ins: node.inputs.map(nameOf),
      attrs: node.attrs as Record<string, unknown>,
      inShapes: node.inputs.map((v) => [...v.shape]),
      outShapes: node.outputs.map((v) => [...v.shape]),
      outDTypes: node.outputs.map((v) => v.dtype),
    });
    node.outputs.forEach((v, i) => names.set(v, produced[i]!));
  }
  // Graph outputs get their own names through Identity nodes (an output may also be an input or reused).
  const outputNames = outs.map((v, i) => b.add('Identity', [nameOf(v)], {}, [b.fresh(opts.outputNames?.[i] ?? `output_${i}`)])[0]!);
  return {
    irVersion: 8,
    producerName: 'nabla',
    opsetImport: [{ domain: '', version: OPSET }],
    graph: {
      name: model instanceof Layer ? model.name : 'nabla_function',
      node: b.nodes,
      initializer: b.initializers,
      input: graph.inputs.map((v, i) => valueInfo(inputNames[i]!, v.dtype, v.shape)),
      output: outs.map((v, i) => valueInfo(outputNames[i]!, v.dtype, v.shape)),
    },
  };
}

/** The bytes of an .onnx file for `model`. */
export function exportOnnxBytes(model: Exportable, opts: OnnxSaveOptions = {}): Uint8Array {
  return encodeModelProto(exportModelProto(model, opts));
}
