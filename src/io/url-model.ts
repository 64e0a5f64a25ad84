// nb.models.load from a URL: model.json (nabla's format or TF.js's layers format) and the weight
// files it names, fetched from beside it. Files outside model.json's folder are refused, as on disk.
import { ValueError } from '../errors.js';
import type { Model } from '../models/model.js';
import { fetchBytes } from './fetch-bytes.js';
import { modelFromFiles } from './model-from-files.js';
import { MODEL_JSON, type LoadOptions } from './nabla-format.js';

const WHO = 'nb.models.load';
/** model.json holds the architecture only; anything larger is not one. */
const MAX_MODEL_JSON_BYTES = 256 * 1024 * 1024;

/** The model at `url`: a model.json, or a folder URL (model.json is fetched from inside it). */
export async function loadModelFromUrl(url: URL, opts: LoadOptions): Promise<Model> {
  const jsonUrl = url.pathname.endsWith('.json') ? url : new URL(`${url.pathname.replace(/\/*$/, '/')}${MODEL_JSON}${url.search}`, url);
  const folder = new URL('.', jsonUrl);
  const text = new TextDecoder().decode(await fetchBytes(jsonUrl.href, WHO, MAX_MODEL_JSON_BYTES));
  return modelFromFiles(
    text,
    {
      source: jsonUrl.href,
      read: (name, what) => {
        const file = new URL(name, jsonUrl);
        if (file.origin !== folder.origin || !file.pathname.startsWith(folder.pathname)) {
          throw new ValueError(`${WHO}: ${what} '${name}' of ${jsonUrl.href} points outside the model's folder ${folder.href}`);
        }
        return fetchBytes(file.href, WHO);
      },
    },
    opts,
  );
}
