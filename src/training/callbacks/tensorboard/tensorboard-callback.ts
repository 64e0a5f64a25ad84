import { checkOptions, optionKeys } from '../../../check-options.js';
import { ValueError } from '../../../errors.js';
import { Callback, type Logs } from '../callback.js';
import { EventFileWriter } from './event-file-writer.js';
import { histogramOf } from './histogram.js';
import { modelGraphDef } from './model-graph.js';

/** Options of {@link TensorBoard}. */
export interface TensorBoardOptions {
  /** Folder of the run (default `logs`): event files go in its `train/` and `validation/` folders. */
  logDir?: string;
  /** Write weight histograms every this many epochs (0, the default: never). */
  histogramFreq?: number;
  /** `'epoch'` (default): scalars per epoch; `'batch'`, or a number N: also the training scalars every N batches. */
  updateFreq?: 'epoch' | 'batch' | number;
  /** Write the model's forward graph for TensorBoard's graph dashboard (default true, as in Keras). */
  writeGraph?: boolean;
}

const TENSORBOARD_KEYS = optionKeys<TensorBoardOptions>({ logDir: true, histogramFreq: true, updateFreq: true, writeGraph: true });

/**
 * Writes TensorBoard event files as Keras does: `epoch_loss`, `epoch_<metric>` per epoch under
 * `<logDir>/train` and (from the `val_*` logs) under `<logDir>/validation`, `batch_<metric>` per
 * batch when `updateFreq` asks, histograms of every weight when `histogramFreq` asks, and the
 * model's forward graph (after the first batch has built it) unless `writeGraph: false`.
 * View with `tensorboard --logdir <logDir>`.
 */
export class TensorBoard extends Callback {
  readonly logDir: string;
  readonly histogramFreq: number;
  readonly writeGraph: boolean;
  private readonly batchEvery: number;
  private train: EventFileWriter;
  private validation: EventFileWriter;
  private trainBatches = 0;

  constructor(opts: TensorBoardOptions = {}) {
    super();
    checkOptions('TensorBoard', opts, TENSORBOARD_KEYS);
    this.logDir = opts.logDir ?? 'logs';
    this.histogramFreq = opts.histogramFreq ?? 0;
    this.writeGraph = opts.writeGraph ?? true;
    if (!Number.isInteger(this.histogramFreq) || this.histogramFreq < 0) {
      throw new ValueError(`TensorBoard: histogramFreq must be a non-negative integer, got ${opts.histogramFreq}`);
    }
    const freq = opts.updateFreq ?? 'epoch';
    if (freq === 'epoch') this.batchEvery = 0;
    else if (freq === 'batch') this.batchEvery = 1;
    else if (typeof freq === 'number' && Number.isInteger(freq) && freq > 0) this.batchEvery = freq;
    else throw new ValueError(`TensorBoard: updateFreq must be 'epoch', 'batch' or a positive integer, got ${JSON.stringify(freq)}`);
    this.train = new EventFileWriter(`${this.logDir}/train`);
    this.validation = new EventFileWriter(`${this.logDir}/validation`);
  }

  override onTrainBegin(): void {
    // A new fit starts new files, as Keras does, so runs never interleave in one file.
    this.train = new EventFileWriter(`${this.logDir}/train`);
    this.validation = new EventFileWriter(`${this.logDir}/validation`);
    this.trainBatches = 0;
  }

  override onTrainBatchEnd(_batch: number, logs: Logs = {}): void {
    const step = this.trainBatches++;
    if (step === 0 && this.writeGraph && this.model) {
      const graphDef = modelGraphDef(this.model);
      if (graphDef) this.train.graph(graphDef);
    }
    if (this.batchEvery === 0 || step % this.batchEvery !== 0) return;
    for (const [k, v] of Object.entries(logs)) this.train.scalar(`batch_${k}`, v, step);
  }

  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    let validated = false;
    for (const [k, v] of Object.entries(logs)) {
      if (k.startsWith('val_')) {
        this.validation.scalar(`epoch_${k.slice(4)}`, v, epoch);
        validated = true;
      } else this.train.scalar(`epoch_${k}`, v, epoch);
    }
    if (this.histogramFreq > 0 && epoch % this.histogramFreq === 0) await this.writeHistograms(epoch);
    await this.train.flush();
    if (validated) await this.validation.flush();
  }

  private async writeHistograms(epoch: number): Promise<void> {
    if (!this.model) return;
    for (const w of this.model.weights) this.train.histogram(`${w.name}/histogram`, histogramOf((await w.data()) as ArrayLike<number>), epoch);
  }

  /** The event files written so far (for tests and logs). */
  get files(): string[] {
    return [this.train.file, this.validation.file].filter((f): f is string => f !== null);
  }
}
