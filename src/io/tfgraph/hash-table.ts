// A TensorFlow hash table (HashTable/HashTableV2) on the host: keys are strings or numbers, each
// value a row (a number row, or a string) of the value tensor imported with it.
import { DTypeError, ShapeError, fmtShape } from '../../errors.js';
import type { DType } from '../../tensor/dtype.js';

export type TableKey = string | number;

export class TfHashTable {
  private readonly rows = new Map<TableKey, number>();
  private values: readonly (string | number)[] = [];
  /** The shape of one value (TF.js's tables hold scalars; a row per key for wider values). */
  private rowShape: readonly number[] = [];

  constructor(
    /** "HashTableV2 node 'table'": how errors refer to it. */
    readonly where: string,
    readonly keyType: 'string' | DType,
    readonly valueType: 'string' | DType,
  ) {}

  get size(): number {
    return this.rows.size;
  }

  /** Replaces the contents (LookupTableImport): key i gets row i of `values`. */
  import(keys: readonly TableKey[], values: readonly (string | number)[], valueShape: readonly number[], where: string): void {
    this.check(keys, 'keys', this.keyType, where);
    this.check(values, 'values', this.valueType, where);
    if (valueShape[0] !== keys.length) throw new ShapeError(`loadGraphModel: ${where}: ${keys.length} keys for values of shape ${fmtShape(valueShape)} (one row per key expected)`);
    this.rows.clear();
    keys.forEach((k, i) => this.rows.set(k, i));
    this.values = values;
    this.rowShape = valueShape.slice(1);
  }

  /** The values of `keys` (LookupTableFind), `fallback` (one row) for absent keys; `keyShape` then the row's shape. */
  find(keys: readonly TableKey[], keyShape: readonly number[], fallback: readonly (string | number)[], where: string): { values: (string | number)[]; shape: number[] } {
    this.check(keys, 'keys', this.keyType, where);
    this.check(fallback, 'default_value', this.valueType, where);
    const width = this.rowShape.reduce((a, b) => a * b, 1);
    if (fallback.length !== width && fallback.length !== 1) throw new ShapeError(`loadGraphModel: ${where}: default_value has ${fallback.length} elements; the table's values have ${width} per key`);
    const out: (string | number)[] = [];
    for (const k of keys) {
      const r = this.rows.get(k);
      if (r === undefined) for (let j = 0; j < width; j++) out.push(fallback[fallback.length === 1 ? 0 : j]!);
      else for (let j = 0; j < width; j++) out.push(this.values[r * width + j]!);
    }
    return { values: out, shape: [...keyShape, ...this.rowShape] };
  }

  private check(xs: readonly (string | number)[], what: string, type: 'string' | DType, where: string): void {
    const strings = type === 'string';
    if (xs.length > 0 && (typeof xs[0] === 'string') !== strings) {
      throw new DTypeError(`loadGraphModel: ${where}: ${what} are ${typeof xs[0] === 'string' ? 'strings' : 'numbers'}, but the table ${this.where} holds ${strings ? 'strings' : 'numbers'} there`);
    }
  }
}
