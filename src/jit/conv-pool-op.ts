// The op the jit's conv-pool pass (passes/conv-pool.ts) makes of a channels-last conv2d with its
// bias and activation (a fusedLinear node) and the max or average pool that alone reads it. On
// native and wasm one kernel runs the four steps over the batch in cache-sized pieces of images
// (native/src/conv-pool.h), so the conv's output, the largest tensor of a small CNN, never goes
// through memory; the reference runs the steps one after the other on the whole batch.
import type { DType, TypedArray } from '../tensor/dtype.js';
import type { KernelTensor } from '../backends/backend.js';
import { defineOp, type BatchAxis, type BatchContext, type Batched, type OpDef } from '../ops/define-op.js';
import { avgPoolOp, maxPoolOp, type PoolAttrs } from '../ops/primitives/pool.js';
import { run } from '../ops/run.js';
import type { Tensor } from '../tensor/tensor.js';
import { fusedLinearOp, type FusedLinearAttrs } from './fused-ops.js';

/** The pools the op absorbs. */
export const CONV_POOLS = { maxPool: maxPoolOp, avgPool: avgPoolOp } as const;
export type ConvPoolName = keyof typeof CONV_POOLS;

export interface FusedConvPoolAttrs {
  /** The conv2d + bias + activation (base 'conv2d', channels last); a prepacked filter is the last input. */
  readonly linear: FusedLinearAttrs;
  readonly pool: ConvPoolName;
  /** The pool's attributes over the conv's output (channels last). */
  readonly poolAttrs: PoolAttrs;
  /** The pooled output. */
  readonly shape: readonly number[];
  readonly dtype: DType;
}

function composed(op: OpDef<any>, inputs: readonly Tensor[], axes: readonly BatchAxis[], attrs: unknown, ctx: BatchContext): Batched {
  if (axes.every((a) => a === null)) return { outputs: run(op, inputs, attrs), axes: [null] };
  return op.batch!(inputs, axes, attrs, ctx);
}

export const fusedConvPoolOp: OpDef<FusedConvPoolAttrs> = defineOp<FusedConvPoolAttrs>({
  name: 'fusedConvPool',
  infer: (_inputs, { shape, dtype }) => [{ shape, dtype }],
  ref: (inputs, attrs, outs): TypedArray[] => {
    const conv: KernelTensor<TypedArray> = {
      data: fusedLinearOp.ref!(inputs as KernelTensor<TypedArray>[], attrs.linear, [{ shape: attrs.linear.shape, dtype: attrs.dtype }])[0]!,
      shape: attrs.linear.shape,
      dtype: attrs.dtype,
    };
    return CONV_POOLS[attrs.pool].ref!([conv], attrs.poolAttrs as never, outs) as TypedArray[];
  },
  // The fused conv's rule, then the pool's.
  batch: (inputs, axes, attrs, ctx) => {
    const y = composed(fusedLinearOp, inputs, axes, attrs.linear, ctx);
    return composed(CONV_POOLS[attrs.pool], y.outputs, y.axes, attrs.poolAttrs, ctx);
  },
});

/** Ops of the conv-pool pass, by name (only backends with the kernel get the pass). */
export const CONV_POOL_OPS = { fusedConvPool: fusedConvPoolOp };
