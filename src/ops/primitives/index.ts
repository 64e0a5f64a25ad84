// The table of every primitive, by name: the contract backends implement (DESIGN.md principle 3).
import { unaryOps } from './unary.js';
import { binaryOps } from './binary.js';
import { compareOps } from './compare.js';
import { castOp } from './cast.js';
import { whereOp } from './select.js';
import { reduceOps, argOps } from './reduce.js';
import { reshapeOp, transposeOp, sliceOp, broadcastToOp, flipOp, padOp } from './shape.js';
import { concatOp } from './structure.js';
import { matmulOp } from './matmul.js';
import { copyOp } from './copy.js';
import { randomOp } from './random.js';
import { readVariableOp } from '../../engine/read-variable.js';
import { convOps } from './conv.js';
import { poolOps } from './pool.js';
import { gatherOp, unsortedSegmentSumOp } from './indexing.js';
import { gatherNDOp, scatterNDOp, tensorScatterUpdateOp } from './gather-nd.js';
import { cumsumOp, cumprodOp } from './cumulative.js';
import { argsortOp } from './sort.js';
import { stopGradientOp } from './stop-gradient.js';

export const PRIMITIVES = {
  ...unaryOps,
  ...binaryOps,
  ...compareOps,
  cast: castOp,
  where: whereOp,
  ...reduceOps,
  ...argOps,
  reshape: reshapeOp,
  transpose: transposeOp,
  slice: sliceOp,
  broadcastTo: broadcastToOp,
  flip: flipOp,
  pad: padOp,
  concat: concatOp,
  matmul: matmulOp,
  copy: copyOp,
  random: randomOp,
  readVariable: readVariableOp,
  stopGradient: stopGradientOp,
  gather: gatherOp,
  unsortedSegmentSum: unsortedSegmentSumOp,
  gatherND: gatherNDOp,
  scatterND: scatterNDOp,
  tensorScatterUpdate: tensorScatterUpdateOp,
  cumsum: cumsumOp,
  cumprod: cumprodOp,
  argsort: argsortOp,
  ...convOps,
  ...poolOps,
};

export type PrimitiveName = keyof typeof PRIMITIVES;

/** The primitives that are stride changes (a `view` rule), which no backend needs a kernel for. */
export const VIEW_OPS = ['reshape', 'transpose', 'slice', 'broadcastTo', 'flip', 'readVariable', 'stopGradient'] as const satisfies readonly PrimitiveName[];
export type ViewOpName = (typeof VIEW_OPS)[number];
