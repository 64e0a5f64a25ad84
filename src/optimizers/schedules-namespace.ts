/**
 * `nb.optimizers.schedules`: learning-rate schedules and their lookup.
 * @module
 */
export {
  LearningRateSchedule,
  ExponentialDecay,
  PiecewiseConstantDecay,
  CosineDecay,
  PolynomialDecay,
  InverseTimeDecay,
  exponentialDecay,
  piecewiseConstant,
  piecewiseConstantDecay,
  cosineDecay,
  polynomialDecay,
  inverseTimeDecay,
  serializeSchedule as serialize,
  deserializeSchedule as deserialize,
  type ScheduleFn,
  type ScheduleConfig,
  type ExponentialDecayOptions,
  type PiecewiseConstantOptions,
  type CosineDecayOptions,
  type PolynomialDecayOptions,
  type InverseTimeDecayOptions,
} from './schedules.js';
