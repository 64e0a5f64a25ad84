// Activations by name (keras.activations): 'relu', 'sigmoid', 'softmax', ... . Written as
// composites of primitives so their gradients come from the tape.
import { ValueError } from '../errors.js';
import { logSumExp } from '../ops/composite/math.js';
import { add, div, maximum, minimum, mul, sub } from '../ops/primitives/binary.js';
import { greater } from '../ops/primitives/compare.js';
import { where } from '../ops/primitives/select.js';
import { abs, erf, exp, expm1, log1p, relu, sigmoid, tanh } from '../ops/primitives/unary.js';
import type { Tensor } from '../tensor/tensor.js';
import { lookupKey } from './serialization.js';

export type ActivationFn = (x: Tensor) => Tensor;

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

const linear: ActivationFn = (x) => x;
const softplus: ActivationFn = (x) => add(relu(x), log1p(exp(mul(abs(x), -1))));
const elu: ActivationFn = (x) => where(greater(x, 0), x, expm1(minimum(x, 0)));

const BUILTIN: Record<string, ActivationFn> = {
  linear,
  relu,
  relu6: (x) => minimum(relu(x), 6),
  sigmoid,
  tanh,
  softmax: (x) => exp(sub(x, logSumExp(x, -1, true))),
  logSoftmax: (x) => sub(x, logSumExp(x, -1, true)),
  softplus,
  softsign: (x) => div(x, add(abs(x), 1)),
  elu,
  selu: (x) => mul(where(greater(x, 0), x, mul(expm1(minimum(x, 0)), SELU_ALPHA)), SELU_SCALE),
  gelu: (x) => mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1)),
  swish: (x) => mul(x, sigmoid(x)),
  silu: (x) => mul(x, sigmoid(x)),
  mish: (x) => mul(x, tanh(softplus(x))),
  hardSigmoid: (x) => minimum(maximum(add(mul(x, 1 / 6), 0.5), 0), 1),
  hardSwish: (x) => mul(x, minimum(maximum(add(mul(x, 1 / 6), 0.5), 0), 1)),
  leakyRelu: (x) => maximum(x, mul(x, 0.2)),
  exponential: exp,
};

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
