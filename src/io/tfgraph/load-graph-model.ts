// nb.models.loadGraphModel: a TF.js graph model (model.json with format 'graph-model' and its
// weight shards) from a folder or model.json path (Node) or an http(s) URL. Weight files are read
// only from the model's folder and must hold exactly the bytes the manifest declares.
import { NablaError, ValueError } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { fetchBytes, isHttpUrl, pageUrl } from '../fetch-bytes.js';
import { isPlainObject } from '../config-checks.js';
import { parseModelJson } from '../model-from-files.js';
import { hostEval } from '../onnx/host-eval.js';
import { pathInside, readRegularFile } from '../read-file.js';
import { checkTfjsManifest, decodeTfjsWeights, type TfjsModelJson } from '../tfjs-format.js';
import { GraphModel } from './graph-model.js';
import type { TfNodeJson } from './graph-def.js';
import type { TfResources } from './node-context.js';
import { TfGraph, tensorName } from './tf-graph.js';
import { groupHasStrings, numericManifest, splitStringWeights } from './string-weights.js';
import type { StringTensor } from '../../tensor/string-tensor.js';

const WHO = 'loadGraphModel';
const MODEL_JSON = 'model.json';
const MAX_MODEL_JSON_BYTES = 256 * 1024 * 1024;

interface Signature {
  inputs?: Record<string, { name?: string }>;
  outputs?: Record<string, { name?: string }>;
}

/** Where model.json and the shards it names come from. */
interface Store {
  source: string;
  json(): Promise<Uint8Array>;
  read(name: string, what: string): Promise<Uint8Array>;
}

/**
 * Load a TF.js graph model for inference: its TensorFlow ops run as nabla ops, on every backend
 * and under nb.jit. An op nabla does not implement fails here, naming the op and its node.
 */
export async function loadGraphModel(pathOrUrl: string | URL): Promise<GraphModel> {
  if (pathOrUrl instanceof URL) pathOrUrl = pathOrUrl.href;
  if (typeof pathOrUrl !== 'string' || !pathOrUrl) throw new ValueError(`${WHO}: expected a folder, a model.json path or a URL`);
  const url = isHttpUrl(pathOrUrl) ? new URL(pathOrUrl) : pageUrl(pathOrUrl);
  const store = url ? urlStore(url) : fileStore(pathOrUrl);
  const record = parseModelJson(new TextDecoder().decode(await store.json()), store.source);
  try {
    const manifest = (record as unknown as TfjsModelJson).weightsManifest;
    const groupBytes = checkTfjsManifest(numericManifest(manifest), store.source);
    const shards: Uint8Array[] = [];
    for (const [g, group] of (manifest ?? []).entries()) {
      const read = await Promise.all(group.paths.map((p, i) => store.read(p, `weightsManifest[${g}].paths[${i}]`)));
      const total = read.reduce((n, b) => n + b.length, 0);
      // String weights have their lengths in the shards: those groups are checked as they are split.
      if (total !== groupBytes[g] && !(groupHasStrings(manifest, g) && total > groupBytes[g]!)) {
        throw new ValueError(`${WHO}: the weights of manifest group ${g} in ${store.source} need ${groupBytes[g]} bytes, but its files (${group.paths.join(', ')}) hold ${total}; the manifest and the .bin files do not match`);
      }
      shards.push(...read);
    }
    return graphModelFromJson(record, shards, store.source);
  } catch (e) {
    if (e instanceof NablaError) throw e;
    throw new ValueError(`${WHO}: ${store.source} holds a malformed graph model (${(e as Error).message})`);
  }
}

/** A graph model from model.json's parsed object and its weight shards (in manifest order). */
export function graphModelFromJson(record: Record<string, unknown>, shards: Uint8Array[], source: string): GraphModel {
  try {
    return buildGraphModel(record, shards, source);
  } catch (e) {
    if (e instanceof NablaError) throw e;
    // The checks cover the fields the importer reads; anything that still slips through gets the source's name.
    throw new ValueError(`${WHO}: ${source} holds a malformed graph model (${(e as Error).message})`);
  }
}

