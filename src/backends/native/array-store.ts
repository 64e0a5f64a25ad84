// Where the native kernels' arrays live. On the native backend they are JS typed arrays the addon
// works on in place; on the wasm backend they are allocations in the module's linear memory
// (src/backends/wasm/heap-array.ts). The kernels treat an array as opaque — its `length`, and
// passing it to the addon — and go through the store for anything else: allocating outputs,
// sub-views, and the values themselves when a kernel computes in JS.
import type { Kernel, KernelTensor } from '../backend.js';
import { copyArray, STORAGE_ARRAYS, storageDType, type DType, type TypedArray } from '../../tensor/dtype.js';
import { allocOutput, recycleOutput } from './output-arrays.js';

export interface ArrayStore {
  /** A new array of `size` elements, zero-filled unless `writesAll` (the kernel writes every element). */
  alloc(dtype: DType, size: number, writesAll?: boolean): TypedArray;
  /** Give back an array nothing uses any more (the backend's `free`). */
  free(a: TypedArray): void;
  dtypeOf(a: TypedArray): DType;
  /** `length` elements of `dtype` starting `byteOffset` bytes into `a`, sharing its memory. */
  viewOf(a: TypedArray, byteOffset: number, length: number, dtype: DType): TypedArray;
  /**
   * The elements as a JS typed array that JS code may read and write in place. Valid only until the
   * next allocation or kernel call (the wasm module's memory may grow and move), so never kept.
   */
  host(a: TypedArray): TypedArray;
  /** An array of this store holding values JS computed (the typed array itself where it can be). */
  adopt(values: TypedArray): TypedArray;
  /** While on, `free` only queues (a jit recording identifies arrays by address); off gives them back. */
  holdFrees?(on: boolean): void;
}

/** Arrays freed while a jit recording is on, given back to the output pool when it ends. */
let held: TypedArray[] | null = null;

/** The native backend's store: the arrays are the typed arrays themselves. */
export const hostArrays: ArrayStore = {
  alloc: allocOutput,
  free(a) {
    if (held) held.push(a);
    else recycleOutput(a);
  },
  dtypeOf: storageDType,
  viewOf(a, byteOffset, length, dtype) {
    // subarray clamps: an empty view at the end of an empty array is valid (a constructor would throw).
    if (storageDType(a) === dtype) return a.subarray(byteOffset / a.BYTES_PER_ELEMENT, byteOffset / a.BYTES_PER_ELEMENT + length);
    return new STORAGE_ARRAYS[dtype](a.buffer as ArrayBuffer, a.byteOffset + byteOffset, length);
  },
  host: (a) => a,
  adopt: (values) => values,
  // A recording finds each array by its identity: an array freed and taken again by a later output
  // of the same span would make that output and the dead input one array in the plan, and each
  // replay would write the output into whatever array that input then held.
  holdFrees(on) {
    const queued = held;
    held = on ? [] : null;
    queued?.forEach(recycleOutput);
  },
};

/**
 * A kernel written for host typed arrays (a reference kernel) run on `store`'s arrays: inputs are
 * read in place, results adopted. A result that is one of the inputs' own memory is copied out
 * first, since adopting another result could move that memory.
 */
export function onStore<A>(store: ArrayStore, k: Kernel<A, TypedArray>): Kernel<A, TypedArray> {
  if (store === hostArrays) return k;
  return (inputs, attrs, outs) => {
    const views = inputs.map((t): KernelTensor<TypedArray> => ({ data: store.host(t.data), shape: t.shape, dtype: t.dtype }));
    const results = k(views, attrs, outs).map((a) => (views.some((v) => v.data.buffer === a.buffer) ? copyArray(a) : a));
    return results.map((a) => store.adopt(a));
  };
}
