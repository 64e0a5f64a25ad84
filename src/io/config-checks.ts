// Checks of a parsed model.json before any of it is used: nesting depth (the config walkers recurse)
// and the types of the fields nabla reads, so that a malformed file gives a ValueError naming the
// file and the field rather than a TypeError or a stack overflow.
import { ValueError } from '../errors.js';

/** Far deeper than any real model's config (nested models included), far shallower than the stack. */
export const MAX_CONFIG_DEPTH = 200;

/** Refuse JSON nested deeper than MAX_CONFIG_DEPTH (walked without recursion). */
export function checkConfigShape(json: unknown, source: string): void {
  const stack: [unknown, number, string][] = [[json, 0, '']];
  while (stack.length) {
    const [x, depth, where] = stack.pop()!;
    if (typeof x !== 'object' || x === null) continue;
    if (depth >= MAX_CONFIG_DEPTH) throw new ValueError(`nb.models.load: ${source} nests deeper than ${MAX_CONFIG_DEPTH} levels (at ${where.slice(0, 120)}...); not a model config`);
    if (Array.isArray(x)) x.forEach((v, i) => stack.push([v, depth + 1, `${where}[${i}]`]));
    else for (const [k, v] of Object.entries(x)) stack.push([v, depth + 1, `${where}.${k}`]);
  }
}

export function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A ValueError for field `field` of `source`: what it is, what was expected. */
export function fieldError(source: string, field: string, value: unknown, expected: string): ValueError {
  const shown = JSON.stringify(value);
  return new ValueError(`nb.models.load: ${source} has ${field} ${shown === undefined ? 'missing' : shown.length > 80 ? `${shown.slice(0, 80)}...` : shown}; expected ${expected}`);
}

/** A shape as configs write it: non-negative integers, null for "any" where `allowNull`. */
export function isShapeLike(x: unknown, allowNull: boolean): boolean {
  return Array.isArray(x) && x.every((d) => (allowNull && d === null) || (Number.isSafeInteger(d) && (d as number) >= 0));
}

/**
 * A layer config tree `{className, config}` (nabla) as deserialization expects it: class names are
 * strings, configs objects, `layers` lists of such. Field paths in errors are like
 * `modelConfig.config.layers[2].config`.
 */
export function checkLayerTree(x: unknown, source: string, field: string): void {
  if (!isPlainObject(x)) throw fieldError(source, field, x, 'an object {className, config}');
  if (typeof x.className !== 'string' || !x.className) throw fieldError(source, `${field}.className`, x.className, 'a layer class name');
  if (!isPlainObject(x.config)) throw fieldError(source, `${field}.config`, x.config, 'an object');
  const c = x.config;
  for (const k of ['batchInputShape', 'batchShape']) {
    if (c[k] !== undefined && c[k] !== null && !isShapeLike(c[k], true)) throw fieldError(source, `${field}.config.${k}`, c[k], 'a shape (integers or null)');
  }
  const layers = c.layers;
  if (layers === undefined) return;
  if (!Array.isArray(layers)) throw fieldError(source, `${field}.config.layers`, layers, 'a list of layers');
  const functional = x.className === 'Model';
  layers.forEach((l, i) => {
    const at = `${field}.config.layers[${i}]`;
    checkLayerTree(l, source, at);
    if (!functional) return;
    const { name, inboundNodes } = l as Record<string, unknown>;
    if (typeof name !== 'string') throw fieldError(source, `${at}.name`, name, 'the layer\'s name');
    if (!Array.isArray(inboundNodes)) throw fieldError(source, `${at}.inboundNodes`, inboundNodes, 'a list of {args, kwargs}');
    inboundNodes.forEach((n, k) => {
      const args = isPlainObject(n) ? n.args : undefined;
      if (!Array.isArray(args) || !args.every(isTensorRef)) throw fieldError(source, `${at}.inboundNodes[${k}].args`, args, 'a list of [layer name, node, tensor]');
    });
  });
  if (functional) {
    for (const k of ['inputLayers', 'outputLayers']) {
      if (!Array.isArray(c[k]) || !(c[k] as unknown[]).every(isTensorRef)) throw fieldError(source, `${field}.config.${k}`, c[k], 'a list of [layer name, node, tensor]');
    }
  }
}

/** `[layer name, node index, tensor index]`. */
function isTensorRef(r: unknown): boolean {
  return Array.isArray(r) && r.length >= 3 && typeof r[0] === 'string' && Number.isSafeInteger(r[1]) && Number.isSafeInteger(r[2]);
}

/** compileConfig: an optimizer {className, config}, a loss per output ({className, config} or null), weights and metric names. */
export function checkCompileConfig(c: Record<string, unknown>, source: string): void {
  const isSerialized = (x: unknown) => isPlainObject(x) && typeof x.className === 'string' && isPlainObject(x.config);
  if (!isSerialized(c.optimizer)) throw fieldError(source, 'compileConfig.optimizer', c.optimizer, 'an optimizer {className, config}');
  if (!Array.isArray(c.loss) || !c.loss.every((l) => l === null || isSerialized(l))) throw fieldError(source, 'compileConfig.loss', c.loss, 'a list of losses {className, config} or null');
  if (c.lossWeights !== undefined && !(Array.isArray(c.lossWeights) && c.lossWeights.every((w) => typeof w === 'number'))) throw fieldError(source, 'compileConfig.lossWeights', c.lossWeights, 'a list of numbers');
  if (c.metrics !== undefined && !(Array.isArray(c.metrics) && c.metrics.every((m) => Array.isArray(m) && m.every((n) => typeof n === 'string')))) {
    throw fieldError(source, 'compileConfig.metrics', c.metrics, 'a list of metric-name lists');
  }
}
