// fit's data parallelism (DistributedDataParallel's scheme) once nb.distribute.init() has joined a
// process group of more than one rank: every rank holds the whole model, takes its own slice of
// every global batch, and applies the same averaged gradients, so the weights stay equal
// everywhere without being sent again after the first step's broadcast from rank 0.
import { ValueError } from '../errors.js';
import { isInitialized, rank, worldSize } from '../distribute/process-group.js';
import { allReduceBuffer, broadcastBuffer, type FloatBuffer } from '../distribute/collectives.js';
import { tensor } from '../ops/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';
import type { Logs } from './callbacks/callback.js';
import type { RowShard } from './data-adapter.js';

/** Elements per flat buffer sent in one collective (16 MiB of float32), as DDP's gradient buckets. */
const BUCKET_ELEMENTS = 1 << 22;

/** Whether fit and evaluate run data-parallel: a process group of more than one rank is set up. */
export function dataParallelActive(): boolean {
  return isInitialized() && worldSize() > 1;
}

/** This rank's rows [start, end) of the global batch's rows [start, end): contiguous, near-equal parts in rank order. */
export function rankRows(start: number, end: number): [number, number] {
  const n = end - start;
  const w = worldSize();
  const r = rank();
  return [start + Math.floor((n * r) / w), start + Math.floor((n * (r + 1)) / w)];
}

/** Rank 0's random order of `n` rows, the same on every rank (so the ranks split one shuffled epoch). */
export function sharedOrder(n: number, local: (n: number) => Int32Array): Int32Array {
  const order = new Float64Array(n);
  if (rank() === 0) order.set(local(n));
  broadcastBuffer(order, 0, 'fit (shuffling the rows on every rank alike)');
  return Int32Array.from(order);
}

type FloatDType = 'float32' | 'float64';

/** Groups of tensors of one float dtype, each small enough for one bucket (a bigger tensor is a bucket alone). */
function buckets<T extends { dtype: string; size: number }>(items: readonly T[]): { dtype: FloatDType; members: number[]; size: number }[] {
  const out: { dtype: FloatDType; members: number[]; size: number }[] = [];
  const open = new Map<FloatDType, { dtype: FloatDType; members: number[]; size: number }>();
  items.forEach((t, i) => {
    if (t.dtype !== 'float32' && t.dtype !== 'float64') return;
    const dtype = t.dtype;
    let b = open.get(dtype);
    if (!b || b.size + t.size > BUCKET_ELEMENTS) {
      b = { dtype, members: [], size: 0 };
      open.set(dtype, b);
      out.push(b);
    }
    b.members.push(i);
    b.size += t.size;
  });
  return out;
}

function bufferOf(dtype: FloatDType, size: number): FloatBuffer {
  return dtype === 'float32' ? new Float32Array(size) : new Float64Array(size);
}

/**
 * Make every rank's weights rank 0's (the start of data-parallel training: each rank initialized
 * its own). Every float weight travels, non-trainable ones too (BatchNormalization's statistics).
 */
export function broadcastWeights(weights: readonly Variable[]): void {
  for (const b of buckets(weights)) {
    const flat = bufferOf(b.dtype, b.size);
    let at = 0;
    for (const i of b.members) {
      flat.set(weights[i]!.dataSync() as FloatBuffer, at);
      at += weights[i]!.size;
    }
    broadcastBuffer(flat, 0, 'fit (broadcasting the weights from rank 0)');
    at = 0;
    for (const i of b.members) {
      const v = weights[i]!;
      v.assign(tensor(flat.slice(at, at + v.size), v.shape, v.dtype));
      at += v.size;
    }
  }
}

/**
 * The gradient of the loss over the whole global batch, from each rank's gradient of its own
 * rows' mean loss: the sum over ranks of gradient x rows, over the total rows (the plain mean
 * when the ranks' parts are equal). Flat buckets, one all-reduce each; the row count rides in the
 * first bucket. A null gradient (the weight took no part) counts as zeros and stays null.
 * `vars` gives the shapes where a rank computed no gradient (its part of the batch was empty).
 */
export function averageGradients(grads: readonly (Tensor | null)[], vars: readonly Variable[], rows: number): (Tensor | null)[] {
  const op = 'fit (averaging the gradients over the ranks)';
  const plan = buckets(vars);
  const out: (Tensor | null)[] = grads.map(() => null);
  let total = 0;
  plan.forEach((b, k) => {
    const countSlot = k === 0 ? 1 : 0;
    const flat = bufferOf(b.dtype, b.size + countSlot);
    let at = 0;
    for (const i of b.members) {
      const g = grads[i];
      if (g && rows > 0) {
        const values = g.dataSync();
        for (let j = 0; j < values.length; j++) flat[at + j] = values[j]! * rows;
      }
      at += vars[i]!.size;
    }
    if (countSlot) flat[b.size] = rows;
    allReduceBuffer(flat, op);
    if (countSlot) total = flat[b.size]!;
    if (!(total > 0)) throw new ValueError(`${op}: the global batch had no rows on any rank`);
    at = 0;
    for (const i of b.members) {
      const v = vars[i]!;
      if (grads[i] || rows === 0) {
        const part = flat.slice(at, at + v.size);
        for (let j = 0; j < part.length; j++) part[j] = part[j]! / total;
        out[i] = tensor(part, v.shape, v.dtype);
      }
      at += v.size;
    }
  });
  return out;
}

/**
 * The logs of the whole job from each rank's logs over its `rows` samples: each value is the
 * rows-weighted mean over the ranks, which is exact for the loss and for metrics that are means
 * over samples (accuracy, mae, ...), and the rows-weighted mean of the ranks' values for others.
 */
export function reduceLogs(logs: Logs, rows: number, op: string): Logs {
  const keys = Object.keys(logs);
  const flat = new Float64Array(keys.length + 1);
  keys.forEach((k, i) => (flat[i] = rows > 0 ? logs[k]! * rows : 0));
  flat[keys.length] = rows;
  allReduceBuffer(flat, op);
  const total = flat[keys.length]!;
  const out: Logs = {};
  keys.forEach((k, i) => (out[k] = total > 0 ? flat[i]! / total : NaN));
  return out;
}

/** This rank's share of every global batch while data-parallel, else null (one process takes whole batches). */
export function rowShard(): RowShard | null {
  return dataParallelActive() ? { rows: rankRows, order: sharedOrder } : null;
}
