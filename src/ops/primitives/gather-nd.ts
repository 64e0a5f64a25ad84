import { DTypeError, ShapeError, fmtShape } from '../../errors.js';
import { allocArray, type TypedArray } from '../../tensor/dtype.js';
import { assertShape, sizeOf, stridesOf } from '../../tensor/shape.js';
import { range, toTensor, zerosLike, type TensorLike } from '../creation.js';
import { Tensor } from '../../tensor/tensor.js';
import { defineOp, type OpDef, type TensorMeta } from '../define-op.js';
import { NO_ATTRS, run1 } from '../run.js';
import { add } from './binary.js';
import { cast } from './cast.js';
import { indexOutOfRange, indexTensor } from './index-args.js';
import { declareOp } from '../surface.js';
import type { BatchAxis, Batched } from '../define-op.js';
import { batchSizeOf, batchedFront, broadcastTo, reshape, toFront } from './shape.js';
import { concat } from './structure.js';

// gatherND and scatterND (TensorFlow semantics): the last axis of `indices` holds K coordinates
// into the first K dims of the indexed tensor. Each is the other's transpose, so their gradients
// are each other.

type NoAttrs = Record<string, never>;

/** Shape checks shared by the three ops: indices [..., K] address the first K dims of `shape`. */
function checkIndices(op: string, indices: TensorMeta, shape: readonly number[]): number {
  if (indices.dtype !== 'int32') throw new DTypeError(`${op}: indices must be int32, got ${indices.dtype}`);
  if (indices.shape.length === 0) throw new ShapeError(`${op}: indices must have rank >= 1 (the last axis holds coordinates), got a scalar`);
  const k = indices.shape[indices.shape.length - 1]!;
  if (k > shape.length) {
    throw new ShapeError(`${op}: indices ${fmtShape(indices.shape)} hold ${k} coordinates but the indexed shape ${fmtShape(shape)} has only ${shape.length} dims`);
  }
  return k;
}

/** The updates' shape the indices imply: indices.shape[:-1] + shape[K:]. */
function sliceShape(indices: TensorMeta, shape: readonly number[], k: number): number[] {
  return [...indices.shape.slice(0, -1), ...shape.slice(k)];
}

/**
 * Flat element offset of each index tuple's slice in a tensor of `shape`, validating every
 * coordinate (negative or past the dim raises).
 */
function sliceOffsets(op: string, indices: TypedArray, indicesShape: readonly number[], shape: readonly number[]): Int32Array {
  const k = indicesShape[indicesShape.length - 1]!;
  const n = k === 0 ? sizeOf(indicesShape.slice(0, -1)) : indices.length / k;
  const strides = stridesOf(shape);
  const out = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    let off = 0;
    for (let d = 0; d < k; d++) {
      const v = indices[j * k + d]!;
      if (v < 0 || v >= shape[d]!) throw indexOutOfRange(op, v, j * k + d, indicesShape, shape[d]!, `dim ${d} of shape ${fmtShape(shape)}`);
      off += v * strides[d]!;
    }
    out[j] = off;
  }
  return out;
}

export const gatherNDOp = defineOp<NoAttrs>({
  name: 'gatherND',
  linear: true,
  infer: ([x, indices]) => {
    const k = checkIndices('gatherND', indices!, x!.shape);
    return [{ shape: sliceShape(indices!, x!.shape, k), dtype: x!.dtype }];
  },
  ref: ([x, indices], _attrs, [o]) => {
    const offsets = sliceOffsets('gatherND', indices!.data, indices!.shape, x!.shape);
    const inner = sizeOf(x!.shape.slice(indices!.shape[indices!.shape.length - 1]!));
    const out = allocArray(o!.dtype, sizeOf(o!.shape));
    offsets.forEach((off, j) => out.set(x!.data.subarray(off, off + inner), j * inner));
    return [out];
  },
  grad: ([dy], { inputs: [x, indices] }) => [scatterNDRaw(indices!, dy!, x!.shape), null],
  batch: (inputs, axes) => batchGatherND(inputs, axes),
});

