/**
 * `nb.keras`: the Keras names in one namespace (nb.keras.Input, nb.keras.layers.Dense, ...).
 * @module
 */
import { resetNames } from './nn/layers/names.js';

export { Input, type InputOptions } from './models/input-layer.js';
export { Model, type ModelArgs } from './models/model.js';
export { Sequential, type SequentialArgs } from './models/sequential.js';
export { SymbolicTensor } from './nn/symbolic-tensor.js';
export * as layers from './api/layers.js';
export * as initializers from './nn/initializers-namespace.js';
export * as regularizers from './nn/regularizers-namespace.js';
export * as activations from './api/activations.js';
export * as callbacks from './training/callbacks/index.js';
export * as optimizers from './optimizers/index.js';
export * as losses from './losses/index.js';
export * as metrics from './metrics/index.js';

/** keras.backend.clear_session(): restart default layer names (dense, dense_1, ...). */
export function clearSession(): void {
  resetNames();
}

/** `keras.backend`: session helpers (`clearSession`). */
export const backend = {
  /** Restart default layer names (dense, dense_1, ...). */
  clearSession,
};
