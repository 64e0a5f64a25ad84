/**
 * `nb.random`: seeded, counter-based random numbers, identical on every backend.
 * @module
 */
export { seed, uniform, normal, truncatedNormal, int, permutation, type RandomOptions } from './primitives/random.js';
export { shuffle } from './composite/shuffle.js';
