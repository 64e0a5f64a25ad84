// Losses by name, with Keras's aliases: 'mse', 'mean_squared_error', 'meanSquaredError' and
// 'MeanSquaredError' all name the same loss (case, '_' and '-' are ignored).
import { ValueError } from '../errors.js';
import * as fns from './regression.js';
import { binaryCrossentropy, categoricalCrossentropy, sparseCategoricalCrossentropy } from './crossentropy.js';
import { binaryFocalCrossentropy, categoricalFocalCrossentropy } from './focal.js';
import {
  BinaryCrossentropy,
  BinaryFocalCrossentropy,
  CategoricalFocalCrossentropy,
  CategoricalCrossentropy,
  CategoricalHinge,
  CosineSimilarity,
  Hinge,
  Huber,
  KLDivergence,
  LogCosh,
  Loss,
  LossFunctionWrapper,
  MeanAbsoluteError,
  MeanAbsolutePercentageError,
  MeanSquaredError,
  MeanSquaredLogarithmicError,
  Poisson,
  SparseCategoricalCrossentropy,
  SquaredHinge,
  type LossFn,
} from './loss.js';

interface Entry {
  /** Keras class name, used by serialize/deserialize. */
  className: string;
  fn: LossFn;
  make: (config: Record<string, unknown>) => Loss;
  aliases: string[];
}

const ENTRIES: Entry[] = [
  { className: 'MeanSquaredError', fn: fns.meanSquaredError, make: (c) => new MeanSquaredError(c), aliases: ['mse'] },
  { className: 'MeanAbsoluteError', fn: fns.meanAbsoluteError, make: (c) => new MeanAbsoluteError(c), aliases: ['mae'] },
  { className: 'MeanAbsolutePercentageError', fn: fns.meanAbsolutePercentageError, make: (c) => new MeanAbsolutePercentageError(c), aliases: ['mape'] },
  { className: 'MeanSquaredLogarithmicError', fn: fns.meanSquaredLogarithmicError, make: (c) => new MeanSquaredLogarithmicError(c), aliases: ['msle'] },
  { className: 'Huber', fn: (t, p) => fns.huber(t, p), make: (c) => new Huber(c), aliases: ['huber_loss'] },
  { className: 'LogCosh', fn: fns.logCosh, make: (c) => new LogCosh(c), aliases: ['logcosh'] },
  { className: 'BinaryCrossentropy', fn: (t, p) => binaryCrossentropy(t, p), make: (c) => new BinaryCrossentropy(c), aliases: [] },
  { className: 'CategoricalCrossentropy', fn: (t, p) => categoricalCrossentropy(t, p), make: (c) => new CategoricalCrossentropy(c), aliases: [] },
  {
    className: 'SparseCategoricalCrossentropy',
    fn: (t, p) => sparseCategoricalCrossentropy(t, p),
    make: (c) => new SparseCategoricalCrossentropy(c),
    aliases: [],
  },
  {
    className: 'BinaryFocalCrossentropy',
    fn: (t, p) => binaryFocalCrossentropy(t, p),
    make: (c) => new BinaryFocalCrossentropy(c),
    aliases: [],
  },
  {
    className: 'CategoricalFocalCrossentropy',
    fn: (t, p) => categoricalFocalCrossentropy(t, p),
    make: (c) => new CategoricalFocalCrossentropy(c),
    aliases: [],
  },
  { className: 'KLDivergence', fn: fns.kullbackLeiblerDivergence, make: (c) => new KLDivergence(c), aliases: ['kld', 'kullback_leibler_divergence'] },
  { className: 'Poisson', fn: fns.poisson, make: (c) => new Poisson(c), aliases: [] },
  { className: 'Hinge', fn: fns.hinge, make: (c) => new Hinge(c), aliases: [] },
  { className: 'SquaredHinge', fn: fns.squaredHinge, make: (c) => new SquaredHinge(c), aliases: [] },
  { className: 'CategoricalHinge', fn: fns.categoricalHinge, make: (c) => new CategoricalHinge(c), aliases: [] },
  { className: 'CosineSimilarity', fn: (t, p) => fns.cosineSimilarity(t, p), make: (c) => new CosineSimilarity(c), aliases: [] },
];

/** 'binary_crossentropy', 'binaryCrossentropy' and 'BinaryCrossentropy' share one key. */
export function nameKey(name: string): string {
  return name.toLowerCase().replace(/[_\-\s]/g, '');
}

const BY_KEY = new Map<string, Entry>();
for (const e of ENTRIES) for (const n of [e.className, ...e.aliases]) BY_KEY.set(nameKey(n), e);

/** Names `get` accepts, for error messages and docs. */
export function knownLosses(): string[] {
  return ENTRIES.flatMap((e) => [e.className.charAt(0).toLowerCase() + e.className.slice(1), ...e.aliases]);
}

function entryOf(name: string, op: string): Entry {
  const e = BY_KEY.get(nameKey(name));
  if (!e) throw new ValueError(`${op}: unknown loss '${name}'; known losses: ${knownLosses().join(', ')}`);
  return e;
}

/** The per-sample function of a named loss (e.g. for a metric of the same name), or null if unknown. */
export function lossFunction(name: string): LossFn | null {
  return BY_KEY.get(nameKey(name))?.fn ?? null;
}

/** Serialized loss: the Keras class name and its `getConfig()`. */
export interface SerializedLoss {
  className: string;
  config: Record<string, unknown>;
}

/**
 * A loss object from a name (Keras names and aliases, any case, snake or camel), a per-sample
 * function `(yTrue, yPred) => Tensor` (wrapped), a serialized config, or a Loss (returned as is).
 */
export function get(identifier: string | LossFn | Loss | SerializedLoss): Loss {
  if (identifier instanceof Loss) return identifier;
  if (typeof identifier === 'string') return entryOf(identifier, 'losses.get').make({});
  if (typeof identifier === 'function') return new LossFunctionWrapper(identifier);
  if (identifier && typeof identifier === 'object' && typeof identifier.className === 'string') return deserialize(identifier);
  throw new ValueError(`losses.get: expected a loss name, a function, a Loss or a { className, config } object, got ${typeof identifier}`);
}

/** A built-in loss object as `{ className, config }` JSON. */
export function serialize(loss: Loss): SerializedLoss {
  const e = ENTRIES.find((x) => loss.constructor === x.make({}).constructor);
  if (!e) throw new ValueError(`losses.serialize: '${loss.name}' is not a built-in loss; serialize its getConfig() yourself`);
  return { className: e.className, config: loss.getConfig() };
}

/** A built-in loss object from `{ className, config }` JSON. */
export function deserialize(s: SerializedLoss): Loss {
  return entryOf(s.className, 'losses.deserialize').make({ ...(s.config ?? {}) });
}
