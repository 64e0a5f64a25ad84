/**
 * `nb.layers`: the Keras layers, with `Input` and `InputLayer` (which live with the models).
 * @module
 */
export * from '../nn/layers/index.js';
export { InputLayer, Input } from '../models/input-layer.js';
