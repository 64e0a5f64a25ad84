/**
 * `nb.initializers`: the classes, lookup, and Keras's factory functions (glorotUniform(), zeros(), ...).
 * @module
 */
import {
  Constant, GlorotNormal, GlorotUniform, HeNormal, HeUniform, Identity, LecunNormal, LecunUniform, Ones, Orthogonal,
  RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling, Zeros,
} from './initializers.js';

export {
  Initializer, Zeros, Ones, Constant, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling, GlorotUniform,
  GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal, Orthogonal, Identity, getInitializer as get,
  serializeInitializer as serialize, computeFans, type InitializerIdentifier,
} from './initializers.js';

interface SeedArgs {
  seed?: number;
}
/** A {@link Zeros} initializer. */
export const zeros = () => new Zeros();
/** A {@link Ones} initializer. */
export const ones = () => new Ones();
/** A {@link Constant} initializer filling with `value`. */
export const constant = (value = 0) => new Constant(value);
/** A {@link GlorotUniform} initializer. */
export const glorotUniform = (opts?: SeedArgs) => new GlorotUniform(opts);
/** A {@link GlorotNormal} initializer. */
export const glorotNormal = (opts?: SeedArgs) => new GlorotNormal(opts);
/** A {@link HeUniform} initializer. */
export const heUniform = (opts?: SeedArgs) => new HeUniform(opts);
/** A {@link HeNormal} initializer. */
export const heNormal = (opts?: SeedArgs) => new HeNormal(opts);
/** A {@link LecunUniform} initializer. */
export const lecunUniform = (opts?: SeedArgs) => new LecunUniform(opts);
/** A {@link LecunNormal} initializer. */
export const lecunNormal = (opts?: SeedArgs) => new LecunNormal(opts);
/** A {@link RandomNormal} initializer. */
export const randomNormal = (opts?: ConstructorParameters<typeof RandomNormal>[0]) => new RandomNormal(opts);
/** A {@link RandomUniform} initializer. */
export const randomUniform = (opts?: ConstructorParameters<typeof RandomUniform>[0]) => new RandomUniform(opts);
/** A {@link TruncatedNormal} initializer. */
export const truncatedNormal = (opts?: ConstructorParameters<typeof TruncatedNormal>[0]) => new TruncatedNormal(opts);
/** An {@link Orthogonal} initializer. */
export const orthogonal = (opts?: ConstructorParameters<typeof Orthogonal>[0]) => new Orthogonal(opts);
/** An {@link Identity} initializer. */
export const identity = (opts?: ConstructorParameters<typeof Identity>[0]) => new Identity(opts);
/** A {@link VarianceScaling} initializer. */
export const varianceScaling = (opts?: ConstructorParameters<typeof VarianceScaling>[0]) => new VarianceScaling(opts);
