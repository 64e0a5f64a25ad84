import { assertDType, castScalar, allocArray, isFloat, type DType } from '../../tensor/dtype.js';
import { toTensor, type TensorLike } from '../creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { defineOp, type OpDef } from '../define-op.js';
import { run1 } from '../run.js';
import { declareOp } from '../surface.js';
import { batchBroadcasting } from '../batch-rules.js';

export interface CastAttrs {
  readonly dtype: DType;
}

export const castOp: OpDef<CastAttrs> = defineOp<CastAttrs>({
  name: 'cast',
  linear: true,
  infer: ([x], { dtype }) => [{ shape: x!.shape, dtype }],
  ref: ([x], { dtype }) => {
    const a = x!.data;
    const out = allocArray(dtype, a.length);
    if (isFloat(dtype)) out.set(a);
    else for (let i = 0; i < a.length; i++) out[i] = castScalar(a[i]!, dtype);
    return [out];
  },
  // Gradients flow between float dtypes only; a cast to int or bool cuts them (as in TensorFlow).
  grad: ([dy], { inputs: [x], attrs }) => [isFloat(x!.dtype) && isFloat(attrs.dtype) ? cast(dy!, x!.dtype) : null],
  batch: (inputs, axes, attrs) => batchBroadcasting(castOp, inputs, axes, attrs),
});

/** Convert to another dtype: floats truncate toward zero to int32, non-zero becomes true. */
export function cast(x: TensorLike, dtype: DType): Tensor {
  assertDType(dtype, 'cast');
  const t = toTensor(x, 'cast');
  if (t.dtype === dtype) return t;
  return run1(castOp, [t], { dtype });
}

// The public surface of these ops (src/ops/surface.ts).
declareOp(cast, { method: true });
