import { reductionPlan } from '../loops.js';
import { DTypeError, ShapeError, ValueError, fmtShape } from '../../errors.js';
import { normalizeAxis } from '../../tensor/shape.js';
import { toTensor, type TensorLike } from '../creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { defineOp, type OpDef } from '../define-op.js';
import { run1 } from '../run.js';
import { indexTensor } from './index-args.js';
import { gather } from './indexing.js';
import { slice, transpose } from './shape.js';
import { declareOp } from '../surface.js';
import { batchOnFront } from '../batch-rules.js';
import { noMoreArguments, optionsOnly } from '../tfjs-positional.js';

// Ordering: one primitive (a stable argsort); sorted values and top-k are gathers of it, so their
// gradients flow back to the chosen positions through gather's scatter.

export interface ArgsortAttrs {
  /** Non-negative axis to sort along. */
  readonly axis: number;
  readonly descending: boolean;
}

/** Ascending order with NaN above +Infinity (so NaNs sort last, or first when descending). */
function compareAscending(a: number, b: number): number {
  if (a !== a) return b !== b ? 0 : 1;
  if (b !== b) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export const argsortOp: OpDef<ArgsortAttrs> = defineOp<ArgsortAttrs>({
  name: 'argsort',
  infer: ([x]) => {
    if (x!.dtype === 'bool') throw new DTypeError('argsort: expected a numeric tensor, got bool; cast it first');
    return [{ shape: x!.shape, dtype: 'int32' }];
  },
  ref: ([x], { axis, descending }) => {
    const { base, red } = reductionPlan(x!.shape, [axis]);
    const out = new Int32Array(x!.data.length);
    const d = x!.data;
    const n = red.length;
    const order = Array.from({ length: n }, (_, i) => i);
    const values = new Float64Array(n);
    for (let o = 0; o < base.length; o++) {
      const b = base[o]!;
      for (let r = 0; r < n; r++) {
        values[r] = d[b + red[r]!]!;
        order[r] = r;
      }
      // Array.prototype.sort is stable, so ties keep their original order either way.
      order.sort(descending ? (i, j) => compareAscending(values[j]!, values[i]!) : (i, j) => compareAscending(values[i]!, values[j]!));
      for (let r = 0; r < n; r++) out[b + red[r]!] = order[r]!;
    }
    return [out];
  },
  notDifferentiable: true,
  batch: ([x], [a], attrs) => batchOnFront(argsortOp, x!, a!, { ...attrs, axis: attrs.axis + 1 }),
});

/** Options of `sort`/`argsort`: the axis (default -1) and the order. */
export interface SortOptions {
  axis?: number;
  descending?: boolean;
}

function sortAxis(op: string, t: Tensor, axis: number | undefined): number {
  if (t.rank === 0) throw new ShapeError(`${op}: expected a tensor of rank >= 1, got a scalar`);
  return normalizeAxis(op, axis ?? -1, t.rank);
}

function sortOptions(axisOrOpts: number | SortOptions | undefined): SortOptions {
  return typeof axisOrOpts === 'number' ? { axis: axisOrOpts } : (axisOrOpts ?? {});
}

/** Indices that sort `x` along `axis` (default -1), stably: equal values keep their order. int32. */
export function argsort(x: TensorLike, axisOrOpts?: number | SortOptions): Tensor {
  const t = toTensor(x, 'argsort');
  const o = sortOptions(axisOrOpts);
  return run1(argsortOp, [t], { axis: sortAxis('argsort', t, o.axis), descending: !!o.descending });
}

/** Values of `x` sorted along `axis` (default -1), NaNs last (first when descending). */
export function sort(x: TensorLike, axisOrOpts?: number | SortOptions): Tensor {
  const t = toTensor(x, 'sort');
  const o = sortOptions(axisOrOpts);
  const axis = sortAxis('sort', t, o.axis);
  return takeAlongAxis(t, run1(argsortOp, [t], { axis, descending: !!o.descending }), axis);
}

/** Swap `axis` with the last one (its own inverse). */
function swapLast(t: Tensor, axis: number): Tensor {
  const last = t.rank - 1;
  if (axis === last) return t;
  const perm = t.shape.map((_, i) => (i === axis ? last : i === last ? axis : i));
  return transpose(t, perm);
}

/**
 * out[..., i, ...] = x[..., indices[..., i, ...], ...] along `axis` (numpy's take_along_axis,
 * torch.gather): `indices` has x's shape except along `axis`.
 */
export function takeAlongAxis(x: TensorLike, indices: TensorLike, axis = -1): Tensor {
  const t = toTensor(x, 'takeAlongAxis');
  const idx = indexTensor(indices, 'takeAlongAxis');
  if (t.rank === 0) throw new ShapeError('takeAlongAxis: x must have rank >= 1, got a scalar');
  const ax = normalizeAxis('takeAlongAxis', axis, t.rank);
  if (idx.rank !== t.rank || idx.shape.some((d, i) => i !== ax && d !== t.shape[i])) {
    throw new ShapeError(`takeAlongAxis: indices ${fmtShape(idx.shape)} must have the shape of x ${fmtShape(t.shape)} except along axis ${ax}`);
  }
  const last = t.rank - 1;
  return swapLast(gather(swapLast(t, ax), swapLast(idx, ax), { axis: last, batchDims: last }), ax);
}

/** Options of {@link topk}. */
export interface TopKOptions {
  /** Results in descending order (always true here: sorted output is a valid unsorted one). */
  sorted?: boolean;
}

/** TF.js's positional form: `sorted` (the result is always sorted, which is also a valid unsorted one). */
export function topk(x: TensorLike, k: number, sorted: boolean): { values: Tensor; indices: Tensor };
// nabla's own form last: the Tensor method (x.topk) takes the last signature.
/**
 * The `k` largest entries along the last axis and their int32 indices, like tf.math.top_k:
 * descending, ties broken by the lower index.
 */
export function topk(x: TensorLike, k?: number, opts?: TopKOptions): { values: Tensor; indices: Tensor };
export function topk(x: TensorLike, k = 1, ...args: unknown[]): { values: Tensor; indices: Tensor } {
  if (typeof args[0] === 'boolean') noMoreArguments('topk', args.slice(1), 'topk(x, k, { sorted })');
  else optionsOnly<TopKOptions>('topk', args, 'topk(x, k, { sorted })');
  const t = toTensor(x, 'topk');
  if (t.rank === 0) throw new ShapeError('topk: expected a tensor of rank >= 1, got a scalar');
  const n = t.shape[t.rank - 1]!;
  if (!Number.isInteger(k) || k < 0 || k > n) {
    throw new ValueError(`topk: k must be an integer in [0, ${n}] (the last axis of shape ${fmtShape(t.shape)}), got ${k}`);
  }
  const last = t.rank - 1;
  const order = run1(argsortOp, [t], { axis: last, descending: true });
  const indices = slice(order, t.shape.map(() => 0), t.shape.map((d, i) => (i === last ? k : d)));
  return { values: gather(t, indices, { axis: last, batchDims: last }), indices };
}

// The public surface of these ops (src/ops/surface.ts).
declareOp(sort, { method: true });
declareOp(argsort, { method: true });
declareOp(topk, { method: true });
declareOp(takeAlongAxis);
