// TFRecord framing, the container of TensorBoard event files: per record, the payload length
// (uint64 little-endian) and its masked CRC-32C, the payload, and the payload's masked CRC-32C.
import CRC32C from 'crc-32/crc32c.js';

const MASK_DELTA = 0xa282ead8;

/** CRC-32C rotated and offset, as TFRecord stores it (so a CRC of bytes holding CRCs stays informative). */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = CRC32C.buf(bytes) >>> 0;
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

/** One record: header, payload and footer. */
export function frameRecord(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + payload.length + 4);
  const view = new DataView(out.buffer);
  view.setUint32(0, payload.length, true);
  view.setUint32(4, Math.floor(payload.length / 2 ** 32), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(payload, 12);
  view.setUint32(12 + payload.length, maskedCrc32c(payload), true);
  return out;
}
