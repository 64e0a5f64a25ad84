import { checkOptions, optionKeys } from '../../check-options.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Callback, type Logs } from './callback.js';
import { Monitor, type MonitorMode } from './monitor.js';

/** Options of {@link EarlyStopping}. */
export interface EarlyStoppingOptions {
  monitor?: string;
  minDelta?: number;
  /** Epochs without improvement before stopping. */
  patience?: number;
  mode?: MonitorMode;
  /** Stop unless the quantity beats this value. */
  baseline?: number | null;
  /** At the end, put back the weights of the best epoch. */
  restoreBestWeights?: boolean;
  /** Epochs to wait before watching. */
  startFromEpoch?: number;
  verbose?: number;
}

const EARLY_STOPPING_KEYS = optionKeys<EarlyStoppingOptions>({ monitor: true, minDelta: true, patience: true, mode: true, baseline: true, restoreBestWeights: true, startFromEpoch: true, verbose: true });

/** Stops training when the monitored quantity stops improving. */
export class EarlyStopping extends Callback {
  readonly monitor: Monitor;
  readonly patience: number;
  readonly baseline: number | null;
  readonly restoreBestWeights: boolean;
  readonly startFromEpoch: number;
  readonly verbose: number;
  wait = 0;
  stoppedEpoch = 0;
  bestEpoch = 0;
  private bestWeights: Tensor[] | null = null;

  constructor(opts: EarlyStoppingOptions = {}) {
    super();
    checkOptions('EarlyStopping', opts, EARLY_STOPPING_KEYS);
    this.monitor = new Monitor(opts.monitor ?? 'val_loss', 'EarlyStopping', opts.mode, opts.minDelta ?? 0);
    this.patience = opts.patience ?? 0;
    this.baseline = opts.baseline ?? null;
    this.restoreBestWeights = opts.restoreBestWeights ?? false;
    this.startFromEpoch = opts.startFromEpoch ?? 0;
    this.verbose = opts.verbose ?? 0;
  }

  override onTrainBegin(): void {
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.bestEpoch = 0;
    this.bestWeights = null;
    this.monitor.reset();
  }

  override onEpochEnd(epoch: number, logs?: Logs): void {
    const v = this.monitor.value(logs);
    if (v === undefined || epoch < this.startFromEpoch) return;
    if (this.restoreBestWeights && this.bestWeights === null) this.bestWeights = this.model!.getWeights();
    this.wait++;
    if (this.monitor.better(v, this.monitor.best)) {
      this.monitor.best = v;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.bestWeights = this.model!.getWeights();
      if (this.baseline === null || this.monitor.better(v, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      this.model!.stopTraining = true;
    }
  }

  override onTrainEnd(): void {
    if (this.stoppedEpoch > 0 && this.verbose > 0) console.log(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
    if (this.restoreBestWeights && this.bestWeights) {
      if (this.verbose > 0) console.log(`Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1}.`);
      this.model!.setWeights(this.bestWeights);
    }
  }
}
