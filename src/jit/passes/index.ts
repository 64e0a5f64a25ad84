import type { Backend } from '../../backends/backend.js';
import type { Graph } from '../graph.js';
import { foldConstants } from './constant-folding.js';
import { eliminateCommonSubexpressions } from './cse.js';
import { eliminateDeadCode } from './dce.js';
import { foldAffineIntoLinear } from './fold-affine.js';
import { fuseElementwise, fuseLinear } from './fusion.js';
import { sinkPointwiseBelowTranspose } from './sink-transpose.js';
import { simplify } from './simplify.js';
import { channelsLastImages } from './channels-last.js';
import { prepackWeights } from './prepack-weights.js';
import { reduceBeforeTranspose } from './reduce-transpose.js';
import { untransposeWeights } from './untranspose-weights.js';
import { fuseConvPool } from './conv-pool.js';
import { fuseSoftmaxRows } from './softmax-rows.js';

export { fuseSoftmaxRows, fuseConvPool, prepackWeights, reduceBeforeTranspose, untransposeWeights, channelsLastImages, foldAffineIntoLinear, sinkPointwiseBelowTranspose, foldConstants, eliminateCommonSubexpressions, eliminateDeadCode, fuseElementwise, fuseLinear, simplify };

/** What each pass changed, for the graph dump and tests. */
export type PassStats = Record<string, number>;

/** Options of {@link optimize}. */
export interface OptimizeOptions {
  /**
   * The graph only runs a model forward (predict, evaluate): rewrites that change float rounding
   * but not the math, such as folding BatchNormalization into the conv/dense before it, may run.
   */
  inference?: boolean;
  /**
   * A training step: fold per-channel affine chains into the conv/dense before them only where the
   * step updates none of the weights involved (frozen layers: BatchNormalization with trainable
   * false after a frozen conv). Changes float rounding against eager training.
   */
  foldFrozen?: boolean;
}

/** The optimisation pipeline, in order; fusion only where the backend has the fused kernels. */
export function optimize(g: Graph, backend: Backend, opts: OptimizeOptions = {}): PassStats {
  const stats: PassStats = {};
  const run = (name: string, f: () => number) => (stats[name] = (stats[name] ?? 0) + f());
  if (opts.inference) {
    run('channelsLast', () => channelsLastImages(g));
    run('sinkTranspose', () => sinkPointwiseBelowTranspose(g));
    run('reduceTranspose', () => reduceBeforeTranspose(g));
    run('foldAffine', () => foldAffineIntoLinear(g));
    run('untransposeWeights', () => untransposeWeights(g));
  } else if (opts.foldFrozen) {
    // A traced training step still holds backward nodes nothing reads (gradients of frozen
    // weights): they would count as second uses of the forward chain.
    run('dce', () => eliminateDeadCode(g));
    run('foldAffine', () => foldAffineIntoLinear(g));
  }
  for (let round = 0; round < 3; round++) {
    const before = g.nodes.length;
    run('simplify', () => simplify(g));
    run('constantFolding', () => foldConstants(g));
    run('cse', () => eliminateCommonSubexpressions(g));
    run('dce', () => eliminateDeadCode(g));
    if (g.nodes.length === before) break;
  }
  if (opts.inference) run('softmaxRows', () => fuseSoftmaxRows(g, backend.kernels));
  run('fuseLinear', () => fuseLinear(g, backend.kernels));
  run('fuseElementwise', () => fuseElementwise(g, backend.kernels, backend.maxFusedInputs, backend.maxFusedOutputs));
  run('dce', () => eliminateDeadCode(g));
  // Last: the packs must see the final weights (folded BatchNormalization included).
  if (opts.inference) run('prepack', () => prepackWeights(g, backend));
  // After the packs: the fused node takes over a conv's packed filter with its other inputs.
  run('convPool', () => fuseConvPool(g, backend.kernels));
  return stats;
}
