// nb.models.load: a nabla model folder, or a TensorFlow.js layers-model (model.json + .bin shards).
import { checkOptions, optionKeys } from '../check-options.js';
// model.json may come from anyone: weight files are read only from inside the model's folder, only
// if they are regular files of the declared sizes, and malformed configs give ValueErrors.
import { NablaError, ValueError } from '../errors.js';
import type { Model } from '../models/model.js';
import { splitPath } from './atomic-file.js';
import { nodeFs } from './node-fs.js';
import { legacyLeftoversOf } from './atomic-dir.js';
import { browserScheme, loadFromBrowser } from './browser/browser-models.js';
import { isHttpUrl, pageUrl } from './fetch-bytes.js';
import { parseModelJson } from './model-from-files.js';
import { loadModelFromUrl } from './url-model.js';
import { MODEL_JSON, checkNablaJson, loadNablaModel, type LoadOptions } from './nabla-format.js';
import { pathInside, readRegularFile } from './read-file.js';
import { checkTfjsManifest, loadTfjsModel, type TfjsModelJson } from './tfjs-format.js';

export type { LoadOptions };

const WHO = 'nb.models.load';
const LOAD_KEYS = optionKeys<LoadOptions>({ compile: true });
/** model.json holds the architecture only; anything larger is not one. */
const MAX_MODEL_JSON_BYTES = 256 * 1024 * 1024;
/** A save replacing the folder while it is read: read model.json again, a few times at most. */
const READ_ATTEMPTS = 10;

/**
 * Load a model saved by `model.save` (nabla or TF.js format): from its folder or its model.json
 * (Node), an http(s) URL of either (fetched; in a page, a relative path is a URL too), or
 * `indexeddb://name` (a browser).
 */
export async function loadModel(path: string, opts: LoadOptions = {}): Promise<Model> {
  checkOptions('models.load', opts, LOAD_KEYS);
  if (typeof path !== 'string' || !path) throw new ValueError(`${WHO}: expected a folder or a model.json path`);
  const browser = browserScheme(path);
  if (browser) return loadFromBrowser(browser.scheme, browser.name, opts);
  const url = isHttpUrl(path) ? new URL(path) : pageUrl(path);
  if (url) return loadModelFromUrl(url, opts);
  const isJsonFile = path.endsWith('.json');
  const dir = isJsonFile ? splitPath(path).dir : path.replace(/[/\\]+$/, '');
  const jsonPath = isJsonFile ? path : `${dir}/${MODEL_JSON}`;
  if (!isJsonFile && !(await exists(dir))) {
    const previous = (await legacyLeftoversOf(dir)).filter((p) => p.includes('.previous-')).sort();
    const hint = previous.length ? `; an interrupted save of an older nabla left '${previous.at(-1)}': load that path yourself if it is what you want` : '';
    throw new ValueError(`${WHO}: no model folder at '${dir}'${hint}`);
  }
  for (let attempt = 1; ; attempt++) {
    const text = await readText(jsonPath);
    try {
      return await loadParsed(parseModelJson(text, `'${jsonPath}'`), dir, jsonPath, opts);
    } catch (e) {
      // A concurrent save deletes the weights the model.json we read named, after swapping in its own.
      if (attempt < READ_ATTEMPTS && e instanceof WeightsVanished && (await readText(jsonPath).catch(() => text)) !== text) continue;
      if (e instanceof NablaError) {
        if (e.message.includes(`'${dir}`)) throw e;
        // Errors of layers' own checks (`Dense: units must be ...`) say what but not which file.
        throw new (e.constructor as new (m: string) => NablaError)(`${e.message} (loading '${jsonPath}')`);
      }
      // The checks cover the fields nabla reads; anything that still slips through gets the file's name.
      throw new ValueError(`${WHO}: '${jsonPath}' holds a malformed model (${(e as Error).message})`);
    }
  }
}

class WeightsVanished extends ValueError {}

async function readText(jsonPath: string): Promise<string> {
  return new TextDecoder().decode(await readRegularFile(jsonPath, WHO, { maxBytes: MAX_MODEL_JSON_BYTES }));
}

async function loadParsed(record: Record<string, unknown>, dir: string, jsonPath: string, opts: LoadOptions): Promise<Model> {
  if (record.format === 'nabla-model') {
    const nabla = checkNablaJson(record, `'${dir}'`);
    const file = await pathInside(dir, nabla.weightsFile, WHO, `weightsFile of '${jsonPath}'`);
    const weights = await readWeightFile(file, nabla.weightsBytes);
    return loadNablaModel(nabla, weights, `'${dir}'`, opts);
  }
  if (record.modelTopology !== undefined) {
    const tfjs = record as unknown as TfjsModelJson;
    const groupBytes = checkTfjsManifest(tfjs.weightsManifest, `'${jsonPath}'`);
    const shards: Uint8Array[] = [];
    for (const [g, group] of (tfjs.weightsManifest ?? []).entries()) {
      shards.push(...(await readGroup(dir, jsonPath, group.paths, groupBytes[g]!, g)));
    }
    return loadTfjsModel(tfjs, shards, `'${jsonPath}'`);
  }
  throw new ValueError(`${WHO}: '${jsonPath}' is neither a nabla model (format 'nabla-model') nor a TensorFlow.js layers model (modelTopology)`);
}

/** A group's shards, after checking that together they have exactly the bytes its weights declare. */
async function readGroup(dir: string, jsonPath: string, paths: string[], declared: number, g: number): Promise<Uint8Array[]> {
  const fs = await nodeFs(WHO);
  const files = await Promise.all(paths.map((p, i) => pathInside(dir, p, WHO, `weightsManifest[${g}].paths[${i}] of '${jsonPath}'`)));
  const sizes: number[] = [];
  for (const f of files) {
    const st = await readOrVanished(f, () => fs.stat(f)).catch((e: Error) => {
      throw e instanceof NablaError ? e : new ValueError(`${WHO}: cannot read '${f}' (${e.message})`);
    });
    if (!st.isFile()) throw new ValueError(`${WHO}: '${f}' (named by '${jsonPath}') is not a regular file; refusing to read it`);
    sizes.push(st.size);
  }
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== declared) {
    throw new ValueError(`${WHO}: the weights of manifest group ${g} in '${jsonPath}' need ${declared} bytes, but its files (${paths.join(', ')}) hold ${total}; the manifest and the .bin files do not match`);
  }
  return Promise.all(files.map((f, i) => readOrVanished(f, () => readRegularFile(f, WHO, { expectedBytes: sizes[i]! }))));
}

async function readWeightFile(file: string, declared: number | undefined): Promise<Uint8Array> {
  return readOrVanished(file, () => readRegularFile(file, WHO, declared === undefined ? {} : { expectedBytes: declared }));
}

/** `read()`, where a file that is gone when it fails becomes a WeightsVanished (load then reads model.json again). */
async function readOrVanished<T>(file: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    const fs = await nodeFs(WHO);
    const gone = await fs.stat(file).then(
      () => false,
      (s: { code?: string }) => s.code === 'ENOENT',
    );
    if (gone) throw new WeightsVanished(`${WHO}: no weights file at '${file}'`);
    throw e;
  }
}

async function exists(path: string): Promise<boolean> {
  const fs = await nodeFs(WHO);
  return fs.stat(path).then(
    () => true,
    () => false,
  );
}
