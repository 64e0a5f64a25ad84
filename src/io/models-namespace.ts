/**
 * `nb.models`: loading saved models (`load`, and Keras's spelling `loadModel`).
 * @module
 */
export { loadModel as load, loadModel, type LoadOptions } from './load-model.js';
