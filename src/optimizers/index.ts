/**
 * `nb.optimizers`: Keras 3 optimizers, learning-rate schedules and lookup by name.
 * @module
 */
export { Optimizer, type OptimizerOptions, type OptimizerConfig, type GradAndVar, type LearningRate } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { Adamax, type AdamaxOptions } from './adamax.js';
export { Nadam, type NadamOptions } from './nadam.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export { Adagrad, type AdagradOptions } from './adagrad.js';
export { Adadelta, type AdadeltaOptions } from './adadelta.js';
export { Lion, type LionOptions } from './lion.js';
export { get, serialize, deserialize, type SerializedOptimizer } from './registry.js';
export * as schedules from './schedules-namespace.js';
