// The safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian header
// length N, N bytes of JSON ({name: {dtype, shape, data_offsets}}, optional "__metadata__" of
// strings), then the tensors' little-endian bytes, contiguous, in offset order, with no gaps.
import { DTypeError, ValueError } from '../errors.js';
import { tensor } from '../ops/creation.js';
import type { DType, TypedArray } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { bfloat16ArrayToFloat32, halfArrayToFloat32 } from './half-float.js';
import { readLittleEndian, toLittleEndianBytes } from './little-endian.js';

/** Tensors by name and the file's string metadata. */
export interface SafetensorsContents {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

const METADATA_KEY = '__metadata__';
/** Larger headers are refused before parsing, as the reference implementation does. */
const MAX_HEADER_BYTES = 100_000_000;

const WRITE_CODES: Record<DType, string> = { float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL' };

/** How each stored dtype is read: its width in bytes and the conversion to a nabla tensor's data. */
interface StoredType {
  bytes: number;
  read(bytes: Uint8Array, start: number, count: number, where: string): { data: TypedArray; dtype: DType };
}

const asInt32 = (values: ArrayLike<number>) => ({ data: Int32Array.from(values), dtype: 'int32' as const });

/** 64-bit and unsigned 32-bit integers become int32 when every value fits; otherwise the load fails. */
function narrowToInt32(values: ArrayLike<bigint | number>, code: string, where: string): { data: Int32Array; dtype: 'int32' } {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]!);
    if (v > 2147483647 || v < -2147483648) {
      throw new DTypeError(`safetensors: ${where} (${code}) holds ${String(values[i])} at element ${i}, outside the int32 range nabla can hold; convert it before saving`);
    }
    out[i] = v;
  }
  return { data: out, dtype: 'int32' };
}

const STORED: Record<string, StoredType> = {
  F32: { bytes: 4, read: (b, s, n) => ({ data: readLittleEndian(Float32Array, b, s, n), dtype: 'float32' }) },
  F64: { bytes: 8, read: (b, s, n) => ({ data: readLittleEndian(Float64Array, b, s, n), dtype: 'float64' }) },
  I32: { bytes: 4, read: (b, s, n) => ({ data: readLittleEndian(Int32Array, b, s, n), dtype: 'int32' }) },
  BOOL: { bytes: 1, read: (b, s, n) => ({ data: Uint8Array.from(b.subarray(s, s + n), (v) => (v ? 1 : 0)), dtype: 'bool' }) },
  F16: { bytes: 2, read: (b, s, n) => ({ data: halfArrayToFloat32(readLittleEndian(Uint16Array, b, s, n)), dtype: 'float32' }) },
  BF16: { bytes: 2, read: (b, s, n) => ({ data: bfloat16ArrayToFloat32(readLittleEndian(Uint16Array, b, s, n)), dtype: 'float32' }) },
  U8: { bytes: 1, read: (b, s, n) => asInt32(b.subarray(s, s + n)) },
  I8: { bytes: 1, read: (b, s, n) => asInt32(new Int8Array(b.buffer, b.byteOffset + s, n)) },
  I16: { bytes: 2, read: (b, s, n) => asInt32(readLittleEndian(Int16Array, b, s, n)) },
  U16: { bytes: 2, read: (b, s, n) => asInt32(readLittleEndian(Uint16Array, b, s, n)) },
  U32: { bytes: 4, read: (b, s, n, w) => narrowToInt32(readLittleEndian(Uint32Array, b, s, n), 'U32', w) },
  I64: { bytes: 8, read: (b, s, n, w) => narrowToInt32(readLittleEndian(BigInt64Array, b, s, n), 'I64', w) },
  U64: { bytes: 8, read: (b, s, n, w) => narrowToInt32(readLittleEndian(BigUint64Array, b, s, n), 'U64', w) },
};

// ---------------------------------------------------------------------------------------- writing

/** A tensor's values already on the host (what async savers read with `data()`, which every backend supports). */
export interface HostTensor {
  dtype: DType;
  shape: readonly number[];
  data: TypedArray;
}

/** Read every tensor's values with `await data()` (GPU backends may not read synchronously). */
export async function readToHost(tensors: Record<string, Tensor>): Promise<Record<string, HostTensor>> {
  const entries = await Promise.all(Object.entries(tensors).map(async ([k, t]): Promise<[string, HostTensor]> => [k, { dtype: t.dtype, shape: t.shape, data: await t.data() }]));
  return Object.fromEntries(entries);
}

/** The safetensors bytes of `tensors` (written in the record's order) with optional string metadata. */
export function encodeSafetensors(tensors: Record<string, Tensor | HostTensor>, metadata: Record<string, string> = {}): Uint8Array {
  if (typeof tensors !== 'object' || tensors === null || Array.isArray(tensors)) {
    throw new ValueError('safetensors.encode: expected a record {name: tensor}');
  }
  const header: [string, unknown][] = [];
  const meta = checkMetadata(metadata, 'safetensors.encode');
  if (Object.keys(meta).length) header.push([METADATA_KEY, meta]);
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (name === METADATA_KEY || name === '') throw new ValueError(`safetensors.encode: '${name}' cannot name a tensor`);
    const host = t instanceof Tensor ? null : (t as Partial<HostTensor> | null);
    if (host !== null && !(host && WRITE_CODES[host.dtype!] && Array.isArray(host.shape) && ArrayBuffer.isView(host.data))) {
      throw new ValueError(`safetensors.encode: '${name}' is not a Tensor (got ${t === null ? 'null' : typeof t})`);
    }
    const bytes = toLittleEndianBytes(host ? host.data! : (t as Tensor).dataSync());
    header.push([name, { dtype: WRITE_CODES[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + bytes.length] }]);
    chunks.push(bytes);
    offset += bytes.length;
  }
  // fromEntries defines own properties, so even a tensor named '__proto__' stays a key.
  let json = JSON.stringify(Object.fromEntries(header));
  // Pad with spaces so that the data starts 8-byte aligned, as the reference writer does.
  const jsonBytes0 = new TextEncoder().encode(json);
  json += ' '.repeat((8 - (jsonBytes0.length % 8)) % 8);
  const jsonBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + jsonBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(jsonBytes.length), true);
  out.set(jsonBytes, 8);
  let at = 8 + jsonBytes.length;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function checkMetadata(metadata: unknown, op: string): Record<string, string> {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new ValueError(`${op}: __metadata__ must be an object of strings, got ${Array.isArray(metadata) ? 'an array' : String(metadata)}`);
  }
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') throw new ValueError(`${op}: __metadata__ values must be strings; '${k}' is ${typeof v}`);
  }
  return { ...(metadata as Record<string, string>) };
}

