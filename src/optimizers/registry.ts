// Optimizers by name (`'adam'`, `'SGD'`, ...) and as `{ className, config }` JSON, like
// keras.optimizers.get / serialize / deserialize.
import { ValueError } from '../errors.js';
import { Adadelta } from './adadelta.js';
import { Adagrad } from './adagrad.js';
import { Adam, AdamW } from './adam.js';
import { Adamax } from './adamax.js';
import { Lion } from './lion.js';
import { Nadam } from './nadam.js';
import { Optimizer } from './optimizer.js';
import { RMSprop } from './rmsprop.js';
import { SGD } from './sgd.js';

type OptimizerClass = { new (): Optimizer; fromConfig(config: Readonly<Record<string, unknown>>): Optimizer };

const CLASSES: Record<string, OptimizerClass> = { SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax, Nadam, Lion };
const BY_KEY = new Map(Object.entries(CLASSES).map(([name, cls]) => [name.toLowerCase(), cls] as const));

/** Serialized optimizer: the class name and its `getConfig()`. */
export interface SerializedOptimizer {
  className: string;
  config: Readonly<Record<string, unknown>>;
}

function classOf(name: string, op: string): OptimizerClass {
  const cls = BY_KEY.get(name.toLowerCase());
  if (!cls) throw new ValueError(`${op}: unknown optimizer '${name}'; known optimizers: ${Object.keys(CLASSES).map((n) => n.toLowerCase()).join(', ')}`);
  return cls;
}

/**
 * An optimizer from a name (case-insensitive: 'sgd', 'adam', 'adamw', 'rmsprop', 'adagrad', 'adadelta',
 * 'adamax', 'nadam', 'lion'; defaults as in Keras), a serialized config, or an optimizer (returned as is).
 */
export function get(identifier: string | SerializedOptimizer | Optimizer): Optimizer {
  if (identifier instanceof Optimizer) return identifier;
  if (typeof identifier === 'string') return new (classOf(identifier, 'optimizers.get'))();
  if (identifier && typeof identifier === 'object' && typeof identifier.className === 'string') return deserialize(identifier);
  throw new ValueError(`optimizers.get: expected an optimizer name, a { className, config } object or an Optimizer, got ${typeof identifier}`);
}

/** A built-in optimizer as `{ className, config }` JSON. */
export function serialize(optimizer: Optimizer): SerializedOptimizer {
  const entry = Object.entries(CLASSES).find(([, cls]) => optimizer.constructor === cls);
  if (!entry) throw new ValueError(`optimizers.serialize: '${optimizer.constructor.name}' is not a built-in optimizer; serialize its getConfig() yourself`);
  return { className: entry[0], config: optimizer.getConfig() };
}

/** A built-in optimizer from `{ className, config }` JSON. */
export function deserialize(s: SerializedOptimizer): Optimizer {
  return classOf(s.className, 'optimizers.deserialize').fromConfig(s.config ?? {});
}
