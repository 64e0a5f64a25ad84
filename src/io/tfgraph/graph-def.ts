// The JSON of a TF.js graph model's topology: TensorFlow's GraphDef as protobuf's JSON mapping
// writes it (64-bit integers as strings, bytes as base64), read through accessors that check each
// attribute's kind and name the node in errors.
import { DTypeError, ValueError } from '../../errors.js';
import type { DType } from '../../tensor/dtype.js';

/** One AttrValue: exactly one of its fields is set. */
export interface TfAttrValue {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  type?: string;
  shape?: TfShapeJson;
  tensor?: TfTensorJson;
  list?: { s?: string[]; i?: (string | number)[]; f?: number[]; b?: boolean[]; type?: string[]; shape?: TfShapeJson[] };
}

export interface TfShapeJson {
  dim?: { size?: string | number }[];
  unknownRank?: boolean;
}

export interface TfTensorJson {
  dtype?: string;
  tensorShape?: TfShapeJson;
  floatVal?: number[];
  intVal?: number[];
  int64Val?: (string | number)[];
  boolVal?: boolean[];
  tensorContent?: string;
}

export interface TfNodeJson {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttrValue>;
  device?: string;
}

const DTYPES: Record<string, DType> = { DT_FLOAT: 'float32', DT_HALF: 'float32', DT_DOUBLE: 'float32', DT_INT32: 'int32', DT_INT64: 'int32', DT_INT8: 'int32', DT_UINT8: 'int32', DT_INT16: 'int32', DT_BOOL: 'bool' };

/** nabla's dtype for a TensorFlow DataType name (TF.js computes in float32, int32 and bool too). */
export function dtypeOfTf(name: string | undefined, where: string): DType {
  const d = name === undefined ? undefined : DTYPES[name];
  if (!d) throw new DTypeError(`loadGraphModel: ${where} has dtype ${name ?? '(none)'}; nabla reads ${Object.keys(DTYPES).join(', ')}`);
  return d;
}

/** Dims of a TensorShapeProto; -1 (unknown) becomes null. */
export function dimsOf(shape: TfShapeJson | undefined): (number | null)[] | null {
  if (!shape || shape.unknownRank) return null;
  return (shape.dim ?? []).map((d) => {
    const n = Number(d.size ?? 0);
    return n < 0 ? null : n;
  });
}

const utf8 = new TextDecoder();

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt64 = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'string' && /^-?\d+$/.test(v) && Number.isSafeInteger(Number(v)));
const listOf = (v: unknown, item: (e: unknown) => boolean) => v === undefined || (Array.isArray(v) && v.every(item));

/** What each AttrValue field must hold in protobuf's JSON. */
const FIELD_CHECKS: Record<keyof TfAttrValue, (v: unknown) => boolean> = {
  s: (v) => typeof v === 'string',
  i: isInt64,
  f: (v) => typeof v === 'number' || v === 'NaN' || v === 'Infinity' || v === '-Infinity',
  b: (v) => typeof v === 'boolean',
  type: (v) => typeof v === 'string',
  shape: (v) => isObj(v) && listOf(v.dim, (d) => isObj(d) && (d.size === undefined || isInt64(d.size))),
  tensor: isObj,
  list: (v) =>
    isObj(v) &&
    listOf(v.s, (e) => typeof e === 'string') &&
    listOf(v.i, isInt64) &&
    listOf(v.f, (e) => typeof e === 'number') &&
    listOf(v.b, (e) => typeof e === 'boolean') &&
    listOf(v.type, (e) => typeof e === 'string'),
};

/** A base64 string's bytes (atob exists in Node >= 16 and in browsers). */
export function base64Bytes(s: string): Uint8Array {
  let bin: string;
  try {
    bin = atob(s);
  } catch {
    throw new ValueError(`loadGraphModel: '${s.slice(0, 40)}' is not base64`);
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** A node's attributes with typed accessors; errors say which node and attribute. */
export class TfNodeAttrs {
  constructor(readonly node: TfNodeJson) {}

  get op(): string {
    return this.node.op;
  }

  /** "Conv2D node 'model/conv1/Conv2D'": how errors refer to this node. */
  get where(): string {
    return `${this.node.op} node '${this.node.name}'`;
  }

  has(name: string): boolean {
    return this.node.attr?.[name] !== undefined;
  }

  private field<K extends keyof TfAttrValue>(name: string, kind: K): TfAttrValue[K] | undefined {
    const a = this.node.attr?.[name];
    if (a === undefined) return undefined;
    const v = a[kind];
    const wrong = () => new ValueError(`loadGraphModel: ${this.where}: attribute '${name}' is ${JSON.stringify(a).slice(0, 80)}, expected a value of kind '${kind}'`);
    // protobuf's JSON leaves out default values (0, false, ""), so a present attribute without the field is that default.
    if (v === undefined && Object.keys(a).some((k) => k !== kind)) throw wrong();
    if (v !== undefined && !FIELD_CHECKS[kind](v)) throw wrong();
    return v;
  }

  int(name: string, dflt: number): number {
    const a = this.node.attr?.[name];
    if (a === undefined) return dflt;
    const v = Number(this.field(name, 'i') ?? 0);
    if (!Number.isSafeInteger(v)) throw new ValueError(`loadGraphModel: ${this.where}: attribute '${name}' is ${JSON.stringify(a.i)}, expected an integer`);
    return v;
  }

  float(name: string, dflt: number): number {
    return this.node.attr?.[name] === undefined ? dflt : Number(this.field(name, 'f') ?? 0);
  }

  bool(name: string, dflt: boolean): boolean {
    return this.node.attr?.[name] === undefined ? dflt : (this.field(name, 'b') ?? false);
  }

  string(name: string, dflt: string): string {
    if (this.node.attr?.[name] === undefined) return dflt;
    return utf8.decode(base64Bytes(this.field(name, 's') ?? ''));
  }

  ints(name: string): number[] | undefined {
    if (this.node.attr?.[name] === undefined) return undefined;
    const list = this.field(name, 'list') ?? {};
    return (list.i ?? []).map(Number);
  }

  strings(name: string): string[] | undefined {
    if (this.node.attr?.[name] === undefined) return undefined;
    const list = this.field(name, 'list') ?? {};
    return (list.s ?? []).map((s) => utf8.decode(base64Bytes(s)));
  }

  dtype(name: string): DType | undefined {
    if (this.node.attr?.[name] === undefined) return undefined;
    return dtypeOfTf(this.field(name, 'type') ?? 'DT_INVALID', `attribute '${name}' of ${this.where}`);
  }

  shape(name: string): (number | null)[] | null | undefined {
    if (this.node.attr?.[name] === undefined) return undefined;
    return dimsOf(this.field(name, 'shape'));
  }

  tensor(name: string): TfTensorJson | undefined {
    return this.node.attr?.[name] === undefined ? undefined : this.field(name, 'tensor');
  }

  /** A load-time rejection of something nabla does not implement. */
  unsupported(what: string): never {
    throw new ValueError(`loadGraphModel: ${this.where}: ${what} is not supported by nabla's graph-model importer`);
  }
}
