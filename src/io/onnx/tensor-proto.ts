// ONNX TensorProto <-> host arrays in nabla's dtypes. nabla has no 64-bit integers or 16-bit floats:
// int64/uint*/int8/int16 become int32 (values clamped to int32's range, which only INT64_MAX-style
// sentinels reach), float16/bfloat16 float32.
import { ValueError, fmtShape } from '../../errors.js';
import type { DType, TypedArray } from '../../tensor/dtype.js';
import { bfloat16ArrayToFloat32, halfArrayToFloat32 } from '../half-float.js';
import { readLittleEndian, toLittleEndianBytes } from '../little-endian.js';
import { ONNX_DTYPE, type TensorProto } from './proto.js';

/** A tensor's value on the host: what an initializer or a Constant holds. */
export interface HostTensor {
  dtype: DType;
  shape: number[];
  data: TypedArray;
}

const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;

/** Clamp to int32 (INT64_MAX / INT64_MIN sentinels in Slice and friends). */
export function clampInt32(v: number): number {
  return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : Math.trunc(v);
}

const DTYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(ONNX_DTYPE).map(([k, v]) => [v, k]));

/** The nabla dtype an ONNX element type maps to; `where` names the tensor for the error. */
export function dtypeOfOnnx(code: number, where: string): DType {
  switch (code) {
    case ONNX_DTYPE.FLOAT:
    case ONNX_DTYPE.FLOAT16:
    case ONNX_DTYPE.BFLOAT16:
      return 'float32';
    case ONNX_DTYPE.DOUBLE:
      return 'float64';
    case ONNX_DTYPE.BOOL:
      return 'bool';
    case ONNX_DTYPE.INT8:
    case ONNX_DTYPE.UINT8:
    case ONNX_DTYPE.INT16:
    case ONNX_DTYPE.UINT16:
    case ONNX_DTYPE.INT32:
    case ONNX_DTYPE.INT64:
    case ONNX_DTYPE.UINT32:
    case ONNX_DTYPE.UINT64:
      return 'int32';
    default:
      throw new ValueError(`onnx: ${where} has element type ${DTYPE_NAMES[code] ?? code}, which nabla does not support (float, double, float16, bfloat16, bool and integers are)`);
  }
}

function checkedShape(dims: readonly number[], where: string): number[] {
  let size = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw new ValueError(`onnx: ${where} has an invalid dimension ${d} in dims ${JSON.stringify(dims)}`);
    size *= d;
  }
  if (size > 2 ** 31) throw new ValueError(`onnx: ${where} with dims ${fmtShape(dims)} is too large (${size} elements)`);
  return [...dims];
}

function rawElements(t: TensorProto, width: number, size: number, where: string) {
  const raw = t.rawData!;
  if (raw.length !== size * width) {
    throw new ValueError(`onnx: ${where} holds ${raw.length} bytes of raw data, but its dims ${fmtShape(t.dims ?? [])} need ${size * width}`);
  }
  return raw;
}

