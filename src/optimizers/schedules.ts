// Learning-rate schedules (`nb.optimizers.schedules`): functions of the optimizer's step count
// (the number of updates already applied, starting at 0), with Keras 3's formulas and defaults.
// Each formula exists twice: on JS numbers (`call`, for callbacks and logs) and on a scalar tensor
// (`callTensor`, what optimizers use, so that a step compiled by nb.jit follows the schedule).
import { checkOptions, optionKeys } from '../check-options.js';
import { ValueError } from '../errors.js';
import { add, div, minimum, mul, pow, sub } from '../ops/primitives/binary.js';
import { equal, less, lessEqual } from '../ops/primitives/compare.js';
import { where } from '../ops/primitives/select.js';
import { ceil, cos, floor } from '../ops/primitives/unary.js';
import type { Tensor } from '../tensor/tensor.js';

/** A learning rate that depends on the step: a schedule object or any `(step) => number`. */
export type ScheduleFn = (step: number) => number;

/** Serialized form of a schedule: `{ className, config }`, as in Keras. */
export interface ScheduleConfig {
  className: string;
  config: Record<string, unknown>;
}

/** Base of the serializable schedules; subclasses implement `call` and `getConfig`. */
export abstract class LearningRateSchedule {
  /** The learning rate after `step` updates. */
  abstract call(step: number): number;
  /** The same on a float scalar tensor holding the step; the result has its dtype. */
  abstract callTensor(step: Tensor): Tensor;
  /** Constructor options as JSON, enough to make an equal schedule. */
  abstract getConfig(): Record<string, unknown>;
  /** Name used in `serialize`/`deserialize` (the Keras class name). */
  abstract readonly className: string;
}

function positive(op: string, name: string, v: number): number {
  if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) throw new ValueError(`${op}: ${name} must be a positive finite number, got ${String(v)}`);
  return v;
}

function finite(op: string, name: string, v: number): number {
  if (!(typeof v === 'number' && Number.isFinite(v))) throw new ValueError(`${op}: ${name} must be a finite number, got ${String(v)}`);
  return v;
}

/** Options of {@link ExponentialDecay} and {@link InverseTimeDecay}. */
export interface RateDecayOptions {
  initialLearningRate: number;
  decaySteps: number;
  decayRate: number;
  /** Decay in whole intervals of `decaySteps` (default false). */
  staircase?: boolean;
}
/** Options of {@link ExponentialDecay}. */
export type ExponentialDecayOptions = RateDecayOptions;
/** Options of {@link InverseTimeDecay}. */
export type InverseTimeDecayOptions = RateDecayOptions;

const RATE_DECAY_KEYS = optionKeys<RateDecayOptions>({ initialLearningRate: true, decaySteps: true, decayRate: true, staircase: true });

/** A schedule that decays by `decayRate` per `decaySteps` steps: ExponentialDecay and InverseTimeDecay. */
export abstract class RateDecay extends LearningRateSchedule {
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly decayRate: number;
  readonly staircase: boolean;

  constructor(o: RateDecayOptions) {
    super();
    const name = new.target.name;
    checkOptions(name, o, RATE_DECAY_KEYS);
    this.initialLearningRate = finite(name, 'initialLearningRate', o.initialLearningRate);
    this.decaySteps = positive(name, 'decaySteps', o.decaySteps);
    this.decayRate = finite(name, 'decayRate', o.decayRate);
    this.staircase = o.staircase ?? false;
  }

  /** The intervals of `decaySteps` in `step` (whole ones when `staircase`). */
  protected intervals(step: number): number {
    const p = step / this.decaySteps;
    return this.staircase ? Math.floor(p) : p;
  }

  /** The same on a tensor. */
  protected intervalsTensor(step: Tensor): Tensor {
    const p = div(step, this.decaySteps);
    return this.staircase ? floor(p) : p;
  }

