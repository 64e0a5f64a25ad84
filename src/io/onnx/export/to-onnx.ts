// nb.onnx.save: trace a Keras-style model (or a function of tensors) with the jit tracer and write
// each traced primitive as ONNX nodes. Variables become initializers under their own names; the
// input shapes are fixed at export (batch 1 unless `inputShapes` says otherwise).
import { ValueError } from '../../../errors.js';
import type { Value } from '../../../jit/graph.js';
import { foldWeights } from '../../../jit/passes/constant-folding.js';
import { eliminateDeadCode } from '../../../jit/passes/dce.js';
import { foldAffineIntoLinear } from '../../../jit/passes/fold-affine.js';
import { trace } from '../../../jit/trace.js';
import { Layer } from '../../../nn/layers/layer.js';
import { tensor, zeros } from '../../../ops/creation.js';
import type { DType, TypedArray } from '../../../tensor/dtype.js';
import { Tensor } from '../../../tensor/tensor.js';
import { OnnxGraph } from '../onnx-graph.js';
import { OnnxModel } from '../onnx-model.js';
import { decodeModelProto, encodeModelProto, ONNX_DTYPE, type ModelProto, type ValueInfoProto } from '../proto.js';
import { OnnxBuilder } from './onnx-builder.js';
import { PRIMITIVE_EXPORTS } from './primitive-map.js';
import { sinkTransposes } from './sink-transposes.js';

export interface OnnxSaveOptions {
  /**
   * Shape of each input, batch included. Default: the model's input shapes with a dynamic batch
   * axis (checked by running the exported graph at another batch size; where the model bakes its
   * batch size into the graph, the export falls back to batch 1).
   */
  inputShapes?: number[][];
  /** Input dtypes (default float32). */
  inputDTypes?: DType[];
  /** Graph input and output names (default input_0..., output_0...). */
  inputNames?: string[];
  outputNames?: string[];
  /**
   * Fold BatchNormalization (and other per-channel scales and shifts) into the conv or dense layer
   * before it, and computations over weights alone into initializers, as an inference engine
   * would (default true; PyTorch's exporter folds constants too). With false, every traced op is
   * written as it is and every variable under its own name.
   */
  foldWeights?: boolean;
}

export type Exportable = Layer | ((...xs: Tensor[]) => Tensor | Tensor[]);

const OPSET = 17;
const ONNX_OF: Record<DType, number> = { float32: ONNX_DTYPE.FLOAT, float64: ONNX_DTYPE.DOUBLE, int32: ONNX_DTYPE.INT32, bool: ONNX_DTYPE.BOOL };

function valueInfo(name: string, dtype: DType, shape: readonly number[], dynamicBatch: boolean): ValueInfoProto {
  const dim = shape.map((d, i) => (i === 0 && dynamicBatch ? { dimParam: 'batch' } : { dimValue: d }));
  return { name, type: { tensorType: { elemType: ONNX_OF[dtype], shape: { dim } } } };
}

/** The batch size the dynamic-batch export traces with (1 would make "is this axis the batch?" ambiguous). */
const TRACE_BATCH = 2;

function modelInputShapes(model: Exportable): (number | null)[][] {
  const inputs = model instanceof Layer ? (model as Layer & { inputs?: { shape: (number | null)[] }[] }).inputs : undefined;
  if (!inputs || inputs.length === 0) {
    throw new ValueError('onnx.save: the input shapes are unknown; pass { inputShapes: [[batch, ...dims]] } (a Sequential needs an inputShape or an nb.keras.Input to know them)');
  }
  return inputs.map((t) => [...t.shape]);
}

const runOf = (model: Exportable) => (model instanceof Layer ? (...xs: Tensor[]) => model.applyAll(xs.length === 1 ? xs[0]! : xs, { training: false }) : model);

