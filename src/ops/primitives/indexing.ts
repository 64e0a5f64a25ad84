import { DTypeError, ShapeError, ValueError, fmtShape } from '../../errors.js';
import { allocArray } from '../../tensor/dtype.js';
import { normalizeAxis, sizeOf } from '../../tensor/shape.js';
import { toTensor, zeros, type TensorLike } from '../creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { defineOp, type BatchAxis, type Batched, type OpDef, type TensorMeta } from '../define-op.js';
import { batchSizeOf, batchedFront, toFront } from './shape.js';
import { run1 } from '../run.js';
import { indexOutOfRange, indexTensor } from './index-args.js';
import { less } from './compare.js';
import { where } from './select.js';
import { concat } from './structure.js';
import { declareOp } from '../surface.js';

// gather and its transpose, unsortedSegmentSum: each one's gradient is the other, so
// derivatives of any order flow through indexing.

export interface GatherAttrs {
  /** Non-negative axis of `x` that the indices select along. */
  readonly axis: number;
  /** Leading axes shared by `x` and the indices (one gather per batch element). */
  readonly batchDims: number;
}

/**
 * Both ops view their tensors as [batch, outer, positions, inner]: `batch` = the shared leading
 * dims, `outer` = the dims between them and the axis, `inner` = the dims after the axis.
 */
interface GatherPlan {
  readonly batch: number;
  readonly outer: number;
  readonly perBatch: number;
  readonly inner: number;
}

function gatherPlan(prefix: readonly number[], indicesShape: readonly number[], inner: readonly number[], batchDims: number): GatherPlan {
  return {
    batch: sizeOf(prefix.slice(0, batchDims)),
    outer: sizeOf(prefix.slice(batchDims)),
    perBatch: sizeOf(indicesShape.slice(batchDims)),
    inner: sizeOf(inner),
  };
}

function checkBatchDims(op: string, x: TensorMeta, indices: TensorMeta, axis: number, batchDims: number): void {
  if (indices.dtype !== 'int32') throw new DTypeError(`${op}: indices must be int32, got ${indices.dtype}`);
  if (batchDims < 0 || batchDims > axis || batchDims > indices.shape.length) {
    throw new ShapeError(
      `${op}: batchDims ${batchDims} must be in [0, min(axis ${axis}, indices rank ${indices.shape.length})] (x ${fmtShape(x.shape)}, indices ${fmtShape(indices.shape)})`,
    );
  }
  for (let d = 0; d < batchDims; d++) {
    if (x.shape[d] !== indices.shape[d]) {
      throw new ShapeError(
        `${op}: the first ${batchDims} (batchDims) dimensions of x ${fmtShape(x.shape)} and indices ${fmtShape(indices.shape)} must match; they differ at dimension ${d}`,
      );
    }
  }
}

export const gatherOp: OpDef<GatherAttrs> = defineOp<GatherAttrs>({
  name: 'gather',
  linear: true,
  infer: ([x, indices], { axis, batchDims }) => {
    checkBatchDims('gather', x!, indices!, axis, batchDims);
    const shape = [...x!.shape.slice(0, axis), ...indices!.shape.slice(batchDims), ...x!.shape.slice(axis + 1)];
    return [{ shape, dtype: x!.dtype }];
  },
  ref: ([x, indices], { axis, batchDims }, [o]) => {
    const n = x!.shape[axis]!;
    const p = gatherPlan(x!.shape.slice(0, axis), indices!.shape, x!.shape.slice(axis + 1), batchDims);
    const out = allocArray(o!.dtype, sizeOf(o!.shape));
    const src = x!.data;
    const idx = indices!.data;
    for (let i = 0; i < idx.length; i++) {
      const v = idx[i]!;
      if (v < 0 || v >= n) throw indexOutOfRange('gather', v, i, indices!.shape, n, `axis ${axis} of x ${fmtShape(x!.shape)}`);
    }
    for (let b = 0; b < p.batch; b++) {
      for (let q = 0; q < p.outer; q++) {
        const row = b * p.outer + q;
        for (let i = 0; i < p.perBatch; i++) {
          const from = (row * n + idx[b * p.perBatch + i]!) * p.inner;
          const to = (row * p.perBatch + i) * p.inner;
          // Single elements (sort, topk, embeddings of width 1) skip the subarray view.
          if (p.inner === 1) out[to] = src[from]!;
          else out.set(src.subarray(from, from + p.inner), to);
        }
      }
    }
    return [out];
  },
  grad: ([dy], { inputs: [x, indices], attrs }) => [segmentSumRaw(dy!, indices!, x!.shape[attrs.axis]!, attrs), null],
  batch: (inputs, axes, attrs) => batchGather(inputs, axes, attrs),
});

