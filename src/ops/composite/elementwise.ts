// Elementwise functions that are short compositions of primitives (DESIGN.md: few primitives).
// None is hot in training, each is as accurate as the primitive it replaced to a few ulp, and
// each gets its gradient from its parts.
import { isFloat } from '../../tensor/dtype.js';
import { toTensor, type TensorLike } from '../creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { add, div, mul, sub } from '../primitives/binary.js';
import { cast } from '../primitives/cast.js';
import { logicalOr, notEqual } from '../primitives/compare.js';
import { cos, exp, expm1, isFinite, isNaN, logicalNot, sin } from '../primitives/unary.js';
import { declareOp } from '../surface.js';

function floatOf(x: TensorLike, op: string): Tensor {
  const t = toTensor(x, op);
  return isFloat(t.dtype) ? t : cast(t, 'float32');
}

/** Elementwise tangent, sin(x) / cos(x). */
export function tan(x: TensorLike): Tensor {
  const t = floatOf(x, 'tan');
  return div(sin(t), cos(t));
}

/** Elementwise hyperbolic sine, (expm1(x) - expm1(-x)) / 2: expm1 keeps it accurate near 0. */
export function sinh(x: TensorLike): Tensor {
  const t = floatOf(x, 'sinh');
  return mul(sub(expm1(t), expm1(mul(t, -1))), 0.5);
}

/** Elementwise hyperbolic cosine, (e^x + e^-x) / 2. */
export function cosh(x: TensorLike): Tensor {
  const t = floatOf(x, 'cosh');
  return mul(add(exp(t), exp(mul(t, -1))), 0.5);
}

/** Elementwise test for +-Infinity, as bool: neither finite nor NaN. */
export function isInf(x: TensorLike): Tensor {
  const t = toTensor(x, 'isInf');
  return logicalNot(logicalOr(isFinite(t), isNaN(t)));
}

/** Elementwise logical exclusive or (nonzero is true), as bool. */
export function logicalXor(a: TensorLike, b: TensorLike): Tensor {
  return notEqual(cast(toTensor(a, 'logicalXor'), 'bool'), cast(toTensor(b, 'logicalXor'), 'bool'));
}

// The public surface of these ops (src/ops/surface.ts).
declareOp(tan, { method: true });
declareOp(sinh, { method: true });
declareOp(cosh, { method: true });
declareOp(isInf, { method: true });
declareOp(logicalXor, { method: true });
