// Reading files that may come from someone else (a downloaded model folder): only regular files,
// only inside the folder they belong to, only as many bytes as declared, and in chunks so that
// files over 2 GiB (Node's limit for one readFile) load too.
import { ValueError } from '../errors.js';
import { nodeFs } from './node-fs.js';

/** Bytes read per call; one read(2) returns at most ~2 GiB, and smaller reads keep the loop responsive. */
export const READ_CHUNK_BYTES = 64 * 1024 * 1024;

export interface ReadOptions {
  /** Refuse a file of any other size (before reading it). */
  expectedBytes?: number;
  /** Refuse a larger file (before reading it). */
  maxBytes?: number;
  /** Bytes per read call (a parameter so that tests can exercise the loop on small files). */
  chunkBytes?: number;
}

/**
 * The bytes of the regular file at `path`. A FIFO, a device, a socket or a folder is refused without
 * blocking: the file is opened non-blocking and checked with fstat on the open descriptor, so what is
 * checked is what is read.
 */
export async function readRegularFile(path: string, who: string, opts: ReadOptions = {}): Promise<Uint8Array> {
  const fs = await nodeFs(who);
  const { constants } = await import('node:fs');
  let handle: Awaited<ReturnType<typeof fs.open>>;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
    handle = await fs.open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') throw new ValueError(`${who}: no file at '${path}'`);
    if (code === 'EISDIR') throw new ValueError(`${who}: '${path}' is a folder, expected a file`);
    throw new ValueError(`${who}: cannot open '${path}' (${(e as Error).message})`);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new ValueError(`${who}: '${path}' is ${kindOf(stat)}, not a regular file; refusing to read it`);
    const size = stat.size;
    if (opts.expectedBytes !== undefined && size !== opts.expectedBytes) {
      throw new ValueError(`${who}: '${path}' has ${size} bytes but ${opts.expectedBytes} are declared for it; the file and its manifest do not match`);
    }
    if (opts.maxBytes !== undefined && size > opts.maxBytes) {
      throw new ValueError(`${who}: '${path}' has ${size} bytes; at most ${opts.maxBytes} are accepted for it`);
    }
    const { constants: limits } = await import('node:buffer');
    if (size > limits.MAX_LENGTH) {
      throw new ValueError(`${who}: '${path}' has ${size} bytes; this Node.js (${process.version}) holds at most ${limits.MAX_LENGTH} bytes in one array`);
    }
    return await readChunks(handle, size, path, who, opts.chunkBytes ?? READ_CHUNK_BYTES);
  } finally {
    await handle.close();
  }
}

type Handle = { read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }> };

/** Exactly `size` bytes from the start of the file, `chunkBytes` at a time (never more than `size`). */
export async function readChunks(handle: Handle, size: number, path: string, who: string, chunkBytes: number): Promise<Uint8Array> {
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes <= 0) throw new ValueError(`${who}: chunkBytes must be a positive integer, got ${chunkBytes}`);
  const out = new Uint8Array(size);
  let at = 0;
  while (at < size) {
    const { bytesRead } = await handle.read(out, at, Math.min(chunkBytes, size - at), at);
    if (bytesRead === 0) throw new ValueError(`${who}: '${path}' ended after ${at} of its ${size} bytes (it shrank while being read)`);
    at += bytesRead;
  }
  return out;
}

function kindOf(stat: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * The path of `relative` inside `dir`, refusing one that leaves it: an absolute path, `..` above the
 * folder, or a symlink (at any step) that resolves outside it. `what` names the field it came from.
 */
export async function pathInside(dir: string, relative: unknown, who: string, what: string): Promise<string> {
  if (typeof relative !== 'string' || relative === '') throw new ValueError(`${who}: ${what} must be a non-empty file name, got ${JSON.stringify(relative)}`);
  const path = await import('node:path');
  const fs = await nodeFs(who);
  if (path.isAbsolute(relative) || path.win32.isAbsolute(relative) || relative.includes('\0')) {
    throw new ValueError(`${who}: ${what} '${relative}' is an absolute path; weight files must be inside the model folder`);
  }
  const joined = path.resolve(dir, relative);
  const base = path.resolve(dir);
  if (!isWithin(path, base, joined)) throw new ValueError(`${who}: ${what} '${relative}' points outside the model folder '${dir}'`);
  // Symlinks: compare where both really are.
  const realBase = await fs.realpath(base).catch(() => base);
  const real = await fs.realpath(joined).catch((e: { code?: string }) => {
    if (e.code === 'ENOENT') return joined;
    throw e;
  });
  if (!isWithin(path, realBase, real)) {
    throw new ValueError(`${who}: ${what} '${relative}' is a link to '${real}', outside the model folder '${dir}'`);
  }
  return joined;
}

function isWithin(path: typeof import('node:path'), base: string, target: string): boolean {
  const rel = path.relative(base, target);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}
