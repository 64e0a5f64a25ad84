// nb.initializers: the classes, lookup, and Keras's factory functions (glorotUniform(), zeros(), ...).
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
export const zeros = () => new Zeros();
export const ones = () => new Ones();
export const constant = (value = 0) => new Constant(value);
export const glorotUniform = (opts?: SeedArgs) => new GlorotUniform(opts);
export const glorotNormal = (opts?: SeedArgs) => new GlorotNormal(opts);
export const heUniform = (opts?: SeedArgs) => new HeUniform(opts);
export const heNormal = (opts?: SeedArgs) => new HeNormal(opts);
export const lecunUniform = (opts?: SeedArgs) => new LecunUniform(opts);
export const lecunNormal = (opts?: SeedArgs) => new LecunNormal(opts);
export const randomNormal = (opts?: ConstructorParameters<typeof RandomNormal>[0]) => new RandomNormal(opts);
export const randomUniform = (opts?: ConstructorParameters<typeof RandomUniform>[0]) => new RandomUniform(opts);
export const truncatedNormal = (opts?: ConstructorParameters<typeof TruncatedNormal>[0]) => new TruncatedNormal(opts);
export const orthogonal = (opts?: ConstructorParameters<typeof Orthogonal>[0]) => new Orthogonal(opts);
export const identity = (opts?: ConstructorParameters<typeof Identity>[0]) => new Identity(opts);
export const varianceScaling = (opts?: ConstructorParameters<typeof VarianceScaling>[0]) => new VarianceScaling(opts);
