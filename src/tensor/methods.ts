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
    add(b: L): T; sub(b: L): T; mul(b: L): T; div(b: L): T; pow(b: L): T; mod(b: L): T; floorDiv(b: L): T;
    maximum(b: L): T; minimum(b: L): T; squaredDifference(b: L): T; atan2(b: L): T;
    equal(b: L): T; notEqual(b: L): T; less(b: L): T; lessEqual(b: L): T; greater(b: L): T; greaterEqual(b: L): T;
    logicalAnd(b: L): T; logicalOr(b: L): T; logicalXor(b: L): T; logicalNot(): T;
    neg(): T; abs(): T; sign(): T; exp(): T; expm1(): T; log(): T; log1p(): T; sqrt(): T; rsqrt(): T; square(): T;
    reciprocal(): T; sin(): T; cos(): T; tan(): T; asin(): T; acos(): T; atan(): T; sinh(): T; cosh(): T; tanh(): T;
    sigmoid(): T; relu(): T; erf(): T; floor(): T; ceil(): T; round(): T; isNaN(): T; isFinite(): T;
    softmax(axis?: number): T; logSoftmax(axis?: number): T; relu6(): T; leakyRelu(opts?: { alpha?: number }): T;
    elu(opts?: { alpha?: number }): T; selu(): T; gelu(opts?: { approximate?: boolean }): T; softplus(): T; softsign(): T;
    swish(opts?: { beta?: number }): T; silu(): T; hardSigmoid(): T; mish(): T;
    sum(axis?: Axis, keepDims?: boolean): T; prod(axis?: Axis, keepDims?: boolean): T; mean(axis?: Axis, keepDims?: boolean): T;
    max(axis?: Axis, keepDims?: boolean): T; min(axis?: Axis, keepDims?: boolean): T;
    all(axis?: Axis, keepDims?: boolean): T; any(axis?: Axis, keepDims?: boolean): T;
    variance(axis?: Axis, keepDims?: boolean): T; std(axis?: Axis, keepDims?: boolean): T; logSumExp(axis?: Axis, keepDims?: boolean): T;
    norm(opts?: math.NormOptions): T;
    argmax(axis?: number): T; argmin(axis?: number): T;
    reshape(shape: readonly number[]): T; transpose(perm?: readonly number[]): T; permute(perm: readonly number[]): T;
    expandDims(axis?: number): T; squeeze(axis?: number | readonly number[]): T; flatten(): T;
    broadcastTo(shape: readonly number[]): T; flip(axis?: number | readonly number[]): T;
    slice(begin: number | readonly number[], size?: number | readonly number[]): T;
    index(spec: string | readonly (number | string)[]): T;
    tile(reps: readonly number[]): T; pad(paddings: readonly (readonly [number, number])[], valueOrOpts?: number | structure.PadOptions): T;
    split(sizes: number | readonly number[], axis?: number): T[]; unstack(axis?: number): T[];
    matmul(b: L, opts?: MatmulOptions): T; dot(b: L): T;
    gather(indices: L, axisOrOpts?: number | GatherOptions): T;
    cumsum(axis?: number | (ScanOptions & { axis?: number }), opts?: ScanOptions): T;
    cumprod(axis?: number | (ScanOptions & { axis?: number }), opts?: ScanOptions): T;
    sort(axisOrOpts?: number | SortOptions): T; argsort(axisOrOpts?: number | SortOptions): T;
    topk(k?: number): { values: T; indices: T };
    cast(dtype: DType): T; clip(lo: L, hi: L): T; where(cond: L, other: L): T;
    clone(): T; toFloat(): T; toInt(): T; toBool(): T;
    /** Row `i` along axis 0 (negative counts from the end). */
    at(i: number): T;
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
