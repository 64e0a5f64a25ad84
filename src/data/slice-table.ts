// fromTensorSlices: the components are read to the host once; elements and batches are rows of
// those host arrays (zero-copy views for contiguous batches, one gathered buffer for shuffled ones).
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { tensor } from '../ops/creation.js';
import { allocArray, type AnyTypedArray, type TypedArray } from '../tensor/dtype.js';
import { sizeOf } from '../tensor/shape.js';
import { Tensor, type NestedArray } from '../tensor/tensor.js';
import { StringTensor } from '../tensor/string-tensor.js';
import { fromHost, hostData, rowOf, rowsOf } from './host-tensors.js';
import { isPlainObject, unflattenStructure } from './structure.js';
import type { Source } from './transforms.js';

type NumericArray = readonly (number | boolean | NumericArray)[];
type StringArray = readonly (string | StringArray)[];
/** A component to slice: a tensor, a typed array, nested JS arrays of numbers, or strings (a StringTensor or nested arrays). */
export type SliceComponent = Tensor | AnyTypedArray | NumericArray | StringTensor | StringArray;
/** What `fromTensorSlices` accepts: a component, or a tuple/record (nestable) of them. */
export type SliceSpec = SliceComponent | readonly SliceSpec[] | { readonly [key: string]: SliceSpec };

/** A slice of strings: a string from a 1-D component, a StringTensor row from a deeper one. */
type StringSlice<S> = S extends readonly string[] ? string : S extends StringArray ? StringTensor : string | StringTensor;

type SlicedInner<S> = S extends Tensor | AnyTypedArray | NumericArray
  ? Tensor
  : S extends StringTensor | StringArray
    ? StringSlice<S>
    : S extends readonly unknown[]
    ? { -readonly [K in keyof S]: SlicedInner<S[K]> }
    : { -readonly [K in keyof S]: SlicedInner<S[K]> };

/**
 * Element type of `fromTensorSlices(spec)`. A top-level array is a tuple of components (TypeScript's
 * `[x, y]` plays Python's `(x, y)`), unless it holds only numbers (then it is one 1-D component).
 */
export type Sliced<S> = S extends Tensor | AnyTypedArray | readonly (number | boolean)[]
  ? Tensor
  : S extends StringTensor | readonly string[]
    ? StringSlice<S>
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

function isStringArray(x: readonly unknown[]): boolean {
  return x.every((v) => typeof v === 'string' || (Array.isArray(v) && v.length > 0 && isStringArray(v)));
}

type Component = Tensor | StringTensor;
/** A component's values on the host: numbers in a typed array, or strings. */
type HostValues = TypedArray | readonly string[];

/** Tensors (or StringTensors) along axis 0 of a spec's components, and a template of its structure. */
function parseSpec(spec: unknown): { template: unknown; components: Component[] } {
  const components: Component[] = [];
  const asComponent = (x: unknown, path: string): Component => {
    const t = x instanceof Tensor || x instanceof StringTensor ? x : Array.isArray(x) && isStringArray(x) ? StringTensor.from(x as StringArray) : tensor(x as NestedArray | AnyTypedArray);
    if (t.rank === 0) throw new ShapeError(`fromTensorSlices: component ${path} is a scalar; each component needs a leading axis to slice`);
    components.push(t);
    return t;
  };
  const rec = (x: unknown, path: string, top: boolean): unknown => {
    if (x instanceof Tensor || x instanceof StringTensor || isTypedArray(x)) return asComponent(x, path);
    if (Array.isArray(x)) {
      if (x.length === 0) throw new ValueError(`fromTensorSlices: ${path} is an empty array; expected a component or a tuple of components`);
      const component = isNumericArray(x) || isStringArray(x);
      if (component && (!top || x.every((v) => !Array.isArray(v)))) return asComponent(x, path);
      return x.map((v, i) => rec(v, `${path}[${i}]`, false));
    }
    if (isPlainObject(x)) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, rec(v, `${path}.${k}`, false)]));
    throw new ValueError(`fromTensorSlices: ${path} is ${x === null ? 'null' : typeof x}; expected a tensor, a typed array, nested number or string arrays, a StringTensor, or a tuple/record of them`);
  };
  const template = rec(spec, 'input', true);
  return { template, components };
}

