// Model folders replaced atomically, even when they hold the user's own files, and even with several
// processes saving into one folder at once.
//
// Design: model.json is the one pointer. Each save writes its weight files under names of its own
// generation (`weights.<gen>.safetensors`) and its model.json as `.model.json.<gen>.tmp`, flushed,
// next to the current ones, and only then swaps model.json (naming those files) in with one atomic
// rename. A crash before that rename leaves the old model.json naming the old files, which are
// still there; after it, the new ones. The files the old model.json named are deleted only after the
// rename, so no save ever deletes what model.json names (a generation is named once, by the save
// that wrote it). Leftovers of saves that died (their
// generation carries the host and process id) are removed by the next save on that host; another
// host's (a shared or network folder, another container) only once they are a day old, since its
// process ids mean nothing here.
import { ValueError } from '../errors.js';
import { splitPath, syncDir } from './atomic-file.js';
import { nodeFs } from './node-fs.js';

type Fs = Awaited<ReturnType<typeof nodeFs>>;

export const MODEL_JSON = 'model.json';

/** Weight files a save owns: its generations' and those of older nabla and TF.js saves. */
const OWNED_WEIGHTS = /^(weights|group\d+-shard\d+of\d+)(\.g[0-9a-z]+-[0-9a-z]+-\d+-[0-9a-z]+)?\.(safetensors|bin)$/;
/** A generation's host tag and process id: `g<time>-<host>-<pid>-<random>`. */
const GENERATION = /\.g[0-9a-z]+-([0-9a-z]+)-(\d+)-[0-9a-z]+\.(safetensors|bin|tmp)$/;
/** model.json as written, before its rename: `.model.json.<generation>.tmp`. */
const MODEL_JSON_TEMP = /^\.model\.json\.g[0-9a-z-]+\.tmp$/;
/** Another host's leftovers are removed only after this long (its saves are never that slow). */
const FOREIGN_LEFTOVER_MS = 24 * 3600 * 1000;
/** Older nabla's temporary model.json files (writeFileAtomic's): `.model.json.<pid>.<time>.<n>.tmp`. */
const TEMP_PID = /^\..+\.(\d+)\.\d+\.\d+\.tmp$/;
/** Folders that older nabla versions' saves left beside `X`: `.X.saving-<time>-<pid>-<n>`, `X.previous-<time>-<pid>-<n>`. */
const LEGACY_TAGS = ['.saving-', '.previous-'];

/** A fresh generation tag; the time first, so that names sort by age. */
export async function newGeneration(): Promise<string> {
  return `g${Date.now().toString(36)}-${await hostTag()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

let host: string | null = null;

/** A short tag of this machine's host name (a container has its own), so that process ids are compared only on their host. */
async function hostTag(): Promise<string> {
  if (host === null) {
    const { hostname } = await import('node:os');
    let h = 0;
    for (const c of hostname()) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
    host = h.toString(36).padStart(5, '0').slice(-5);
  }
  return host;
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
export async function writeModelDir(dir: string, gen: string, weightFiles: [string, Uint8Array][], json: string, who: string): Promise<void> {
  const fs = await nodeFs(who);
  const clean = dir.replace(/[/\\]+$/, '') || dir;
  await fs.mkdir(clean, { recursive: true }).catch((e: { code?: string; message: string }) => {
    throw new ValueError(`${who}: cannot create the folder '${clean}' (${e.code === 'EEXIST' || e.code === 'ENOTDIR' ? 'a file is in the way' : e.message})`);
  });
  const replaced = await weightFilesNamedBy(fs, clean);
  const temp = `.${MODEL_JSON}.${gen}.tmp`;
  const files: [string, Uint8Array | string][] = [...weightFiles, [temp, json]];
  const written: string[] = [];
  files.forEach(([n]) => inFlight.add(n));
  try {
    for (const [name, data] of files) {
      written.push(name);
      await writeFlushed(fs, `${clean}/${name}`, data);
    }
    // The one step that switches from the old model to the new.
    await fs.rename(`${clean}/${temp}`, `${clean}/${MODEL_JSON}`);
    await syncDir(fs, clean);
  } catch (e) {
    await Promise.all(written.map((name) => fs.rm(`${clean}/${name}`, { force: true }).catch(() => undefined)));
    throw e;
  } finally {
    files.forEach(([n]) => inFlight.delete(n));
  }
  const mine = new Set(weightFiles.map(([n]) => n));
  await Promise.all(replaced.filter((n) => !mine.has(n)).map((n) => fs.rm(`${clean}/${n}`, { force: true }).catch(() => undefined)));
  await removeLeftovers(fs, clean);
}

async function writeFlushed(fs: Fs, path: string, data: Uint8Array | string): Promise<void> {
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
  const finished = async (n: string) => {
    const m = GENERATION.exec(n);
    if (!m) return false;
    if (m[1] !== (await hostTag())) return Date.now() - (await fs.stat(`${dir}/${n}`).then((st) => st.mtimeMs, () => Date.now())) > FOREIGN_LEFTOVER_MS;
    return Number(m[2]) === process.pid ? !inFlight.has(n) : !processIsAlive(Number(m[2]));
  };
  const candidates: string[] = [];
  for (const n of names) if ((OWNED_WEIGHTS.test(n) || MODEL_JSON_TEMP.test(n)) && (await finished(n))) candidates.push(n);
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