function fromRaw(t: TensorProto, code: number, size: number, where: string): ArrayLike<number> {
  const bytes = (width: number) => rawElements(t, width, size, where);
  switch (code) {
    case ONNX_DTYPE.FLOAT:
      return readLittleEndian(Float32Array, bytes(4), 0, size);
    case ONNX_DTYPE.DOUBLE:
      return readLittleEndian(Float64Array, bytes(8), 0, size);
    case ONNX_DTYPE.FLOAT16:
      return halfArrayToFloat32(readLittleEndian(Uint16Array, bytes(2), 0, size));
    case ONNX_DTYPE.BFLOAT16:
      return bfloat16ArrayToFloat32(readLittleEndian(Uint16Array, bytes(2), 0, size));
    case ONNX_DTYPE.INT32:
      return readLittleEndian(Int32Array, bytes(4), 0, size);
    case ONNX_DTYPE.UINT32:
      return readLittleEndian(Uint32Array, bytes(4), 0, size);
    case ONNX_DTYPE.INT16:
      return readLittleEndian(Int16Array, bytes(2), 0, size);
    case ONNX_DTYPE.UINT16:
      return readLittleEndian(Uint16Array, bytes(2), 0, size);
    case ONNX_DTYPE.INT8:
      return readLittleEndian(Int8Array, bytes(1), 0, size);
    case ONNX_DTYPE.UINT8:
    case ONNX_DTYPE.BOOL:
      return readLittleEndian(Uint8Array, bytes(1), 0, size);
    case ONNX_DTYPE.INT64:
    case ONNX_DTYPE.UINT64: {
      const big = code === ONNX_DTYPE.INT64 ? readLittleEndian(BigInt64Array, bytes(8), 0, size) : readLittleEndian(BigUint64Array, bytes(8), 0, size);
      const out = new Float64Array(size);
      for (let i = 0; i < size; i++) out[i] = Number(big[i]!);
      return out;
    }
    default:
      throw new ValueError(`onnx: ${where} has element type ${DTYPE_NAMES[code] ?? code}, which nabla does not support`);
  }
}

function fromTypedFields(t: TensorProto, code: number): ArrayLike<number> {
  switch (code) {
    case ONNX_DTYPE.FLOAT:
      return t.floatData ?? [];
    case ONNX_DTYPE.DOUBLE:
      return t.doubleData ?? [];
    case ONNX_DTYPE.INT64:
      return t.int64Data ?? [];
    case ONNX_DTYPE.UINT32:
    case ONNX_DTYPE.UINT64:
      return t.uint64Data ?? [];
    case ONNX_DTYPE.FLOAT16:
      return halfArrayToFloat32(Uint16Array.from(t.int32Data ?? []));
    case ONNX_DTYPE.BFLOAT16:
      return bfloat16ArrayToFloat32(Uint16Array.from(t.int32Data ?? []));
    default:
      return t.int32Data ?? [];
  }
}

/** The host value of a TensorProto (an initializer, a Constant's value). */
export function hostTensorOf(t: TensorProto, where: string): HostTensor {
  if (t.dataLocation === 1) throw new ValueError(`onnx: ${where} keeps its data in an external file, which nabla does not read; save the model with its weights inside the .onnx file`);
  const code = t.dataType ?? 0;
  const dtype = dtypeOfOnnx(code, where);
  const shape = checkedShape(t.dims ?? [], where);
  const size = shape.reduce((a, b) => a * b, 1);
  const values = t.rawData && t.rawData.length > 0 ? fromRaw(t, code, size, where) : fromTypedFields(t, code);
  if (values.length !== size) throw new ValueError(`onnx: ${where} holds ${values.length} values, but its dims ${fmtShape(shape)} need ${size}`);
  let data: TypedArray;
  if (dtype === 'float32') data = values instanceof Float32Array ? values : Float32Array.from(values);
  else if (dtype === 'float64') data = Float64Array.from(values);
  else if (dtype === 'bool') data = Uint8Array.from(values, (v) => (v ? 1 : 0));
  else data = Int32Array.from(values, clampInt32);
  return { dtype, shape, data };
}

const ONNX_OF_DTYPE: Record<DType, number> = { float32: ONNX_DTYPE.FLOAT, float64: ONNX_DTYPE.DOUBLE, int32: ONNX_DTYPE.INT32, bool: ONNX_DTYPE.BOOL };

/** A TensorProto holding `data` (raw little-endian bytes); int32 is written as int64 when `asInt64`. */
export function tensorProtoOf(name: string, dtype: DType, shape: readonly number[], data: TypedArray, asInt64 = false): TensorProto {
  if (asInt64 && dtype === 'int32') {
    return { name, dims: [...shape], dataType: ONNX_DTYPE.INT64, rawData: toLittleEndianBytes(BigInt64Array.from(data, (v) => BigInt(v)) as unknown as TypedArray) };
  }
  return { name, dims: [...shape], dataType: ONNX_OF_DTYPE[dtype], rawData: toLittleEndianBytes(data) };
}
