// All TensorFlow ops nabla's graph-model importer implements, by TensorFlow op name.
import type { TfOpTable } from '../op-table.js';
import { mathOps } from './math-ops.js';
import { nnOps } from './nn-ops.js';
import { shapeOps } from './shape-ops.js';
import { arrayOps } from './array-ops.js';
import { selectOps } from './select-ops.js';
import { miscOps } from './misc-ops.js';
import { nmsOps } from './nms-ops.js';
import { tableOps } from './table-ops.js';
import { stringOps } from './string-ops.js';

export const TF_OPS: TfOpTable = { ...mathOps, ...selectOps, ...nnOps, ...shapeOps, ...arrayOps, ...miscOps, ...nmsOps, ...tableOps, ...stringOps };

/** Ops that work on host values (strings, tables): a graph with one runs eagerly. */
export const HOST_OPS: ReadonlySet<string> = new Set([...Object.keys(tableOps), ...Object.keys(stringOps)]);
