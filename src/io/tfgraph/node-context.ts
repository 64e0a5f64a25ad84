// What an op implementation sees of one TensorFlow node: its inputs as tensors, or (for shape
// arguments: Reshape's shape, StridedSlice's bounds...) as host numbers, and its attributes.
import { DTypeError, ShapeError, ValueError } from '../../errors.js';
import { engine } from '../../engine/engine.js';
import { StringTensor } from '../../tensor/string-tensor.js';
import type { Tensor } from '../../tensor/tensor.js';
import { TfHashTable } from './hash-table.js';
import { onCurrentBackend, type OnnxValue } from '../onnx/node-context.js';
import type { TfNodeAttrs } from './graph-def.js';

/** What lives only on the host: strings and hash tables (their `tensor` is unused). */
export type HostValue = StringTensor | TfHashTable;

/** A value in the graph: host constants (folded) are known per input shape; see ../onnx/host-eval.ts. */
export type TfValue = OnnxValue & { host?: HostValue };

/** A graph value holding `host` (a string tensor or a table). */
export function hostValue(host: HostValue, folded: boolean): TfValue {
  return { tensor: undefined as unknown as Tensor, folded, host };
}

/** Hash tables by the name of the node that made them, shared by a model's graphs (main, initializer, functions). */
export type TfResources = Map<string, TfHashTable>;

export class TfNodeContext {
  constructor(
    readonly attrs: TfNodeAttrs,
    private readonly values: readonly TfValue[],
    /** The model's hash tables. */
    readonly resources: TfResources = new Map(),
  ) {}

  get where(): string {
    return this.attrs.where;
  }

  get inputCount(): number {
    return this.values.length;
  }

  /** Input `i` as a tensor on the current backend. */
  input(i: number): Tensor {
    const v = this.values[i];
    if (!v) throw new ValueError(`loadGraphModel: ${this.where}: input ${i} is required (the node has ${this.values.length})`);
    if (v.host) throw new DTypeError(`loadGraphModel: ${this.where}: input ${i} is ${v.host instanceof StringTensor ? 'a string tensor' : 'a hash table'}; this op takes a numeric tensor there`);
    return onCurrentBackend(v);
  }

  /** Input `i` as it is: a tensor, or a host value (strings, a table) for the ops that pass values through. */
  value(i: number): Tensor | HostValue {
    const v = this.values[i];
    return v?.host ?? this.input(i);
  }

  /** Input `i`'s shape (strings too). */
  shapeOf(i: number): readonly number[] {
    const h = this.values[i]?.host;
    return h instanceof StringTensor ? h.shape : this.input(i).shape;
  }

  /** Input `i`'s strings (a DT_STRING tensor). */
  strings(i: number, what: string): StringTensor {
    const v = this.values[i];
    if (!(v?.host instanceof StringTensor)) throw new DTypeError(`loadGraphModel: ${this.where}: input ${i} (${what}) must be a string tensor`);
    this.refuseTrace(v, what);
    return v.host;
  }

  /** Input `i`'s hash table (the output of a HashTable node). */
  table(i: number): TfHashTable {
    const v = this.values[i];
    if (!(v?.host instanceof TfHashTable)) throw new DTypeError(`loadGraphModel: ${this.where}: input ${i} must be a hash table (a HashTable node's output)`);
    return v.host;
  }

  /** Input `i`'s elements on the host (strings, or numbers), with a clear error under nb.jit for values that depend on the model's inputs. */
  hostElements(i: number, what: string): { values: readonly (string | number)[]; shape: readonly number[] } {
    const v = this.values[i];
    if (!v) throw new ValueError(`loadGraphModel: ${this.where}: input ${i} (${what}) is required`);
    if (v.host instanceof StringTensor) {
      this.refuseTrace(v, what);
      return { values: v.host.values, shape: v.host.shape };
    }
    if (v.host) throw new DTypeError(`loadGraphModel: ${this.where}: input ${i} (${what}) is a hash table; expected a tensor`);
    this.refuseTrace(v, what);
    return { values: Array.from(v.tensor.dataSync() as ArrayLike<number>, Number), shape: v.tensor.shape };
  }

  /** Under nb.jit, values that depend on the model's inputs cannot be read on the host (strings would be baked into the trace). */
  private refuseTrace(v: TfValue, what: string): void {
    if (engine.tracer && !v.folded) {
      throw new ValueError(`loadGraphModel: ${this.where} reads the values of its ${what} on the host, so a model with it runs outside nb.jit; call it outside nb.jit`);
    }
  }

  /** Input `i`'s values as host numbers: it must be computable from constants and input shapes. */
  numbers(i: number, what: string): number[] {
    const v = this.values[i];
    if (!v) throw new ValueError(`loadGraphModel: ${this.where}: input ${i} (${what}) is required`);
    if (v.host) throw new DTypeError(`loadGraphModel: ${this.where}: input ${i} (${what}) must be numbers, not ${v.host instanceof StringTensor ? 'strings' : 'a hash table'}`);
    if (!v.folded) {
      throw new ValueError(`loadGraphModel: ${this.where}: input ${i} (${what}) depends on the values of the model's inputs; nabla needs it computable from constants and input shapes`);
    }
    return Array.from(v.tensor.dataSync(), Number);
  }

  /** Input `i` as one host number (a scalar or one-element tensor). */
  scalar(i: number, what: string): number {
    const n = this.numbers(i, what);
    if (n.length !== 1) throw new ShapeError(`loadGraphModel: ${this.where}: ${what} must be a single number, got ${n.length} values`);
    return n[0]!;
  }
}

/** `axis` (possibly negative) of a rank-`rank` tensor, checked; `where` names the node. */
export function normAxis(axis: number, rank: number, where: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= Math.max(rank, 1)) throw new ShapeError(`loadGraphModel: ${where}: axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** The largest tensor an op whose size comes from the file (Fill, Tile, Range, padding) may make: 2^28 elements (1 GiB of float32). */
export const MAX_ELEMENTS = 2 ** 28;

/** A ShapeError, before allocating, when `shape` exceeds MAX_ELEMENTS (a corrupt or hostile file). */
export function assertSize(where: string, shape: readonly number[]): void {
  const n = shape.reduce((a, b) => a * Math.max(b, 0), 1);
  if (!(n <= MAX_ELEMENTS)) throw new ShapeError(`loadGraphModel: ${where}: would make a tensor of shape [${shape.join(', ')}] (more than the importer's limit of ${MAX_ELEMENTS} elements)`);
}
