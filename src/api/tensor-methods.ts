// Ops as Tensor methods (`a.add(b).mul(2).sum()`), attached to the prototype so that tensor.ts
// stays free of op imports. Which ops are methods is declared beside each op (declareOp's
// `method`); their names come from tensor-method-names.ts and their types from the ops' own
// signatures, so nothing here names them. The methods below are those whose form differs from
// an op's.
import { ShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import type { TensorLike } from '../ops/creation.js';
import * as ops from './ops.js';
import { TENSOR_METHOD_NAMES } from './tensor-method-names.js';

type Ops = typeof ops;
type MethodName = (typeof TENSOR_METHOD_NAMES)[number];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type WithoutSelf<F> = F extends (self: any, ...rest: infer R) => infer O ? (...rest: R) => O : never;
/** `nb.op(x, ...rest)` as `x.op(...rest)`, for every declared method. */
type OpMethods = { [K in keyof Pick<Ops, MethodName>]: WithoutSelf<Ops[K]> };

declare module '../tensor/tensor.js' {
  interface Tensor extends OpMethods {
    /** Axes permuted by `perm`, as a view. */
    permute(perm: readonly number[]): Tensor;
    /** The elements as a 1-D tensor. */
    flatten(): Tensor;
    /** `this` where `cond` is true, `other` elsewhere. */
    where(cond: TensorLike, other: TensorLike): Tensor;
    /** A copy with its own contiguous storage. */
    clone(): Tensor;
    /** Cast to float32. */
    toFloat(): Tensor;
    /** Cast to int32. */
    toInt(): Tensor;
    /** Cast to bool (nonzero is true). */
    toBool(): Tensor;
    /** Row `i` along axis 0 (negative counts from the end). */
    at(i: number): Tensor;
    /** The rows along axis 0, for `for...of` and spreading (a scalar is not iterable). */
    [Symbol.iterator](): Iterator<Tensor>;
    /** Transpose of a matrix. */
    readonly T: Tensor;
  }
}

const P = Tensor.prototype as unknown as Record<string, unknown>;
for (const name of TENSOR_METHOD_NAMES) {
  const f = ops[name] as (self: Tensor, ...rest: unknown[]) => unknown;
  P[name] = function (this: Tensor, ...rest: unknown[]) {
    return f(this, ...rest);
  };
}

Object.assign(P, {
  permute(this: Tensor, perm: readonly number[]) { return ops.transpose(this, perm); },
  flatten(this: Tensor) { return ops.reshape(this, [-1]); },
  where(this: Tensor, cond: TensorLike, other: TensorLike) { return ops.where(cond, this, other); },
  clone(this: Tensor) { return ops.copy(this); },
  toFloat(this: Tensor) { return ops.cast(this, 'float32'); },
  toInt(this: Tensor) { return ops.cast(this, 'int32'); },
  toBool(this: Tensor) { return ops.cast(this, 'bool'); },
  at(this: Tensor, i: number) {
    if (this.rank === 0) throw new ShapeError('at: cannot index a scalar (shape [])');
    const n = this.shape[0]!;
    const j = i < 0 ? i + n : i;
    if (!Number.isInteger(i) || j < 0 || j >= n) throw new ShapeError(`at: index ${i} is out of range for axis 0 of size ${n} (shape ${fmtShape(this.shape)})`);
    return ops.squeeze(ops.slice(this, [j], [1]), 0);
  },
  *[Symbol.iterator](this: Tensor) {
    if (this.rank === 0) throw new ShapeError('a scalar tensor (shape []) is not iterable');
    for (let i = 0; i < this.shape[0]!; i++) yield this.at(i);
  },
});
Object.defineProperty(P, 'T', {
  get(this: Tensor) {
    return ops.transpose(this);
  },
});
