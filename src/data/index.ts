/**
 * `nb.data`: input pipelines.
 * @module
 */
export { Dataset, type MapOptions, type ShuffleOptions, type BatchOptions, type PaddedBatchOptions } from './dataset.js';
export { INFINITE, UNKNOWN } from './cardinality.js';
export { AUTOTUNE } from './parallel.js';
export type { Batched, Unbatched, Structure, Leaf } from './structure.js';
export type { SliceSpec, Sliced } from './slice-table.js';
export type { GeneratorResult } from './sources.js';
export type { PaddedShapes, PaddingValues } from './batching.js';
export { csv, type CsvOptions, type CsvElement } from './csv.js';
