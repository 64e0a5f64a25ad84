// nb.data.csv: a streaming CSV reader. Rows are parsed as the file is read (csv-parse), never
// loading the whole file, and each row becomes one element.
import { ValueError } from '../errors.js';
import { checkOptions, optionKeys } from '../check-options.js';
import { allocArray, assertDType, type DType } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { UNKNOWN } from './cardinality.js';
import { Dataset } from './dataset.js';
import { fromHost } from './host-tensors.js';

/** Options of `csv`: columns, label, header, delimiter, defaults and feature layout. */
export interface CsvOptions {
  /** Columns to read, in this order (default: every column). The label may be among them or not. */
  columns?: readonly string[];
  /** The label column: elements become `[features, label]`, ready for `fit`. */
  label?: string;
  /** Whether the first line names the columns (default true). */
  header?: boolean;
  /** Names of the file's columns, for a file without a header (or to rename them). Column names must be unique: a header naming a column twice is an error, fixed by giving columnNames. */
  columnNames?: readonly string[];
  /** Field separator (default ','). */
  delimiter?: string;
  /** Values for missing fields (empty or in naValues), by column name or by position in the file; without one a missing field is an error. NaN is a valid default (then `filter` drops the row, as pandas' dropna). */
  columnDefaults?: Readonly<Record<string, number | string>> | readonly (number | string | undefined)[];
  /** Field texts that mean "missing", besides the empty field (e.g. `['?', 'NA']`). */
  naValues?: readonly string[];
  /** Columns read as text (`'string'`) rather than numbers (`'number'`, the default); they need `features: 'record'` (or be the label) and become strings, batched into StringTensors. */
  columnTypes?: Readonly<Record<string, 'number' | 'string'>>;
  /** 'tensor' (default): the features as one float32 tensor [nFeatures]; 'record': one scalar tensor per column. */
  features?: 'tensor' | 'record';
  /** dtype of the label (default float32; int32 for class indices). A label the dtype cannot hold exactly (2.7 or 3e9 as int32, 2 as bool) is an error naming its line. */
  labelDType?: DType;
}

/** A column's value: a scalar tensor, or a string where columnTypes may say so. */
type Column<O> = O extends { columnTypes: object } ? Tensor | string : Tensor;
type Features<O> = O extends { features: 'record' } ? Record<string, Column<O>> : Tensor;
/** The label's value: a string only when columnTypes reads the label column as strings. */
type Label<O> = O extends { label: infer L extends string; columnTypes: infer T }
  ? L extends keyof T
    ? T[L] extends 'number'
      ? Tensor
      : T[L] extends 'string'
        ? string
        : Tensor | string
    : string extends keyof T
      ? Tensor | string
      : Tensor
  : Tensor;
/** The element `csv` yields: `[features, label]` with a `label`, else the features alone (string columns as strings). */
export type CsvElement<O> = O extends { label: string } ? [Features<O>, Label<O>] : Features<O>;

/** What was decided from the options and the header: which file column feeds which output. */
interface Plan {
  featureNames: string[];
  featureIndex: number[];
  labelIndex: number;
  defaults: (number | string | undefined)[];
  isString: boolean[];
  fileColumns: string[];
}

