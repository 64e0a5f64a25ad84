// What an operator implementation sees of one ONNX node: its inputs as tensors or (for shape
// arguments: Reshape's shape, Slice's starts...) as host numbers, its attributes with ONNX's
// defaults, and the model's opset. Errors name the node, so a user can find it in the graph.
import { ValueError } from '../../errors.js';
import { getBackend, keep } from '../../backends/registry.js';
import { tensor } from '../../ops/creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { ATTR_TYPE, type AttributeProto, type NodeProto } from './proto.js';
import { hostTensorOf, type HostTensor } from './tensor-proto.js';

/**
 * A value flowing through the graph. `folded` values are host constants on the js backend (known
 * per input shape); `uploaded` caches their copy on other backends.
 */
export interface OnnxValue {
  tensor: Tensor;
  folded: boolean;
  uploaded?: Map<string, Tensor>;
}

const utf8 = new TextDecoder();

/** A node's attributes by name, with typed accessors that name the node in errors. */
export class NodeAttributes {
  private readonly byName = new Map<string, AttributeProto>();

  constructor(readonly node: NodeProto) {
    for (const a of node.attribute ?? []) this.byName.set(a.name ?? '', a);
  }

  get opType(): string {
    return this.node.opType ?? '';
  }

  /** "Conv node '/conv1/Conv'": how errors refer to this node. */
  get where(): string {
    return `${this.opType} node '${this.node.name || this.node.output?.[0] || '?'}'`;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  private get(name: string, type: number): AttributeProto | undefined {
    const a = this.byName.get(name);
    if (a && a.type !== undefined && a.type !== type) {
      throw new ValueError(`onnx: ${this.where}: attribute '${name}' has type ${a.type}, expected ${type}`);
    }
    return a;
  }

  int(name: string, dflt: number): number {
    return this.get(name, ATTR_TYPE.INT)?.i ?? dflt;
  }

  float(name: string, dflt: number): number {
    return this.get(name, ATTR_TYPE.FLOAT)?.f ?? dflt;
  }

  string(name: string, dflt: string): string {
    const s = this.get(name, ATTR_TYPE.STRING)?.s;
    return s ? utf8.decode(s) : dflt;
  }

  ints(name: string): number[] | undefined {
    const a = this.get(name, ATTR_TYPE.INTS);
    return a ? [...(a.ints ?? [])] : undefined;
  }

  floats(name: string): number[] | undefined {
    const a = this.get(name, ATTR_TYPE.FLOATS);
    return a ? [...(a.floats ?? [])] : undefined;
  }

  strings(name: string): string[] | undefined {
    const a = this.get(name, ATTR_TYPE.STRINGS);
    return a ? (a.strings ?? []).map((s) => utf8.decode(s)) : undefined;
  }

  tensor(name: string): HostTensor | undefined {
    const t = this.get(name, ATTR_TYPE.TENSOR)?.t;
    return t ? hostTensorOf(t, `attribute '${name}' of ${this.where}`) : undefined;
  }

  /** A load-time rejection of an attribute value nabla does not implement. */
  unsupported(what: string): never {
    throw new ValueError(`onnx: ${this.where}: ${what} is not supported by nabla's ONNX importer`);
  }
}

/** One execution of a node. */
export class NodeContext {
  constructor(
    readonly attrs: NodeAttributes,
    readonly opset: number,
    private readonly values: readonly (OnnxValue | undefined)[],
  ) {}

  get where(): string {
    return this.attrs.where;
  }

  /** Whether optional input `i` was given (ONNX marks an omitted one with an empty name). */
  has(i: number): boolean {
    return this.values[i] !== undefined;
  }

  get inputCount(): number {
    return this.values.length;
  }

  /** Input `i` as a tensor on the current backend. */
  input(i: number): Tensor {
    const v = this.values[i];
    if (!v) throw new ValueError(`onnx: ${this.where}: input ${i} is required`);
    return onCurrentBackend(v);
  }

  optional(i: number): Tensor | undefined {
    return this.has(i) ? this.input(i) : undefined;
  }

  /** Input `i`'s values as host numbers: it must be computable from constants and input shapes. */
  numbers(i: number, what: string): number[] {
    const v = this.values[i];
    if (!v) throw new ValueError(`onnx: ${this.where}: input ${i} (${what}) is required`);
    if (!v.folded) {
      throw new ValueError(
        `onnx: ${this.where}: input ${i} (${what}) depends on the values of the model's inputs; nabla needs it to be computable from constants and input shapes`,
      );
    }
    return Array.from(v.tensor.dataSync(), Number);
  }

  optionalNumbers(i: number, what: string): number[] | undefined {
    return this.has(i) ? this.numbers(i, what) : undefined;
  }
}

/** A value as a tensor on the current backend: folded host constants are uploaded once per backend. */
export function onCurrentBackend(v: OnnxValue): Tensor {
  if (!v.folded) return v.tensor;
  const backend = getBackend();
  if (v.tensor.storage.backend.name === backend) return v.tensor;
  v.uploaded ??= new Map();
  let t = v.uploaded.get(backend);
  // kept: a cached copy must outlive the tidy() of the call that made it.
  if (!t) v.uploaded.set(backend, (t = keep(tensor(v.tensor.dataSync(), v.tensor.shape, v.tensor.dtype))));
  return t;
}
