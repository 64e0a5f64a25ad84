import { ValueError } from '../errors.js';

/** How a configurable object (layer, initializer, regularizer) is written to JSON: Keras's `{className, config}`. */
export interface SerializedObject {
  className: string;
  config: Record<string, unknown>;
}

/** Anything with a Keras-style config. */
export interface Configurable {
  getConfig(): Record<string, unknown>;
}

/** Keras's `to_snake_case`: "Conv2D" -> "conv2d", "BatchNormalization" -> "batch_normalization". */
export function toSnakeCase(name: string): string {
  return name
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** "glorot_uniform", "GlorotUniform" and "glorotUniform" all become "glorotuniform" for lookups. */
export function lookupKey(name: string): string {
  return name.replace(/_/g, '').toLowerCase();
}

/** Find `name` in a table keyed by lookupKey, or raise a ValueError listing what exists. */
export function lookupByName<T>(kind: string, table: ReadonlyMap<string, T>, name: string, known: readonly string[]): T {
  const hit = table.get(lookupKey(name));
  if (hit === undefined) throw new ValueError(`unknown ${kind} '${name}'; known ${kind}s: ${known.join(', ')}`);
  return hit;
}

export function isSerialized(x: unknown): x is SerializedObject {
  return typeof x === 'object' && x !== null && typeof (x as SerializedObject).className === 'string' && typeof (x as SerializedObject).config === 'object';
}
