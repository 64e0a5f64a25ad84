import { engine } from '../engine/engine.js';
import { DTypeError, ShapeError, ValueError, fmtShape } from '../errors.js';
import {
  allocArray,
  assertDType,
  convertArray,
  dtypeOfArray,
  isFloat,
  type AnyTypedArray,
  type DType,
  type TypedArray,
} from '../tensor/dtype.js';
import { assertShape, sizeOf } from '../tensor/shape.js';
import { Tensor, type NestedArray } from '../tensor/tensor.js';
import { declareOp } from './surface.js';

/** Anything an op accepts as a tensor. */
/** Nested arrays as `tensor()` takes them: numbers, booleans or scalar tensors, typed arrays innermost. */
export type NestedInput = number | boolean | Tensor | AnyTypedArray | NestedInput[];
/** Anything ops accept as a tensor: a Tensor, a number or boolean, nested arrays, or a typed array. */
export type TensorLike = Tensor | number | boolean | NestedArray | AnyTypedArray | NestedInput[];

function isTypedArray(x: unknown): x is AnyTypedArray {
  return ArrayBuffer.isView(x) && !(x instanceof DataView);
}

/** A level of nesting: a JS array, or a typed array as the innermost level. */
function isSequence(x: unknown): x is ArrayLike<unknown> {
  return Array.isArray(x) || isTypedArray(x);
}

/** Shape of a nested JS array (whose innermost arrays may be typed arrays); ragged arrays raise. */
function nestedShape(x: unknown, op: string): number[] {
  const shape: number[] = [];
  let cur: unknown = x;
  while (isSequence(cur)) {
    shape.push(cur.length);
    cur = cur[0];
  }
  const check = (v: unknown, dim: number): void => {
    if (dim === shape.length) {
      if (isSequence(v)) throw new ShapeError(`${op}: ragged nested array: expected a scalar at depth ${dim}, got an array`);
      return;
    }
    if (!isSequence(v) || v.length !== shape[dim]) {
      throw new ShapeError(
        `${op}: ragged nested array: expected length ${shape[dim]} at depth ${dim}, got ${isSequence(v) ? v.length : typeof v}`,
      );
    }
    if (Array.isArray(v)) for (const e of v) check(e, dim + 1);
    else if (dim + 1 !== shape.length) throw new ShapeError(`${op}: ragged nested array: a typed array at depth ${dim} where arrays were expected`);
  };
  check(x, 0);
  return shape;
}

/** Flatten nested values into `out`; true when every leaf is a boolean. */
function flatten(x: unknown, out: number[]): boolean {
  let allBool = true;
  const rec = (v: unknown): void => {
    if (Array.isArray(v)) for (const e of v) rec(e);
    else if (isTypedArray(v)) {
      allBool = false;
      for (let i = 0; i < v.length; i++) out.push(Number(v[i]));
    } else if (typeof v === 'boolean') out.push(v ? 1 : 0);
    else if (typeof v === 'number') {
      allBool = false;
      out.push(v);
    } else if (v instanceof Tensor) {
      if (v.size !== 1) throw new ShapeError(`tensor: a nested array may hold scalar tensors only, got shape ${fmtShape(v.shape)}`);
      if (v.dtype !== 'bool') allBool = false;
      out.push(v.item());
    } else throw new DTypeError(`tensor: cannot convert ${v === null ? 'null' : typeof v} to a number`);
  };
  rec(x);
  return allBool;
}

/**
 * Create a tensor from nested arrays, a scalar, or a typed array (with a shape).
 * `tensor(values, dtype)` or `tensor(values, shape, dtype)`.
 */
export function tensor(values: TensorLike, shapeOrDtype?: readonly number[] | DType, dtype?: DType): Tensor {
  let shape: number[] | undefined;
  if (typeof shapeOrDtype === 'string') dtype = assertDType(shapeOrDtype, 'tensor');
  else if (shapeOrDtype !== undefined) shape = assertShape(shapeOrDtype, 'tensor');
  if (dtype !== undefined) assertDType(dtype, 'tensor');
  if (values instanceof Tensor) {
    // A variable's current value, not the variable itself (a later assign must not change it).
    const same = values.isVariable ? engine.view(values.storage, values) : values;
    const t = dtype && dtype !== values.dtype ? fromArray(values.dataSync(), values.shape, dtype) : same;
    return shape ? reshapeHost(t, shape) : t;
  }
  let flat: TypedArray;
  let inferred: number[];
  let natural: DType;
  if (isTypedArray(values)) {
    natural = dtypeOfArray(values);
    flat = convertArray(values, dtype ?? natural);
    inferred = [values.length];
  } else if (typeof values === 'number' || typeof values === 'boolean') {
    natural = typeof values === 'boolean' ? 'bool' : 'float32';
    flat = convertArray([Number(values)], dtype ?? natural);
    inferred = [];
  } else if (Array.isArray(values)) {
    inferred = nestedShape(values, 'tensor');
    const out: number[] = [];
    const allBool = flatten(values, out);
    natural = allBool && out.length > 0 ? 'bool' : 'float32';
    flat = convertArray(out, dtype ?? natural);
  } else {
    throw new DTypeError(`tensor: cannot make a tensor from ${values === null ? 'null' : typeof values}`);
  }
  if (shape) {
    if (sizeOf(shape) !== flat.length) {
      throw new ShapeError(`tensor: ${flat.length} values do not fit shape ${fmtShape(shape)} (${sizeOf(shape)} elements)`);
    }
    inferred = shape;
  }
  return engine.fromHost(flat, inferred, dtype ?? natural);
}