  /** Constructor options as JSON, enough to make an equal schedule. */
  getConfig(): Record<string, unknown> {
    return { initialLearningRate: this.initialLearningRate, decaySteps: this.decaySteps, decayRate: this.decayRate, staircase: this.staircase };
  }
}

/** `initialLearningRate * decayRate ^ (step / decaySteps)` (the exponent floored when `staircase`). */
export class ExponentialDecay extends RateDecay {
  readonly className = 'ExponentialDecay';

  call(step: number): number {
    return this.initialLearningRate * this.decayRate ** this.intervals(step);
  }

  callTensor(step: Tensor): Tensor {
    return mul(pow(this.decayRate, this.intervalsTensor(step)), this.initialLearningRate);
  }
}

/** Options of {@link PiecewiseConstantDecay}. */
export interface PiecewiseConstantOptions {
  /** Increasing step boundaries. */
  boundaries: readonly number[];
  /** One more value than boundaries: `values[i]` holds while `boundaries[i-1] < step <= boundaries[i]`. */
  values: readonly number[];
}

const PIECEWISE_CONSTANT_KEYS = optionKeys<PiecewiseConstantOptions>({ boundaries: true, values: true });

/** Constant pieces: `values[0]` up to and including `boundaries[0]`, then `values[1]`, ... */
export class PiecewiseConstantDecay extends LearningRateSchedule {
  readonly className = 'PiecewiseConstantDecay';
  readonly boundaries: readonly number[];
  readonly values: readonly number[];

  constructor(o: PiecewiseConstantOptions) {
    super();
    checkOptions(new.target.name, o, PIECEWISE_CONSTANT_KEYS);
    if (o.values.length !== o.boundaries.length + 1) {
      throw new ValueError(
        `PiecewiseConstantDecay: expected values.length = boundaries.length + 1, got ${o.values.length} values for ${o.boundaries.length} boundaries`,
      );
    }
    for (let i = 1; i < o.boundaries.length; i++) {
      if (!(o.boundaries[i]! > o.boundaries[i - 1]!)) throw new ValueError(`PiecewiseConstantDecay: boundaries must increase, got [${o.boundaries.join(', ')}]`);
    }
    this.boundaries = [...o.boundaries];
    this.values = [...o.values];
  }

  call(step: number): number {
    const i = this.boundaries.findIndex((b) => step <= b);
    return this.values[i < 0 ? this.values.length - 1 : i]!;
  }

  callTensor(step: Tensor): Tensor {
    let out = mul(step, 0);
    out = add(out, this.values[this.values.length - 1]!);
    for (let i = this.boundaries.length - 1; i >= 0; i--) out = where(lessEqual(step, this.boundaries[i]!), add(mul(step, 0), this.values[i]!), out);
    return out;
  }

  /** Constructor options as JSON, enough to make an equal schedule. */
  getConfig(): Record<string, unknown> {
    return { boundaries: [...this.boundaries], values: [...this.values] };
  }
}

/** Options of {@link CosineDecay}. */
export interface CosineDecayOptions {
  initialLearningRate: number;
  decaySteps: number;
  /** Floor of the decay as a fraction of the decayed-from rate (default 0). */
  alpha?: number;
  /** Rate reached by a linear warmup from `initialLearningRate` (default: no warmup). */
  warmupTarget?: number | null;
  warmupSteps?: number;
}

const COSINE_DECAY_KEYS = optionKeys<CosineDecayOptions>({ initialLearningRate: true, decaySteps: true, alpha: true, warmupTarget: true, warmupSteps: true });

/** Optional linear warmup, then a half cosine from the peak rate down to `alpha * peak`. */
export class CosineDecay extends LearningRateSchedule {
  readonly className = 'CosineDecay';
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly alpha: number;
  readonly warmupTarget: number | null;
  readonly warmupSteps: number;

