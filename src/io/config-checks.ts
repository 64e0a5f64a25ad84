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
  const layers = x.config.layers;
  if (layers === undefined) return;
  if (!Array.isArray(layers)) throw fieldError(source, `${field}.config.layers`, layers, 'a list of layers');
  layers.forEach((l, i) => checkLayerTree(l, source, `${field}.config.layers[${i}]`));
}
