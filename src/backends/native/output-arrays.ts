// Output arrays for the native kernels. V8 keeps typed arrays of up to 64 bytes inside its heap,
// and handing one to C++ forces a copy out of the heap (about a microsecond). Small outputs are
// therefore cut from shared 8 KiB slabs that already live outside it, as Node's Buffer pool
// does: a slab is freed when the last array cut from it is collected, so a long-lived small
// tensor keeps at most 8 KiB alive.
import { bytesPerElement, type DType, type TypedArray } from '../../tensor/dtype.js';

const SMALL_BYTES = 64;
const SLAB_BYTES = 8192;

const CTORS = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  bool: Uint8Array,
} as const;

let slab = new ArrayBuffer(SLAB_BYTES);
let used = 0;

/** A zero-filled typed array of `size` elements whose memory C++ can use without a copy. */
export function allocOutput(dtype: DType, size: number): TypedArray {
  const bytes = size * bytesPerElement(dtype);
  if (bytes > SMALL_BYTES || bytes === 0) return new CTORS[dtype](size);
  if (used + bytes > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    used = 0;
  }
  const out = new CTORS[dtype](slab, used, size);
  used += (bytes + 7) & ~7;
  return out;
}
