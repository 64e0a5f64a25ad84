// Ops as Tensor methods (`a.add(b).mul(2).sum()`), attached to the prototype so that tensor.ts
// stays free of op imports.
import * as unary from '../ops/primitives/unary.js';
import * as binary from '../ops/primitives/binary.js';
import * as compare from '../ops/primitives/compare.js';
import * as reduce from '../ops/primitives/reduce.js';
import * as shape from '../ops/primitives/shape.js';
import * as structure from '../ops/primitives/structure.js';
import * as math from '../ops/composite/math.js';
import { cast } from '../ops/primitives/cast.js';
import { where } from '../ops/primitives/select.js';
import { matmul, dot, type MatmulOptions } from '../ops/primitives/matmul.js';
import { index } from '../ops/composite/indexing-string.js';
import { copy } from '../ops/primitives/copy.js';
import { gather, type GatherOptions } from '../ops/primitives/indexing.js';
import { cumsum, cumprod, type ScanOptions } from '../ops/primitives/cumulative.js';
import { sort, argsort, topk, type SortOptions } from '../ops/primitives/sort.js';
import * as activations from '../ops/composite/activations.js';
import { ShapeError, fmtShape } from '../errors.js';
import type { DType } from './dtype.js';
import type { TensorLike } from './creation.js';
import { Tensor } from './tensor.js';

type T = Tensor;
type L = TensorLike;
type Axis = reduce.AxisArg;

