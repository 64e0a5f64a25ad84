import { engine } from '../../../engine/engine.js';
import { traceGraph } from '../../../jit/trace.js';
import { isShapeList } from '../../../nn/layers/layer.js';
import type { DType } from '../../../tensor/dtype.js';
import type { Trainer } from '../../trainer.js';
import { graphDefOf } from './graph-def.js';
import type { GraphDefProto } from './event-proto.js';

/**
 * The model's inference forward pass traced on one example of the shape it was built for (no
 * kernel runs), as a GraphDef; null, with a warning, when the model is not built or cannot be
 * traced (a layer that reads tensor values on the host).
 */
export function modelGraphDef(model: Trainer): GraphDefProto | null {
  const built = model.builtInputShape;
  if (!built) return null;
  const shapes = isShapeList(built) ? built : [built];
  const declared = (model as { inputs?: readonly { dtype: DType }[] }).inputs ?? [];
  const specs = shapes.map((s, i) => ({ shape: s.map((d) => d ?? 1), dtype: declared[i]?.dtype ?? model.dtype }));
  try {
    const graph = engine.pauseRecording(() => traceGraph(specs, (xs) => model.applyAll(xs.length === 1 ? xs[0]! : xs, { training: false })));
    // Ops are named under the layers, as the variables are ('dense/kernel'), not under the model itself.
    for (const n of graph.nodes) {
      if (n.scope === model.name) delete n.scope;
      else if (n.scope?.startsWith(`${model.name}/`)) n.scope = n.scope.slice(model.name.length + 1);
    }
    return graphDefOf(graph);
  } catch (e) {
    console.warn(`nabla: TensorBoard could not trace model '${model.name}' to write its graph (${(e as Error).message}); pass writeGraph: false to skip it`);
    return null;
  }
}
