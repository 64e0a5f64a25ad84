// The Keras progress bar: in place on a terminal, one line per epoch otherwise.
import { checkOptions, optionKeys } from '../../check-options.js';
import { Callback, type Logs } from './callback.js';

/** Options of {@link ProgressBar}. */
export interface ProgressBarOptions {
  /** 1: a bar (updated in place on a TTY, one line per epoch otherwise); 2: one line per epoch. */
  verbose?: number;
  /** Where text goes (default process.stdout, or console.log without Node). */
  write?: (text: string) => void;
  /** Whether the output is a terminal that understands '\r' (default: process.stdout.isTTY). */
  isTTY?: boolean;
  width?: number;
}

const PROGRESS_BAR_KEYS = optionKeys<ProgressBarOptions>({ verbose: true, write: true, isTTY: true, width: true });

interface Stdout {
  write(s: string): unknown;
  isTTY?: boolean;
}

function stdout(): Stdout | null {
  const p = (globalThis as { process?: { stdout?: Stdout } }).process;
  return p?.stdout ?? null;
}

/** 0.0123 -> "0.0123", 1234.5 -> "1234.5000", tiny or huge -> exponent form, like Keras. */
export function formatLogValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(4) : v.toFixed(4);
}

export function formatLogs(logs: Logs): string {
  return Object.entries(logs)
    .map(([k, v]) => ` - ${k}: ${formatLogValue(v)}`)
    .join('');
}

function formatTime(ms: number, steps: number): string {
  const total = ms >= 1000 ? `${Math.round(ms / 1000)}s` : `${Math.round(ms)}ms`;
  const per = steps > 0 ? ms / steps : 0;
  return `${total} ${per >= 1000 ? `${(per / 1000).toFixed(0)}s` : `${Math.round(per)}ms`}/step`;
}

export class ProgressBar extends Callback {
  readonly verbose: number;
  private readonly write: (text: string) => void;
  private readonly tty: boolean;
  private readonly width: number;
  private epochStart = 0;
  private seen = 0;
  private target: number | null = null;
  private lastLogs: Logs = {};

  constructor(opts: ProgressBarOptions = {}) {
    super();
    checkOptions('ProgressBar', opts, PROGRESS_BAR_KEYS);
    this.verbose = opts.verbose ?? 1;
    const out = stdout();
    this.write = opts.write ?? (out ? (s) => void out.write(s) : (s) => console.log(s.replace(/\n$/, '')));
    this.tty = opts.isTTY ?? Boolean(out?.isTTY);
    this.width = opts.width ?? 30;
  }

  override onEpochBegin(epoch: number): void {
    this.epochStart = Date.now();
    this.seen = 0;
    this.target = this.params.steps ?? null;
    this.lastLogs = {};
    if (this.params.epochs !== undefined) this.write(`Epoch ${epoch + 1}/${this.params.epochs}\n`);
  }

  override onTrainBatchEnd(batch: number, logs: Logs = {}): void {
    this.seen = batch + 1;
    this.lastLogs = logs;
    if (this.verbose === 1 && this.tty) this.write(`\r${this.line(false)}`);
  }

  override onEpochEnd(_epoch: number, logs: Logs = {}): void {
    this.lastLogs = logs;
    if (this.target === null) this.target = this.seen;
    this.write(`${this.verbose === 1 && this.tty ? '\r' : ''}${this.line(true)}\n`);
  }

  // evaluate(): the same bar over the test batches, ending with the totals.
  override onTestBegin(): void {
    this.epochStart = Date.now();
    this.seen = 0;
    this.target = this.params.steps ?? null;
  }

  override onTestBatchEnd(batch: number, logs: Logs = {}): void {
    this.onTrainBatchEnd(batch, logs);
  }

  override onTestEnd(logs: Logs = {}): void {
    this.onEpochEnd(0, logs);
  }

  private line(done: boolean): string {
    const elapsed = Date.now() - this.epochStart;
    const target = this.target;
    const counter = target ? `${String(this.seen).padStart(String(target).length)}/${target}` : `${this.seen}`;
    if (this.verbose === 2) return `${counter} - ${formatTime(elapsed, this.seen)}${formatLogs(this.lastLogs)}`;
    let bar = '';
    if (target) {
      const filled = Math.floor((this.width * this.seen) / target);
      bar = ` [${'='.repeat(Math.max(0, filled - (done || this.seen >= target ? 0 : 1)))}${done || this.seen >= target ? '' : '>'}${'.'.repeat(Math.max(0, this.width - filled))}]`;
    }
    return `${counter}${bar} - ${formatTime(elapsed, this.seen)}${formatLogs(this.lastLogs)}`;
  }
}
