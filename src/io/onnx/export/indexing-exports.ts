// Sorting, gathers along an axis and scatters as ONNX nodes: argsort is a full-length TopK (its
// tie rule, lower index first, is nabla's stable order), take-along-axis gathers are
// GatherElements, and the scatters are ScatterND / ScatterElements over a zero tensor.
import { ValueError } from '../../../errors.js';
import type { DType, TypedArray } from '../../../tensor/dtype.js';
import { ONNX_DTYPE } from '../proto.js';
import type { OnnxBuilder } from './onnx-builder.js';
import type { Emit, TracedNode } from './emit.js';

/** A scalar initializer of `dtype` holding `value`. */
export function scalarOf(b: OnnxBuilder, hint: string, dtype: DType, value: number): string {
  const data: TypedArray = dtype === 'float64' ? Float64Array.of(value) : dtype === 'float32' ? Float32Array.of(value) : dtype === 'bool' ? Uint8Array.of(value ? 1 : 0) : Int32Array.of(value);
  return b.initializer(hint, dtype, [], data);
}

/** Zeros of the node's (static) output shape and dtype. */
function zerosOfOutput(b: OnnxBuilder, n: TracedNode): string {
  return b.add1('Expand', [scalarOf(b, 'zero', n.outDTypes[0]!, 0), b.int64s('shape', n.outShapes[0]!)]);
}

const int64 = (b: OnnxBuilder, name: string) => b.add1('Cast', [name], { to: ONNX_DTYPE.INT64 });

/** Whether a gather/segment-sum with these attrs is a take-along-axis: same rank, the axis the last batch dim. */
function alongAxis(n: TracedNode, dataInput: number, idxInput: number): boolean {
  const { axis, batchDims } = n.attrs as { axis: number; batchDims: number };
  const rank = n.inShapes[dataInput]!.length;
  return axis === batchDims && n.inShapes[idxInput]!.length === rank && rank === axis + 1;
}

/** Segment ids with negatives set to 0, and the data rows they label set to 0. */
function droppingNegativeIds(b: OnnxBuilder, n: TracedNode): [string, string] {
  const [data, ids] = n.ins as [string, string];
  const idsShape = n.inShapes[1]!;
  const dataRank = n.inShapes[0]!.length;
  const negative = b.add1('Less', [ids, scalarOf(b, 'zero', 'int32', 0)]);
  const safeIds = b.add1('Where', [negative, scalarOf(b, 'zero', 'int32', 0), ids]);
  const rowMask = dataRank === idsShape.length ? negative : b.add1('Reshape', [negative, b.int64s('shape', [...idsShape, ...Array<number>(dataRank - idsShape.length).fill(1)])]);
  const safeData = b.add1('Where', [rowMask, scalarOf(b, 'zero', n.outDTypes[0]!, 0), data]);
  return [safeIds, safeData];
}

export const INDEXING_EXPORTS: Readonly<Record<string, Emit>> = {
  argsort: (b, n) => {
    const { axis, descending } = n.attrs as { axis: number; descending: boolean };
    const k = b.int64s('k', [n.inShapes[0]![axis]!]);
    const [, indices] = b.add('TopK', [n.ins[0]!, k], { axis, largest: descending ? 1 : 0, sorted: 1 }, 2);
    return [b.add1('Cast', [indices!], { to: ONNX_DTYPE.INT32 })];
  },
  gather: (b, n) => {
    const { axis, batchDims } = n.attrs as { axis: number; batchDims: number };
    if (batchDims === 0) return [b.add1('Gather', n.ins, { axis })];
    if (alongAxis(n, 0, 1)) return [b.add1('GatherElements', n.ins, { axis })];
    throw new ValueError(`onnx.save: gather with batchDims ${batchDims} and axis ${axis} (x ${JSON.stringify(n.inShapes[0])}, indices ${JSON.stringify(n.inShapes[1])}) has no ONNX operator nabla exports; only batchDims 0 and take-along-axis gathers do`);
  },
  // Gradient of gather: zeros with the slices added back at their indices.
  unsortedSegmentSum: (b, n) => {
    const { axis, batchDims } = n.attrs as { axis: number; batchDims: number };
    const along = alongAxis(n, 0, 1);
    if (!along && !(axis === 0 && batchDims === 0)) {
      throw new ValueError(`onnx.save: unsortedSegmentSum over axis ${axis} with batchDims ${batchDims} has no ONNX operator nabla exports; only axis 0 and take-along-axis sums do`);
    }
    // nabla drops rows with a negative id, where ONNX would count from the end: they add 0 to segment 0.
    const [ids, data] = droppingNegativeIds(b, n);
    if (along) return [b.add1('ScatterElements', [zerosOfOutput(b, n), ids, data], { axis, reduction: 'add' })];
    const idx = b.add1('Unsqueeze', [int64(b, ids), b.int64s('axes', [-1])]);
    return [b.add1('ScatterND', [zerosOfOutput(b, n), idx, data], { reduction: 'add' })];
  },
  gatherND: (b, n) => [b.add1('GatherND', [n.ins[0]!, int64(b, n.ins[1]!)])],
  scatterND: (b, n) => [b.add1('ScatterND', [zerosOfOutput(b, n), int64(b, n.ins[0]!), n.ins[1]!], { reduction: 'add' })],
  tensorScatterUpdate: (b, n) => [b.add1('ScatterND', [n.ins[0]!, int64(b, n.ins[1]!), n.ins[2]!])],
};
