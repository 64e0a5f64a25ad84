import { checkOptions, optionKeys } from '../../check-options.js';
import { Callback, type Logs } from './callback.js';
import { ensureParentDir, nodeFs } from './node-fs.js';

/** Options of {@link CSVLogger}. */
export interface CSVLoggerOptions {
  separator?: string;
  /** Add to an existing file instead of replacing it. */
  append?: boolean;
}

const CSV_LOGGER_KEYS = optionKeys<CSVLoggerOptions>({ separator: true, append: true });

/** Writes one CSV row per epoch: epoch, then every logged quantity (sorted by name, like Keras). */
export class CSVLogger extends Callback {
  readonly separator: string;
  readonly append: boolean;
  private keys: string[] | null = null;
  private started = false;

  constructor(
    readonly filename: string,
    opts: CSVLoggerOptions = {},
  ) {
    super();
    checkOptions('CSVLogger', opts, CSV_LOGGER_KEYS);
    this.separator = opts.separator ?? ',';
    this.append = opts.append ?? false;
  }

  override async onTrainBegin(): Promise<void> {
    this.keys = null;
    this.started = this.append;
    const f = await nodeFs('CSVLogger');
    await ensureParentDir(f, this.filename);
    if (!this.append) await f.writeFile(this.filename, '');
    else {
      const existing = await f.readFile(this.filename, 'utf8').catch(() => '');
      this.started = existing.length > 0;
    }
  }

  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    const f = await nodeFs('CSVLogger');
    this.keys ??= Object.keys(logs).sort();
    let text = '';
    if (!this.started) {
      text += ['epoch', ...this.keys].join(this.separator) + '\n';
      this.started = true;
    }
    text += [String(epoch), ...this.keys.map((k) => (k in logs ? String(logs[k]) : 'NA'))].join(this.separator) + '\n';
    await f.appendFile(this.filename, text);
  }
}
