// What an exporter of one traced nabla primitive sees, and what it returns: the ONNX value names
// of the primitive's outputs.
import type { DType } from '../../../tensor/dtype.js';
import { ONNX_DTYPE } from '../proto.js';
import type { OnnxBuilder } from './onnx-builder.js';

export interface TracedNode {
  /** Input value names in the ONNX graph. */
  ins: string[];
  attrs: Record<string, unknown>;
  inShapes: number[][];
  outShapes: number[][];
  outDTypes: DType[];
  /** The traced batch size when the batch axis is exported as dynamic, else null. */
  batch: number | null;
}

export type Emit = (b: OnnxBuilder, n: TracedNode) => string[];

/** The ONNX element type of each nabla dtype. */
export const ONNX_OF: Readonly<Record<DType, number>> = { float32: ONNX_DTYPE.FLOAT, float64: ONNX_DTYPE.DOUBLE, int32: ONNX_DTYPE.INT32, bool: ONNX_DTYPE.BOOL };
