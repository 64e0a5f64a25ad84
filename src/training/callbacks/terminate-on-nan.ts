import { Callback, type Logs } from './callback.js';

/** Stops training as soon as a batch's loss is NaN or infinite. */
export class TerminateOnNaN extends Callback {
  /** The batch that stopped training, if any. */
  terminatedAt: { epoch: number; batch: number } | null = null;
  private epoch = 0;

  override onEpochBegin(epoch: number): void {
    this.epoch = epoch;
  }

  override onTrainBatchEnd(batch: number, logs?: Logs): void {
    const loss = logs?.loss;
    if (loss !== undefined && !Number.isFinite(loss)) {
      console.warn(`nabla: batch ${batch} of epoch ${this.epoch + 1}: invalid loss (${loss}), terminating training`);
      this.terminatedAt = { epoch: this.epoch, batch };
      this.model!.stopTraining = true;
    }
  }
}
