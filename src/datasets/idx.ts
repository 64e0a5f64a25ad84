// The IDX format of MNIST-style files: a 4-byte magic number (0, 0, type, ndim), ndim big-endian
// uint32 sizes, then the values. Only unsigned bytes (type 0x08), the type of every MNIST file.
import { ValueError } from '../errors.js';

const UNSIGNED_BYTE = 0x08;
const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** An array read from an IDX file: its shape and its unsigned bytes. */
export interface IdxArray {
  readonly shape: number[];
  /** Row-major values, a view of the file's bytes. */
  readonly data: Uint8Array;
}

/** Parse IDX bytes, checking the magic number, the rank and that the size matches the header. */
export function parseIdx(bytes: Uint8Array, name: string, expectedRank?: number): IdxArray {
  if (bytes.length < 4) throw new ValueError(`idx: ${name} is ${bytes.length} bytes long, too short for an IDX header`);
  const [z0, z1, type, rank] = bytes;
  if (z0 !== 0 || z1 !== 0 || type !== UNSIGNED_BYTE) {
    const magic = [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join('');
    throw new ValueError(
      `idx: ${name} has magic number 0x${magic}; expected 0x000008${(expectedRank ?? 1).toString(16).padStart(2, '0')} ` +
        '(two zero bytes, 0x08 for unsigned bytes, then the rank): the file is not an uncompressed IDX file of bytes, or it is corrupt',
    );
  }
  if (expectedRank !== undefined && rank !== expectedRank) {
    throw new ValueError(`idx: ${name} has rank ${rank} in its header; expected ${expectedRank}`);
  }
  const headerSize = 4 + 4 * rank!;
  if (bytes.length < headerSize) throw new ValueError(`idx: ${name} is ${bytes.length} bytes long, too short for a header of rank ${rank}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = Array.from({ length: rank! }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== headerSize + count) {
    throw new ValueError(
      `idx: ${name} is ${bytes.length} bytes long, but its header [${shape.join(', ')}] needs ${headerSize + count} bytes: the file is truncated or corrupt`,
    );
  }
  return { shape, data: bytes.subarray(headerSize) };
}

/** Whether the bytes start with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

/** Read an IDX file, gunzipping it first when it is gzipped (by content, not by name). */
export async function readIdxFile(path: string, expectedRank?: number): Promise<IdxArray> {
  const { readFile } = await import('node:fs/promises');
  let bytes: Uint8Array = await readFile(path);
  if (isGzip(bytes)) {
    const { gunzipSync } = await import('node:zlib');
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new ValueError(`idx: ${path} looks gzipped but cannot be decompressed: ${(e as Error).message}`);
    }
  }
  return parseIdx(bytes, path, expectedRank);
}