export interface SegmentSumAttrs extends GatherAttrs {
  readonly numSegments: number;
}

/** Where the indices' dims sit in `data`: [axis, axis + indices rank - batchDims). */
function segmentDataEnd(indices: TensorMeta, { axis, batchDims }: GatherAttrs): number {
  return axis + indices.shape.length - batchDims;
}

/**
 * The transpose of gather: `data` has gather's output layout; each slice is added into row
 * `ids[...]` of a zero output with `numSegments` rows along `axis`. Negative ids are dropped
 * (TensorFlow's unsorted_segment_sum); ids >= numSegments raise.
 */
export const unsortedSegmentSumOp: OpDef<SegmentSumAttrs> = defineOp<SegmentSumAttrs>({
  name: 'unsortedSegmentSum',
  linear: true,
  infer: ([data, ids], attrs) => {
    const { axis, batchDims, numSegments } = attrs;
    checkBatchDims('unsortedSegmentSum', data!, ids!, axis, batchDims);
    const end = segmentDataEnd(ids!, attrs);
    const idsTail = ids!.shape.slice(batchDims);
    const dataMid = data!.shape.slice(axis, end);
    if (end > data!.shape.length || idsTail.some((d, i) => d !== dataMid[i])) {
      throw new ShapeError(
        `unsortedSegmentSum: segment ids ${fmtShape(ids!.shape)} must match data ${fmtShape(data!.shape)} at dimensions ${axis}..${end - 1}`,
      );
    }
    if (data!.dtype === 'bool') throw new DTypeError('unsortedSegmentSum: expected numeric data, got bool');
    return [{ shape: [...data!.shape.slice(0, axis), numSegments, ...data!.shape.slice(end)], dtype: data!.dtype }];
  },
  ref: ([data, ids], attrs, [o]) => {
    const { axis, batchDims, numSegments } = attrs;
    const p = gatherPlan(data!.shape.slice(0, axis), ids!.shape, data!.shape.slice(segmentDataEnd(ids!, attrs)), batchDims);
    const out = allocArray(o!.dtype, sizeOf(o!.shape));
    const src = data!.data;
    const idx = ids!.data;
    for (let i = 0; i < idx.length; i++) {
      if (idx[i]! >= numSegments) throw indexOutOfRange('unsortedSegmentSum', idx[i]!, i, ids!.shape, numSegments, 'the segments');
    }
    for (let b = 0; b < p.batch; b++) {
      for (let q = 0; q < p.outer; q++) {
        const row = b * p.outer + q;
        for (let i = 0; i < p.perBatch; i++) {
          const seg = idx[b * p.perBatch + i]!;
          if (seg < 0) continue;
          const from = (row * p.perBatch + i) * p.inner;
          const to = (row * numSegments + seg) * p.inner;
          for (let k = 0; k < p.inner; k++) out[to + k]! += src[from + k]!;
        }
      }
    }
    return [out];
  },
  grad: ([dy], { inputs: [, ids], attrs }) => {
    // Dropped (negative) ids received nothing, so their gradient is zero: gather from a zero row.
    const { axis, batchDims } = attrs;
    return [run1(gatherOp, withDropRow(dy!, ids!, axis), { axis, batchDims }), null];
  },
  batch: ([data, ids], [ad, ai], attrs) => {
    // Shared ids: the batch is one more outer axis of the data. Batched ids: one more batch dim of both.
    if (ai === null && attrs.batchDims === 0) return front(run1(unsortedSegmentSumOp, [toFront(data!, ad!), ids!], { ...attrs, axis: attrs.axis + 1 }));
    return front(run1(unsortedSegmentSumOp, bothBatched([data!, ids!], [ad, ai]), { ...attrs, axis: attrs.axis + 1, batchDims: attrs.batchDims + 1 }));
  },
});

