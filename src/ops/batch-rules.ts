// Batching rules shared by families of primitives (each op's `batch` in its definition points at
// one of these or spells out its own). They run nabla ops only, so what vmap builds is an ordinary
// computation that tapes, the jit tracer and an outer vmap see like any other.
import type { Tensor } from '../tensor/tensor.js';
import type { BatchAxis, Batched, OpDef } from './define-op.js';
import { run } from './run.js';
import { batchSizeOf, batchedFront, padRankAfterBatch, reshape, toFront, transpose } from './primitives/shape.js';

/**
 * An op that broadcasts its inputs NumPy-style (elementwise ops; matmul over its leading axes):
 * each batched input gets its batch axis first and size-1 axes up to the examples' common rank, so that ordinary broadcasting lines the batch up (unbatched inputs
 * broadcast over it as they are). A single input keeps its batch axis where it is.
 */
export function batchBroadcasting<A>(op: OpDef<A>, inputs: readonly Tensor[], axes: readonly BatchAxis[], attrs: A): Batched {
  if (inputs.length === 1) {
    const outputs = run(op, inputs, attrs);
    return { outputs, axes: outputs.map(() => axes[0]!) };
  }
  const rank = Math.max(...inputs.map((x, i) => x.rank - (axes[i] === null ? 0 : 1)));
  const ins = inputs.map((x, i) => (axes[i] === null ? x : padRankAfterBatch(toFront(x, axes[i]!), rank)));
  const outputs = run(op, ins, attrs);
  return { outputs, axes: outputs.map(() => 0) };
}

/**
 * A one-input op whose attributes name axes of its input: run on `x` with its batch axis moved
 * first, with `attrs` already renumbered past it; the outputs are batched on axis 0.
 */
export function batchOnFront<A>(op: OpDef<A>, x: Tensor, axis: number, attrs: A): Batched {
  const outputs = run(op, [toFront(x, axis)], attrs);
  return { outputs, axes: outputs.map(() => 0) };
}

/**
 * An op over NHWC images (or their gradients) whose images are independent: the batch folds into
 * the image axis N. `images` lists the inputs that have one (the others, a shared filter say, pass
 * as they are); `fold` rewrites attributes that name an image shape; outputs unfold to [B, N, ...].
 */
export function batchFoldingIntoN<A>(
  op: OpDef<A>,
  inputs: readonly Tensor[],
  axes: readonly BatchAxis[],
  attrs: A,
  images: readonly number[],
  fold: (attrs: A, size: number) => A = (a) => a,
): Batched {
  const size = batchSizeOf(inputs, axes);
  const ins = inputs.map((x, i) => {
    if (!images.includes(i)) return x;
    const xb = batchedFront(x, axes[i], size);
    return reshape(xb, [size * xb.shape[1]!, ...xb.shape.slice(2)]);
  });
  const outputs = run(op, ins, fold(attrs, size)).map((o) => reshape(o, [size, o.shape[0]! / size, ...o.shape.slice(1)]));
  return { outputs, axes: outputs.map(() => 0) };
}

/** [B, a, b, c, d] to [a, b, c, B * d]: the batch joins the last axis (channels) as its outer part. */
export function batchIntoChannels(xb: Tensor): Tensor {
  const [b, ...rest] = xb.shape;
  const t = transpose(xb, [1, 2, 3, 0, 4]);
  return reshape(t, [rest[0]!, rest[1]!, rest[2]!, b! * rest[3]!]);
}

/** [a, b, c, B * d] back to [a, b, c, B, d] (batched on axis 3). */
export function channelsToBatch(y: Tensor, size: number): Tensor {
  const [a, b, c, bd] = y.shape;
  return reshape(y, [a!, b!, c!, size, bd! / size]);
}

/**
 * An op that already maps over every leading axis of its inputs (the linear-algebra decompositions,
 * the FFTs): each input gets the batch as its first axis (a shared input is broadcast to it), so
 * the op's own batching does the work; outputs are batched on axis 0.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- called as `this` from ops of every attribute type
export function batchAsLeadingAxis(op: OpDef<any>, inputs: readonly Tensor[], axes: readonly BatchAxis[], attrs: unknown): Batched {
  const size = batchSizeOf(inputs, axes);
  const outputs = run(op, inputs.map((x, i) => batchedFront(x, axes[i], size)), attrs);
  return { outputs, axes: outputs.map(() => 0) };
}
