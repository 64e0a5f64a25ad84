// What Model's save/saveWeights/loadWeights do (kept here so that models stay small).
import { ValueError } from '../errors.js';
import type { Trainer } from '../training/trainer.js';
import { readFileBytes, writeFileAtomic } from './atomic-file.js';
import { saveNablaModel, type SaveOptions } from './nabla-format.js';
import { assignByName, namedWeights, weightRecord } from './named-weights.js';
import { decodeSafetensors, encodeSafetensors, readToHost } from './safetensors-format.js';
import { saveTfjsModel } from './tfjs-format.js';

export type { SaveOptions };

export async function saveModel(model: Trainer, dir: string, opts: SaveOptions = {}): Promise<void> {
  if (typeof dir !== 'string' || !dir) throw new ValueError('model.save: expected a folder path');
  const format = opts.format ?? 'nabla';
  if (format === 'nabla') return saveNablaModel(model, dir, opts);
  if (format === 'tfjs') return saveTfjsModel(model, dir);
  throw new ValueError(`model.save: unknown format '${String(format)}'; expected 'nabla' or 'tfjs'`);
}

/** The model's weights alone, as one safetensors file keyed by weight path. */
export async function saveWeights(model: Trainer, path: string): Promise<void> {
  const named = namedWeights(model);
  if (named.length === 0) throw new ValueError(`model.saveWeights: model '${model.name}' has no weights yet; call it on data (or build it) first`);
  await writeFileAtomic(path, encodeSafetensors(await readToHost(weightRecord(named)), { format: 'nabla-weights' }), 'model.saveWeights');
}

/** Set the model's weights from a safetensors file, matching by weight path. */
export async function loadWeights(model: Trainer, path: string): Promise<void> {
  const { tensors } = decodeSafetensors(await readFileBytes(path, 'model.loadWeights'), `'${path}'`);
  const named = namedWeights(model);
  if (named.length === 0) throw new ValueError(`model.loadWeights: model '${model.name}' has no weights yet; call it on data (or build it) before loading weights`);
  const modelOnly = Object.fromEntries(Object.entries(tensors).filter(([k]) => !k.startsWith('optimizer/')));
  assignByName('model.loadWeights', named, modelOnly, `'${path}'`);
}