  constructor(o: CosineDecayOptions) {
    super();
    checkOptions(new.target.name, o, COSINE_DECAY_KEYS);
    this.initialLearningRate = finite('CosineDecay', 'initialLearningRate', o.initialLearningRate);
    this.decaySteps = positive('CosineDecay', 'decaySteps', o.decaySteps);
    this.alpha = finite('CosineDecay', 'alpha', o.alpha ?? 0);
    this.warmupTarget = o.warmupTarget ?? null;
    this.warmupSteps = o.warmupSteps ?? 0;
    if (!(this.warmupSteps >= 0)) throw new ValueError(`CosineDecay: warmupSteps must be >= 0, got ${this.warmupSteps}`);
  }

  private decay(step: number, from: number): number {
    const cosine = 0.5 * (1 + Math.cos(Math.PI * (step / this.decaySteps)));
    return from * ((1 - this.alpha) * cosine + this.alpha);
  }

  call(step: number): number {
    if (this.warmupTarget === null) return this.decay(Math.min(step, this.decaySteps), this.initialLearningRate);
    const s = Math.min(step, this.decaySteps + this.warmupSteps);
    if (s < this.warmupSteps) {
      return this.initialLearningRate + (this.warmupTarget - this.initialLearningRate) * (s / this.warmupSteps);
    }
    return this.decay(s - this.warmupSteps, this.warmupTarget);
  }

  private decayTensor(step: Tensor, from: number): Tensor {
    const cosine = mul(add(cos(mul(div(step, this.decaySteps), Math.PI)), 1), 0.5);
    return mul(add(mul(cosine, 1 - this.alpha), this.alpha), from);
  }

  callTensor(step: Tensor): Tensor {
    if (this.warmupTarget === null) return this.decayTensor(minimum(step, this.decaySteps), this.initialLearningRate);
    const s = minimum(step, this.decaySteps + this.warmupSteps);
    const warm = add(mul(div(s, Math.max(this.warmupSteps, 1)), this.warmupTarget - this.initialLearningRate), this.initialLearningRate);
    return where(less(s, this.warmupSteps), warm, this.decayTensor(sub(s, this.warmupSteps), this.warmupTarget));
  }

  /** Constructor options as JSON, enough to make an equal schedule. */
  getConfig(): Record<string, unknown> {
    return {
      initialLearningRate: this.initialLearningRate,
      decaySteps: this.decaySteps,
      alpha: this.alpha,
      warmupTarget: this.warmupTarget,
      warmupSteps: this.warmupSteps,
    };
  }
}

/** Options of {@link PolynomialDecay}. */
export interface PolynomialDecayOptions {
  initialLearningRate: number;
  decaySteps: number;
  /** Default 0.0001. */
  endLearningRate?: number;
  /** Default 1 (linear). */
  power?: number;
  /** Restart the decay every `decaySteps` instead of holding at the end (default false). */
  cycle?: boolean;
}

const POLYNOMIAL_DECAY_KEYS = optionKeys<PolynomialDecayOptions>({ initialLearningRate: true, decaySteps: true, endLearningRate: true, power: true, cycle: true });

/** `(initial - end) * (1 - step / decaySteps) ^ power + end`, held at `end` after `decaySteps` unless cycling. */
export class PolynomialDecay extends LearningRateSchedule {
  readonly className = 'PolynomialDecay';
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly endLearningRate: number;
  readonly power: number;
  readonly cycle: boolean;

  constructor(o: PolynomialDecayOptions) {
    super();
    checkOptions(new.target.name, o, POLYNOMIAL_DECAY_KEYS);
    this.initialLearningRate = finite('PolynomialDecay', 'initialLearningRate', o.initialLearningRate);
    this.decaySteps = positive('PolynomialDecay', 'decaySteps', o.decaySteps);
    this.endLearningRate = finite('PolynomialDecay', 'endLearningRate', o.endLearningRate ?? 0.0001);
    this.power = finite('PolynomialDecay', 'power', o.power ?? 1);
    this.cycle = o.cycle ?? false;
  }

