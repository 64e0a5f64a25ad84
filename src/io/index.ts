/**
 * `nb.io`: file formats for tensors and models.
 * @module
 */
export * as safetensors from './safetensors.js';
export { decodeTfjsWeights } from './tfjs-format.js';
export type { SaveOptions, LoadOptions } from './nabla-format.js';
export type { LoadWeightsOptions } from './model-io.js';
