/**
 * TF.js graph models (`format: 'graph-model'`): TensorFlow GraphDefs run with nabla ops.
 * @module
 */
export { loadGraphModel, graphModelFromJson } from './load-graph-model.js';
export { GraphModel, type GraphFeeds } from './graph-model.js';
export type { GraphInputSpec } from './tf-graph.js';
