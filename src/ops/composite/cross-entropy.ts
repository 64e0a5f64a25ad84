// Cross-entropies on logits, like tf.nn's: computed from logits directly so that huge logits give
// finite losses and gradients.
import { engine } from '../../engine/engine.js';
import { DTypeError, ShapeError, ValueError, fmtShape } from '../../errors.js';
import { isFloat } from '../../tensor/dtype.js';
import { normalizeAxis, shapesEqual } from '../../tensor/shape.js';
import { range, tensor, toTensor, type TensorLike } from '../creation.js';
import { Tensor } from '../../tensor/tensor.js';
import { add, mul, sub } from '../primitives/binary.js';
import { cast } from '../primitives/cast.js';
import { equal } from '../primitives/compare.js';
import { sum } from '../primitives/reduce.js';
import { where } from '../primitives/select.js';
import { expandDims } from '../primitives/shape.js';
import { abs, exp, log1p } from '../primitives/unary.js';
import { logSoftmax } from './activations.js';
import { declareOp } from '../surface.js';

function floatLogits(op: string, logits: TensorLike): Tensor {
  const t = toTensor(logits, op);
  if (!isFloat(t.dtype)) throw new DTypeError(`${op}: logits must be float32 or float64, got ${t.dtype}`);
  return t;
}

/** Labels as a tensor of the logits' dtype and shape. */
function matchingLabels(op: string, labels: TensorLike, logits: Tensor): Tensor {
  const l = toTensor(labels, op, logits.dtype);
  if (!shapesEqual(l.shape, logits.shape)) {
    throw new ShapeError(`${op}: labels ${fmtShape(l.shape)} and logits ${fmtShape(logits.shape)} must have the same shape`);
  }
  return l.dtype === logits.dtype ? l : cast(l, logits.dtype);
}

/** Arguments of the `*CrossEntropyWithLogits` ops: labels and unnormalized scores. */
export interface LogitsArgs {
  labels: TensorLike;
  logits: TensorLike;
}

/**
 * Elementwise binary cross-entropy of `labels` (probabilities in [0, 1]) against `logits`:
 * max(x, 0) - x * z + log(1 + exp(-|x|)), with max(x, 0) as (x + |x|) / 2 so the gradient is
 * sigmoid(x) - z everywhere.
 */
export function sigmoidCrossEntropyWithLogits({ labels, logits }: LogitsArgs): Tensor {
  const op = 'sigmoidCrossEntropyWithLogits';
  const x = floatLogits(op, logits);
  const z = matchingLabels(op, labels, x);
  const a = abs(x);
  const positivePart = add(mul(x, 0.5), mul(a, 0.5));
  return add(sub(positivePart, mul(x, z)), log1p(exp(mul(a, -1))));
}

/** Per-example cross-entropy of a probability distribution `labels` against `logits` along `axis` (default -1). */
export function softmaxCrossEntropyWithLogits({ labels, logits, axis = -1 }: LogitsArgs & { axis?: number }): Tensor {
  const op = 'softmaxCrossEntropyWithLogits';
  const x = floatLogits(op, logits);
  if (x.rank === 0) throw new ShapeError(`${op}: logits must have rank >= 1, got a scalar`);
  const z = matchingLabels(op, labels, x);
  const a = normalizeAxis(op, axis, x.rank);
  // Classes with zero probability contribute 0, even where their log-probability is -Infinity.
  const terms = where(equal(z, 0), 0, mul(z, logSoftmax(x, a)));
  return mul(sum(terms, a), -1);
}

/** Host values of `t` where they can be read synchronously; null on async-only backends (WebGPU) and while tracing for jit. */
function hostValues(t: Tensor): ArrayLike<number> | null {
  return engine.tracer === null && t.storage.backend.readSync ? t.dataSync() : null;
}

/**
 * Per-example cross-entropy of integer class `labels` (shape logits.shape[:-1]) against `logits`
 * [..., classes]. A label outside [0, classes) raises a ValueError (where values can be read).
 */
export function sparseSoftmaxCrossEntropyWithLogits({ labels, logits }: LogitsArgs): Tensor {
  const op = 'sparseSoftmaxCrossEntropyWithLogits';
  const x = floatLogits(op, logits);
  // JS arrays of class indices are int32, like the tensor the op expects.
  const l = labels instanceof Tensor ? labels : toTensor(typeof labels === 'number' ? labels : tensor(labels, 'int32'), op, 'int32');
  if (l.dtype !== 'int32') throw new DTypeError(`${op}: labels must be int32 class indices, got ${l.dtype}`);
  if (x.rank === 0 || !shapesEqual(l.shape, x.shape.slice(0, -1))) {
    throw new ShapeError(`${op}: labels ${fmtShape(l.shape)} must have the shape of logits ${fmtShape(x.shape)} without its last axis`);
  }
  const classes = x.shape[x.rank - 1]!;
  const host = hostValues(l);
  if (host) {
    for (let i = 0; i < host.length; i++) {
      const v = host[i]!;
      if (v < 0 || v >= classes) {
        throw new ValueError(`${op}: label ${v} at flat index ${i} is out of range; expected a class index in [0, ${classes})`);
      }
    }
  }
  const isLabel = equal(expandDims(l, -1), range(0, classes, 1, 'int32'));
  return mul(sum(where(isLabel, logSoftmax(x, -1), 0), -1), -1);
}

// The public surface of these ops (src/ops/surface.ts).
declareOp(sigmoidCrossEntropyWithLogits, { nn: 'only' });
declareOp(softmaxCrossEntropyWithLogits, { nn: 'only' });
declareOp(sparseSoftmaxCrossEntropyWithLogits, { nn: 'only' });
