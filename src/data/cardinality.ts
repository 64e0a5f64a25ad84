// Cardinality: the number of elements a dataset yields per pass, when it is known without
// iterating. The two sentinels follow tf.data.

/** The dataset never ends (`repeat()` without a count). */
export const INFINITE = -1;
/** The count depends on the data (`filter`, generators, CSV files). */
export const UNKNOWN = -2;

/** Cardinality of a dataset that yields `n` for each element of one of cardinality `c`. */
export function scaleCardinality(c: number, n: number): number {
  if (c === INFINITE || c === UNKNOWN) return n === 0 ? 0 : c;
  return c * n;
}

/** Cardinality after `batch(size)`. */
export function batchCardinality(c: number, size: number, dropRemainder: boolean): number {
  if (c < 0) return c;
  return dropRemainder ? Math.floor(c / size) : Math.ceil(c / size);
}

/** Cardinality of several datasets one after another. */
export function sumCardinality(cs: readonly number[]): number {
  if (cs.includes(INFINITE)) return INFINITE;
  if (cs.includes(UNKNOWN)) return UNKNOWN;
  return cs.reduce((a, b) => a + b, 0);
}

/** Cardinality of datasets zipped together (the shortest wins). */
export function minCardinality(cs: readonly number[]): number {
  const known = cs.filter((c) => c >= 0);
  if (known.length > 0) {
    const m = Math.min(...known);
    return cs.includes(UNKNOWN) ? (m === 0 ? 0 : UNKNOWN) : m;
  }
  return cs.includes(UNKNOWN) ? UNKNOWN : INFINITE;
}
