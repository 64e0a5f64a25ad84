// Constant folding of shape subgraphs (Shape -> Gather -> Concat -> Reshape): a node whose inputs
// are all host constants runs eagerly on the js backend, outside any jit trace, so its result is a
// concrete value the next op can read (a reshape target, slice bounds) even while nb.jit traces
// the rest of the graph. Shapes are concrete per input signature, so this folds once per shape.
import { engine } from '../../engine/engine.js';
import { keep, withBackend } from '../../backends/registry.js';
import type { Tensor } from '../../tensor/tensor.js';

export function hostEval(fn: () => Tensor[]): Tensor[] {
  const tracer = engine.tracer;
  engine.tracer = null;
  try {
    // kept: folded values are reused across calls and must outlive the caller's tidy().
    return withBackend('js', fn).map((t) => keep(t));
  } finally {
    engine.tracer = tracer;
  }
}