function makePlan(fileColumns: string[], opts: CsvOptions, path: string): Plan {
  // A repeated name would make every lookup by name read its first column; refuse rather than guess.
  const repeated = [...new Set(fileColumns.filter((c, i) => fileColumns.indexOf(c) !== i))];
  if (repeated.length) {
    const from = opts.columnNames ? 'columnNames' : `the header of ${path}`;
    throw new ValueError(`csv: ${from} names ${repeated.map((c) => `'${c}'`).join(', ')} more than once (${fileColumns.join(', ')}); name the columns with columnNames, which replace the header line`);
  }
  const find = (name: string, what: string): number => {
    const i = fileColumns.indexOf(name);
    if (i < 0) throw new ValueError(`csv: ${what} '${name}' is not a column of ${path}; its columns are: ${fileColumns.join(', ')}`);
    return i;
  };
  const selected = opts.columns ? [...opts.columns] : fileColumns;
  selected.forEach((c) => find(c, 'column'));
  const labelIndex = opts.label === undefined ? -1 : find(opts.label, 'label');
  const featureNames = selected.filter((c) => c !== opts.label);
  const d = opts.columnDefaults;
  const defaults = fileColumns.map((c, i) => (Array.isArray(d) ? (d as (number | string | undefined)[])[i] : (d as Record<string, number | string> | undefined)?.[c]));
  if (d && !Array.isArray(d)) Object.keys(d).forEach((c) => find(c, 'columnDefaults entry'));
  const types = opts.columnTypes ?? {};
  Object.keys(types).forEach((c) => find(c, 'columnTypes entry'));
  const isString = fileColumns.map((c) => types[c] === 'string');
  const featureIndex = featureNames.map((c) => find(c, 'column'));
  const stringFeature = featureIndex.find((i) => isString[i]);
  if (stringFeature !== undefined && opts.features !== 'record') {
    throw new ValueError(`csv: column '${fileColumns[stringFeature]}' is read as strings, which cannot share a float32 features tensor; use features: 'record' (one entry per column)`);
  }
  defaults.forEach((v, i) => {
    if (v !== undefined && typeof v !== (isString[i] ? 'string' : 'number')) {
      throw new ValueError(`csv: columnDefaults for '${fileColumns[i]}' is ${JSON.stringify(v)}, but the column is read as ${isString[i] ? 'strings' : 'numbers'}`);
    }
  });
  return { featureNames, featureIndex, labelIndex, defaults, isString, fileColumns };
}

/** A field's text, or its column's default when it is missing (empty or one of naValues). */
function fieldText(raw: string | undefined, col: number, plan: Plan, where: string, naValues: ReadonlySet<string>): { text: string } | { value: number | string } {
  const text = (raw ?? '').trim();
  if (text !== '' && !naValues.has(text)) return { text };
  const v = plan.defaults[col];
  if (v === undefined) {
    throw new ValueError(`csv: ${where}, column '${plan.fileColumns[col]}': ${text === '' ? 'empty field' : `missing value '${text}'`} and no columnDefaults entry for it`);
  }
  return { value: v };
}

function parseString(raw: string | undefined, col: number, plan: Plan, where: string, naValues: ReadonlySet<string>): string {
  const f = fieldText(raw, col, plan, where, naValues);
  return 'text' in f ? f.text : (f.value as string);
}

function parseField(raw: string | undefined, col: number, plan: Plan, where: string, naValues: ReadonlySet<string>): number {
  const f = fieldText(raw, col, plan, where, naValues);
  if (!('text' in f)) return f.value as number;
  const text = f.text;
  const v = Number(text);
  if (Number.isNaN(v) && !/^[+-]?nan$/i.test(text)) {
    throw new ValueError(`csv: ${where}, column '${plan.fileColumns[col]}': '${text}' is not a number`);
  }
  return v;
}

const FLOAT32_MAX = 3.4028234663852886e38;

/** `v` unchanged when `dtype` holds it (float32 rounds, as expected); a value it would wrap, truncate or overflow is an error. */
function checkFits(v: number, dtype: DType, column: string, where: string): number {
  const bad = (expected: string) => new ValueError(`csv: ${where}, column '${column}': ${v} does not fit the ${dtype} it is read as (${expected})`);
  if (dtype === 'int32' && !(Number.isInteger(v) && v >= -2147483648 && v <= 2147483647)) throw bad('int32 holds whole numbers from -2147483648 to 2147483647; use labelDType float32 or float64');
  if (dtype === 'bool' && v !== 0 && v !== 1) throw bad('bool labels are 0 or 1');
  if (dtype === 'float32' && Number.isFinite(v) && Math.abs(v) > FLOAT32_MAX) throw bad(`float32 reaches ${FLOAT32_MAX}`);
  return v;
}

const CSV_KEYS = optionKeys<CsvOptions>({
  columns: true, label: true, header: true, columnNames: true, delimiter: true, columnDefaults: true, naValues: true, columnTypes: true, features: true, labelDType: true,
});

