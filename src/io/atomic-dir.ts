// A model folder replaced as a whole: the new files are written (and flushed) into a sibling
// temporary folder, then swapped in with renames, so a crash leaves either the old folder or the new.
import { nodeFs, splitPath, syncDir, writeFileAtomic } from './atomic-file.js';

type Fs = Awaited<ReturnType<typeof nodeFs>>;

/** Files that a model save may own in its folder (nabla's and TF.js's formats). */
const MODEL_FILE = /^(model\.json|weights\.safetensors|group\d+-shard\d+of\d+\.bin)$/;
const PREVIOUS_TAG = '.previous-';

let counter = 0;

/**
 * Write `files` as the folder `dir`. A folder holding only model files is swapped whole; one that
 * holds anything else (the user's own files) gets each file written atomically, in order (so
 * model.json, listed last, is written last).
 */
export async function writeModelDir(dir: string, files: [string, Uint8Array | string][], who: string): Promise<void> {
  const fs = await nodeFs(who);
  const existing = await fs.readdir(dir).catch((e: { code?: string }) => {
    if (e.code === 'ENOENT') return null;
    throw e;
  });
  if (existing && !existing.every((name) => MODEL_FILE.test(name))) {
    for (const [name, data] of files) await writeFileAtomic(`${dir}/${name}`, data, who);
    return;
  }
  const { dir: parent, base } = splitPath(dir.replace(/[/\\]+$/, ''));
  // Time first, so that names sort by age.
  const token = `${Date.now()}-${process.pid}-${counter++}`;
  const staging = `${parent}/.${base}.saving-${token}`;
  await fs.mkdir(staging, { recursive: true });
  try {
    for (const [name, data] of files) await writeFlushed(fs, `${staging}/${name}`, data);
    if (!existing) {
      await fs.rename(staging, dir);
      await syncDir(fs, parent);
      return;
    }
    // Between these two renames only `${dir}${PREVIOUS_TAG}...` exists; loading falls back to it.
    const previous = `${dir.replace(/[/\\]+$/, '')}${PREVIOUS_TAG}${token}`;
    await fs.rename(dir, previous);
    await fs.rename(staging, dir);
    await syncDir(fs, parent);
    await fs.rm(previous, { recursive: true, force: true });
  } catch (e) {
    await fs.rm(staging, { recursive: true, force: true });
    throw e;
  }
}

async function writeFlushed(fs: Fs, path: string, data: Uint8Array | string): Promise<void> {
  const handle = await fs.open(path, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The folder a save left behind when it stopped between its two renames, if any (newest first). */
export async function interruptedSaveOf(dir: string, who: string): Promise<string | null> {
  const fs = await nodeFs(who);
  const clean = dir.replace(/[/\\]+$/, '');
  const { dir: parent, base } = splitPath(clean);
  const names = await fs.readdir(parent).catch(() => [] as string[]);
  const left = names.filter((n) => n.startsWith(`${base}${PREVIOUS_TAG}`)).sort();
  return left.length ? `${parent}/${left.at(-1)!}` : null;
}
