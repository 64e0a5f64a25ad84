// Activations by name (keras.activations): 'relu', 'sigmoid', 'softmax', ... . Written as
// composites of primitives so their gradients come from the tape.
import { ValueError } from '../errors.js';
import * as act from '../ops/composite/activations.js';
import { exp } from '../ops/primitives/unary.js';
import { relu, sigmoid, tanh } from '../ops/primitives/unary.js';
import { minimum, maximum, mul } from '../ops/primitives/binary.js';
import type { Tensor } from '../tensor/tensor.js';
import { lookupKey } from './serialization.js';

/** An activation: a function from a tensor to a tensor of the same shape. */
export type ActivationFn = (x: Tensor) => Tensor;

// Each name maps to the one definition of the op (src/ops/composite/activations.ts); the lambdas
// only fix the options Keras's named activations use.
const BUILTIN: Record<string, ActivationFn> = {
  linear: (x) => x,
  relu,
  relu6: act.relu6,
  sigmoid,
  tanh,
  softmax: (x) => act.softmax(x, -1),
  logSoftmax: (x) => act.logSoftmax(x, -1),
  softplus: act.softplus,
  softsign: act.softsign,
  elu: (x) => act.elu(x),
  selu: act.selu,
  gelu: (x) => act.gelu(x),
  swish: (x) => act.swish(x),
  silu: act.silu,
  mish: act.mish,
  hardSigmoid: act.hardSigmoid,
  hardSwish: (x) => mul(x, act.hardSigmoid(x)),
  leakyRelu: (x) => act.leakyRelu(x),
  exponential: exp,
};

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
