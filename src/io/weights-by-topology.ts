// Loading weights by the model's structure, as Keras does: the i-th layer with weights in the file
// gives its weights to the i-th layer with weights in the model, whatever the layers are called
// (names made by a counter differ between two builds of the same model).
import { engine } from '../engine/engine.js';
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { cast } from '../ops/primitives/cast.js';
import { shapesEqual } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';
import type { Layer } from '../nn/layers/layer.js';
import { namedWeights } from './named-weights.js';

/** One layer's weights: its name and `[path, variable]` in the layer's `weights` order. */
export interface LayerWeights {
  layer: string;
  weights: [string, Variable][];
}

/** The metadata key of a weights file that lists its layers and their weight paths, in model order. */
export const LAYERS_METADATA_KEY = 'layers';

/** The model's layers that have weights, in `layers` order (weights of the model itself first). */
export function layerWeightGroups(model: Layer): LayerWeights[] {
  const pathOf = new Map(namedWeights(model).map(([p, v]) => [v, p] as const));
  const layers = (model as Layer & { layers?: Layer[] }).layers ?? model.sublayers();
  const seen = new Set<Variable>();
  const groups: LayerWeights[] = [];
  for (const layer of layers) {
    const ws = layer.weights.filter((v) => pathOf.has(v) && !seen.has(v));
    ws.forEach((v) => seen.add(v));
    if (ws.length) groups.push({ layer: layer.name, weights: ws.map((v) => [pathOf.get(v)!, v]) });
  }
  const own = [...pathOf.keys()].filter((v) => !seen.has(v));
  if (own.length) groups.unshift({ layer: model.name, weights: own.map((v) => [pathOf.get(v)!, v]) });
  return groups;
}

/** The groups as metadata: `[[layer, [path, ...]], ...]` in JSON. */
export function layersMetadata(groups: readonly LayerWeights[]): string {
  return JSON.stringify(groups.map((g) => [g.layer, g.weights.map(([p]) => p)]));
}

/** The file's layers: from its metadata, or (files written without it) its paths grouped by their first part, in file order. */
function fileGroups(tensors: Record<string, Tensor>, metadata: Record<string, string>, source: string): { layer: string; paths: string[] }[] {
  const listed = metadata[LAYERS_METADATA_KEY];
  if (listed !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(listed);
    } catch {
      throw new ValueError(`model.loadWeights: the '${LAYERS_METADATA_KEY}' metadata of ${source} is not JSON`);
    }
    const ok = Array.isArray(parsed) && parsed.every((g) => Array.isArray(g) && typeof g[0] === 'string' && Array.isArray(g[1]) && (g[1] as unknown[]).every((p) => typeof p === 'string' && p in tensors));
    if (!ok) throw new ValueError(`model.loadWeights: the '${LAYERS_METADATA_KEY}' metadata of ${source} does not list the file's weights as [[layer, [path, ...]], ...]`);
    return (parsed as [string, string[]][]).map(([layer, paths]) => ({ layer, paths }));
  }
  const groups = new Map<string, string[]>();
  for (const path of Object.keys(tensors)) {
    const layer = path.split('/')[0]!;
    groups.set(layer, [...(groups.get(layer) ?? []), path]);
  }
  return [...groups].map(([layer, paths]) => ({ layer, paths }));
}

/**
 * Assign the file's weights layer by layer in order; nothing is assigned unless the file has as
 * many layers with weights as the model, each with as many weights of the same shapes.
 */
export function assignByTopology(op: string, model: Layer, tensors: Record<string, Tensor>, metadata: Record<string, string>, source: string): void {
  const mine = layerWeightGroups(model);
  const theirs = fileGroups(tensors, metadata, source);
  const list = (gs: { layer: string }[]) => gs.map((g) => g.layer).join(', ') || 'none';
  if (mine.length !== theirs.length) {
    throw new ValueError(
      `${op}: ${source} holds weights for ${theirs.length} layer(s) (${list(theirs)}) but model '${model.name}' has ${mine.length} layer(s) with weights (${list(mine)}); ` +
        'the structures differ (pass { byName: true } to match weights by name instead)',
    );
  }
  const pairs: [Variable, Tensor][] = [];
  mine.forEach((g, i) => {
    const f = theirs[i]!;
    const where = `layer ${i} ('${g.layer}' in the model, '${f.layer}' in the file)`;
    if (g.weights.length !== f.paths.length) {
      throw new ValueError(`${op}: ${where} has ${g.weights.length} weight(s) in the model but ${f.paths.length} in the file`);
    }
    g.weights.forEach(([path, v], j) => {
      const t = tensors[f.paths[j]!]!;
      if (!shapesEqual(t.shape, v.shape)) {
        throw new ShapeError(`${op}: ${where}: weight ${j} ('${path}') has shape ${fmtShape(v.shape)} in the model but ${fmtShape(t.shape)} in the file ('${f.paths[j]}')`);
      }
      pairs.push([v, t]);
    });
  });
  engine.pauseRecording(() => {
    for (const [v, t] of pairs) v.assign(t.dtype === v.dtype ? t : cast(t, v.dtype));
  });
}
