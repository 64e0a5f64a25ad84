// Activations by name (keras.activations): 'relu', 'sigmoid', 'softmax', ... . Written as
// composites of primitives so their gradients come from the tape.
import { ValueError } from '../errors.js';
import * as ops from '../api/ops.js';
import { surfaceOf } from '../ops/surface.js';
import type { Tensor } from '../tensor/tensor.js';
import { lookupKey, toSnakeCase } from './serialization.js';

/** An activation: a function from a tensor to a tensor of the same shape. */
export type ActivationFn = (x: Tensor) => Tensor;

// Each name maps to the one definition of the op, as its declaration says (src/ops/surface.ts).
function builtinActivations(): Record<string, ActivationFn> {
  const table: Record<string, ActivationFn> = { linear: (x) => x };
  for (const [name, fn] of Object.entries(ops)) {
    const a = surfaceOf(fn)?.activation;
    if (!a) continue;
    const spec = a === true ? {} : a;
    table[spec.name ?? name] = spec.apply ?? (fn as ActivationFn);
  }
  return table;
}

/** The names TF.js's layers know, snake_case (Keras 2 spellings). */
export function tfjsActivationNames(): Set<string> {
  const names = new Set(['linear']);
  for (const [name, fn] of Object.entries(ops)) {
    const a = surfaceOf(fn)?.activation;
    if (a && a !== true && a.tfjs) names.add(toSnakeCase(a.name ?? name));
  }
  return names;
}

const BUILTIN = builtinActivations();
const linear = BUILTIN.linear!;

const table = new Map<string, [string, ActivationFn]>(Object.entries(BUILTIN).map(([k, f]) => [lookupKey(k), [k, f]]));
const nameOf = new Map<ActivationFn, string>(Object.entries(BUILTIN).map(([k, f]) => [f, k]));

/** Names accepted by getActivation. */
export function activationNames(): string[] {
  return [...table.values()].map(([k]) => k);
}

/** Add a named activation so layers can refer to it by name and configs can round-trip it. */
export function registerActivation(name: string, fn: ActivationFn): void {
  table.set(lookupKey(name), [name, fn]);
  nameOf.set(fn, name);
}

export type ActivationIdentifier = string | ActivationFn | null | undefined;

/** A function for a name ('relu', 'softmax', 'leaky_relu', ...), a function, or linear for null/undefined. */
export function getActivation(id: ActivationIdentifier, where = 'activation'): ActivationFn {
  if (id === null || id === undefined) return linear;
  if (typeof id === 'function') return id;
  if (typeof id !== 'string') throw new ValueError(`${where}: expected an activation name or function, got ${typeof id}`);
  const hit = table.get(lookupKey(id));
  if (!hit) throw new ValueError(`${where}: unknown activation '${id}'; known activations: ${activationNames().join(', ')}`);
  return hit[1];
}

/** The name a config stores for an activation; unnamed functions raise (register them first). */
export function serializeActivation(fn: ActivationFn): string {
  const name = nameOf.get(fn);
  if (name === undefined) {
    throw new ValueError(`serializeActivation: the activation function '${fn.name || '<anonymous>'}' has no name; register it with nb.activations.register(name, fn)`);
  }
  return name;
}