/** The batched result of a rule, batched on axis 0. */
function front(out: Tensor): Batched {
  return { outputs: [out], axes: [0] };
}

/** Both inputs batched on axis 0 (a shared one broadcast along the batch). */
function bothBatched(inputs: readonly Tensor[], axes: readonly (BatchAxis | undefined)[]): Tensor[] {
  const size = batchSizeOf(inputs, axes);
  return inputs.map((x, i) => batchedFront(x, axes[i], size));
}

/**
 * gather under vmap: batched data with shared indices gathers along the shifted axis; batched
 * indices into shared data gather as they are (the batch lands where the indices go); otherwise
 * the batch is one more batch dim of both.
 */
function batchGather([x, indices]: readonly Tensor[], [ax, ai]: readonly BatchAxis[], { axis, batchDims }: GatherAttrs): Batched {
  if (batchDims === 0 && ai === null) return front(run1(gatherOp, [toFront(x!, ax!), indices!], { axis: axis + 1, batchDims }));
  if (batchDims === 0 && ax === null) return { outputs: [run1(gatherOp, [x!, toFront(indices!, ai!)], { axis, batchDims })], axes: [axis] };
  return front(run1(gatherOp, bothBatched([x!, indices!], [ax, ai]), { axis: axis + 1, batchDims: batchDims + 1 }));
}

/** dy with one zero row appended along `axis`, and ids whose negatives point at that row. */
function withDropRow(dy: Tensor, ids: Tensor, axis: number): [Tensor, Tensor] {
  const n = dy.shape[axis]!;
  const padded = concat([dy, zeros(dy.shape.map((d, i) => (i === axis ? 1 : d)), dy.dtype)], axis);
  return [padded, where(less(ids, 0), n, ids)];
}

// ---------------------------------------------------------------- functions

/** Options of {@link gather}: the axis and the number of leading batch axes. */
export interface GatherOptions {
  axis?: number;
  batchDims?: number;
}

/**
 * Slices of `x` along `axis` picked by int32 `indices` of any shape, like tf.gather:
 * the result has shape x.shape[:axis] + indices.shape[batchDims:] + x.shape[axis+1:].
 * Indices outside [0, x.shape[axis]) raise a ValueError.
 */
export function gather(x: TensorLike, indices: TensorLike, axisOrOpts: number | GatherOptions = {}): Tensor {
  const t = toTensor(x, 'gather');
  const idx = indexTensor(indices, 'gather');
  const opts = typeof axisOrOpts === 'number' ? { axis: axisOrOpts } : axisOrOpts;
  if (t.rank === 0) throw new ShapeError('gather: x must have rank >= 1, got a scalar');
  const axis = normalizeAxis('gather', opts.axis ?? 0, t.rank);
  const bd = opts.batchDims ?? 0;
  const batchDims = bd < 0 ? bd + idx.rank : bd;
  if (!Number.isInteger(batchDims)) throw new ValueError(`gather: batchDims must be an integer, got ${bd}`);
  return run1(gatherOp, [t, idx], { axis, batchDims });
}

function segmentSumRaw(data: Tensor, ids: Tensor, numSegments: number, attrs: GatherAttrs): Tensor {
  return run1(unsortedSegmentSumOp, [data, ids], { ...attrs, numSegments });
}

/**
 * Sums of the slices of `data` that share a segment id, like tf.math.unsorted_segment_sum:
 * `segmentIds` (int32) covers the leading dims of `data`; the result has shape
 * [numSegments, ...data.shape[segmentIds.rank:]]. Rows with no id are zero; negative ids are dropped.
 */
export function unsortedSegmentSum(data: TensorLike, segmentIds: TensorLike, numSegments: number): Tensor {
  const t = toTensor(data, 'unsortedSegmentSum');
  const ids = indexTensor(segmentIds, 'unsortedSegmentSum', 'segmentIds');
  if (!Number.isInteger(numSegments) || numSegments < 0) {
    throw new ValueError(`unsortedSegmentSum: numSegments must be a non-negative integer, got ${numSegments}`);
  }
  return segmentSumRaw(t, ids, numSegments, { axis: 0, batchDims: 0 });
}

// The public surface of these ops (src/ops/surface.ts).
declareOp(gather, { method: true });
declareOp(unsortedSegmentSum);
