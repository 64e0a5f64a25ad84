// fromTensorSlices: the components are read to the host once; elements and batches are rows of
// those host arrays (zero-copy views for contiguous batches, one gathered buffer for shuffled ones).
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { tensor } from '../ops/creation.js';
import { allocArray, type AnyTypedArray, type TypedArray } from '../tensor/dtype.js';
import { sizeOf } from '../tensor/shape.js';
import { Tensor, type NestedArray } from '../tensor/tensor.js';
import { fromHost, hostData, rowOf, rowsOf } from './host-tensors.js';
import { isPlainObject, unflattenStructure } from './structure.js';
import type { Source } from './transforms.js';

type NumericArray = readonly (number | boolean | NumericArray)[];
/** A component to slice: a tensor, a typed array, or nested JS arrays of numbers. */
export type SliceComponent = Tensor | AnyTypedArray | NumericArray;
/** What `fromTensorSlices` accepts: a component, or a tuple/record (nestable) of them. */
export type SliceSpec = SliceComponent | readonly SliceSpec[] | { readonly [key: string]: SliceSpec };

type SlicedInner<S> = S extends Tensor | AnyTypedArray | NumericArray
  ? Tensor
  : S extends readonly unknown[]
    ? { -readonly [K in keyof S]: SlicedInner<S[K]> }
    : { -readonly [K in keyof S]: SlicedInner<S[K]> };

/**
 * Element type of `fromTensorSlices(spec)`. A top-level array is a tuple of components (TypeScript's
 * `[x, y]` plays Python's `(x, y)`), unless it holds only numbers (then it is one 1-D component).
 */
export type Sliced<S> = S extends Tensor | AnyTypedArray | readonly (number | boolean)[]
  ? Tensor
  : S extends readonly unknown[]
    ? { -readonly [K in keyof S]: SlicedInner<S[K]> }
    : SlicedInner<S>;

function isTypedArray(x: unknown): x is AnyTypedArray {
  return ArrayBuffer.isView(x) && !(x instanceof DataView);
}

/** A nested array is a component unless it holds tensors, typed arrays or records (then it is a tuple). */
function isNumericArray(x: readonly unknown[]): boolean {
  return x.every((v) => typeof v === 'number' || typeof v === 'boolean' || (Array.isArray(v) && isNumericArray(v)));
}

/** Tensors along axis 0 of a spec's components, and a template of its structure. */
function parseSpec(spec: unknown): { template: unknown; components: Tensor[] } {
  const components: Tensor[] = [];
  const asComponent = (x: unknown, path: string): Tensor => {
    const t = x instanceof Tensor ? x : tensor(x as NestedArray | AnyTypedArray);
    if (t.rank === 0) throw new ShapeError(`fromTensorSlices: component ${path} is a scalar; each component needs a leading axis to slice`);
    components.push(t);
    return t;
  };
  const rec = (x: unknown, path: string, top: boolean): unknown => {
    if (x instanceof Tensor || isTypedArray(x)) return asComponent(x, path);
    if (Array.isArray(x)) {
      if (x.length === 0) throw new ValueError(`fromTensorSlices: ${path} is an empty array; expected a component or a tuple of components`);
      if (isNumericArray(x) && (!top || x.every((v) => !Array.isArray(v)))) return asComponent(x, path);
      return x.map((v, i) => rec(v, `${path}[${i}]`, false));
    }
    if (isPlainObject(x)) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, rec(v, `${path}.${k}`, false)]));
    throw new ValueError(`fromTensorSlices: ${path} is ${x === null ? 'null' : typeof x}; expected a tensor, a typed array, nested number arrays, or a tuple/record of them`);
  };
  const template = rec(spec, 'input', true);
  return { template, components };
}

/** The components of `fromTensorSlices`, read to the host once and sliced without copying. */
export class SliceTable<T> {
  readonly length: number;
  private readonly template: unknown;
  private readonly components: Tensor[];
  private hosts: Promise<TypedArray[]> | undefined;

  constructor(spec: unknown) {
    const { template, components } = parseSpec(spec);
    this.template = template;
    this.components = components;
    this.length = components[0]?.shape[0] ?? 0;
    const ragged = components.findIndex((c) => c.shape[0] !== this.length);
    if (ragged >= 0) {
      throw new ShapeError(
        `fromTensorSlices: components have different lengths along axis 0: ${components.map((c) => fmtShape(c.shape)).join(', ')}; all must share their first dimension`,
      );
    }
  }

  private load(): Promise<TypedArray[]> {
    this.hosts ??= Promise.all(this.components.map(hostData));
    return this.hosts;
  }

  private build(parts: Tensor[]): T {
    return unflattenStructure<T>(this.template, parts);
  }

  /** Row indices 0..length-1 in order: the order a shuffle permutes. */
  indices(): Source<number> {
    const n = this.length;
    return async function* () {
      for (let i = 0; i < n; i++) yield i;
    };
  }

  /** Elements in row order, or in the order of `order`. */
  elements(order?: Source<number>): Source<T> {
    return async function* (this: SliceTable<T>) {
      const hosts = await this.load();
      const rows = order ? order() : this.indices()();
      for await (const i of rows) yield this.build(this.components.map((c, k) => rowOf(hosts[k]!, c.shape.slice(1), c.dtype, i)));
    }.bind(this);
  }

  /** Contiguous batches of `size` rows, each a zero-copy view where the backend allows. */
  batches<B>(size: number, dropRemainder: boolean): Source<B> {
    return async function* (this: SliceTable<T>) {
      const hosts = await this.load();
      const stop = dropRemainder ? this.length - (this.length % size) : this.length;
      for (let s = 0; s < stop; s += size) {
        const e = Math.min(s + size, stop);
        yield unflattenStructure<B>(this.template, this.components.map((c, k) => rowsOf(hosts[k]!, c.shape.slice(1), c.dtype, s, e)));
      }
    }.bind(this);
  }

  /** Batches of `size` rows taken in the order of `order`, each gathered into one new buffer. */
  batchesIn<B>(order: Source<number>, size: number, dropRemainder: boolean): Source<B> {
    return async function* (this: SliceTable<T>) {
      const hosts = await this.load();
      let group: number[] = [];
      const gather = (rows: number[]): B =>
        unflattenStructure<B>(
          this.template,
          this.components.map((c, k) => {
            const rowShape = c.shape.slice(1);
            const rowSize = sizeOf(rowShape);
            const src = hosts[k]!;
            const out = allocArray(c.dtype, rows.length * rowSize);
            rows.forEach((r, j) => out.set(src.subarray(r * rowSize, (r + 1) * rowSize), j * rowSize));
            return fromHost(out, [rows.length, ...rowShape], c.dtype);
          }),
        );
      for await (const i of order()) {
        group.push(i);
        if (group.length === size) {
          yield gather(group);
          group = [];
        }
      }
      if (group.length > 0 && !dropRemainder) yield gather(group);
    }.bind(this);
  }
}