function buildGraphModel(record: Record<string, unknown>, shards: Uint8Array[], source: string): GraphModel {
  if (record.format !== undefined && record.format !== 'graph-model') {
    throw new ValueError(`${WHO}: ${source} has format '${String(record.format)}', expected 'graph-model'${record.format === 'layers-model' ? ' (load layers models with nb.models.load)' : ''}`);
  }
  const topology = record.modelTopology;
  if (!isPlainObject(topology) || !Array.isArray(topology.node)) throw new ValueError(`${WHO}: ${source} has no modelTopology.node list (not a TF.js graph model)`);
  const library = isPlainObject(topology.library) && Array.isArray(topology.library.function) ? (topology.library.function as unknown[]) : [];
  const names: string[] = [];
  const manifest = (record as unknown as TfjsModelJson).weightsManifest;
  checkTfjsManifest(numericManifest(manifest), source);
  const split = manifest ? splitStringWeights(manifest, shards, source) : { manifest, shards, strings: new Map() };
  const values = hostEval(() => {
    const w = decodeTfjsWeights(split.manifest, split.shards, source);
    names.push(...Object.keys(w));
    return Object.values(w);
  });
  const weights = new Map<string, Tensor | StringTensor>([...names.map((n, i) => [n, values[i]!] as const), ...split.strings]);
  const signature = (isPlainObject(record.signature) ? record.signature : {}) as Signature;
  for (const side of ['inputs', 'outputs'] as const) {
    const entries = signature[side];
    if (entries !== undefined && !(isPlainObject(entries) && Object.values(entries).every((e) => isPlainObject(e) && typeof e.name === 'string'))) {
      throw new ValueError(`${WHO}: ${source} has signature.${side} ${JSON.stringify(entries)?.slice(0, 80)}; expected {key: {name: 'node:0'}}`);
    }
  }
  const outputs = signature.outputs ? Object.values(signature.outputs).map((o) => o.name ?? '') : null;
  // TF.js's converter puts table initializers (HashTable + LookupTableImportV2) in a graph of their own, run once
  // at load; its tables are found by node name from the model's graph. Building it runs it: its nodes fold.
  const resources: TfResources = new Map();
  const init = record.modelInitializer;
  if (isPlainObject(init) && Array.isArray(init.node) && init.node.length) {
    new TfGraph(init.node as TfNodeJson[], weights, null, `the modelInitializer of ${source}`, library, resources);
  }
  const graph = new TfGraph(topology.node as TfNodeJson[], weights, outputs, source, library, resources);
  const aliases = new Map(Object.entries(signature.inputs ?? {}).map(([key, v]) => [key, tensorName(v.name ?? key).node]));
  return new GraphModel(graph, aliases, record.userDefinedMetadata);
}

function fileStore(path: string): Store {
  const isJson = path.endsWith('.json');
  const trimmed = path.replace(/[/\\]+$/, '');
  const jsonPath = isJson ? path : `${trimmed}/${MODEL_JSON}`;
  const dir = isJson ? path.replace(/[/\\][^/\\]*$/, '') || '.' : trimmed;
  return {
    source: `'${jsonPath}'`,
    json: () => readRegularFile(jsonPath, WHO, { maxBytes: MAX_MODEL_JSON_BYTES }),
    read: async (name, what) => readRegularFile(await pathInside(dir, name, WHO, `${what} of '${jsonPath}'`), WHO),
  };
}

function urlStore(url: URL): Store {
  const jsonUrl = url.pathname.endsWith('.json') ? url : new URL(`${url.pathname.replace(/\/*$/, '/')}${MODEL_JSON}${url.search}`, url);
  const folder = new URL('.', jsonUrl);
  return {
    source: jsonUrl.href,
    json: () => fetchBytes(jsonUrl.href, WHO, MAX_MODEL_JSON_BYTES),
    read: (name, what) => {
      const file = new URL(name, jsonUrl);
      if (file.origin !== folder.origin || !file.pathname.startsWith(folder.pathname)) {
        throw new ValueError(`${WHO}: ${what} '${name}' of ${jsonUrl.href} points outside the model's folder ${folder.href}`);
      }
      return fetchBytes(file.href, WHO);
    },
  };
}
