// Complex numbers without a complex dtype: a real tensor whose trailing axis of size 2 holds the
// real and imaginary parts (the layout of torch.view_as_real). Every nb.signal function reads and
// writes this form, and gradients flow through it like any real tensor.
import { DTypeError, ShapeError, fmtShape } from '../errors.js';
import { toTensor, type TensorLike } from '../ops/creation.js';
import { add, atan2, mul } from '../ops/primitives/binary.js';
import { neg, sqrt } from '../ops/primitives/unary.js';
import { cast } from '../ops/primitives/cast.js';
import { slice, squeeze } from '../ops/primitives/shape.js';
import { stack } from '../ops/primitives/structure.js';
import type { Tensor } from '../tensor/tensor.js';

/** `x` as a float tensor for op `op`: int32 counts as float32 (as numpy takes integers); bool is refused. */
export function floatInput(op: string, x: TensorLike): Tensor {
  const t = toTensor(x, op);
  if (t.dtype === 'float32' || t.dtype === 'float64') return t;
  if (t.dtype === 'int32') return cast(t, 'float32');
  throw new DTypeError(`${op}: expected a float32 or float64 tensor, got ${t.dtype} (shape ${fmtShape(t.shape)})`);
}

/** A complex tensor `[..., 2]` of rank >= `minRank` for op `op`, or a ShapeError saying what was expected. */
export function complexInput(op: string, z: TensorLike, minRank = 2): Tensor {
  const t = floatInput(op, z);
  if (t.rank < minRank || t.shape[t.rank - 1] !== 2) {
    const dims = minRank > 2 ? '[..., m, n, 2]' : '[..., n, 2]';
    throw new ShapeError(`${op}: expected a complex tensor ${dims} (a trailing axis of 2: real, imaginary), got shape ${fmtShape(t.shape)}`);
  }
  return t;
}

/** The complex tensor `[..., 2]` with real part `re` and imaginary part `im` (same shapes). */
export function complex(re: TensorLike, im: TensorLike): Tensor {
  const r = floatInput('signal.complex', re);
  const i = floatInput('signal.complex', im);
  if (r.rank !== i.rank || r.shape.some((d, k) => d !== i.shape[k])) {
    throw new ShapeError(`signal.complex: the real and imaginary parts must have one shape, got ${fmtShape(r.shape)} and ${fmtShape(i.shape)}`);
  }
  if (r.dtype !== i.dtype) throw new DTypeError(`signal.complex: the real and imaginary parts must have one dtype, got ${r.dtype} and ${i.dtype}`);
  return stack([r, i], -1);
}

function part(op: string, z: TensorLike, index: 0 | 1): Tensor {
  const t = complexInput(op, z, 1);
  const begin = t.shape.map((_, k) => (k === t.rank - 1 ? index : 0));
  const size = t.shape.map((d, k) => (k === t.rank - 1 ? 1 : d));
  return squeeze(slice(t, begin, size), t.rank - 1);
}

/** The real parts of a complex tensor `[..., 2]`: shape `[...]`. */
export function real(z: TensorLike): Tensor {
  return part('signal.real', z, 0);
}

/** The imaginary parts of a complex tensor `[..., 2]`: shape `[...]`. */
export function imag(z: TensorLike): Tensor {
  return part('signal.imag', z, 1);
}

/** The complex conjugate (the imaginary parts negated). */
export function conj(z: TensorLike): Tensor {
  const t = complexInput('signal.conj', z, 1);
  return stack([part('signal.conj', t, 0), neg(part('signal.conj', t, 1))], -1);
}

/** The magnitudes |z| (shape `[...]`). Its gradient is undefined (NaN) where z = 0. */
export function abs(z: TensorLike): Tensor {
  const t = complexInput('signal.abs', z, 1);
  const re = part('signal.abs', t, 0);
  const im = part('signal.abs', t, 1);
  return sqrt(add(mul(re, re), mul(im, im)));
}

/** The phase angles atan2(imag, real) in (-π, π] (shape `[...]`). */
export function angle(z: TensorLike): Tensor {
  const t = complexInput('signal.angle', z, 1);
  return atan2(part('signal.angle', t, 1), part('signal.angle', t, 0));
}
