// nb.models.load: a nabla model folder, or a TensorFlow.js layers-model (model.json + .bin shards).
import { checkOptions, optionKeys } from '../check-options.js';
import { ValueError } from '../errors.js';
import type { Model } from '../nn/models/model.js';
import { nodeFs, readFileBytes, splitPath } from './atomic-file.js';
import { interruptedSaveOf } from './atomic-dir.js';
import { MODEL_JSON, checkNablaJson, loadNablaModel, type LoadOptions } from './nabla-format.js';
import { loadTfjsModel, type TfjsModelJson } from './tfjs-format.js';

export type { LoadOptions };

const LOAD_KEYS = optionKeys<LoadOptions>({ compile: true });

/** Load a model saved by `model.save` (nabla or TF.js format) from its folder or its model.json. */
export async function loadModel(path: string, opts: LoadOptions = {}): Promise<Model> {
  checkOptions('models.load', opts, LOAD_KEYS);
  if (typeof path !== 'string' || !path) throw new ValueError('nb.models.load: expected a folder or a model.json path');
  const isJsonFile = path.endsWith('.json');
  const dir = isJsonFile ? splitPath(path).dir : path.replace(/[/\\]+$/, '');
  const jsonPath = isJsonFile ? path : `${dir}/${MODEL_JSON}`;
  if (!isJsonFile && !(await exists(dir))) {
    const left = await interruptedSaveOf(dir, 'nb.models.load');
    if (left) {
      console.warn(`nb.models.load: '${dir}' is missing but a save into it was interrupted; loading the previous checkpoint kept at '${left}'`);
      return loadModel(left, opts);
    }
  }
  const text = new TextDecoder().decode(await readFileBytes(jsonPath, 'nb.models.load'));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ValueError(`nb.models.load: '${jsonPath}' is not valid JSON (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ValueError(`nb.models.load: '${jsonPath}' must hold a JSON object`);
  const record = json as Record<string, unknown>;
  if (record.format === 'nabla-model') {
    const nabla = checkNablaJson(record, `'${dir}'`);
    const weights = await readFileBytes(`${dir}/${nabla.weightsFile}`, 'nb.models.load');
    return loadNablaModel(nabla, weights, `'${dir}'`, opts);
  }
  if (record.modelTopology !== undefined) {
    const tfjs = record as unknown as TfjsModelJson;
    const paths = (tfjs.weightsManifest ?? []).flatMap((g) => (Array.isArray(g?.paths) ? g.paths : []));
    const shards: Uint8Array[] = [];
    for (const p of paths) shards.push(await readFileBytes(`${dir}/${p}`, 'nb.models.load'));
    return loadTfjsModel(tfjs, shards, `'${jsonPath}'`);
  }
  throw new ValueError(`nb.models.load: '${jsonPath}' is neither a nabla model (format 'nabla-model') nor a TensorFlow.js layers model (modelTopology)`);
}

async function exists(path: string): Promise<boolean> {
  const fs = await nodeFs('nb.models.load');
  return fs.stat(path).then(
    () => true,
    () => false,
  );
}
