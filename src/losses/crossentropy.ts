// Probabilistic losses (keras.losses.binary/categorical/sparse_categorical_crossentropy): on
// logits they use the stable nn forms; on probabilities they clip to [eps, 1 - eps] like Keras.
import { engine } from '../engine/engine.js';
import { DTypeError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { add, div, mul, sub } from '../ops/primitives/binary.js';
import { cast } from '../ops/primitives/cast.js';
import { equal } from '../ops/primitives/compare.js';
import { sum } from '../ops/primitives/reduce.js';
import { where } from '../ops/primitives/select.js';
import { expandDims, squeeze } from '../ops/primitives/shape.js';
import { log } from '../ops/primitives/unary.js';
import { clip, mean } from '../ops/composite/math.js';
import { logSoftmax } from '../ops/composite/activations.js';
import { sigmoidCrossEntropyWithLogits } from '../ops/composite/cross-entropy.js';
import { isFloat } from '../tensor/dtype.js';
import { normalizeAxis } from '../tensor/shape.js';
import { range, toTensor, type TensorLike } from '../ops/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { asFloat } from './reduction.js';
import { EPSILON, prepare } from './regression.js';

/** Options of the binary and categorical cross-entropy functions. */
export interface CrossentropyOptions {
  /** `yPred` holds logits rather than probabilities (default false). */
  fromLogits?: boolean;
  /** Move this much of each label's mass to a uniform distribution (default 0). */
  labelSmoothing?: number;
  /** The class axis (default -1). */
  axis?: number;
}

function smoothing(op: string, ls: number | undefined): number {
  const v = ls ?? 0;
  if (!(v >= 0 && v <= 1)) throw new ValueError(`${op}: labelSmoothing must be in [0, 1], got ${String(ls)}`);
  return v;
}

/** Elementwise binary cross-entropy, averaged over `axis` (default -1). */
export function binaryCrossentropy(yTrue: TensorLike, yPred: TensorLike, opts: CrossentropyOptions = {}): Tensor {
  const op = 'binaryCrossentropy';
  const ls = smoothing(op, opts.labelSmoothing);
  let [t, p] = prepare(yTrue, yPred, op);
  if (ls) t = add(mul(t, 1 - ls), 0.5 * ls);
  let elementwise: Tensor;
  if (opts.fromLogits) {
    elementwise = sigmoidCrossEntropyWithLogits({ labels: t, logits: p });
  } else {
    const q = clip(p, EPSILON, 1 - EPSILON);
    elementwise = mul(add(mul(t, log(q)), mul(sub(1, t), log(sub(1, q)))), -1);
  }
  return mean(elementwise, opts.axis ?? -1);
}

/** Log-probabilities along `axis`: logSoftmax of logits, or log of renormalized, clipped probabilities. */
function logProbabilities(p: Tensor, axis: number, fromLogits: boolean): Tensor {
  if (fromLogits) return logSoftmax(p, axis);
  const normalized = div(p, sum(p, { axis, keepDims: true }));
  return log(clip(normalized, EPSILON, 1 - EPSILON));
}

/** -sum(y_true · log p, axis) for one-hot (or soft) `yTrue` of the same shape as `yPred`. */
export function categoricalCrossentropy(yTrue: TensorLike, yPred: TensorLike, opts: CrossentropyOptions = {}): Tensor {
  const op = 'categoricalCrossentropy';
  const ls = smoothing(op, opts.labelSmoothing);
  const p = asFloat(yPred, op);
  let t = toTensor(yTrue, op, p.dtype);
  if (t.dtype !== p.dtype) t = cast(t, p.dtype);
  if (p.rank === 0 || t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i])) {
    throw new ShapeError(
      `${op}: yTrue ${fmtShape(t.shape)} and yPred ${fmtShape(p.shape)} must have the same shape (one-hot labels); use sparseCategoricalCrossentropy for integer labels`,
    );
  }
  const axis = normalizeAxis(op, opts.axis ?? -1, p.rank);
  if (ls) t = add(mul(t, 1 - ls), ls / p.shape[axis]!);
  return mul(sum(mul(t, logProbabilities(p, axis, opts.fromLogits ?? false)), axis), -1);
}

/** Options of `sparseCategoricalCrossentropy`. */
export interface SparseCrossentropyOptions {
  fromLogits?: boolean;
  /** The class axis (default -1). */
  axis?: number;
  /** Entries whose label equals this contribute 0 (and `Loss` objects leave them out of the mean). */
  ignoreClass?: number | null;
}

/** Host values where they can be read synchronously; null (checks skipped) on async-only backends and while nb.jit traces. */
function hostValues(t: Tensor): ArrayLike<number> | null {
  return engine.tracer === null && t.storage.backend.readSync ? t.dataSync() : null;
}

/** Integer labels as int32 with the shape of `yPred` without its class axis. */
export function sparseLabels(yTrue: TensorLike, p: Tensor, op: string): Tensor {
  let t = toTensor(yTrue, op, 'int32');
  if (t.dtype === 'bool') throw new DTypeError(`${op}: labels must be integer class indices, got bool`);
  if (isFloat(t.dtype)) {
    const v = hostValues(t);
    if (v) for (let i = 0; i < v.length; i++) if (!Number.isInteger(v[i])) throw new ValueError(`${op}: labels must be integer class indices, got ${v[i]} at flat index ${i}`);
    t = cast(t, 'int32');
  }
  if (t.rank === p.rank && t.rank > 0 && t.shape[t.rank - 1] === 1) t = squeeze(t, -1);
  if (p.rank === 0 || t.shape.length !== p.rank - 1 || t.shape.some((d, i) => d !== p.shape[i])) {
    throw new ShapeError(`${op}: labels ${fmtShape(t.shape)} must have the shape of yPred ${fmtShape(p.shape)} without its last (class) axis`);
  }
  return t;
}

/** Raise on labels outside [0, classes) (other than `ignoreClass`). */
function checkLabelRange(op: string, t: Tensor, classes: number, ignoreClass: number | null): void {
  const v = hostValues(t);
  if (!v) return;
  for (let i = 0; i < v.length; i++) {
    const l = v[i]!;
    if ((l < 0 || l >= classes) && l !== ignoreClass) throw new ValueError(`${op}: label ${l} at flat index ${i} is out of range; expected a class index in [0, ${classes})`);
  }
}

/** Cross-entropy of integer class labels against probabilities or logits over the last axis. */
export function sparseCategoricalCrossentropy(yTrue: TensorLike, yPred: TensorLike, opts: SparseCrossentropyOptions = {}): Tensor {
  const op = 'sparseCategoricalCrossentropy';
  const p = asFloat(yPred, op);
  if (opts.axis !== undefined && normalizeAxis(op, opts.axis, p.rank) !== p.rank - 1) {
    throw new ValueError(`${op}: only the last axis can be the class axis, got axis ${opts.axis} for yPred ${fmtShape(p.shape)}`);
  }
  const t = sparseLabels(yTrue, p, op);
  const classes = p.shape[p.rank - 1]!;
  const ignore = opts.ignoreClass ?? null;
  checkLabelRange(op, t, classes, ignore);
  const isLabel = equal(expandDims(t, -1), range(0, classes, 1, 'int32'));
  const loss = mul(sum(where(isLabel, logProbabilities(p, p.rank - 1, opts.fromLogits ?? false), 0), -1), -1);
  return ignore === null ? loss : where(equal(t, ignore), 0, loss);
}
