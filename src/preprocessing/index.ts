// `nb.preprocessing`: feature scaling fitted on training data.
export { StandardScaler, MinMaxScaler, standardize, minMaxScale, type ScaleOptions, type MinMaxOptions } from './scalers.js';
