// The ONNX protobuf messages, decoded and encoded by protobufjs from the committed schema. The
// interfaces name only the fields nabla reads or writes; protobufjs fills them from the wire.
import protobuf from 'protobufjs/light.js';
import { ValueError } from '../../errors.js';
import { ONNX_SCHEMA } from './onnx-schema.js';

export interface TensorProto {
  dims?: number[];
  dataType?: number;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: number[];
  doubleData?: number[];
  uint64Data?: number[];
  rawData?: Uint8Array;
  name?: string;
  dataLocation?: number;
}

export interface AttributeProto {
  name?: string;
  type?: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  g?: GraphProto;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
}

export interface NodeProto {
  input?: string[];
  output?: string[];
  name?: string;
  opType?: string;
  domain?: string;
  attribute?: AttributeProto[];
}

export interface DimProto {
  dimValue?: number;
  dimParam?: string;
}

export interface ValueInfoProto {
  name?: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim?: DimProto[] } } };
}

export interface GraphProto {
  node?: NodeProto[];
  name?: string;
  initializer?: TensorProto[];
  input?: ValueInfoProto[];
  output?: ValueInfoProto[];
}

export interface ModelProto {
  irVersion?: number;
  opsetImport?: { domain?: string; version?: number }[];
  producerName?: string;
  producerVersion?: string;
  graph?: GraphProto;
}

/** ONNX TensorProto.DataType codes nabla reads or writes. */
export const ONNX_DTYPE = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  BFLOAT16: 16,
} as const;

/** AttributeProto.AttributeType codes. */
export const ATTR_TYPE = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

let modelType: protobuf.Type | null = null;

function onnxModelType(): protobuf.Type {
  modelType ??= protobuf.Root.fromJSON(ONNX_SCHEMA as protobuf.INamespace).lookupType('onnx.ModelProto');
  return modelType;
}

/** A ModelProto from the bytes of an .onnx file; malformed bytes raise a ValueError naming `source`. */
export function decodeModelProto(bytes: Uint8Array, source: string): ModelProto {
  const type = onnxModelType();
  try {
    // A plain Uint8Array view, not a Node Buffer: protobufjs then hands out bytes fields as
    // Uint8Arrays, whose slice() copies (Buffer's slice() is a view of the whole pool).
    const message = type.decode(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    // 64-bit integers as JS numbers: shapes and indices fit; INT64_MAX sentinels (Slice's "to the
    // end") become ~9.2e18, which the ops clamp.
    return type.toObject(message, { longs: Number, enums: Number, arrays: false, defaults: false }) as ModelProto;
  } catch (e) {
    throw new ValueError(`onnx.load: ${source} is not a valid ONNX model (protobuf decoding failed: ${(e as Error).message})`);
  }
}

/** The bytes of an .onnx file holding `model`. */
export function encodeModelProto(model: ModelProto): Uint8Array {
  const type = onnxModelType();
  const err = type.verify(model);
  if (err) throw new ValueError(`onnx.save: internal error, the model does not match the ONNX schema: ${err}`);
  const out = type.encode(type.fromObject(model)).finish();
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