  call(step: number): number {
    let s = step;
    let steps = this.decaySteps;
    if (this.cycle) steps = this.decaySteps * (step === 0 ? 1 : Math.ceil(step / this.decaySteps));
    else s = Math.min(step, this.decaySteps);
    const p = s / steps;
    return (this.initialLearningRate - this.endLearningRate) * (1 - p) ** this.power + this.endLearningRate;
  }

  callTensor(step: Tensor): Tensor {
    let s = step;
    let steps: Tensor | number = this.decaySteps;
    if (this.cycle) steps = mul(where(equal(step, 0), add(mul(step, 0), 1), ceil(div(step, this.decaySteps))), this.decaySteps);
    else s = minimum(step, this.decaySteps);
    const remaining = sub(1, div(s, steps));
    return add(mul(pow(remaining, this.power), this.initialLearningRate - this.endLearningRate), this.endLearningRate);
  }

  /** Constructor options as JSON, enough to make an equal schedule. */
  getConfig(): Record<string, unknown> {
    return {
      initialLearningRate: this.initialLearningRate,
      decaySteps: this.decaySteps,
      endLearningRate: this.endLearningRate,
      power: this.power,
      cycle: this.cycle,
    };
  }
}

/** `initialLearningRate / (1 + decayRate * step / decaySteps)` (the ratio floored when `staircase`). */
export class InverseTimeDecay extends RateDecay {
  readonly className = 'InverseTimeDecay';

  call(step: number): number {
    return this.initialLearningRate / (1 + this.decayRate * this.intervals(step));
  }

  callTensor(step: Tensor): Tensor {
    return div(this.initialLearningRate, add(mul(this.intervalsTensor(step), this.decayRate), 1));
  }
}

/** Keras-named factories: `schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 100, decayRate: 0.9 })`. */
export const exponentialDecay = (o: ExponentialDecayOptions): ExponentialDecay => new ExponentialDecay(o);
/** A new {@link PiecewiseConstantDecay}. */
export const piecewiseConstant = (o: PiecewiseConstantOptions): PiecewiseConstantDecay => new PiecewiseConstantDecay(o);
/** Alias of {@link piecewiseConstant}. */
export const piecewiseConstantDecay = piecewiseConstant;
/** A new {@link CosineDecay}. */
export const cosineDecay = (o: CosineDecayOptions): CosineDecay => new CosineDecay(o);
/** A new {@link PolynomialDecay}. */
export const polynomialDecay = (o: PolynomialDecayOptions): PolynomialDecay => new PolynomialDecay(o);
/** A new {@link InverseTimeDecay}. */
export const inverseTimeDecay = (o: InverseTimeDecayOptions): InverseTimeDecay => new InverseTimeDecay(o);

const SCHEDULES: Record<string, (config: never) => LearningRateSchedule> = {
  ExponentialDecay: (c: ExponentialDecayOptions) => new ExponentialDecay(c),
  PiecewiseConstantDecay: (c: PiecewiseConstantOptions) => new PiecewiseConstantDecay(c),
  CosineDecay: (c: CosineDecayOptions) => new CosineDecay(c),
  PolynomialDecay: (c: PolynomialDecayOptions) => new PolynomialDecay(c),
  InverseTimeDecay: (c: InverseTimeDecayOptions) => new InverseTimeDecay(c),
};

/** A schedule as `{ className, config }` JSON. */
export function serializeSchedule(s: LearningRateSchedule): ScheduleConfig {
  return { className: s.className, config: s.getConfig() };
}

/** A built-in schedule from `{ className, config }` JSON. */
export function deserializeSchedule(c: ScheduleConfig): LearningRateSchedule {
  const make = SCHEDULES[c.className];
  if (!make) throw new ValueError(`schedules.deserialize: unknown schedule '${c.className}'; known: ${Object.keys(SCHEDULES).join(', ')}`);
  return make(c.config as never);
}
