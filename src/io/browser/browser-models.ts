// model.save and nb.models.load for the browser's schemes: `indexeddb://name` (kept in the
// browser) and `downloads://name` (files the user downloads; save only).
import { ValueError } from '../../errors.js';
import type { Model } from '../../models/model.js';
import type { Trainer } from '../../training/trainer.js';
import { modelFromFiles } from '../model-from-files.js';
import { encodeNablaModel, WEIGHTS_FILE, type EncodedModel, type LoadOptions, type SaveOptions } from '../nabla-format.js';
import { encodeTfjsModel, TFJS_SHARD } from '../tfjs-format.js';
import { triggerDownloads } from './downloads.js';
import { checkStoredName, readFromIndexedDb, saveToIndexedDb } from './indexeddb-models.js';

const SCHEME = /^(indexeddb|downloads):\/\/(.*)$/;

/** `indexeddb://name` or `downloads://name` split, or null for a path. */
export function browserScheme(path: string): { scheme: 'indexeddb' | 'downloads'; name: string } | null {
  const m = SCHEME.exec(path);
  return m ? { scheme: m[1] as 'indexeddb' | 'downloads', name: m[2]! } : null;
}

/** An id tying model.json to its weights (the folder saves' generations need Node's host and pid). */
function saveId(): string {
  return `b${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

export async function saveToBrowser(model: Trainer, scheme: 'indexeddb' | 'downloads', name: string, format: 'nabla' | 'tfjs', opts: SaveOptions): Promise<void> {
  const who = 'model.save';
  if (scheme === 'indexeddb') checkStoredName(name, who);
  else if (!name || /[/\\]/.test(name)) throw new ValueError(`${who}: 'downloads://' needs a file name without slashes after it, as in 'downloads://my-model'; got '${name}'`);
  const weights = scheme === 'downloads' ? `${name}.weights.${format === 'nabla' ? 'safetensors' : 'bin'}` : format === 'nabla' ? WEIGHTS_FILE : TFJS_SHARD;
  const encoded: EncodedModel = format === 'nabla' ? await encodeNablaModel(model, opts, saveId(), weights) : await encodeTfjsModel(model, weights);
  if (scheme === 'indexeddb') await saveToIndexedDb(name, encoded, who);
  else triggerDownloads(name, encoded, who);
}

export async function loadFromBrowser(scheme: 'indexeddb' | 'downloads', name: string, opts: LoadOptions): Promise<Model> {
  const who = 'nb.models.load';
  if (scheme === 'downloads') throw new ValueError(`${who}: 'downloads://' is for saving; load the downloaded files with nb.models.load('<url or folder>/${name}.json')`);
  const stored = await readFromIndexedDb(checkStoredName(name, who), who);
  const source = `'indexeddb://${name}'`;
  return modelFromFiles(
    stored.json,
    {
      source,
      read: async (file, what) => {
        const bytes = Object.hasOwn(stored.files, file) ? stored.files[file] : undefined;
        if (!(bytes instanceof Uint8Array)) throw new ValueError(`${who}: ${what} '${file}' of ${source} is not stored with it`);
        return bytes;
      },
    },
    opts,
  );
}
