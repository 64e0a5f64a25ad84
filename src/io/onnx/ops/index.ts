// Every ONNX operator nabla imports, by op type (default domain).
import type { OpTable } from '../op-table.js';
import { convOps } from './conv-ops.js';
import { elementwiseOps } from './elementwise.js';
import { linearOps } from './linear-ops.js';
import { poolOps } from './pool-ops.js';
import { reduceOps } from './reduce-ops.js';
import { resizeOps } from './resize-ops.js';
import { randomOps } from './random-ops.js';
import { rnnOps } from './rnn-ops.js';
import { scatterOps } from './scatter-ops.js';
import { shapeOps } from './shape-ops.js';
import { structureOps } from './structure-ops.js';

export const ONNX_OPS: OpTable = {
  ...elementwiseOps,
  ...shapeOps,
  ...structureOps,
  ...reduceOps,
  ...linearOps,
  ...convOps,
  ...poolOps,
  ...resizeOps,
  ...rnnOps,
  ...scatterOps,
  ...randomOps,
};
