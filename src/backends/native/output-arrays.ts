// Output arrays for the native kernels. V8 keeps typed arrays of up to 64 bytes inside its heap,
// and handing one to C++ forces a copy out of the heap (about a microsecond). Small outputs are
// therefore cut from shared 8 KiB slabs that already live outside it, as Node's Buffer pool
// does: a slab is freed when the last array cut from it is collected, so a long-lived small
// tensor keeps at most 8 KiB alive.
import { bytesPerElement, STORAGE_ARRAYS as CTORS, type DType, type TypedArray } from '../../tensor/dtype.js';

const SMALL_BYTES = 64;
const SLAB_BYTES = 8192;


let slab = new ArrayBuffer(SLAB_BYTES);
let used = 0;

// Large outputs are recycled: when the engine frees one (every tensor over it was disposed, as
// tidy does each step of a training loop) it waits in a small pool for the next output of the
// same dtype and size. A fresh array costs page faults and garbage-collection pressure that,
// for a batch of activations, exceed the kernel's own time. Only arrays made here are pooled
// (never a user's array that nb.tensor adopted), and the pool is bounded. Arrays from 4 KiB up are
// pooled: a batch-256 predict's output (an MLP's 256 x 10 logits, 10 KiB) made fresh each batch
// cost about 10% of that predict's CPU time in external-memory garbage collection.
// A predict over many batches holds every batch's output until it joins them, then frees them all
// at once: so small sizes keep more arrays (up to 64, 4 MiB of them), large ones 4.
const POOL_MIN_BYTES = 4 * 1024;
const POOL_MAX_BYTES = 64 * 1024 * 1024;
const POOL_BYTES_PER_SIZE = 4 * 1024 * 1024;
const POOL_PER_SIZE_MIN = 4;
const POOL_PER_SIZE_MAX = 64;

function poolLimit(bytes: number): number {
  return Math.min(POOL_PER_SIZE_MAX, Math.max(POOL_PER_SIZE_MIN, Math.floor(POOL_BYTES_PER_SIZE / bytes)));
}
const recyclable = new WeakSet<TypedArray>();
const pool = new Map<string, TypedArray[]>();
let pooledBytes = 0;

/** Take back an output array nothing uses any more (the native backend's `free`). */
export function recycleOutput(a: TypedArray): void {
  if (!recyclable.has(a) || pooledBytes + a.byteLength > POOL_MAX_BYTES) return;
  const key = `${a.constructor.name}:${a.length}`;
  const list = pool.get(key) ?? [];
  if (list.length >= poolLimit(a.byteLength)) return;
  recyclable.delete(a);
  list.push(a);
  pool.set(key, list);
  pooledBytes += a.byteLength;
}

/**
 * A zero-filled typed array of `size` elements whose memory C++ can use without a copy.
 * `writesAll`: the kernel writes every element, so a recycled array needn't be cleared first
 * (clearing 4 MiB costs about 0.3 ms, 5% of a 1024 x 1024 matmul).
 */
export function allocOutput(dtype: DType, size: number, writesAll = false): TypedArray {
  const bytes = size * bytesPerElement(dtype);
  if (bytes >= POOL_MIN_BYTES) {
    const reused = pool.get(`${CTORS[dtype].name}:${size}`)?.pop();
    if (reused) {
      pooledBytes -= reused.byteLength;
      if (!writesAll) reused.fill(0);
    }
    const out = reused ?? new CTORS[dtype](size);
    recyclable.add(out);
    return out;
  }
  if (bytes > SMALL_BYTES || bytes === 0) return new CTORS[dtype](size);
  if (used + bytes > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    used = 0;
  }
  const out = new CTORS[dtype](slab, used, size);
  used += (bytes + 7) & ~7;
  return out;
}
