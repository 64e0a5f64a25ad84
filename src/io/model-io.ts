// What Model's save/saveWeights/loadWeights do (kept here so that models stay small).
import { ValueError } from '../errors.js';
import type { Trainer } from '../training/trainer.js';
import { readFileBytes, writeFileAtomic } from './atomic-file.js';
import { saveNablaModel, type SaveOptions } from './nabla-format.js';
import { assignByName, namedWeights, weightRecord } from './named-weights.js';
import { decodeSafetensors, encodeSafetensors, readToHost } from './safetensors-format.js';
import { saveTfjsModel } from './tfjs-format.js';
import { LAYERS_METADATA_KEY, assignByTopology, layerWeightGroups, layersMetadata } from './weights-by-topology.js';
import { checkOptions, optionKeys } from '../check-options.js';
import { browserScheme, saveToBrowser } from './browser/browser-models.js';

export type { SaveOptions };

/** Options of `model.loadWeights`. */
export interface LoadWeightsOptions {
  /**
   * Match weights by their path (`dense_1/kernel`) instead of by position in the model's structure
   * (the default, as in Keras: the i-th layer with weights in the file fills the i-th in the model).
   */
  byName?: boolean;
}

const LOAD_WEIGHTS_KEYS = optionKeys<LoadWeightsOptions>({ byName: true });
const SAVE_KEYS = optionKeys<SaveOptions>({ format: true, includeOptimizer: true });

export async function saveModel(model: Trainer, dir: string, opts: SaveOptions = {}): Promise<void> {
  checkOptions('model.save', opts, SAVE_KEYS);
  if (typeof dir !== 'string' || !dir) throw new ValueError('model.save: expected a folder path');
  const format = opts.format ?? 'nabla';
  if (format !== 'nabla' && format !== 'tfjs') throw new ValueError(`model.save: unknown format '${String(format)}'; expected 'nabla' or 'tfjs'`);
  const browser = browserScheme(dir);
  if (browser) return saveToBrowser(model, browser.scheme, browser.name, format, opts);
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(dir)) {
    throw new ValueError(`model.save: cannot save to '${dir}': the destinations are a folder path, 'indexeddb://name' and 'downloads://name'`);
  }
  if (format === 'nabla') return saveNablaModel(model, dir, opts);
  return saveTfjsModel(model, dir);
}

/** The model's weights alone, as one safetensors file keyed by weight path. */
export async function saveWeights(model: Trainer, path: string): Promise<void> {
  const named = namedWeights(model);
  if (named.length === 0) throw new ValueError(`model.saveWeights: model '${model.name}' has no weights yet; call it on data (or build it) first`);
  const metadata = { format: 'nabla-weights', [LAYERS_METADATA_KEY]: layersMetadata(layerWeightGroups(model)) };
  await writeFileAtomic(path, encodeSafetensors(await readToHost(weightRecord(named)), metadata), 'model.saveWeights');
}

/** Set the model's weights from a safetensors file, by the model's structure (default) or by weight path (`byName`). */
export async function loadWeights(model: Trainer, path: string, opts: LoadWeightsOptions = {}): Promise<void> {
  checkOptions('model.loadWeights', opts, LOAD_WEIGHTS_KEYS);
  const { tensors, metadata } = decodeSafetensors(await readFileBytes(path, 'model.loadWeights'), `'${path}'`);
  const named = namedWeights(model);
  if (named.length === 0) throw new ValueError(`model.loadWeights: model '${model.name}' has no weights yet; call it on data (or build it) before loading weights`);
  const modelOnly = Object.fromEntries(Object.entries(tensors).filter(([k]) => !k.startsWith('optimizer/')));
  if (opts.byName) assignByName('model.loadWeights', named, modelOnly, `'${path}'`);
  else assignByTopology('model.loadWeights', model, modelOnly, metadata, `'${path}'`);
}
