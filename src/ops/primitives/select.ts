import { allocArray } from '../../tensor/dtype.js';
import { broadcastIndex } from '../loops.js';
import { DTypeError } from '../../errors.js';
import { promote } from '../../tensor/dtype.js';
import { broadcastShapes, sizeOf } from '../../tensor/shape.js';
import { toTensor, toTensorPair, type TensorLike } from '../creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { defineOp, type OpDef } from '../define-op.js';
import { NO_ATTRS, run1 } from '../run.js';
import { cast } from './cast.js';
import { declareOp } from '../surface.js';
import { batchBroadcasting } from '../batch-rules.js';

type NoAttrs = Record<string, never>;

export const whereOp: OpDef<NoAttrs> = defineOp<NoAttrs>({
  name: 'where',
  linear: true,
  infer: ([c, a, b]) => {
    if (c!.dtype !== 'bool') throw new DTypeError(`where: condition must be bool, got ${c!.dtype}`);
    if (a!.dtype !== b!.dtype) throw new DTypeError(`where: x and y must have one dtype, got ${a!.dtype} and ${b!.dtype}`);
    const shape = broadcastShapes('where', broadcastShapes('where', c!.shape, a!.shape), b!.shape);
    return [{ shape, dtype: a!.dtype }];
  },
  ref: ([c, a, b], _attrs, [o]) => {
    const n = sizeOf(o!.shape);
    const out = allocArray(o!.dtype, n);
    const ic = broadcastIndex(c!.shape, o!.shape);
    const ia = broadcastIndex(a!.shape, o!.shape);
    const ib = broadcastIndex(b!.shape, o!.shape);
    const cd = c!.data;
    const ad = a!.data;
    const bd = b!.data;
    for (let i = 0; i < n; i++) out[i] = cd[ic[i]!] ? ad[ia[i]!]! : bd[ib[i]!]!;
    return [out];
  },
  grad: ([dy], { inputs: [c] }) => [null, where(c!, dy!, 0), where(c!, 0, dy!)],
  batch: (inputs, axes, attrs) => batchBroadcasting(whereOp, inputs, axes, attrs),
});

/** Elementwise `cond ? x : y`, broadcasting all three. */
export function where(cond: TensorLike, x: TensorLike, y: TensorLike): Tensor {
  const c = toTensor(cond, 'where', 'bool');
  const tc = c.dtype === 'bool' ? c : cast(c, 'bool');
  let [a, b] = toTensorPair('where', x, y);
  if (a.dtype !== b.dtype) {
    const d = promote(a.dtype, b.dtype);
    a = cast(a, d);
    b = cast(b, d);
  }
  return run1(whereOp, [tc, a, b], NO_ATTRS);
}

// The public surface of these ops (src/ops/surface.ts).
declareOp(where);
