// Typed arrays to and from little-endian bytes (the byte order of safetensors and TF.js weights),
// copying so that unaligned offsets and big-endian hosts both work.
import type { TypedArray } from '../tensor/dtype.js';

export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type ArrayCtor<T> = { new (buffer: ArrayBuffer): T; BYTES_PER_ELEMENT: number };

/** `count` elements of `ctor`'s type stored little-endian at `bytes[start..]` (a fresh, aligned copy). */
export function readLittleEndian<T extends { length: number }>(ctor: ArrayCtor<T>, bytes: Uint8Array, start: number, count: number): T {
  const width = ctor.BYTES_PER_ELEMENT;
  // A copy into a fresh buffer of exactly this size: `bytes.slice` would not do, since a Node Buffer's
  // `slice` is a view into its (shared, pooled) ArrayBuffer.
  const copy = new Uint8Array(count * width);
  copy.set(bytes.subarray(start, start + count * width));
  if (!HOST_IS_LITTLE_ENDIAN && width > 1) swapBytes(copy, width);
  return new ctor(copy.buffer);
}

/** The bytes of `data` in little-endian order (a copy). */
export function toLittleEndianBytes(data: TypedArray | Uint16Array): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  if (!HOST_IS_LITTLE_ENDIAN && data.BYTES_PER_ELEMENT > 1) swapBytes(bytes, data.BYTES_PER_ELEMENT);
  return bytes;
}

function swapBytes(bytes: Uint8Array, width: number): void {
  for (let i = 0; i + width <= bytes.length; i += width) {
    for (let a = i, b = i + width - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}
