// Strings on the host: what a CSV string column or a text dataset holds, until a preprocessing
// layer (StringLookup, TextVectorization, Hashing) turns it into numbers. nabla's tensors hold
// numbers on a backend; a StringTensor is only a shape and a JS array, immutable, never on a device.
import { ShapeError, fmtShape } from '../errors.js';
import { flattenNested, nestFlat } from './nested.js';

/** A string, or nested arrays of strings. */
export type NestedStrings = string | readonly NestedStrings[];

export class StringTensor {
  readonly dtype = 'string' as const;
  readonly shape: readonly number[];
  readonly values: readonly string[];

  constructor(values: readonly string[], shape: readonly number[]) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== values.length) throw new ShapeError(`StringTensor: ${values.length} strings do not fill shape ${fmtShape(shape)}`);
    this.values = Object.freeze([...values]);
    this.shape = Object.freeze([...shape]);
  }

  /** From a string or rectangular nested arrays of strings. */
  static from(nested: NestedStrings): StringTensor {
    const { values, shape } = flattenNested('StringTensor', nested, (v): v is string => typeof v === 'string', 'a string');
    return new StringTensor(values, shape);
  }

  get rank(): number {
    return this.shape.length;
  }

  get size(): number {
    return this.values.length;
  }

  /** The strings as nested arrays (a plain string for rank 0). */
  arraySync(): NestedStrings {
    return nestFlat(this.values, this.shape) as NestedStrings;
  }

  /** Row `i` along the first axis. */
  row(i: number): StringTensor {
    if (this.rank === 0) throw new ShapeError('StringTensor.row: a scalar has no rows');
    const step = this.size / this.shape[0]!;
    return new StringTensor(this.values.slice(i * step, (i + 1) * step), this.shape.slice(1));
  }

  toString(): string {
    return `StringTensor ${fmtShape(this.shape)} ${JSON.stringify(this.arraySync())}`;
  }
}

/** `n` string leaves (plain strings or StringTensors of one shape) stacked along a new first axis. */
export function stackStrings(leaves: readonly (string | StringTensor)[], where: string): StringTensor {
  const rows = leaves.map((l) => (typeof l === 'string' ? new StringTensor([l], []) : l));
  const shape = rows[0]!.shape;
  const bad = rows.findIndex((r) => r.shape.length !== shape.length || r.shape.some((d, i) => d !== shape[i]));
  if (bad >= 0) throw new ShapeError(`${where}: string element ${bad} has shape ${fmtShape(rows[bad]!.shape)}, the first ${fmtShape(shape)}`);
  return new StringTensor(rows.flatMap((r) => r.values), [rows.length, ...shape]);
}