export interface ScatterNDAttrs {
  readonly shape: readonly number[];
}

function checkUpdates(op: string, indices: TensorMeta, updates: TensorMeta, shape: readonly number[]): void {
  const k = checkIndices(op, indices, shape);
  const want = sliceShape(indices, shape, k);
  if (want.length !== updates.shape.length || want.some((d, i) => d !== updates.shape[i])) {
    throw new ShapeError(`${op}: updates must have shape ${fmtShape(want)} (indices ${fmtShape(indices.shape)}, shape ${fmtShape(shape)}), got ${fmtShape(updates.shape)}`);
  }
}

/** Writes each update slice into `out` at its index tuple, adding (duplicates sum) or replacing (the last one wins). */
function scatterInto(op: string, out: TypedArray, indices: TensorMeta & { data: TypedArray }, updates: TypedArray, shape: readonly number[], replace: boolean): void {
  const offsets = sliceOffsets(op, indices.data, indices.shape, shape);
  const inner = offsets.length === 0 ? 0 : updates.length / offsets.length;
  offsets.forEach((off, j) => {
    const from = j * inner;
    if (replace) out.set(updates.subarray(from, from + inner), off);
    else for (let e = 0; e < inner; e++) out[off + e]! += updates[from + e]!;
  });
}

/** Zeros of `shape` with `updates` added at `indices`; duplicate indices sum. */
export const scatterNDOp = defineOp<ScatterNDAttrs>({
  name: 'scatterND',
  linear: true,
  infer: ([indices, updates], { shape }) => {
    checkUpdates('scatterND', indices!, updates!, shape);
    if (updates!.dtype === 'bool') throw new DTypeError('scatterND: expected numeric updates, got bool');
    return [{ shape, dtype: updates!.dtype }];
  },
  ref: ([indices, updates], { shape }, [o]) => {
    const out = allocArray(o!.dtype, sizeOf(shape));
    scatterInto('scatterND', out, indices!, updates!.data, shape, false);
    return [out];
  },
  grad: ([dy], { inputs: [indices] }) => [null, run1(gatherNDOp, [dy!, indices!], NO_ATTRS)],
  batch: ([indices, updates], [ai, au], { shape }) => {
    const size = batchSizeOf([indices!, updates!], [ai, au]);
    const idx = withBatchCoordinate(batchedFront(indices!, ai, size));
    return front(scatterNDRaw(idx, batchedFront(updates!, au, size), [size, ...shape]));
  },
});

/** `tensor` with the slices at `indices` replaced by `updates` (for duplicates the last one wins). */
export const tensorScatterUpdateOp: OpDef<NoAttrs> = defineOp<NoAttrs>({
  name: 'tensorScatterUpdate',
  linear: true,
  infer: ([t, indices, updates]) => {
    checkUpdates('tensorScatterUpdate', indices!, updates!, t!.shape);
    if (t!.dtype !== updates!.dtype) throw new DTypeError(`tensorScatterUpdate: tensor and updates must have one dtype, got ${t!.dtype} and ${updates!.dtype}`);
    return [{ shape: t!.shape, dtype: t!.dtype }];
  },
  ref: ([t, indices, updates]) => {
    const out = t!.data.slice();
    scatterInto('tensorScatterUpdate', out, indices!, updates!.data, t!.shape, true);
    return [out];
  },
  // As in TensorFlow: overwritten positions pass no gradient to `tensor`; every update gets the
  // gradient at its position.
  grad: ([dy], { inputs: [, indices, updates] }) => [
    run1(tensorScatterUpdateOp, [dy!, indices!, zerosLike(updates!, dy!.dtype)], NO_ATTRS),
    null,
    run1(gatherNDOp, [dy!, indices!], NO_ATTRS),
  ],
  batch: ([t, indices, updates], axes) => {
    const size = batchSizeOf([t!, indices!, updates!], axes);
    const [tb, ib, ub] = [t!, indices!, updates!].map((x, i) => batchedFront(x, axes[i], size)) as [Tensor, Tensor, Tensor];
    return front(run1(tensorScatterUpdateOp, [tb, withBatchCoordinate(ib), ub], NO_ATTRS));
  },
});

