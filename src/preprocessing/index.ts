/**
 * `nb.preprocessing`: feature scaling fitted on training data.
 * @module
 */
export { StandardScaler, MinMaxScaler, standardize, minMaxScale, type ScaleOptions, type MinMaxOptions } from './scalers.js';
