// model.summary(): the Keras table of layers, output shapes and parameter counts.
import { optionKeys } from '../check-options.js';
import type { Layer, InputShapes } from '../nn/layers/layer.js';
import { fmtSymbolicShape, type Shape } from '../nn/symbolic-tensor.js';

export interface SummaryOptions {
  /** Total width of the table (default 65, or 98 with the "Connected to" column). */
  lineLength?: number;
  /** Where the text goes (default console.log). */
  printFn?: (text: string) => void;
}

export const SUMMARY_KEYS = optionKeys<SummaryOptions>({ lineLength: true, printFn: true });

interface SummarizedModel extends Layer {
  readonly layers: Layer[];
  readonly isFunctional: boolean;
}

function shapeText(s: InputShapes | null): string {
  if (!s) return '?';
  if (s.length > 0 && Array.isArray(s[0])) return `[${(s as Shape[]).map(fmtSymbolicShape).join(', ')}]`;
  return fmtSymbolicShape(s as Shape);
}

function fit(text: string, width: number): string {
  return text.length >= width ? `${text.slice(0, width - 2)}… ` : text.padEnd(width);
}

/** Count with thousands separators, like Keras: 1,234,567. */
function count(n: number): string {
  return n.toLocaleString('en-US');
}

function uniqueCount(ws: { size: number }[]): number {
  return [...new Set(ws)].reduce((n, w) => n + w.size, 0);
}

export function formatSummary(model: SummarizedModel, opts: SummaryOptions = {}): string {
  const multiInput = model.isFunctional && model.layers.some((l) => l.inboundNodes.some((n) => n.inputs.length > 1));
  const width = opts.lineLength ?? (multiInput ? 98 : 65);
  const cols = multiInput ? [0.33, 0.55, 0.67, 1] : [0.45, 0.85, 1];
  const stops = cols.map((c) => Math.floor(width * c));
  const row = (cells: string[]) => {
    let line = '';
    cells.forEach((c, i) => (line = fit(line + c, stops[i]!)));
    return line.trimEnd();
  };
  const lines: string[] = [`Model: "${model.name}"`, '_'.repeat(width)];
  const header = ['Layer (type)', 'Output Shape', 'Param #'];
  if (multiInput) header.push('Connected to');
  lines.push(row(header), '='.repeat(width));
  const layers = model.layers;
  layers.forEach((l, i) => {
    const cells = [`${l.name} (${l.className})`, shapeText(l.lastOutputShape), count(l.countParams())];
    const inbound = multiInput ? l.inboundNodes.flatMap((n) => n.inputs.map((t) => `${t.node.layer.name}[${t.outputIndex}]`)) : [];
    if (multiInput) cells.push(inbound[0] ?? '');
    lines.push(row(cells));
    for (const extra of inbound.slice(1)) lines.push(row(['', '', '', extra]));
    lines.push(i === layers.length - 1 ? '='.repeat(width) : '');
  });
  if (!layers.length) lines.push('='.repeat(width));
  const trainable = uniqueCount(model.trainableWeights);
  const total = uniqueCount(model.weights);
  lines.push(`Total params: ${count(total)}`, `Trainable params: ${count(trainable)}`, `Non-trainable params: ${count(total - trainable)}`, '_'.repeat(width));
  return lines.join('\n');
}
