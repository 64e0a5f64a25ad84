// Watching one logged quantity for improvement: shared by EarlyStopping, ModelCheckpoint and ReduceLROnPlateau.
import { ValueError } from '../../errors.js';
import type { Logs } from './callback.js';

export type MonitorMode = 'auto' | 'min' | 'max';

export class Monitor {
  readonly better: (a: number, b: number) => boolean;
  best: number;

  constructor(
    readonly name: string,
    readonly owner: string,
    mode: MonitorMode = 'auto',
    readonly minDelta = 0,
  ) {
    if (!['auto', 'min', 'max'].includes(mode)) throw new ValueError(`${owner}: mode must be 'auto', 'min' or 'max', got '${mode}'`);
    // Keras's 'auto': quantities named like accuracy or AUC grow, everything else shrinks.
    const maximize = mode === 'max' || (mode === 'auto' && /acc|auc|precision|recall|f1|r2/i.test(name.replace(/^val_/, '')));
    const d = Math.abs(minDelta);
    this.better = maximize ? (a, b) => a - d > b : (a, b) => a + d < b;
    this.best = maximize ? -Infinity : Infinity;
  }

  reset(): void {
    this.best = this.better(0, 1) ? Infinity : -Infinity;
  }

  /** The monitored value in `logs`, or undefined with one warning naming what is available. */
  value(logs: Logs | undefined): number | undefined {
    const v = logs?.[this.name];
    if (v === undefined && !this.warned) {
      this.warned = true;
      console.warn(`nabla: ${this.owner} is watching '${this.name}', which is not in the logs (available: ${Object.keys(logs ?? {}).join(', ') || 'none'})`);
    }
    return v;
  }
  private warned = false;
}
