// Files written so that a crash never leaves a half-written one: write a temporary file in the same
// folder, flush it to disk, then rename it over the target (rename is atomic within a filesystem).
import { ValueError } from '../errors.js';
import { readRegularFile } from './read-file.js';
import { nodeFs, type Fs } from './node-fs.js';


/** The folder holding `path` and the file's own name. */
export function splitPath(path: string): { dir: string; base: string } {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  if (slash < 0) return { dir: '.', base: path };
  return { dir: slash === 0 ? path.slice(0, 1) : path.slice(0, slash), base: path.slice(slash + 1) };
}

let counter = 0;

/** Write `data` to `path` atomically, creating the parent folder if needed. */
export async function writeFileAtomic(path: string, data: Uint8Array | string, who = 'writeFileAtomic'): Promise<void> {
  const fs = await nodeFs(who);
  const { dir, base } = splitPath(path);
  if (!base) throw new ValueError(`${who}: '${path}' names a folder, expected a file path`);
  await fs.mkdir(dir, { recursive: true });
  const temp = `${dir}/.${base}.${process.pid}.${Date.now()}.${counter++}.tmp`;
  const handle = await fs.open(temp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (e) {
    await handle.close().catch(() => undefined);
    await fs.rm(temp, { force: true });
    throw e;
  }
  await handle.close();
  try {
    await fs.rename(temp, path);
  } catch (e) {
    await fs.rm(temp, { force: true });
    throw e;
  }
  await syncDir(fs, dir);
}

/** Make the rename itself durable; not every platform lets a folder be opened for this. */
export async function syncDir(fs: Fs, dir: string): Promise<void> {
  try {
    const h = await fs.open(dir, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    // Windows cannot fsync a directory; the rename is still atomic there.
  }
}

/** The bytes of a regular file, read in chunks (files over 2 GiB too), with a clear error when it is missing. */
export async function readFileBytes(path: string, who: string): Promise<Uint8Array> {
  return readRegularFile(path, who);
}
