// Model folders replaced atomically, even when they hold the user's own files, and even with several
// processes saving into one folder at once.
//
// Design: model.json is the one pointer. Each save writes its weight files under names of its own
// generation (`weights.<gen>.safetensors`), flushed, next to the current ones, and only then swaps
// model.json (naming those files) in with one atomic rename. A crash before that rename leaves the old
// model.json naming the old files, which are still there; after it, the new ones. The files the old
// model.json named are deleted only after the rename, so no save ever deletes what model.json names
// (a generation is named once, by the save that wrote it). Leftovers of saves that died (their
// generation carries the process id) are removed by the next save.
import { ValueError } from '../errors.js';
import { nodeFs, splitPath, syncDir, writeFileAtomic } from './atomic-file.js';

type Fs = Awaited<ReturnType<typeof nodeFs>>;

export const MODEL_JSON = 'model.json';

/** Weight files a save owns: its generations' and those of older nabla and TF.js saves. */
const OWNED_WEIGHTS = /^(weights|group\d+-shard\d+of\d+)(\.g[0-9a-z]+-\d+-[0-9a-z]+)?\.(safetensors|bin)$/;
/** A generation's process id: `g<time>-<pid>-<random>`. */
const GENERATION_PID = /\.g[0-9a-z]+-(\d+)-[0-9a-z]+\.(safetensors|bin)$/;
/** writeFileAtomic's temporary files: `.<name>.<pid>.<time>.<n>.tmp`. */
const TEMP_PID = /^\..+\.(\d+)\.\d+\.\d+\.tmp$/;
/** Folders that older nabla versions' saves left beside `X`: `.X.saving-<time>-<pid>-<n>`, `X.previous-<time>-<pid>-<n>`. */
const LEGACY_TAGS = ['.saving-', '.previous-'];

/** A fresh generation tag; the time first, so that names sort by age. */
export function newGeneration(): string {
  return `g${Date.now().toString(36)}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/** `weights.safetensors` of generation `gen`: `weights.<gen>.safetensors`. */
export function generationName(plain: string, gen: string): string {
  const dot = plain.lastIndexOf('.');
  return `${plain.slice(0, dot)}.${gen}${plain.slice(dot)}`;
}

/**
 * Save into the folder `dir`: write `weightFiles` (names of one generation), then model.json as
 * `json`, then delete what the replaced model.json named and what dead saves left.
 */
export async function writeModelDir(dir: string, weightFiles: [string, Uint8Array][], json: string, who: string): Promise<void> {
  const fs = await nodeFs(who);
  const clean = dir.replace(/[/\\]+$/, '') || dir;
  await fs.mkdir(clean, { recursive: true }).catch((e: { code?: string; message: string }) => {
    throw new ValueError(`${who}: cannot create the folder '${clean}' (${e.code === 'EEXIST' || e.code === 'ENOTDIR' ? 'a file is in the way' : e.message})`);
  });
  const replaced = await weightFilesNamedBy(fs, clean);
  const written: string[] = [];
  weightFiles.forEach(([n]) => inFlight.add(n));
  try {
    for (const [name, data] of weightFiles) {
      written.push(name);
      await writeFlushed(fs, `${clean}/${name}`, data);
    }
    await writeFileAtomic(`${clean}/${MODEL_JSON}`, json, who);
  } catch (e) {
    await Promise.all(written.map((name) => fs.rm(`${clean}/${name}`, { force: true }).catch(() => undefined)));
    throw e;
  } finally {
    weightFiles.forEach(([n]) => inFlight.delete(n));
  }
  const mine = new Set(weightFiles.map(([n]) => n));
  await Promise.all(replaced.filter((n) => !mine.has(n)).map((n) => fs.rm(`${clean}/${n}`, { force: true }).catch(() => undefined)));
  await removeLeftovers(fs, clean);
}

async function writeFlushed(fs: Fs, path: string, data: Uint8Array): Promise<void> {
  // 'wx': a generation's name is new; never write into a file that something else may be reading.
  const handle = await fs.open(path, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The weight files (ours by name) that the folder's model.json names now; none when it has none. */
async function weightFilesNamedBy(fs: Fs, dir: string): Promise<string[]> {
  let json: unknown;
  try {
    json = JSON.parse(await fs.readFile(`${dir}/${MODEL_JSON}`, 'utf8'));
  } catch {
    return [];
  }
  const rec = (typeof json === 'object' && json !== null ? json : {}) as { weightsFile?: unknown; weightsManifest?: unknown };
  const names: unknown[] = [rec.weightsFile];
  if (Array.isArray(rec.weightsManifest)) for (const g of rec.weightsManifest) if (Array.isArray(g?.paths)) names.push(...g.paths);
  return names.filter((n): n is string => typeof n === 'string' && OWNED_WEIGHTS.test(n));
}

/** Generations this process is writing now; its other generations are leftovers of failed saves. */
const inFlight = new Set<string>();

function processIsAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as { code?: string }).code === 'EPERM';
  }
}

/**
 * Remove what saves killed midway left: weight files of dead processes' generations that model.json
 * does not name, their temporary model.json files, and the folders of older nabla's saves.
 */
async function removeLeftovers(fs: Fs, dir: string): Promise<void> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const dead = (re: RegExp, name: string) => {
    const m = re.exec(name);
    return m !== null && !processIsAlive(Number(m[1]));
  };
  const finished = (n: string) => dead(GENERATION_PID, n) || (GENERATION_PID.exec(n)?.[1] === String(process.pid) && !inFlight.has(n));
  const candidates = names.filter((n) => OWNED_WEIGHTS.test(n) && finished(n));
  // Read model.json only now: a save that had finished (or died) before the line above can no longer
  // make model.json name its files, so what it does not name now is garbage for good.
  const named = new Set(await weightFilesNamedBy(fs, dir));
  const stale = [...candidates.filter((n) => !named.has(n)), ...names.filter((n) => n.startsWith(`.${MODEL_JSON}.`) && dead(TEMP_PID, n))];
  await Promise.all(stale.map((n) => fs.rm(`${dir}/${n}`, { force: true }).catch(() => undefined)));
  const legacy = await legacyLeftoversOf(dir);
  await Promise.all(legacy.filter((p) => dead(/-\d+-(\d+)-\d+$/, p)).map((p) => fs.rm(p, { recursive: true, force: true }).catch(() => undefined)));
  await syncDir(fs, dir);
}

/** Folders that interrupted saves of older nabla versions left beside `dir`. */
export async function legacyLeftoversOf(dir: string): Promise<string[]> {
  const fs = await nodeFs('nb.models');
  const { dir: parent, base } = splitPath(dir.replace(/[/\\]+$/, ''));
  const names = await fs.readdir(parent).catch(() => [] as string[]);
  return names.filter((n) => n.startsWith(`.${base}${LEGACY_TAGS[0]}`) || n.startsWith(`${base}${LEGACY_TAGS[1]}`)).map((n) => `${parent}/${n}`);
}
