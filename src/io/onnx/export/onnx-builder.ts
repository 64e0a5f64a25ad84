// Accumulates an ONNX graph while the exporter walks a traced nabla graph: value names,
// initializers (variables and constants, each written once) and nodes with typed attributes.
import type { DType, TypedArray } from '../../../tensor/dtype.js';
import { ATTR_TYPE, type AttributeProto, type NodeProto, type TensorProto } from '../proto.js';
import { tensorProtoOf } from '../tensor-proto.js';

export type AttrValue = number | number[] | string | { float: number };

function attribute(name: string, v: AttrValue): AttributeProto {
  if (typeof v === 'string') return { name, type: ATTR_TYPE.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: ATTR_TYPE.INTS, ints: v };
  if (typeof v === 'number') return { name, type: ATTR_TYPE.INT, i: v };
  return { name, type: ATTR_TYPE.FLOAT, f: v.float };
}

export class OnnxBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private used = new Set<string>();
  private count = 0;

  /** A fresh value name with `hint` in it. */
  fresh(hint: string): string {
    let name = hint;
    while (this.used.has(name)) name = `${hint}_${++this.count}`;
    this.used.add(name);
    return name;
  }

  /** Add a node; returns its output names (`outputs` given or one fresh name per output). */
  add(opType: string, inputs: string[], attrs: Record<string, AttrValue | undefined> = {}, outputs: string[] | number = 1): string[] {
    const outs = typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.fresh(`${opType.toLowerCase()}_out`)) : outputs;
    const attribute_ = Object.entries(attrs)
      .filter((e): e is [string, AttrValue] => e[1] !== undefined)
      .map(([k, v]) => attribute(k, v));
    this.nodes.push({ opType, name: this.fresh(opType), input: inputs, output: outs, attribute: attribute_ });
    return outs;
  }

  /** One output of a new node. */
  add1(opType: string, inputs: string[], attrs: Record<string, AttrValue | undefined> = {}): string {
    return this.add(opType, inputs, attrs)[0]!;
  }

  /** An initializer holding `data`; returns its name. */
  initializer(hint: string, dtype: DType, shape: readonly number[], data: TypedArray, asInt64 = false): string {
    const name = this.fresh(hint);
    this.initializers.push(tensorProtoOf(name, dtype, shape, data, asInt64));
    return name;
  }

  /** An int64 vector initializer (shapes, axes, pads). */
  int64s(hint: string, values: readonly number[]): string {
    return this.initializer(hint, 'int32', [values.length], Int32Array.from(values), true);
  }
}
