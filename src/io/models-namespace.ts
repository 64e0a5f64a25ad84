// nb.models: loading saved models.
export { loadModel as load, type LoadOptions } from './load-model.js';
