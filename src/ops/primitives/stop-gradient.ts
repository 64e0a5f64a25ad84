import { toTensor, type TensorLike } from '../creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { defineOp, type OpDef } from '../define-op.js';
import { NO_ATTRS, run1 } from '../run.js';
import { declareOp } from '../surface.js';
import { batchBroadcasting } from '../batch-rules.js';

/** Identity whose gradient is zero: tapes do not look through it. */
export const stopGradientOp: OpDef<Record<string, never>> = defineOp<Record<string, never>>({
  name: 'stopGradient',
  infer: ([x]) => [{ shape: x!.shape, dtype: x!.dtype }],
  view: (l) => l,
  notDifferentiable: true,
  batch: (inputs, axes, attrs) => batchBroadcasting(stopGradientOp, inputs, axes, attrs),
});

/** `x` unchanged, with no gradient flowing back through it. */
export function stopGradient(x: TensorLike): Tensor {
  return run1(stopGradientOp, [toTensor(x, 'stopGradient')], NO_ATTRS);
}

// The public surface of these ops (src/ops/surface.ts).
declareOp(stopGradient);
