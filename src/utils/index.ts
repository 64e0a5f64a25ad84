/**
 * `nb.utils`: helpers around datasets, as in keras.utils and scikit-learn.
 * @module
 */
export { toCategorical } from './to-categorical.js';
export { trainTestSplit, type TrainTestSplitOptions, type TrainTestSplit } from './train-test-split.js';
export { padSequences, type PadSequencesOptions } from './pad-sequences.js';
export { plotHistory, type PlotHistoryOptions } from './plot-history.js';