declare module './tensor.js' {
  interface Tensor {
    /** Elementwise `this + b`, broadcasting. */
    add(b: L): T;
    /** Elementwise `this - b`, broadcasting. */
    sub(b: L): T;
    /** Elementwise `this * b`, broadcasting. */
    mul(b: L): T;
    /** Elementwise `this / b`, broadcasting. */
    div(b: L): T;
    /** Elementwise `this ** b`, broadcasting. */
    pow(b: L): T;
    /** Elementwise remainder with the sign of `b` (floor modulo). */
    mod(b: L): T;
    /** Elementwise `floor(this / b)`. */
    floorDiv(b: L): T;
    /** Elementwise larger of `this` and `b`. */
    maximum(b: L): T;
    /** Elementwise smaller of `this` and `b`. */
    minimum(b: L): T;
    /** Elementwise `(this - b) ** 2`. */
    squaredDifference(b: L): T;
    /** Elementwise angle of the point `(b, this)`, i.e. `atan2(this, b)`. */
    atan2(b: L): T;
    /** Elementwise `this == b` as bool. */
    equal(b: L): T;
    /** Elementwise `this != b` as bool. */
    notEqual(b: L): T;
    /** Elementwise `this < b` as bool. */
    less(b: L): T;
    /** Elementwise `this <= b` as bool. */
    lessEqual(b: L): T;
    /** Elementwise `this > b` as bool. */
    greater(b: L): T;
    /** Elementwise `this >= b` as bool. */
    greaterEqual(b: L): T;
    /** Elementwise logical and (nonzero is true), as bool. */
    logicalAnd(b: L): T;
    /** Elementwise logical or (nonzero is true), as bool. */
    logicalOr(b: L): T;
    /** Elementwise logical exclusive or (nonzero is true), as bool. */
    logicalXor(b: L): T;
    /** Elementwise logical not (zero is true), as bool. */
    logicalNot(): T;
    /** Elementwise `-x`. */
    neg(): T;
    /** Elementwise absolute value. */
    abs(): T;
    /** Elementwise sign: -1, 0 or 1. */
    sign(): T;
    /** Elementwise `e ** x`. */
    exp(): T;
    /** Elementwise `e ** x - 1`, accurate near 0. */
    expm1(): T;
    /** Elementwise natural logarithm. */
    log(): T;
    /** Elementwise `log(1 + x)`, accurate near 0. */
    log1p(): T;
    /** Elementwise square root. */
    sqrt(): T;
    /** Elementwise `1 / sqrt(x)`. */
    rsqrt(): T;
    /** Elementwise `x * x`. */
    square(): T;
    /** Elementwise `1 / x`. */
    reciprocal(): T;
    /** Elementwise sine. */
    sin(): T;
    /** Elementwise cosine. */
    cos(): T;
    /** Elementwise tangent. */
    tan(): T;
    /** Elementwise arcsine. */
    asin(): T;
    /** Elementwise arccosine. */
    acos(): T;
    /** Elementwise arctangent. */
    atan(): T;
    /** Elementwise hyperbolic sine. */
    sinh(): T;
    /** Elementwise hyperbolic cosine. */
    cosh(): T;
    /** Elementwise hyperbolic tangent. */
    tanh(): T;
    /** Elementwise logistic `1 / (1 + e ** -x)`. */
    sigmoid(): T;
    /** Elementwise `max(x, 0)`. */
    relu(): T;
    /** Elementwise Gauss error function. */
    erf(): T;
    /** Elementwise round down. */
    floor(): T;
    /** Elementwise round up. */
    ceil(): T;
    /** Elementwise round to nearest, ties to even. */
    round(): T;
    /** Elementwise test for NaN, as bool. */
    isNaN(): T;
    /** Elementwise test for a finite value, as bool. */
    isFinite(): T;
    /** Softmax along `axis` (default last). */
    softmax(axis?: number): T;
    /** Log of the softmax along `axis` (default last), computed stably. */
    logSoftmax(axis?: number): T;
    /** Elementwise `min(max(x, 0), 6)`. */
    relu6(): T;
    /** Elementwise `x` for positive inputs, `alpha * x` otherwise. */
    leakyRelu(opts?: { alpha?: number }): T;
    /** Elementwise exponential linear unit: `x` if positive, `alpha * (e ** x - 1)` otherwise. */
    elu(opts?: { alpha?: number }): T;
    /** Elementwise scaled exponential linear unit (self-normalizing constants). */
    selu(): T;
    /** Elementwise Gaussian error linear unit, exact or tanh-approximated. */
    gelu(opts?: { approximate?: boolean }): T;
    /** Elementwise `log(1 + e ** x)`. */
    softplus(): T;
    /** Elementwise `x / (1 + |x|)`. */
    softsign(): T;
    /** Elementwise `x * sigmoid(beta * x)`. */
    swish(opts?: { beta?: number }): T;
    /** Elementwise `x * sigmoid(x)`. */
    silu(): T;
    /** Elementwise piecewise-linear approximation of the sigmoid. */
    hardSigmoid(): T;
    /** Elementwise `x * tanh(softplus(x))`. */
    mish(): T;
    /** Sum over `axis` (all axes by default). */
    sum(axis?: Axis, keepDims?: boolean): T;
    /** Product over `axis` (all axes by default). */
    prod(axis?: Axis, keepDims?: boolean): T;
    /** Mean over `axis` (all axes by default). */
    mean(axis?: Axis, keepDims?: boolean): T;
    /** Maximum over `axis` (all axes by default). */
    max(axis?: Axis, keepDims?: boolean): T;
    /** Minimum over `axis` (all axes by default). */
    min(axis?: Axis, keepDims?: boolean): T;
    /** Whether every element over `axis` is true. */
    all(axis?: Axis, keepDims?: boolean): T;
    /** Whether some element over `axis` is true. */
    any(axis?: Axis, keepDims?: boolean): T;
    /** Population variance over `axis` (all axes by default). */
    variance(axis?: Axis, keepDims?: boolean): T;
    /** Population standard deviation over `axis` (all axes by default). */
    std(axis?: Axis, keepDims?: boolean): T;
    /** `log(sum(exp(x)))` over `axis`, computed stably. */
    logSumExp(axis?: Axis, keepDims?: boolean): T;
    /** Vector or matrix norm (see {@link NormOptions}). */
    norm(opts?: math.NormOptions): T;
    /** Index of the largest element along `axis` (default 0), as int32. */
    argmax(axis?: number): T;
    /** Index of the smallest element along `axis` (default 0), as int32. */
    argmin(axis?: number): T;
    /** Same elements in a new shape (one size may be -1); a view when the layout allows. */
    reshape(shape: readonly number[]): T;
    /** Axes permuted by `perm` (reversed by default), as a view. */
    transpose(perm?: readonly number[]): T;
    /** Axes permuted by `perm`, as a view. */
    permute(perm: readonly number[]): T;
    /** A size-1 axis inserted at `axis`. */
    expandDims(axis?: number): T;
    /** Size-1 axes removed (all of them, or those named). */
    squeeze(axis?: number | readonly number[]): T;
    /** The elements as a 1-D tensor. */
    flatten(): T;
    /** Broadcast to `shape` without copying. */
    broadcastTo(shape: readonly number[]): T;
    /** Elements reversed along the given axes (all by default), as a view. */
    flip(axis?: number | readonly number[]): T;
    /** The block starting at `begin` of extent `size` (-1: to the end), as a view. */
    slice(begin: number | readonly number[], size?: number | readonly number[]): T;
    /** NumPy-style indexing from a string like `"1:, ::2, None"` or a list of parts. */
    index(spec: string | readonly (number | string)[]): T;
    /** Repeated `reps[i]` times along each axis. */
    tile(reps: readonly number[]): T;
    /** Padded by `paddings` (before, after) per axis, with a constant or reflect/symmetric mode. */
    pad(paddings: readonly (readonly [number, number])[], valueOrOpts?: number | structure.PadOptions): T;
    /** Pieces along `axis`: `sizes` equal parts, or the listed sizes. */
    split(sizes: number | readonly number[], axis?: number): T[];
    /** Slices along `axis`, each with that axis removed. */
    unstack(axis?: number): T[];
    /** Matrix product with broadcast batch axes, optionally transposing either side. */
    matmul(b: L, opts?: MatmulOptions): T;
    /** Dot product of vectors, or matrix product. */
    dot(b: L): T;
    /** Elements at `indices` along an axis. */
    gather(indices: L, axisOrOpts?: number | GatherOptions): T;
    /** Running sum along `axis`, optionally exclusive or reversed. */
    cumsum(axis?: number | (ScanOptions & { axis?: number }), opts?: ScanOptions): T;
    /** Running product along `axis`, optionally exclusive or reversed. */
    cumprod(axis?: number | (ScanOptions & { axis?: number }), opts?: ScanOptions): T;
    /** Values sorted along an axis (last by default). */
    sort(axisOrOpts?: number | SortOptions): T;
    /** Indices that sort the values along an axis (last by default). */
    argsort(axisOrOpts?: number | SortOptions): T;
    /** The `k` largest values along the last axis and their indices, largest first. */
    topk(k?: number): { values: T; indices: T };
    /** Converted to `dtype`. */
    cast(dtype: DType): T;
    /** Elementwise clamped to `[lo, hi]`. */
    clip(lo: L, hi: L): T;
    /** `this` where `cond` is true, `other` elsewhere. */
    where(cond: L, other: L): T;
    /** A copy with its own contiguous storage. */
    clone(): T;
    /** Cast to float32. */
    toFloat(): T;
    /** Cast to int32. */
    toInt(): T;
    /** Cast to bool (nonzero is true). */
    toBool(): T;
    /** Row `i` along axis 0 (negative counts from the end). */
    at(i: number): T;
    /** The rows along axis 0, for `for...of` and spreading (a scalar is not iterable). */
    [Symbol.iterator](): Iterator<T>;
    /** Transpose of a matrix. */
    readonly T: T;
  }
}

