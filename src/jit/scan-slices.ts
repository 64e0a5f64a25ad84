import { engine } from '../engine/engine.js';
import { defineOp, type OpDef } from '../ops/define-op.js';
import { run } from '../ops/run.js';
import { stack, unstack } from '../ops/primitives/structure.js';
import { moveAxis } from '../ops/primitives/shape.js';
import { sizeOf } from '../tensor/shape.js';
import { contiguousLayout } from '../tensor/layout.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * All slices of x along its leading axis as one op with one output per slice. An eager scan under
 * a tape reads xs this way: its gradient stacks the slices' gradients once, where one slice op per
 * step would scatter each step's gradient into zeros of x's full shape and sum those (work and
 * memory quadratic in the length: gigabytes for an LSTM over 100 steps).
 */
const scanSlicesOp: OpDef<Record<string, never>> = defineOp<Record<string, never>>({
  name: 'scanSlices',
  infer: ([x]) => Array.from({ length: x!.shape[0]! }, () => ({ shape: x!.shape.slice(1), dtype: x!.dtype })),
  linear: true,
  portable: true,
  ref: ([x]) => {
    const backend = engine.backend;
    const inner = x!.shape.slice(1);
    const n = sizeOf(inner);
    return Array.from({ length: x!.shape[0]! }, (_, i) => backend.materialize(x!.data, x!.dtype, contiguousLayout(inner, i * n))) as never;
  },
  grad: (dys) => [stack(dys)],
  // Under nb.vmap: slice along the unbatched leading axis (the batch axis moved behind it if it was first).
  batch: ([x], [axis]) => {
    const a = axis ?? null;
    const moved = a === 0 ? moveAxis(x!, 0, 1) : x!;
    const outputs: Tensor[] = run(scanSlicesOp, [moved], {});
    return { outputs, axes: outputs.map(() => (a === null ? null : a === 0 ? 0 : a - 1)) };
  },
});

/** The slices of x along axis 0: views normally, one differentiable op while a tape records outside any trace. */
export function scanSlices(x: Tensor): Tensor[] {
  if (x.shape[0] === 0) return [];
  if (!engine.isRecording() || engine.tracer) return unstack(x);
  return run(scanSlicesOp, [x], {});
}
