// Callbacks that change the optimizer's learning rate: LearningRateScheduler and ReduceLROnPlateau.
import { checkOptions, optionKeys } from '../../check-options.js';
import { ValueError } from '../../errors.js';
import type { Trainer } from '../trainer.js';
import { Callback, type Logs } from './callback.js';
import { Monitor, type MonitorMode } from './monitor.js';

function optimizerOf(model: Trainer | null, who: string): { learningRate: number } {
  const opt = model?.optimizer as { learningRate: number } | null | undefined;
  if (!opt || typeof opt.learningRate !== 'number') throw new ValueError(`${who}: the model has no optimizer with a learningRate; compile it first`);
  return opt;
}

/** Sets the learning rate at the start of each epoch to `schedule(epoch, currentRate)`. */
export class LearningRateScheduler extends Callback {
  constructor(
    /** The new rate from the epoch (0-based) and the current rate. */
    readonly schedule: (epoch: number, lr: number) => number,
    readonly verbose = 0,
  ) {
    super();
    if (typeof schedule !== 'function') throw new ValueError('LearningRateScheduler: expected a function (epoch, lr) => lr');
  }

  override onEpochBegin(epoch: number): void {
    const opt = optimizerOf(this.model, 'LearningRateScheduler');
    const lr = this.schedule(epoch, opt.learningRate);
    if (typeof lr !== 'number' || !Number.isFinite(lr)) throw new ValueError(`LearningRateScheduler: the schedule returned ${String(lr)} for epoch ${epoch}; expected a finite number`);
    opt.learningRate = lr;
    if (this.verbose > 0) console.log(`Epoch ${epoch + 1}: LearningRateScheduler setting learning rate to ${lr}.`);
  }

  override onEpochEnd(_epoch: number, logs?: Logs): void {
    if (logs) logs.learning_rate = optimizerOf(this.model, 'LearningRateScheduler').learningRate;
  }
}

/** Options of {@link ReduceLROnPlateau}. */
export interface ReduceLROnPlateauOptions {
  monitor?: string;
  /** New rate = rate * factor (< 1). */
  factor?: number;
  patience?: number;
  mode?: MonitorMode;
  minDelta?: number;
  /** Epochs to wait after a reduction before watching again. */
  cooldown?: number;
  minLr?: number;
  verbose?: number;
}

const REDUCE_LR_KEYS = optionKeys<ReduceLROnPlateauOptions>({ monitor: true, factor: true, patience: true, mode: true, minDelta: true, cooldown: true, minLr: true, verbose: true });

/** Multiplies the learning rate by `factor` when the monitored quantity has not improved for `patience` epochs. */
export class ReduceLROnPlateau extends Callback {
  readonly monitor: Monitor;
  readonly factor: number;
  readonly patience: number;
  readonly cooldown: number;
  readonly minLr: number;
  readonly verbose: number;
  private wait = 0;
  private cooldownLeft = 0;

  constructor(opts: ReduceLROnPlateauOptions = {}) {
    super();
    checkOptions('ReduceLROnPlateau', opts, REDUCE_LR_KEYS);
    this.factor = opts.factor ?? 0.1;
    if (!(this.factor < 1 && this.factor >= 0)) throw new ValueError(`ReduceLROnPlateau: factor must be in [0, 1), got ${this.factor}`);
    this.monitor = new Monitor(opts.monitor ?? 'val_loss', 'ReduceLROnPlateau', opts.mode, opts.minDelta ?? 1e-4);
    this.patience = opts.patience ?? 10;
    this.cooldown = opts.cooldown ?? 0;
    this.minLr = opts.minLr ?? 0;
    this.verbose = opts.verbose ?? 0;
  }

  override onTrainBegin(): void {
    this.wait = 0;
    this.cooldownLeft = 0;
    this.monitor.reset();
  }

  override onEpochEnd(epoch: number, logs?: Logs): void {
    const opt = optimizerOf(this.model, 'ReduceLROnPlateau');
    if (logs) logs.learning_rate = opt.learningRate;
    const v = this.monitor.value(logs);
    if (v === undefined) return;
    if (this.cooldownLeft > 0) {
      this.cooldownLeft--;
      this.wait = 0;
    }
    if (this.monitor.better(v, this.monitor.best)) {
      this.monitor.best = v;
      this.wait = 0;
      return;
    }
    if (this.cooldownLeft > 0) return;
    this.wait++;
    if (this.wait >= this.patience && opt.learningRate > this.minLr) {
      const lr = Math.max(opt.learningRate * this.factor, this.minLr);
      opt.learningRate = lr;
      if (this.verbose > 0) console.log(`Epoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${lr}.`);
      this.cooldownLeft = this.cooldown;
      this.wait = 0;
    }
  }
}
