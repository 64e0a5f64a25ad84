// nb.data.csv: a streaming CSV reader. Rows are parsed as the file is read (csv-parse), never
// loading the whole file, and each row becomes one element.
import { ValueError } from '../errors.js';
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
  /** Values for empty fields, by column name or by position in the file; without one an empty field is an error. */
  columnDefaults?: Readonly<Record<string, number>> | readonly (number | undefined)[];
  /** 'tensor' (default): the features as one float32 tensor [nFeatures]; 'record': one scalar tensor per column. */
  features?: 'tensor' | 'record';
  /** dtype of the label (default float32; int32 for class indices). A label the dtype cannot hold exactly (2.7 or 3e9 as int32, 2 as bool) is an error naming its line. */
  labelDType?: DType;
}

type Features<O> = O extends { features: 'record' } ? Record<string, Tensor> : Tensor;
/** The element `csv` yields: `[features, label]` with a `label`, else the features alone. */
export type CsvElement<O> = O extends { label: string } ? [Features<O>, Tensor] : Features<O>;

/** What was decided from the options and the header: which file column feeds which output. */
interface Plan {
  featureNames: string[];
  featureIndex: number[];
  labelIndex: number;
  defaults: (number | undefined)[];
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
  const defaults = fileColumns.map((c, i) => (Array.isArray(d) ? (d as (number | undefined)[])[i] : (d as Record<string, number> | undefined)?.[c]));
  if (d && !Array.isArray(d)) Object.keys(d).forEach((c) => find(c, 'columnDefaults entry'));
  return { featureNames, featureIndex: featureNames.map((c) => find(c, 'column')), labelIndex, defaults, fileColumns };
}

function parseField(raw: string | undefined, col: number, plan: Plan, where: string): number {
  const text = (raw ?? '').trim();
  if (text === '') {
    const v = plan.defaults[col];
    if (v === undefined) throw new ValueError(`csv: ${where}, column '${plan.fileColumns[col]}': empty field and no columnDefaults entry for it`);
    return v;
  }
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

function checkOptions(path: string, opts: CsvOptions): void {
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
 * A dataset over the rows of a CSV file, streamed as it is read. Numeric columns only; each row is
 * one element: `[features, label]` with `label`, else the features (see `CsvOptions.features`).
 *
 * ```ts
 * const ds = nb.data.csv('data/breast-cancer-wisconsin.csv', { label: 'target' }).batch(32);
 * ```
 */
export function csv<const O extends CsvOptions = {}>(path: string, opts: O = {} as O): Dataset<CsvElement<O>> {
  checkOptions(path, opts);
  const labelDType = opts.labelDType ?? 'float32';
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
      const values = p.featureIndex.map((c) => checkFits(parseField(fields[c], c, p, where), 'float32', p.fileColumns[c]!, where));
      const x = asRecord
        ? Object.fromEntries(p.featureNames.map((name, k) => [name, fromHost(Float32Array.of(values[k]!), [], 'float32')]))
        : fromHost(Float32Array.from(values), [values.length], 'float32');
      if (p.labelIndex < 0) {
        yield x;
        continue;
      }
      const y = allocArray(labelDType, 1);
      y[0] = checkFits(parseField(fields[p.labelIndex], p.labelIndex, p, where), labelDType, p.fileColumns[p.labelIndex]!, where);
      yield [x, fromHost(y, [], labelDType)];
    }
  }
  return Dataset.fromSource(rows as () => AsyncIterable<CsvElement<O>>, UNKNOWN);
}
