import { checkOptions, optionKeys } from '../check-options.js';
import { ValueError } from '../errors.js';
import type { History } from '../training/callbacks/history.js';
import { ensureParentDir, nodeFs } from '../training/callbacks/node-fs.js';
import { plotPanels, type Panel } from './svg-line-chart.js';

/** Options of {@link plotHistory}. */
export interface PlotHistoryOptions {
  /** The quantities to plot, one panel each (default: every logged name without `val_`, loss first). */
  metrics?: string[];
  /** Legend of the `val_*` curves (default `'validation'`). */
  validationLabel?: string;
}

const PLOT_HISTORY_KEYS = optionKeys<PlotHistoryOptions>({ metrics: true, validationLabel: true });
const TRAIN_COLOR = '#1f77b4';
const VALIDATION_COLOR = '#ff7f0e';

/**
 * The training curves of a `fit` as an SVG document: one panel per quantity, the training curve
 * and (where logged) its `val_` curve, per epoch. With `path` (Node), also writes the file.
 */
export async function plotHistory(history: History | Record<string, number[]>, path?: string, opts: PlotHistoryOptions = {}): Promise<string> {
  checkOptions('plotHistory', opts, PLOT_HISTORY_KEYS);
  const logs = 'history' in history && !Array.isArray(history.history) ? (history as History).history : (history as Record<string, number[]>);
  const names = opts.metrics ?? Object.keys(logs).filter((k) => !k.startsWith('val_')).sort((a, b) => (a === 'loss' ? -1 : b === 'loss' ? 1 : 0));
  if (names.length === 0) throw new ValueError('plotHistory: the history is empty (was fit run with this History?)');
  const panels: Panel[] = names.map((name) => {
    const train = logs[name];
    if (!train) throw new ValueError(`plotHistory: no '${name}' in the history; it has ${Object.keys(logs).join(', ')}`);
    const series = [{ label: 'train', values: train, color: TRAIN_COLOR }];
    const val = logs[`val_${name}`];
    if (val) series.push({ label: opts.validationLabel ?? 'validation', values: val, color: VALIDATION_COLOR });
    return { title: name, series };
  });
  const svg = plotPanels(panels);
  if (path !== undefined) {
    const f = await nodeFs('plotHistory');
    await ensureParentDir(f, path);
    await f.writeFile(path, svg);
  }
  return svg;
}