function validateOptions(path: string, opts: CsvOptions): void {
  checkOptions('csv', opts, CSV_KEYS);
  for (const [c, t] of Object.entries(opts.columnTypes ?? {})) {
    if (t !== 'number' && t !== 'string') throw new ValueError(`csv: columnTypes['${c}'] must be 'number' or 'string', got ${JSON.stringify(t)}`);
  }
  if (opts.naValues !== undefined && !(Array.isArray(opts.naValues) && opts.naValues.every((v) => typeof v === 'string'))) {
    throw new ValueError(`csv: naValues must be an array of strings, got ${JSON.stringify(opts.naValues)}`);
  }
  if (typeof path !== 'string' || path === '') throw new ValueError(`csv: expected a file path, got ${JSON.stringify(path)}`);
  if (opts.header === false && !opts.columnNames) throw new ValueError('csv: a file without a header needs columnNames');
  if (opts.delimiter !== undefined && (typeof opts.delimiter !== 'string' || opts.delimiter.length === 0)) {
    throw new ValueError(`csv: delimiter must be a non-empty string, got ${JSON.stringify(opts.delimiter)}`);
  }
  if (opts.features !== undefined && opts.features !== 'tensor' && opts.features !== 'record') {
    throw new ValueError(`csv: features must be 'tensor' or 'record', got ${JSON.stringify(opts.features)}`);
  }
  if (opts.labelDType !== undefined) assertDType(opts.labelDType, 'csv');
}

/** Rows of `path` as numbers, with the line each ended on (1-based, as an editor counts). */
async function* readRows(path: string, opts: CsvOptions): AsyncGenerator<{ fields: string[]; line: number }> {
  const { createReadStream } = await import('node:fs');
  const { parse } = await import('csv-parse');
  const file = createReadStream(path);
  const opened = new Promise<void>((resolve, reject) => {
    file.once('open', () => resolve());
    file.once('error', (e) => reject(new ValueError(`csv: cannot read ${path}: ${e.message}`)));
  });
  await opened;
  const parser = file.pipe(parse({ delimiter: opts.delimiter ?? ',', bom: true, skip_empty_lines: true, info: true }));
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      yield { fields: record, line: info.lines };
    }
  } catch (e) {
    if (e instanceof ValueError) throw e;
    throw new ValueError(`csv: ${path} is malformed: ${(e as Error).message}`);
  } finally {
    parser.destroy();
    file.destroy();
  }
}

/**
 * A dataset over the rows of a CSV file, streamed as it is read. Columns are numbers unless
 * `columnTypes` says 'string'; missing fields (empty or in `naValues`) take `columnDefaults`. Each row is
 * one element: `[features, label]` with `label`, else the features (see `CsvOptions.features`).
 *
 * ```ts
 * const ds = nb.data.csv('data/breast-cancer-wisconsin.csv', { label: 'target' }).batch(32);
 * ```
 */
export function csv<const O extends CsvOptions = {}>(path: string, opts: O = {} as O): Dataset<CsvElement<O>> {
  validateOptions(path, opts);
  const labelDType = opts.labelDType ?? 'float32';
  const naValues = new Set(opts.naValues ?? []);
  const asRecord = opts.features === 'record';
  async function* rows(): AsyncGenerator<unknown> {
    let plan: Plan | undefined = opts.header === false ? makePlan([...opts.columnNames!], opts, path) : undefined;
    for await (const { fields, line } of readRows(path, opts)) {
      if (!plan) {
        plan = makePlan(opts.columnNames ? [...opts.columnNames] : fields.map((f) => f.trim()), opts, path);
        continue;
      }
      const where = `${path} line ${line}`;
      if (fields.length !== plan.fileColumns.length) {
        throw new ValueError(`csv: ${where} has ${fields.length} fields; expected ${plan.fileColumns.length} (${plan.fileColumns.join(', ')})`);
      }
      const p = plan;
      const value = (c: number) => (p.isString[c] ? parseString(fields[c], c, p, where, naValues) : checkFits(parseField(fields[c], c, p, where, naValues), 'float32', p.fileColumns[c]!, where));
      const values = p.featureIndex.map(value);
      const x = asRecord
        ? Object.fromEntries(p.featureNames.map((name, k) => [name, typeof values[k] === 'string' ? values[k] : fromHost(Float32Array.of(values[k] as number), [], 'float32')]))
        : fromHost(Float32Array.from(values as number[]), [values.length], 'float32');
      if (p.labelIndex < 0) {
        yield x;
        continue;
      }
      if (p.isString[p.labelIndex]) {
        yield [x, parseString(fields[p.labelIndex], p.labelIndex, p, where, naValues)];
        continue;
      }
      const y = allocArray(labelDType, 1);
      y[0] = checkFits(parseField(fields[p.labelIndex], p.labelIndex, p, where, naValues), labelDType, p.fileColumns[p.labelIndex]!, where);
      yield [x, fromHost(y, [], labelDType)];
    }
  }
  return Dataset.fromSource(rows as () => AsyncIterable<CsvElement<O>>, UNKNOWN);
}