const P = Tensor.prototype as unknown as Record<string, unknown>;
const bin = { ...binary, ...compare } as unknown as Record<string, (a: L, b: L) => T>;
for (const name of [
  'add', 'sub', 'mul', 'div', 'pow', 'mod', 'floorDiv', 'maximum', 'minimum', 'squaredDifference', 'atan2',
  'equal', 'notEqual', 'less', 'lessEqual', 'greater', 'greaterEqual', 'logicalAnd', 'logicalOr', 'logicalXor',
]) {
  const f = bin[name]!;
  P[name] = function (this: T, b: L) {
    return f(this, b);
  };
}
const un = unary as unknown as Record<string, (a: L) => T>;
for (const name of [
  'neg', 'abs', 'sign', 'exp', 'expm1', 'log', 'log1p', 'sqrt', 'rsqrt', 'square', 'reciprocal', 'sin', 'cos', 'tan',
  'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'sigmoid', 'relu', 'erf', 'floor', 'ceil', 'round', 'isNaN', 'isFinite', 'logicalNot',
]) {
  const f = un[name]!;
  P[name] = function (this: T) {
    return f(this);
  };
}
const red = { ...reduce, ...math } as unknown as Record<string, (a: L, axis?: Axis, keepDims?: boolean) => T>;
for (const name of ['sum', 'prod', 'mean', 'max', 'min', 'all', 'any', 'variance', 'std', 'logSumExp']) {
  const f = red[name]!;
  P[name] = function (this: T, axis?: Axis, keepDims?: boolean) {
    return f(this, axis, keepDims);
  };
}

