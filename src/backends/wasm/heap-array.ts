// The wasm backend's tensor storage: allocations in the module's linear memory, so kernels get
// pointers and nothing is copied per op. A HeapArray is an address, a length and a dtype; its
// values are read through a typed array made on the spot over the module's current memory,
// because growing the memory detaches every view made before. Memory goes back to the module when
// the engine frees the array (dispose, tidy, a jit span's dead intermediates) or, as a safety net,
// when the garbage collector takes an array nobody freed (as the webgpu backend does with buffers).
import { bytesPerElement, STORAGE_ARRAYS, storageDType, type DType, type TypedArray } from '../../tensor/dtype.js';
import type { ArrayStore } from '../native/array-store.js';
import type { WasmModule } from './wasm-module.js';

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

/** Counts for `memory()`-style checks and tests: live allocations and what went through copies. */
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
  /** @internal What the collector's callback does with an allocation's address (tests call it directly). */
  collected(held: { ptr: number; bytes: number }): void;
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
    const ptr = mod.alloc(bytes, `a ${dtype} tensor of ${size} elements`);
    if (!writesAll) mod.heap.fill(0, ptr, ptr + bytes);
    const a = new HeapArray(mod, ptr, size, dtype);
    registry.register(a, { ptr, bytes }, a);
    stats.liveArrays++;
    stats.liveBytes += bytes;
    return a as unknown as TypedArray;
  };

  return {
    stats,
    collected,
    alloc,
    free(t: TypedArray): void {
      const a = t as unknown as HeapArray;
      if (!isHeapArray(a) || a.owner || a.viewed || a.freed) return;
      if (held) held.push(a);
      else giveBack(a);
    },
    dtypeOf: (a) => (isHeapArray(a) ? a.dtype : storageDType(a)),
    viewOf(t, byteOffset, length, dtype): TypedArray {
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
      // Values already in the module's memory would be detached if this allocation grows it.
      const values = given.buffer === mod.heap.buffer ? given.slice() : given;
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
