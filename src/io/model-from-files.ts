// A saved model rebuilt from its model.json and the files it names, wherever those are kept (a
// web server, IndexedDB): the store gives the bytes of a file by name, this checks and decodes.
// model.json may come from anyone: sizes are checked against what it declares, and malformed
// configs give ValueErrors naming the source.
import { NablaError, ValueError } from '../errors.js';
import type { Model } from '../models/model.js';
import { checkConfigShape } from './config-checks.js';
import { checkNablaJson, loadNablaModel, type LoadOptions } from './nabla-format.js';
import { checkTfjsManifest, loadTfjsModel, type TfjsModelJson } from './tfjs-format.js';

const WHO = 'nb.models.load';

/** Where a model's files are read from. */
export interface ModelFileStore {
  /** How errors name the model (its URL, `indexeddb://name`). */
  readonly source: string;
  /** The bytes of the file `name` as model.json names it; `what` says which field named it. */
  read(name: string, what: string): Promise<Uint8Array>;
}

/** model.json's text as an object, or a ValueError naming `source`. */
export function parseModelJson(text: string, source: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ValueError(`${WHO}: ${source} is not valid JSON (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ValueError(`${WHO}: ${source} must hold a JSON object`);
  checkConfigShape(json, source);
  return json as Record<string, unknown>;
}

/** The model that `jsonText` (nabla's format or TF.js's layers format) describes, its weights read from `store`. */
export async function modelFromFiles(jsonText: string, store: ModelFileStore, opts: LoadOptions): Promise<Model> {
  const { source } = store;
  try {
    const record = parseModelJson(jsonText, source);
    if (record.format === 'nabla-model') {
      const nabla = checkNablaJson(record, source);
      const weights = await store.read(nabla.weightsFile, 'weightsFile');
      if (nabla.weightsBytes !== undefined && weights.length !== nabla.weightsBytes) throw sizeMismatch(source, nabla.weightsFile, weights.length, nabla.weightsBytes);
      return loadNablaModel(nabla, weights, source, opts);
    }
    if (record.modelTopology !== undefined) {
      const tfjs = record as unknown as TfjsModelJson;
      const groupBytes = checkTfjsManifest(tfjs.weightsManifest, source);
      const shards: Uint8Array[] = [];
      for (const [g, group] of (tfjs.weightsManifest ?? []).entries()) {
        const read = await Promise.all(group.paths.map((p, i) => store.read(p, `weightsManifest[${g}].paths[${i}]`)));
        const total = read.reduce((n, b) => n + b.length, 0);
        if (total !== groupBytes[g]) throw sizeMismatch(source, group.paths.join(', '), total, groupBytes[g]!);
        shards.push(...read);
      }
      return loadTfjsModel(tfjs, shards, source);
    }
    throw new ValueError(`${WHO}: ${source} is neither a nabla model (format 'nabla-model') nor a TensorFlow.js layers model (modelTopology)`);
  } catch (e) {
    if (e instanceof NablaError) {
      if (e.message.includes(source)) throw e;
      throw new (e.constructor as new (m: string) => NablaError)(`${e.message} (loading ${source})`);
    }
    throw new ValueError(`${WHO}: ${source} holds a malformed model (${(e as Error).message})`);
  }
}

function sizeMismatch(source: string, files: string, got: number, declared: number): ValueError {
  return new ValueError(`${WHO}: ${files} of ${source} hold ${got} bytes but its model.json declares ${declared}; the files and the manifest do not match`);
}