// ---------------------------------------------------------------------------------------- reading

interface Entry {
  name: string;
  code: string;
  shape: number[];
  begin: number;
  end: number;
}

/** Parse safetensors bytes; every inconsistency is a ValueError/DTypeError naming what is wrong. */
export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors data'): SafetensorsContents {
  if (!(bytes instanceof Uint8Array)) throw new ValueError(`safetensors.decode: expected a Uint8Array, got ${typeof bytes}`);
  // A plain Uint8Array view of the same bytes: a Node Buffer's methods (slice) differ from Uint8Array's.
  bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8) throw new ValueError(`safetensors: ${source} is ${bytes.length} bytes, too short for the 8-byte header length`);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(bytes.length - 8)) {
    throw new ValueError(`safetensors: ${source} declares a ${headerLength}-byte header but only ${bytes.length - 8} bytes follow the length (truncated or not a safetensors file)`);
  }
  const n = Number(headerLength);
  if (n > MAX_HEADER_BYTES) throw new ValueError(`safetensors: ${source} declares a ${n}-byte header; at most ${MAX_HEADER_BYTES} is accepted`);
  const header = parseHeader(bytes.subarray(8, 8 + n), source);
  const data = bytes.subarray(8 + n);
  const metadata = header[METADATA_KEY] === undefined ? {} : checkMetadata(header[METADATA_KEY], `safetensors (${source})`);
  const entries = Object.entries(header)
    .filter(([name]) => name !== METADATA_KEY)
    .map(([name, info]) => parseEntry(name, info, source));
  checkLayout(entries, data.length, source);
  const tensors = entries.map((e): [string, Tensor] => {
    const count = e.shape.reduce((a, b) => a * b, 1);
    const { data: values, dtype } = STORED[e.code]!.read(data, e.begin, count, `tensor '${e.name}'`);
    return [e.name, tensor(values, e.shape, dtype)];
  });
  return { tensors: Object.fromEntries(tensors), metadata };
}

function parseHeader(jsonBytes: Uint8Array, source: string): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(jsonBytes);
  } catch {
    throw new ValueError(`safetensors: the header of ${source} is not valid UTF-8`);
  }
  if (!text.startsWith('{')) throw new ValueError(`safetensors: the header of ${source} must be a JSON object starting with '{', got ${JSON.stringify(text.slice(0, 20))}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ValueError(`safetensors: the header of ${source} is not valid JSON (${(e as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ValueError(`safetensors: the header of ${source} must be a JSON object, got ${Array.isArray(parsed) ? 'an array' : typeof parsed}`);
  }
  return parsed as Record<string, unknown>;
}

function parseEntry(name: string, info: unknown, source: string): Entry {
  const where = `safetensors: tensor '${name}' in ${source}`;
  if (typeof info !== 'object' || info === null || Array.isArray(info)) throw new ValueError(`${where} must be {dtype, shape, data_offsets}, got ${JSON.stringify(info)}`);
  const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
  if (typeof dtype !== 'string') throw new ValueError(`${where} has no dtype string`);
  if (!Object.hasOwn(STORED, dtype)) {
    throw new DTypeError(`${where} has dtype '${dtype}', which nabla cannot read; readable: ${Object.keys(STORED).join(', ')}`);
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new ValueError(`${where} has shape ${JSON.stringify(shape)}; expected an array of non-negative integers`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    throw new ValueError(`${where} has data_offsets ${JSON.stringify(offsets)}; expected [begin, end] of non-negative integers`);
  }
  const [begin, end] = offsets as [number, number];
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  const expected = count * STORED[dtype]!.bytes;
  if (end < begin || end - begin !== expected) {
    throw new ValueError(`${where}: data_offsets [${begin}, ${end}] span ${end - begin} bytes, but ${dtype} of shape [${shape.join(', ')}] needs ${expected}`);
  }
  return { name, code: dtype, shape: shape as number[], begin, end };
}

/** Tensors must tile the data exactly: sorted by offset, each starting where the previous ended. */
function checkLayout(entries: Entry[], dataLength: number, source: string): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of sorted) {
    if (e.begin < at) throw new ValueError(`safetensors: tensor '${e.name}' in ${source} overlaps the previous tensor (starts at byte ${e.begin}, previous ends at ${at})`);
    if (e.begin > at) throw new ValueError(`safetensors: ${source} has a gap of ${e.begin - at} bytes before tensor '${e.name}'`);
    if (e.end > dataLength) throw new ValueError(`safetensors: tensor '${e.name}' in ${source} runs past the data (ends at byte ${e.end} of ${dataLength}; truncated file?)`);
    at = e.end;
  }
  if (at !== dataLength) throw new ValueError(`safetensors: ${source} has ${dataLength - at} bytes after the last tensor; the tensors must cover the data exactly`);
}
