// A Const node's value: from the weights manifest (TF.js's converter stores every Const there, by
// node name) or, failing that, from the TensorProto inline in the node's `value` attribute.
import { ShapeError, ValueError } from '../../errors.js';
import type { DType, TypedArray } from '../../tensor/dtype.js';
import { readLittleEndian } from '../little-endian.js';
import { base64Bytes, dimsOf, dtypeOfTf, type TfTensorJson } from './graph-def.js';

export interface ConstValue {
  data: TypedArray;
  shape: number[];
  dtype: DType;
}

/** The values of an inline TensorProto (tensorContent, or the typed value lists, a single value filling the tensor). */
export function inlineTensor(t: TfTensorJson, where: string): ConstValue {
  const dtype = dtypeOfTf(t.dtype, where);
  const dims = dimsOf(t.tensorShape);
  if (!dims || dims.some((d) => d === null)) throw new ShapeError(`loadGraphModel: ${where} has an unknown shape`);
  const shape = dims as number[];
  const n = shape.reduce((a, b) => a * b, 1);
  const out = dtype === 'float32' ? new Float32Array(n) : dtype === 'int32' ? new Int32Array(n) : new Uint8Array(n);
  if (t.tensorContent) {
    const bytes = base64Bytes(t.tensorContent);
    const raw =
      t.dtype === 'DT_FLOAT' ? readLittleEndian(Float32Array, bytes, 0, bytes.length >> 2)
      : t.dtype === 'DT_INT32' ? readLittleEndian(Int32Array, bytes, 0, bytes.length >> 2)
      : t.dtype === 'DT_BOOL' ? bytes
      : null;
    if (!raw) throw new ValueError(`loadGraphModel: ${where}: tensorContent of dtype ${t.dtype} is not supported`);
    if (raw.length !== n) throw new ValueError(`loadGraphModel: ${where}: tensorContent holds ${raw.length} values for shape [${shape.join(', ')}]`);
    out.set(raw);
    return { data: out, shape, dtype };
  }
  const list: number[] = (t.floatVal ?? t.intVal ?? t.int64Val ?? t.boolVal ?? []).map((v) => Number(v));
  if (list.length !== n && !(list.length === 1 && n > 0) && !(list.length === 0)) {
    throw new ValueError(`loadGraphModel: ${where} holds ${list.length} values for shape [${shape.join(', ')}]`);
  }
  // TensorFlow's convention: a shorter list repeats its last value (an empty one is zeros).
  for (let i = 0; i < n; i++) out[i] = list[Math.min(i, list.length - 1)] ?? 0;
  return { data: out, shape, dtype };
}
