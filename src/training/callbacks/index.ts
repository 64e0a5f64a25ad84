/**
 * `nb.callbacks`: Keras callbacks for the fit/evaluate/predict loops.
 * @module
 */
export { Callback, CallbackList, LambdaCallback, type Logs, type CallbackParams, type CallbackHooks } from './callback.js';
export { History } from './history.js';
export { ProgressBar, type ProgressBarOptions } from './progress-bar.js';
export { EarlyStopping, type EarlyStoppingOptions } from './early-stopping.js';
export { ModelCheckpoint, formatCheckpointPath, type ModelCheckpointOptions } from './model-checkpoint.js';
export { ReduceLROnPlateau, LearningRateScheduler, type ReduceLROnPlateauOptions } from './learning-rate.js';
export { CSVLogger, type CSVLoggerOptions } from './csv-logger.js';
export { TerminateOnNaN } from './terminate-on-nan.js';
export { TensorBoard, type TensorBoardOptions } from './tensorboard/tensorboard-callback.js';