function fromArray(values: ArrayLike<number>, shape: readonly number[], dtype: DType): Tensor {
  return engine.fromHost(convertArray(values, dtype), shape, dtype);
}

function reshapeHost(t: Tensor, shape: number[]): Tensor {
  if (sizeOf(shape) !== t.size) throw new ShapeError(`tensor: cannot view shape ${fmtShape(t.shape)} as ${fmtShape(shape)}`);
  return engine.fromHost(t.dataSync(), shape, t.dtype);
}


/** Convert an op argument to a tensor; JS numbers take `like`'s dtype (weak typing, as in JAX/PyTorch). */
export function toTensor(x: TensorLike, op = 'op', like?: DType): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === 'number') {
    // An integer next to a bool tensor counts in int32 (as in PyTorch/JAX); a fraction needs a float.
    const dt: DType = like === undefined ? 'float32' : isFloat(like) ? like : Number.isInteger(x) ? 'int32' : 'float32';
    return engine.fromHost(convertArray([x], dt), [], dt);
  }
  if (typeof x === 'boolean') return engine.fromHost(new Uint8Array([x ? 1 : 0]), [], 'bool');
  try {
    return tensor(x);
  } catch (e) {
    throw new ValueError(`${op}: could not convert argument to a tensor: ${(e as Error).message}`);
  }
}

/** Convert a pair of op arguments, giving a JS number the other operand's dtype (weak typing). */
export function toTensorPair(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  // Non-numbers (tensors, typed arrays, nested arrays) are converted first so that a number can
  // take their dtype.
  const ta = typeof a === 'number' ? undefined : toTensor(a, op);
  const tb = toTensor(b, op, ta?.dtype);
  return [ta ?? toTensor(a, op, tb.dtype), tb];
}

/** A tensor of `shape` filled with `value` (default dtype: bool for a boolean, else float32). */
export function full(shape: readonly number[], value: number | boolean, dtype?: DType): Tensor {
  assertShape(shape, 'full');
  const dt = dtype === undefined ? (typeof value === 'boolean' ? 'bool' : 'float32') : assertDType(dtype, 'full');
  const arr = allocArray(dt, sizeOf(shape));
  arr.fill(convertArray([Number(value)], dt)[0]!);
  return engine.fromHost(arr, shape, dt);
}

/** A tensor of `shape` filled with 0 (float32 by default). */
export function zeros(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  assertShape(shape, 'zeros');
  assertDType(dtype, 'zeros');
  return engine.fromHost(allocArray(dtype, sizeOf(shape)), shape, dtype);
}

/** A tensor of `shape` filled with 1 (float32 by default). */
export function ones(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  return full(shape, 1, dtype);
}

/** Zeros with the shape (and, by default, the dtype) of `x`. */
export function zerosLike(x: TensorLike, dtype?: DType): Tensor {
  const t = toTensor(x, 'zerosLike');
  return zeros(t.shape, dtype ?? t.dtype);
}

/** Ones with the shape (and, by default, the dtype) of `x`. */
export function onesLike(x: TensorLike, dtype?: DType): Tensor {
  const t = toTensor(x, 'onesLike');
  return ones(t.shape, dtype ?? t.dtype);
}

/** `value` everywhere, with the shape (and, by default, the dtype) of `x`. */
export function fullLike(x: TensorLike, value: number | boolean, dtype?: DType): Tensor {
  const t = toTensor(x, 'fullLike');
  return full(t.shape, value, dtype ?? t.dtype);
}

/** `range(stop)` or `range(start, stop, step)`, like numpy's arange. int32 when all arguments are integers. */
export function range(start: number, stop?: number, step = 1, dtype?: DType): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  if (step === 0 || !Number.isFinite(step)) throw new ValueError(`range: step must be a finite non-zero number, got ${step}`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const dt = dtype === undefined ? ([start, stop, step].every(Number.isInteger) ? 'int32' : 'float32') : assertDType(dtype, 'range');
  const arr = allocArray(dt, n);
  for (let i = 0; i < n; i++) arr[i] = start + i * step;
  return engine.fromHost(arr, [n], dt);
}

/** `num` evenly spaced values from `start` to `stop`, both included. */
export function linspace(start: number, stop: number, num: number, dtype: DType = 'float32'): Tensor {
  if (!Number.isInteger(num) || num < 0) throw new ValueError(`linspace: num must be a non-negative integer, got ${num}`);
  assertDType(dtype, 'linspace');
  const arr = allocArray(dtype, num);
  for (let i = 0; i < num; i++) arr[i] = num === 1 ? start : start + ((stop - start) * i) / (num - 1);
  // The end point is exact, whatever the rounding of the steps.
  if (num > 1) arr[num - 1] = stop;
  return engine.fromHost(arr, [num], dtype);
}

/** An n x m matrix with ones on the diagonal. */
export function eye(n: number, m = n, dtype: DType = 'float32'): Tensor {
  if (!Number.isInteger(n) || !Number.isInteger(m) || n < 0 || m < 0) throw new ValueError(`eye: sizes must be non-negative integers, got ${n}, ${m}`);
  assertDType(dtype, 'eye');
  const arr = allocArray(dtype, n * m);
  for (let i = 0; i < Math.min(n, m); i++) arr[i * m + i] = 1;
  return engine.fromHost(arr, [n, m], dtype);
}

// The public surface of these ops (src/ops/surface.ts).
declareOp(tensor, { aliases: ['constant'] });
declareOp(zeros);
declareOp(ones);
declareOp(full);
declareOp(zerosLike);
declareOp(onesLike);
declareOp(fullLike);
declareOp(range);
declareOp(linspace);
declareOp(eye);
