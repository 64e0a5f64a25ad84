// Moving rows between tensors and host arrays. The pipeline builds batches by copying rows into
// one host buffer and uploading it once; going through a stack op per batch costs far more.
import { engine } from '../engine/engine.js';
import { DTypeError, ShapeError, fmtShape } from '../errors.js';
import { stack } from '../ops/primitives/structure.js';
import { allocArray, type DType, type TypedArray } from '../tensor/dtype.js';
import { isContiguous } from '../tensor/layout.js';
import { sizeOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { StringTensor, stackStrings } from '../tensor/string-tensor.js';
import type { Leaf } from './structure.js';

const HOST_ARRAY: Record<DType, unknown> = { float32: Float32Array, float64: Float64Array, int32: Int32Array, bool: Uint8Array };

/**
 * The tensor's values without a copy, when its backend keeps them in a host typed array of the
 * dtype's kind (js and native do) and the tensor is contiguous. Safe because tensors are immutable.
 */
export function hostView(t: Tensor): TypedArray | undefined {
  const handle: unknown = t.storage.handle;
  if (!ArrayBuffer.isView(handle) || t.disposed || !isContiguous(t)) return undefined;
  if (handle.constructor !== HOST_ARRAY[t.dtype]) return undefined;
  return (handle as TypedArray).subarray(t.offset, t.offset + t.size);
}

/** The tensor's values on the host: zero-copy where possible, else read back (works on every backend). */
export async function hostData(t: Tensor): Promise<TypedArray> {
  return hostView(t) ?? (await t.data());
}

/** Host values without waiting, where the backend allows it. */
function hostDataSync(t: Tensor): TypedArray | undefined {
  const view = hostView(t);
  if (view) return view;
  return t.storage.backend.readSync ? t.dataSync() : undefined;
}

/** A tensor over host values (takes ownership: on host backends it aliases `values`). */
export function fromHost(values: TypedArray, shape: readonly number[], dtype: DType): Tensor {
  return engine.fromHost(values, shape, dtype);
}

/** Rows `[start, end)` along axis 0 of host values with the given row shape. */
export function rowsOf(values: TypedArray, rowShape: readonly number[], dtype: DType, start: number, end: number): Tensor {
  const rowSize = sizeOf(rowShape);
  return fromHost(values.subarray(start * rowSize, end * rowSize), [end - start, ...rowShape], dtype);
}

/** Row `i` along axis 0 of host values with the given row shape. */
export function rowOf(values: TypedArray, rowShape: readonly number[], dtype: DType, i: number): Tensor {
  const rowSize = sizeOf(rowShape);
  return fromHost(values.subarray(i * rowSize, (i + 1) * rowSize), rowShape, dtype);
}

/** The leaves as strings when they all are (plain or StringTensor), null when none is; a mix is an error. */
function stringLeaves(leaves: readonly Leaf[], op: string, path: string): (string | StringTensor)[] | null {
  const isString = (l: Leaf) => typeof l === 'string' || l instanceof StringTensor;
  const n = leaves.filter(isString).length;
  if (n === 0) return null;
  if (n !== leaves.length) throw new DTypeError(`${op}: ${path} holds strings in some elements and numbers or tensors in others; every element must hold the same kind`);
  return leaves as (string | StringTensor)[];
}

function scalarsToTensor(leaves: readonly Leaf[], op: string, path: string): Tensor {
  if (leaves.every((v) => typeof v === 'boolean')) return fromHost(Uint8Array.from(leaves as boolean[], (b) => (b ? 1 : 0)), [leaves.length], 'bool');
  if (!leaves.every((v) => typeof v === 'number')) {
    throw new DTypeError(`${op}: ${path} mixes numbers, booleans and tensors across elements; every element must hold the same kind`);
  }
  const nums = leaves as number[];
  const dtype: DType = nums.every((v) => Number.isInteger(v) && v >= -2147483648 && v <= 2147483647) ? 'int32' : 'float32';
  const out = allocArray(dtype, nums.length);
  out.set(nums);
  return fromHost(out, [nums.length], dtype);
}

function checkSameKind(tensors: readonly Tensor[], op: string, path: string, padded: boolean): void {
  const first = tensors[0]!;
  for (const t of tensors) {
    if (t.dtype !== first.dtype) {
      throw new DTypeError(`${op}: ${path} has dtype ${first.dtype} in one element and ${t.dtype} in another; every element must have one dtype`);
    }
    if (padded ? t.rank !== first.rank : t.shape.some((d, i) => d !== first.shape[i]) || t.rank !== first.rank) {
      throw new ShapeError(
        `${op}: ${path} has shape ${fmtShape(first.shape)} in one element and ${fmtShape(t.shape)} in another; ` +
          (padded ? 'paddedBatch needs every element to have the same rank' : 'batch needs equal shapes (use paddedBatch for varying lengths)'),
      );
    }
  }
}

/** Stack one leaf of n elements into a tensor with a leading axis of size n. */
export function stackLeaves(leaves: readonly Leaf[], op: string, path: string): Tensor | StringTensor {
  const strings = stringLeaves(leaves, op, path);
  if (strings) return stackStrings(strings, `${op} (${path})`);
  if (!leaves.every((l) => typeof l === 'object')) return scalarsToTensor(leaves, op, path);
  const tensors = leaves as Tensor[];
  checkSameKind(tensors, op, path, false);
  const first = tensors[0]!;
  const rowSize = first.size;
  const hosts = tensors.map(hostDataSync);
  if (hosts.some((h) => h === undefined)) return stack(tensors, 0);
  const out = allocArray(first.dtype, rowSize * tensors.length);
  hosts.forEach((h, i) => out.set(h!, i * rowSize));
  return fromHost(out, [tensors.length, ...first.shape], first.dtype);
}

/**
 * Stack one leaf of n elements, padding each to `shape` (a dim of -1 or undefined takes the
 * largest size among the elements) with `value`.
 */
export async function padAndStackLeaves(
  leaves: readonly Leaf[],
  target: readonly (number | undefined)[] | undefined,
  value: number,
  op: string,
  path: string,
): Promise<Tensor | StringTensor> {
  const strings = stringLeaves(leaves, op, path);
  if (strings) return stackStrings(strings, `${op} (${path})`);
  if (!leaves.every((l) => typeof l === 'object')) return scalarsToTensor(leaves, op, path);
  const tensors = leaves as Tensor[];
  checkSameKind(tensors, op, path, true);
  const rank = tensors[0]!.rank;
  if (target && target.length !== rank) {
    throw new ShapeError(`${op}: paddedShapes gives ${fmtShape(target.map((d) => d ?? -1))} for ${path}, whose elements have rank ${rank}`);
  }
  const shape = Array.from({ length: rank }, (_, a) => {
    const longest = Math.max(...tensors.map((t) => t.shape[a]!));
    const want = target?.[a];
    if (want === undefined || want === -1) return longest;
    if (want < longest) {
      throw new ShapeError(`${op}: ${path} has size ${longest} along axis ${a}, larger than the padded shape ${fmtShape(target!.map((d) => d ?? -1))}`);
    }
    return want;
  });
  const dtype = tensors[0]!.dtype;
  const rowSize = sizeOf(shape);
  const out = allocArray(dtype, rowSize * tensors.length);
  if (value !== 0) out.fill(value);
  for (let i = 0; i < tensors.length; i++) {
    copyPadded(await hostData(tensors[i]!), tensors[i]!.shape, out, shape, i * rowSize);
  }
  return fromHost(out, [tensors.length, ...shape], dtype);
}

/** Copy a row-major block of `srcShape` into the top-left corner of a `dstShape` block at `dstOffset`. */
function copyPadded(src: TypedArray, srcShape: readonly number[], dst: TypedArray, dstShape: readonly number[], dstOffset: number): void {
  const rank = srcShape.length;
  if (rank === 0) {
    dst[dstOffset] = src[0]!;
    return;
  }
  if (sizeOf(srcShape) === 0) return;
  const inner = srcShape[rank - 1]!;
  const dstStrides = dstShape.map((_, a) => sizeOf(dstShape.slice(a + 1)));
  const idx = new Array<number>(rank - 1).fill(0);
  const rows = sizeOf(srcShape) / inner;
  for (let r = 0; r < rows; r++) {
    let off = dstOffset;
    for (let a = 0; a < rank - 1; a++) off += idx[a]! * dstStrides[a]!;
    dst.set(src.subarray(r * inner, (r + 1) * inner), off);
    for (let a = rank - 2; a >= 0; a--) {
      if (++idx[a]! < srcShape[a]!) break;
      idx[a] = 0;
    }
  }
}
