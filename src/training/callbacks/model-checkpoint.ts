import { checkOptions, optionKeys } from '../../check-options.js';
import { Callback, type Logs } from './callback.js';
import { Monitor, type MonitorMode } from './monitor.js';
import type { Trainer } from '../trainer.js';
import { ValueError } from '../../errors.js';
import { rank } from '../../distribute/process-group.js';

/** What a model that saves itself has (src/models/model.ts). */
interface Savable {
  save(path: string): Promise<void>;
  saveWeights(path: string): Promise<void>;
}

/** Options of {@link ModelCheckpoint}. */
export interface ModelCheckpointOptions {
  monitor?: string;
  verbose?: number;
  /** Only write when the monitored quantity improved. */
  saveBestOnly?: boolean;
  /** Write only the weights, as one safetensors file (model.saveWeights); otherwise a full model.save folder. */
  saveWeightsOnly?: boolean;
  mode?: MonitorMode;
  /** 'epoch' (default) or every N batches. */
  saveFreq?: 'epoch' | number;
}

const MODEL_CHECKPOINT_KEYS = optionKeys<ModelCheckpointOptions>({ monitor: true, verbose: true, saveBestOnly: true, saveWeightsOnly: true, mode: true, saveFreq: true });

/** "w-{epoch:02d}-{val_loss:.2f}.json" with epoch 3 and val_loss 0.1234 -> "w-03-0.12.json" (epoch counts from 1). */
export function formatCheckpointPath(template: string, epoch: number, logs: Logs): string {
  return template.replace(/\{(\w+)(?::(0?)(\d*)(?:\.(\d+))?([df]))?\}/g, (whole, key: string, zero: string, width: string, prec: string, kind: string) => {
    const v = key === 'epoch' ? epoch + 1 : logs[key];
    if (v === undefined) return whole;
    let s = kind === 'f' ? v.toFixed(prec ? Number(prec) : 6) : kind === 'd' ? String(Math.round(v)) : String(v);
    if (width) s = s.padStart(Number(width), zero ? '0' : ' ');
    return s;
  });
}

/**
 * Saves the model during training, atomically (a crash mid-save leaves the previous checkpoint
 * intact): `model.save(path)` (a folder: model.json + a safetensors weights file with the optimizer's
 * state), or with `saveWeightsOnly` `model.saveWeights(path)` (one safetensors file). In
 * data-parallel training (nb.distribute) only rank 0 writes.
 */
export class ModelCheckpoint extends Callback {
  readonly monitor: Monitor;
  readonly saveBestOnly: boolean;
  readonly saveWeightsOnly: boolean;
  readonly saveFreq: 'epoch' | number;
  readonly verbose: number;
  /** Paths written so far, in order. */
  readonly written: string[] = [];
  private batchesSinceSave = 0;
  private epoch = 0;

  constructor(
    readonly filepath: string,
    opts: ModelCheckpointOptions = {},
  ) {
    super();
    checkOptions('ModelCheckpoint', opts, MODEL_CHECKPOINT_KEYS);
    this.monitor = new Monitor(opts.monitor ?? 'val_loss', 'ModelCheckpoint', opts.mode);
    this.saveBestOnly = opts.saveBestOnly ?? false;
    this.saveWeightsOnly = opts.saveWeightsOnly ?? false;
    this.saveFreq = opts.saveFreq ?? 'epoch';
    this.verbose = opts.verbose ?? 0;
  }

  override onEpochBegin(epoch: number): void {
    this.epoch = epoch;
  }

  override async onTrainBatchEnd(_batch: number, logs?: Logs): Promise<void> {
    if (this.saveFreq === 'epoch') return;
    if (++this.batchesSinceSave >= this.saveFreq) {
      this.batchesSinceSave = 0;
      await this.maybeSave(this.epoch, logs ?? {});
    }
  }

  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    if (this.saveFreq === 'epoch') await this.maybeSave(epoch, logs);
  }

  private async maybeSave(epoch: number, logs: Logs): Promise<void> {
    if (this.saveBestOnly) {
      const v = this.monitor.value(logs);
      if (v === undefined || !this.monitor.better(v, this.monitor.best)) return;
      this.monitor.best = v;
    }
    // Data-parallel, every rank holds the same weights: rank 0 alone writes them.
    if (rank() !== 0) return;
    const path = formatCheckpointPath(this.filepath, epoch, logs);
    await this.save(this.model!, path);
    this.written.push(path);
    if (this.verbose > 0) console.log(`Epoch ${epoch + 1}: saving model to ${path}`);
  }

  private async save(model: Trainer, path: string): Promise<void> {
    // Every model fit trains (src/models/model.ts) saves itself; a Trainer alone does not know how.
    const savable = model as Trainer & Partial<Savable>;
    if (typeof savable.save !== 'function' || typeof savable.saveWeights !== 'function') throw new ValueError('ModelCheckpoint: the model has no save/saveWeights methods');
    if (this.saveWeightsOnly) await savable.saveWeights(path);
    else await savable.save(path);
  }
}
