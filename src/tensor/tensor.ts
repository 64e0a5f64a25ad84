import { ValueError } from '../errors.js';
import type { Layout } from '../backends/backend.js';
import type { DType, TypedArray } from './dtype.js';
import { formatTensor } from './print.js';
import { sizeOf } from './shape.js';
import type { Storage } from './storage.js';
import type { MemoryGroup } from '../engine/memory.js';

/** Nested JS arrays of a tensor's values. */
export type NestedArray = number | boolean | NestedArray[];

/** The engine's services a tensor needs; set once by the engine to avoid an import cycle. */
export interface TensorRuntime {
  readSync(t: Tensor): TypedArray;
  read(t: Tensor): Promise<TypedArray>;
  dispose(t: Tensor): void;
}
let runtime: TensorRuntime | undefined;
export function setTensorRuntime(r: TensorRuntime): void {
  runtime = r;
}

let nextId = 1;

/**
 * An immutable n-dimensional array on a backend. Views (reshape, transpose, slice, ...) share
 * storage and differ in layout. Ops are attached as methods in `methods.ts`.
 */
export class Tensor implements Layout {
  readonly id = nextId++;
  /** @internal */ storage: Storage;
  shape: readonly number[];
  /** @internal */ strides: readonly number[];
  /** @internal */ offset: number;
  readonly dtype: DType;
  /** Number of elements. */
  readonly size: number;
  /** @internal */ disposed = false;
  /** @internal How many live tapes hold this tensor for their backward pass; `tidy` spares it meanwhile. */
  savedBy = 0;
  /** @internal `tidy` would have disposed it but a tape needed it: the last tape to let go disposes it. */
  spared = false;
  /**
   * @internal Where `engine/memory.ts` counts a second or later tensor over the same storage (a
   * view), so that it stops being counted when the view is collected, not when the buffer is.
   */
  viewGroup: MemoryGroup | undefined = undefined;

  /** @internal Use `nb.tensor(...)` to create tensors. */
  constructor(storage: Storage, layout: Layout) {
    this.storage = storage;
    this.shape = layout.shape;
    this.strides = layout.strides;
    this.offset = layout.offset;
    this.dtype = storage.dtype;
    this.size = sizeOf(layout.shape);
  }

  get rank(): number {
    return this.shape.length;
  }


  /** The backend this tensor lives on. */
  get backend(): string {
    return this.storage.backend.name;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** @internal */
  assertAlive(op: string): void {
    if (this.disposed) {
      throw new ValueError(`${op}: ${this.label()} (shape [${this.shape.join(', ')}], ${this.dtype}) was disposed and cannot be used`);
    }
  }

  /** @internal How error messages name this tensor. */
  label(): string {
    return `tensor #${this.id}`;
  }

  /** @internal Tensors that `tidy` must not dispose (variables). */
  isKeptAlive(): boolean {
    return false;
  }

  /** @internal True for `Variable`s, whose storage `assign` replaces. */
  get isVariable(): boolean {
    return false;
  }

  /** A copy of the values as a flat typed array (row-major). */
  dataSync(): TypedArray {
    return runtime!.readSync(this);
  }

  /** A copy of the values as a flat typed array (row-major), read asynchronously. */
  async data(): Promise<TypedArray> {
    return runtime!.read(this);
  }

  /** The values as nested JS arrays (numbers, or booleans for bool). */
  arraySync(): NestedArray {
    return toNested(this.dataSync(), this.shape, this.dtype);
  }

  /** The values as nested JS arrays, read asynchronously. */
  async array(): Promise<NestedArray> {
    return toNested(await this.data(), this.shape, this.dtype);
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new ValueError(`item: expected a tensor with one element, got shape [${this.shape.join(', ')}]`);
    return this.dataSync()[0]!;
  }

  toString(): string {
    if (this.disposed) return `tensor(<disposed>, shape=[${this.shape.join(', ')}], dtype=${this.dtype})`;
    return formatTensor(this.dataSync(), this.shape, this.dtype);
  }

  /** Release device memory now; CPU memory is also freed by the garbage collector. */
  dispose(): void {
    runtime!.dispose(this);
  }

  /** Dispose at the end of a `using` block. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

function toNested(values: TypedArray, shape: readonly number[], dtype: DType): NestedArray {
  const conv = dtype === 'bool' ? (v: number) => v !== 0 : (v: number) => v;
  if (shape.length === 0) return conv(values[0]!);
  const rec = (dim: number, start: number): NestedArray[] => {
    const n = shape[dim]!;
    const out: NestedArray[] = new Array(n);
    if (dim === shape.length - 1) {
      for (let i = 0; i < n; i++) out[i] = conv(values[start + i]!);
      return out;
    }
    const stride = sizeOf(shape.slice(dim + 1));
    for (let i = 0; i < n; i++) out[i] = rec(dim + 1, start + i * stride);
    return out;
  };
  return rec(0, 0);
}
