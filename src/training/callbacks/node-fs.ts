// File output for callbacks that write (CSVLogger, ModelCheckpoint): Node only, loaded on first use.
import { ValueError } from '../../errors.js';

type Fs = typeof import('node:fs/promises');
let fs: Promise<Fs> | null = null;

export function nodeFs(who: string): Promise<Fs> {
  const isNode = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';
  if (!isNode) return Promise.reject(new ValueError(`${who}: writing files needs Node.js`));
  fs ??= import('node:fs/promises');
  return fs;
}

/** Create the folder that will hold `path`. */
export async function ensureParentDir(f: Fs, path: string): Promise<void> {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  if (slash > 0) await f.mkdir(path.slice(0, slash), { recursive: true });
}
