/**
 * `nb.datasets.breastCancer`: Breast Cancer Wisconsin (Diagnostic), 569 tumours, 30 features, malignant (0) or benign (1).
 * Shipped with nabla as data/breast-cancer-wisconsin.csv (CC BY 4.0; see data/README.md).
 * @module
 */
import { engine } from '../engine/engine.js';
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';

const FILE = 'breast-cancer-wisconsin.csv';
const LABEL = 'target';

/** The Breast Cancer Wisconsin data: features, labels and their names. */
export interface BreastCancer {
  /** Features [569, 30], float32. */
  x: Tensor;
  /** 0 = malignant, 1 = benign; [569], int32. */
  y: Tensor;
  /** The 30 feature names, in column order. */
  featureNames: string[];
  /** Names of the two classes, by label. */
  classNames: string[];
}

/** The shipped file, found from this module whether it runs from src/ or from the built dist/. */
async function shippedFile(): Promise<string> {
  const { access } = await import('node:fs/promises');
  const { dirname, join } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 5; up++) {
    const candidate = join(dir, 'data', FILE);
    try {
      await access(candidate);
      return candidate;
    } catch {
      dir = dirname(dir);
    }
  }
  throw new ValueError(`breastCancer: cannot find data/${FILE} above ${dirname(fileURLToPath(import.meta.url))}; it ships with nabla's package`);
}

/** Parse the CSV text: a header row of names, then numeric rows whose last named column is the label. */
export async function parseBreastCancer(text: string, source: string): Promise<BreastCancer> {
  const { parse } = await import('csv-parse/sync');
  let rows: string[][];
  try {
    rows = parse(text, { bom: true, skip_empty_lines: true }) as string[][];
  } catch (e) {
    throw new ValueError(`breastCancer: ${source} is malformed: ${(e as Error).message}`);
  }
  const header = rows[0]?.map((h) => h.trim()) ?? [];
  const labelAt = header.indexOf(LABEL);
  if (labelAt < 0) throw new ValueError(`breastCancer: ${source} has no '${LABEL}' column; its columns are: ${header.join(', ')}`);
  const featureNames = header.filter((_, i) => i !== labelAt);
  const n = rows.length - 1;
  const x = new Float32Array(n * featureNames.length);
  const y = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const row = rows[r + 1]!;
    let k = 0;
    for (let c = 0; c < header.length; c++) {
      const v = Number(row[c]);
      if (row[c]?.trim() === '' || !Number.isFinite(v)) {
        throw new ValueError(`breastCancer: ${source} line ${r + 2}, column '${header[c]}': '${row[c]}' is not a number`);
      }
      if (c === labelAt) y[r] = v;
      else x[r * featureNames.length + k++] = v;
    }
  }
  return {
    x: engine.fromHost(x, [n, featureNames.length], 'float32'),
    y: engine.fromHost(y, [n], 'int32'),
    featureNames,
    classNames: ['malignant', 'benign'],
  };
}

/** The Wisconsin diagnostic data: `x` [569, 30], `y` [569] (212 malignant = 0, 357 benign = 1). */
export async function load(opts: { path?: string } = {}): Promise<BreastCancer> {
  const { readFile } = await import('node:fs/promises');
  const path = opts.path ?? (await shippedFile());
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ValueError(`breastCancer: cannot read ${path}: ${(e as Error).message}`);
  }
  return parseBreastCancer(text, path);
}