/** The components of `fromTensorSlices`, read to the host once and sliced without copying. */
export class SliceTable<T> {
  readonly length: number;
  private readonly template: unknown;
  private readonly components: Component[];
  private hosts: Promise<HostValues[]> | undefined;

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

  private load(): Promise<HostValues[]> {
    this.hosts ??= Promise.all(this.components.map((c) => (c instanceof StringTensor ? c.values : hostData(c))));
    return this.hosts;
  }

  private build(parts: unknown[]): T {
    return unflattenStructure<T>(this.template, parts);
  }

  /** Row `i` of component `k`: a tensor, or a string (a StringTensor row below a 1-D component). */
  private row(hosts: HostValues[], k: number, i: number): Tensor | StringTensor | string {
    const c = this.components[k]!;
    const rowShape = c.shape.slice(1);
    if (c instanceof Tensor) return rowOf(hosts[k] as TypedArray, rowShape, c.dtype, i);
    const size = sizeOf(rowShape);
    const values = hosts[k] as readonly string[];
    return rowShape.length === 0 ? values[i]! : new StringTensor(values.slice(i * size, (i + 1) * size), rowShape);
  }

  /** Rows `rows` of component `k` stacked: contiguous rows `[start, end)` as a view where possible. */
  private rows(hosts: HostValues[], k: number, rows: number[] | { start: number; end: number }): Tensor | StringTensor {
    const c = this.components[k]!;
    const rowShape = c.shape.slice(1);
    const rowSize = sizeOf(rowShape);
    if (!Array.isArray(rows)) {
      if (c instanceof Tensor) return rowsOf(hosts[k] as TypedArray, rowShape, c.dtype, rows.start, rows.end);
      return new StringTensor((hosts[k] as readonly string[]).slice(rows.start * rowSize, rows.end * rowSize), [rows.end - rows.start, ...rowShape]);
    }
    if (c instanceof StringTensor) {
      const values = hosts[k] as readonly string[];
      return new StringTensor(rows.flatMap((r) => values.slice(r * rowSize, (r + 1) * rowSize)), [rows.length, ...rowShape]);
    }
    const src = hosts[k] as TypedArray;
    const out = allocArray(c.dtype, rows.length * rowSize);
    rows.forEach((r, j) => out.set(src.subarray(r * rowSize, (r + 1) * rowSize), j * rowSize));
    return fromHost(out, [rows.length, ...rowShape], c.dtype);
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
      for await (const i of rows) yield this.build(this.components.map((_, k) => this.row(hosts, k, i)));
    }.bind(this);
  }

  /** Contiguous batches of `size` rows, each a zero-copy view where the backend allows. */
  batches<B>(size: number, dropRemainder: boolean): Source<B> {
    return async function* (this: SliceTable<T>) {
      const hosts = await this.load();
      const stop = dropRemainder ? this.length - (this.length % size) : this.length;
      for (let s = 0; s < stop; s += size) {
        const e = Math.min(s + size, stop);
        yield unflattenStructure<B>(this.template, this.components.map((_, k) => this.rows(hosts, k, { start: s, end: e })));
      }
    }.bind(this);
  }

  /** Batches of `size` rows taken in the order of `order`, each gathered into one new buffer. */
  batchesIn<B>(order: Source<number>, size: number, dropRemainder: boolean): Source<B> {
    return async function* (this: SliceTable<T>) {
      const hosts = await this.load();
      let group: number[] = [];
      const gather = (rows: number[]): B => unflattenStructure<B>(this.template, this.components.map((_, k) => this.rows(hosts, k, rows)));
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