/** The batched result of a rule, batched on axis 0. */
function front(out: Tensor): Batched {
  return { outputs: [out], axes: [0] };
}

/**
 * Indices [B, ..., K] into the examples of a batch, as indices [B, ..., K + 1] into the batched
 * tensor (batch axis first): each row gains its example's number as its first coordinate.
 */
function withBatchCoordinate(indices: Tensor): Tensor {
  const size = indices.shape[0]!;
  const lead = indices.shape.slice(0, -1);
  const example = reshape(range(0, size, 1, 'int32'), [size, ...lead.slice(1).map(() => 1), 1]);
  return concat([broadcastTo(example, [...lead, 1]), indices], -1);
}

/** gatherND under vmap: batched indices into a shared tensor index it as they are. */
function batchGatherND([x, indices]: readonly Tensor[], [ax, ai]: readonly BatchAxis[]): Batched {
  if (ax === null) return front(run1(gatherNDOp, [x!, toFront(indices!, ai!)], NO_ATTRS));
  const size = batchSizeOf([x!, indices!], [ax, ai]);
  return front(run1(gatherNDOp, [toFront(x!, ax!), withBatchCoordinate(batchedFront(indices!, ai, size))], NO_ATTRS));
}

function scatterNDRaw(indices: Tensor, updates: Tensor, shape: readonly number[]): Tensor {
  return run1(scatterNDOp, [indices, updates], { shape: [...shape] });
}

// ---------------------------------------------------------------- functions

/**
 * Slices of `x` addressed by the last axis of int32 `indices`, like tf.gather_nd:
 * the result has shape indices.shape[:-1] + x.shape[K:] where K = indices.shape[-1].
 */
export function gatherND(x: TensorLike, indices: TensorLike): Tensor {
  return run1(gatherNDOp, [toTensor(x, 'gatherND'), indexTensor(indices, 'gatherND')], NO_ATTRS);
}

/** A zero tensor of `shape` with `updates` added at `indices`, like tf.scatter_nd (duplicates sum). */
export function scatterND(indices: TensorLike, updates: TensorLike, shape: readonly number[]): Tensor {
  assertShape(shape, 'scatterND');
  return scatterNDRaw(indexTensor(indices, 'scatterND'), toTensor(updates, 'scatterND'), shape);
}

/** Updates of the tensor's dtype (JS numbers and arrays are converted to it). */
function updatesLike(t: Tensor, updates: TensorLike, op: string): Tensor {
  const u = toTensor(updates, op, t.dtype);
  if (u.dtype === t.dtype) return u;
  if (updates instanceof Tensor) {
    throw new DTypeError(`${op}: tensor and updates must have one dtype, got ${t.dtype} and ${u.dtype}`);
  }
  return cast(u, t.dtype);
}

/** `tensor` plus `updates` scattered at `indices`, like tf.tensor_scatter_nd_add (duplicates sum). */
export function tensorScatterAdd(tensor: TensorLike, indices: TensorLike, updates: TensorLike): Tensor {
  const t = toTensor(tensor, 'tensorScatterAdd');
  if (t.dtype === 'bool') throw new DTypeError('tensorScatterAdd: expected a numeric tensor, got bool');
  return add(t, scatterND(indices, updatesLike(t, updates, 'tensorScatterAdd'), t.shape));
}

/** `tensor` with the slices at `indices` replaced by `updates`, like tf.tensor_scatter_nd_update. */
export function tensorScatterUpdate(tensor: TensorLike, indices: TensorLike, updates: TensorLike): Tensor {
  const t = toTensor(tensor, 'tensorScatterUpdate');
  const idx = indexTensor(indices, 'tensorScatterUpdate');
  return run1(tensorScatterUpdateOp, [t, idx, updatesLike(t, updates, 'tensorScatterUpdate')], NO_ATTRS);
}

// The public surface of these ops (src/ops/surface.ts).
declareOp(gatherND);
declareOp(scatterND);
declareOp(tensorScatterAdd);
declareOp(tensorScatterUpdate);