/** Whether the graph exported with a dynamic batch gives the model's outputs at another batch size. */
function dynamicBatchHolds(model: Exportable, proto: ModelProto, shapes: number[][], dtypes: DType[]): boolean {
  try {
    const batch = TRACE_BATCH + 1;
    let seed = 12345;
    const xs = shapes.map((s, i) => {
      const shape = [batch, ...s.slice(1)];
      const values = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 31) - 1);
      return tensor(values, shape, dtypes[i] ?? 'float32');
    });
    const want = runOf(model)(...xs);
    const got = new OnnxModel(new OnnxGraph(decodeModelProto(encodeModelProto(proto), 'the export'), 'the export'), 'nabla').run(xs);
    const wants = Array.isArray(want) ? want : [want];
    return wants.every((w, i) => {
      const g = got[i];
      if (!g || g.shape.join() !== w.shape.join()) return false;
      const a = g.dataSync();
      const b = w.dataSync();
      for (let k = 0; k < b.length; k++) if (Math.abs(Number(a[k]) - Number(b[k])) > 1e-4 * Math.max(1, Math.abs(Number(b[k])))) return false;
      return true;
    });
  } catch {
    return false;
  }
}

/** The ONNX ModelProto of `model` traced at the given input shapes. */
export function exportModelProto(model: Exportable, opts: OnnxSaveOptions = {}): ModelProto {
  if (opts.inputShapes) return traceToProto(model, opts, opts.inputShapes, null);
  const declared = modelInputShapes(model);
  if (declared.every((s) => s[0] === null)) {
    const shapes = declared.map((s) => s.map((d, i) => (i === 0 ? TRACE_BATCH : (d ?? 1))));
    const proto = traceToProto(model, opts, shapes, TRACE_BATCH);
    if (dynamicBatchHolds(model, proto, shapes, opts.inputDTypes ?? shapes.map(() => 'float32'))) return proto;
  }
  return traceToProto(model, opts, declared.map((s) => s.map((d) => d ?? 1)), null);
}

function traceToProto(model: Exportable, opts: OnnxSaveOptions, shapes: number[][], batch: number | null): ModelProto {
  const dtypes = opts.inputDTypes ?? shapes.map(() => 'float32' as DType);
  const run = runOf(model);
  const examples = shapes.map((s, i) => zeros(s, dtypes[i] ?? 'float32'));
  const { tracer, result } = trace(examples, (symbols) => run(...symbols));
  const graph = tracer.graph;
  graph.outputs = (Array.isArray(result) ? result : [result]).map((t) => {
    if (!(t instanceof Tensor)) throw new ValueError('onnx.save: the model must return a tensor or an array of tensors');
    return tracer.valueOf(t);
  });
  if (graph.updates.size) throw new ValueError('onnx.save: the traced function assigns variables; export an inference function');
  if (opts.foldWeights ?? true) {
    foldAffineIntoLinear(graph);
    foldWeights(graph);
    eliminateDeadCode(graph);
  }
  const outs = graph.outputs;
  const b = new OnnxBuilder();
  const names = new Map<Value, string>();
  const inputNames = shapes.map((_, i) => b.fresh(opts.inputNames?.[i] ?? `input_${i}`));
  graph.inputs.forEach((v, i) => names.set(v, inputNames[i]!));
  const nameOf = (v: Value): string => {
    let n = names.get(v);
    if (n) return n;
    const src = v.source;
    if (src.kind === 'variable') n = b.initializer(src.variable.name, v.dtype, v.shape, src.variable.dataSync() as TypedArray);
    else if (src.kind === 'const') n = b.initializer(src.origin === undefined ? 'const' : `${src.origin}/folded`, v.dtype, v.shape, src.tensor.dataSync() as TypedArray);
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
      batch,
    });
    node.outputs.forEach((v, i) => names.set(v, produced[i]!));
  }
  // Graph outputs get their own names through Identity nodes (an output may also be an input or reused).
  const outputNames = outs.map((v, i) => b.add('Identity', [nameOf(v)], {}, [b.fresh(opts.outputNames?.[i] ?? `output_${i}`)])[0]!);
  sinkTransposes(b, outputNames);
  return {
    irVersion: 8,
    producerName: 'nabla',
    opsetImport: [{ domain: '', version: OPSET }],
    graph: {
      name: model instanceof Layer ? model.name : 'nabla_function',
      node: b.nodes,
      initializer: b.initializers,
      input: graph.inputs.map((v, i) => valueInfo(inputNames[i]!, v.dtype, v.shape, batch !== null)),
      output: outs.map((v, i) => valueInfo(outputNames[i]!, v.dtype, v.shape, batch !== null && v.shape[0] === batch)),
    },
  };
}

/** The bytes of an .onnx file for `model`. */
export function exportOnnxBytes(model: Exportable, opts: OnnxSaveOptions = {}): Uint8Array {
  return encodeModelProto(exportModelProto(model, opts));
}
