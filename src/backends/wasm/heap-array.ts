// The wasm backend's tensor storage: allocations in the module's linear memory, so kernels get
// pointers and nothing is copied per op. A HeapArray is an address, a length and a dtype; its
// values are read through a typed array made on the spot over the module's current memory,
// because growing the memory detaches every view made before (the one-thread module), or leaves
// it shorter than the memory (the threaded module's SharedArrayBuffer, which any thread may grow). Memory goes back to the module when
// the engine frees the array (dispose, tidy, a jit span's dead intermediates) or, as a safety net,
// when the garbage collector takes an array nobody freed (as the webgpu backend does with buffers).
//
// Arrays under HEAP_MIN_BYTES stay JS typed arrays, copied into the module for each call (a copy
// of a few hundred bytes costs less than the call). The collector's callbacks run only between
// tasks, so a synchronous loop that never disposes would otherwise grow linear memory by every
// small temporary until it yields (DESIGN.md §6: such a loop must stay within a fixed bound);
// typed arrays the collector frees on its own, inside the loop.
import { bytesPerElement, copyArray, STORAGE_ARRAYS, storageDType, type DType, type TypedArray } from '../../tensor/dtype.js';
import { hostArrays, type ArrayStore } from '../native/array-store.js';
import type { WasmModule } from './wasm-module.js';

/** Smallest array placed in linear memory (1,024 float32s). */
export const HEAP_MIN_BYTES = 4096;

export class HeapArray {
  /** @internal Set once the memory went back to the module. */
  freed = false;
  /** @internal A view of this array was handed out: only the collector may free it (the view may outlive a free). */
  viewed = false;

  constructor(
    /** The module whose memory holds the array (the plan compiler groups arrays by `buffer`). */
    readonly buffer: WasmModule,
    /** Address in linear memory. */
    readonly byteOffset: number,
    readonly length: number,
    readonly dtype: DType,
    /** For a view: the allocation it lies in (kept alive by the view). */
    readonly owner?: HeapArray,
  ) {}

  get byteLength(): number {
    return this.length * bytesPerElement(this.dtype);
  }
}

/** The store's own counts (tests read them; `nb.memory()` counts tensors through the engine). */
export interface HeapStats {
  /** Allocations not yet given back, and their bytes. */
  liveArrays: number;
  liveBytes: number;
  /** Allocations given back by an explicit free, and by the garbage collector. */
  freedExplicitly: number;
  freedByCollector: number;
}

export interface HeapStore extends ArrayStore {
  readonly stats: HeapStats;
}

const isHeapArray = (a: unknown): a is HeapArray => a instanceof HeapArray;

/** The store of the wasm backend's arrays in `mod`'s memory. */
export function heapArrays(mod: WasmModule): HeapStore {
  const stats: HeapStats = { liveArrays: 0, liveBytes: 0, freedExplicitly: 0, freedByCollector: 0 };
  let held: HeapArray[] | null = null;

  const release = (ptr: number, bytes: number) => {
    mod.free(ptr);
    stats.liveArrays--;
    stats.liveBytes -= bytes;
  };
  const collected = (h: { ptr: number; bytes: number }) => {
    release(h.ptr, h.bytes);
    stats.freedByCollector++;
  };
  const registry = new FinalizationRegistry<{ ptr: number; bytes: number }>(collected);

  const giveBack = (a: HeapArray) => {
    if (a.freed) return;
    a.freed = true;
    registry.unregister(a);
    release(a.byteOffset, a.byteLength);
    stats.freedExplicitly++;
  };

  const heapOf = (a: TypedArray): HeapArray => {
    if (!isHeapArray(a)) throw new Error(`nabla wasm: expected an array in the module's memory, got ${Object.prototype.toString.call(a)}`);
    if (a.freed || a.owner?.freed) throw new Error('nabla wasm: an array was used after its memory was freed');
    return a;
  };

  const alloc = (dtype: DType, size: number, writesAll = false): TypedArray => {
    const bytes = size * bytesPerElement(dtype);
    if (bytes < HEAP_MIN_BYTES) return hostArrays.alloc(dtype, size, writesAll);
    let ptr: number;
    try {
      ptr = mod.alloc(bytes, `a ${dtype} tensor of ${size} elements`);
    } catch (e) {
      const hint = 'tensors nobody disposed are given back only when the garbage collector runs between tasks: dispose them, or run the loop in nb.tidy';
      throw e instanceof RangeError ? new RangeError(`${e.message}; ${hint}`) : e;
    }
    if (!writesAll) mod.heap.fill(0, ptr, ptr + bytes);
    const a = new HeapArray(mod, ptr, size, dtype);
    registry.register(a, { ptr, bytes }, a);
    stats.liveArrays++;
    stats.liveBytes += bytes;
    return a as unknown as TypedArray;
  };

  return {
    stats,
    alloc,
    free(t: TypedArray): void {
      if (!isHeapArray(t)) return hostArrays.free(t);
      const a = t as HeapArray;
      if (a.owner || a.viewed || a.freed) return;
      if (held) held.push(a);
      else giveBack(a);
    },
    dtypeOf: (a) => (isHeapArray(a) ? a.dtype : storageDType(a)),
    viewOf(t, byteOffset, length, dtype): TypedArray {
      if (!isHeapArray(t)) return hostArrays.viewOf(t, byteOffset, length, dtype);
      const a = heapOf(t);
      const owner = a.owner ?? a;
      owner.viewed = true;
      return new HeapArray(mod, a.byteOffset + byteOffset, length, dtype, owner) as unknown as TypedArray;
    },
    host(t: TypedArray): TypedArray {
      if (ArrayBuffer.isView(t)) return t;
      const a = heapOf(t);
      return new STORAGE_ARRAYS[a.dtype](mod.heap.buffer as ArrayBuffer, a.byteOffset, a.length);
    },
    adopt(given: TypedArray): TypedArray {
      // Values already in the module's memory are copied out first: an allocation may detach them
      // (a shared memory's views are never detached, whichever buffer object they were made on).
      const values = given.buffer === mod.heap.buffer ? copyArray(given) : given;
      if (values.byteLength < HEAP_MIN_BYTES) return values;
      const a = alloc(storageDType(values), values.length, true) as unknown as HeapArray;
      mod.heap.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), a.byteOffset);
      return a as unknown as TypedArray;
    },
    holdFrees(on: boolean): void {
      const queued = held;
      held = on ? [] : null;
      queued?.forEach(giveBack);
    },
  };
}
