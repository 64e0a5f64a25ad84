import { toTensor, type TensorLike } from '../creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { defineOp, type OpDef } from '../define-op.js';
import { NO_ATTRS, run1 } from '../run.js';
import { declareOp } from '../surface.js';
import { batchBroadcasting } from '../batch-rules.js';

/** A fresh contiguous buffer with the same values (the engine has already gathered strided views). */
export const copyOp: OpDef<Record<string, never>> = defineOp<Record<string, never>>({
  name: 'copy',
  linear: true,
  infer: ([x]) => [{ shape: x!.shape, dtype: x!.dtype }],
  ref: ([x]) => [x!.data.slice()],
  grad: ([dy]) => [dy!],
  batch: (inputs, axes, attrs) => batchBroadcasting(copyOp, inputs, axes, attrs),
});

/** A copy of `x` with its own contiguous storage. */
export function copy(x: TensorLike): Tensor {
  return run1(copyOp, [toTensor(x, 'copy')], NO_ATTRS);
}

// The public surface of these ops (src/ops/surface.ts).
declareOp(copy, { aliases: ['identity'] });
