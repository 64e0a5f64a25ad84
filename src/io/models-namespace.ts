/**
 * `nb.models`: loading saved models (`load`, and Keras's spelling `loadModel`) and TF.js graph
 * models for inference (`loadGraphModel`).
 * @module
 */
export { loadModel as load, loadModel, type LoadOptions } from './load-model.js';
export { loadGraphModel, GraphModel } from './tfgraph/index.js';