const act = activations as unknown as Record<string, (a: L, opts?: unknown) => T>;
for (const name of ['softmax', 'logSoftmax', 'relu6', 'leakyRelu', 'elu', 'selu', 'gelu', 'softplus', 'softsign', 'swish', 'silu', 'hardSigmoid', 'mish']) {
  const f = act[name]!;
  P[name] = function (this: T, opts?: unknown) {
    return f(this, opts);
  };
}

Object.assign(P, {
  norm(this: T, opts?: math.NormOptions) { return math.norm(this, opts); },
  argmax(this: T, axis = 0) { return reduce.argmax(this, axis); },
  argmin(this: T, axis = 0) { return reduce.argmin(this, axis); },
  reshape(this: T, s: readonly number[]) { return shape.reshape(this, s); },
  transpose(this: T, perm?: readonly number[]) { return shape.transpose(this, perm); },
  permute(this: T, perm: readonly number[]) { return shape.transpose(this, perm); },
  expandDims(this: T, axis = 0) { return shape.expandDims(this, axis); },
  squeeze(this: T, axis?: number | readonly number[]) { return shape.squeeze(this, axis); },
  flatten(this: T) { return shape.reshape(this, [-1]); },
  broadcastTo(this: T, s: readonly number[]) { return shape.broadcastTo(this, s); },
  flip(this: T, axis?: number | readonly number[]) { return shape.flip(this, axis); },
  slice(this: T, begin: number | readonly number[], size?: number | readonly number[]) { return shape.slice(this, begin, size); },
  index(this: T, spec: string | readonly (number | string)[]) { return index(this, spec); },
  tile(this: T, reps: readonly number[]) { return structure.tile(this, reps); },
  pad(this: T, p: readonly (readonly [number, number])[], valueOrOpts: number | structure.PadOptions = 0) { return structure.pad(this, p, valueOrOpts); },
  split(this: T, sizes: number | readonly number[], axis = 0) { return structure.split(this, sizes, axis); },
  unstack(this: T, axis = 0) { return structure.unstack(this, axis); },
  matmul(this: T, b: L, opts?: MatmulOptions) { return matmul(this, b, opts); },
  dot(this: T, b: L) { return dot(this, b); },
  gather(this: T, indices: L, axisOrOpts?: number | GatherOptions) { return gather(this, indices, axisOrOpts); },
  cumsum(this: T, axis?: number | (ScanOptions & { axis?: number }), opts?: ScanOptions) { return cumsum(this, axis, opts); },
  cumprod(this: T, axis?: number | (ScanOptions & { axis?: number }), opts?: ScanOptions) { return cumprod(this, axis, opts); },
  sort(this: T, axisOrOpts?: number | SortOptions) { return sort(this, axisOrOpts); },
  argsort(this: T, axisOrOpts?: number | SortOptions) { return argsort(this, axisOrOpts); },
  topk(this: T, k = 1) { return topk(this, k); },
  cast(this: T, dtype: DType) { return cast(this, dtype); },
  clip(this: T, lo: L, hi: L) { return math.clip(this, lo, hi); },
  where(this: T, cond: L, other: L) { return where(cond, this, other); },
  clone(this: T) { return copy(this); },
  toFloat(this: T) { return cast(this, 'float32'); },
  toInt(this: T) { return cast(this, 'int32'); },
  toBool(this: T) { return cast(this, 'bool'); },
  at(this: T, i: number) {
    if (this.rank === 0) throw new ShapeError('at: cannot index a scalar (shape [])');
    const n = this.shape[0]!;
    const j = i < 0 ? i + n : i;
    if (!Number.isInteger(i) || j < 0 || j >= n) throw new ShapeError(`at: index ${i} is out of range for axis 0 of size ${n} (shape ${fmtShape(this.shape)})`);
    return shape.squeeze(shape.slice(this, [j], [1]), 0);
  },
  *[Symbol.iterator](this: T) {
    if (this.rank === 0) throw new ShapeError('a scalar tensor (shape []) is not iterable');
    for (let i = 0; i < this.shape[0]!; i++) yield (this as T).at(i);
  },
});
Object.defineProperty(P, 'T', {
  get(this: T) {
    return shape.transpose(this);
  },
});
