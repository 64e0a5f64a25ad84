import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { maskedCrc32c } from '../../src/training/callbacks/tensorboard/record-framing.js';
import { histogramOf } from '../../src/training/callbacks/tensorboard/histogram.js';

// Debian's python3 with its protobuf package (.ci/run installs python3-protobuf) reads the files
// independently of protobufjs: record CRCs checked, Event decoded from TensorFlow's field numbers.
const PYTHON = '/usr/bin/python3';
const READER = join(import.meta.dirname, 'read-tfevents.py');
const pythonReads = existsSync(PYTHON) && (() => {
  try {
    execFileSync(PYTHON, ['-c', 'import google.protobuf'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

interface Decoded {
  step: number;
  file_version?: string;
  graph?: { name: string; op: string; input: string[]; shapes: number[][] }[];
  values?: { tag: string; simple_value?: number; histo?: { num: number; min: number; max: number; buckets: number } }[];
}

function readEvents(dir: string): Decoded[] {
  const files = readdirSync(dir).filter((f) => f.includes('tfevents'));
  expect(files).toHaveLength(1);
  const out = execFileSync(PYTHON, [READER, join(dir, files[0]!)], { encoding: 'utf8' });
  return out.trim().split('\n').map((l) => JSON.parse(l) as Decoded);
}

const scalars = (events: Decoded[], tag: string) => events.flatMap((e) => (e.values ?? []).filter((v) => v.tag === tag && v.simple_value !== undefined).map((v) => [e.step, v.simple_value!]));

function model() {
  nb.random.seed(3);
  const m = new nb.Sequential([new nb.layers.Dense(4, { inputShape: [3], activation: 'relu', name: 'hidden' }), new nb.layers.Dense(1, { name: 'out' })]);
  m.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['mae'] });
  const x = nb.random.normal([32, 3], { seed: 1 });
  const y = nb.sum(x, 1, true);
  return { m, x, y };
}

describe('TensorBoard callback', () => {
  it('masks CRC-32C as TFRecord does (known value of "123456789")', () => {
    // CRC-32C("123456789") = 0xE3069283, the standard check value; masked: rotate right 15, add 0xA282EAD8.
    const crc = 0xe3069283;
    const expected = ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
    expect(maskedCrc32c(new TextEncoder().encode('123456789'))).toBe(expected);
  });

  it('histograms count every finite value into equal-width buckets', () => {
    const h = histogramOf([0, 1, 2, 3, NaN, 4], 4);
    expect(h).toMatchObject({ min: 0, max: 4, num: 5, sum: 10, sumSquares: 30 });
    expect(h.bucket).toEqual([1, 1, 1, 2]);
    expect(h.bucketLimit).toEqual([1, 2, 3, 4]);
  });

  it.skipIf(!pythonReads)('writes epoch scalars for train and validation, per-batch scalars and weight histograms that an independent reader decodes', async () => {
    const { m, x, y } = model();
    const logDir = mkdtempSync(join(tmpdir(), 'nabla-tb-'));
    const tb = new nb.callbacks.TensorBoard({ logDir, histogramFreq: 1, updateFreq: 'batch' });
    const history = await m.fit(x, y, { epochs: 2, batchSize: 8, validationSplit: 0.25, verbose: 0, callbacks: [tb] });

    const train = readEvents(join(logDir, 'train'));
    expect(train[0]!.file_version).toBe('brain.Event:2');
    const loss = scalars(train, 'epoch_loss');
    expect(loss.map(([s]) => s)).toEqual([0, 1]);
    loss.forEach(([, v], i) => expect(v).toBeCloseTo(history.history.loss![i]!, 5));
    expect(scalars(train, 'epoch_mae')).toHaveLength(2);
    // 24 training samples in batches of 8: 3 batches per epoch, numbered on across epochs.
    expect(scalars(train, 'batch_loss').map(([s]) => s)).toEqual([0, 1, 2, 3, 4, 5]);
    const histos = train.flatMap((e) => (e.values ?? []).filter((v) => v.histo).map((v) => ({ step: e.step, ...v })));
    const kernel = histos.filter((h) => h.tag.includes('hidden') && h.tag.includes('kernel'));
    expect(kernel.map((h) => h.step)).toEqual([0, 1]);
    expect(kernel[0]!.histo!.num).toBe(12);
    expect(kernel[0]!.histo!.buckets).toBe(12);

    const validation = readEvents(join(logDir, 'validation'));
    const valLoss = scalars(validation, 'epoch_loss');
    valLoss.forEach(([, v], i) => expect(v).toBeCloseTo(history.history.val_loss![i]!, 5));
    expect(scalars(validation, 'epoch_mae')).toHaveLength(2);
  });

  it.skipIf(!pythonReads)("writes the model's forward graph once, each op under its layer's name, with shapes", async () => {
    const { m, x, y } = model();
    const logDir = mkdtempSync(join(tmpdir(), 'nabla-tb-graph-'));
    await m.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0, callbacks: [new nb.callbacks.TensorBoard({ logDir })] });
    const graphs = readEvents(join(logDir, 'train')).filter((e) => e.graph);
    expect(graphs).toHaveLength(1);
    const nodes = graphs[0]!.graph!;
    const byName = new Map(nodes.map((n) => [n.name, n]));
    // Every edge points at a node of the graph.
    for (const n of nodes) for (const i of n.input) expect(byName.has(i.split(':')[0]!), `${n.name} <- ${i}`).toBe(true);
    expect(byName.get('input_0')).toMatchObject({ op: 'Placeholder', shapes: [[1, 3]] });
    expect(byName.get('hidden/kernel')).toMatchObject({ op: 'VariableV2', shapes: [[3, 4]] });
    expect(byName.get('out/bias')).toMatchObject({ op: 'VariableV2', shapes: [[1]] });
    const ops = nodes.filter((n) => !['Placeholder', 'VariableV2', 'Const', 'Identity'].includes(n.op));
    expect(ops.length).toBeGreaterThanOrEqual(3);
    for (const n of ops) expect(n.name).toMatch(/^(hidden|out)\//);
    // The first layer reads the input and the kernel; the graph's output is the last layer's [1, 1].
    expect(ops.find((n) => n.input.includes('input_0'))!.name).toMatch(/^hidden\//);
    expect(ops.find((n) => n.input.includes('hidden/kernel'))!.name).toMatch(/^hidden\//);
    const output = byName.get('output_0')!;
    expect(output.op).toBe('Identity');
    const last = byName.get(output.input[0]!)!;
    expect(last.name).toMatch(/^out\//);
    expect(last.shapes).toEqual([[1, 1]]);
  });

  it.skipIf(!pythonReads)('writes no graph with writeGraph: false', async () => {
    const { m, x, y } = model();
    const logDir = mkdtempSync(join(tmpdir(), 'nabla-tb-nograph-'));
    await m.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0, callbacks: [new nb.callbacks.TensorBoard({ logDir, writeGraph: false })] });
    expect(readEvents(join(logDir, 'train')).some((e) => e.graph)).toBe(false);
  });

  it('rejects unknown options and bad frequencies with the option named', () => {
    expect(() => new nb.callbacks.TensorBoard({ log_dir: 'x' } as never)).toThrow(/log_dir.*logDir/);
    expect(() => new nb.callbacks.TensorBoard({ updateFreq: 0 })).toThrow(/updateFreq/);
    expect(() => new nb.callbacks.TensorBoard({ histogramFreq: -1 })).toThrow(/histogramFreq/);
  });
});

describe('plotHistory', () => {
  it('draws one panel per quantity with its validation curve, and writes the file', async () => {
    const { m, x, y } = model();
    const history = await m.fit(x, y, { epochs: 3, batchSize: 8, validationSplit: 0.25, verbose: 0 });
    const path = join(mkdtempSync(join(tmpdir(), 'nabla-plot-')), 'sub', 'curves.svg');
    const svg = await nb.utils.plotHistory(history, path);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(path, 'utf8')).toBe(svg);
    expect(svg.startsWith('<svg')).toBe(true);
    // Panels 'loss' and 'mae', each with a train and a validation polyline of 3 points.
    expect([...svg.matchAll(/font-weight="bold">([^<]+)</g)].map((t) => t[1])).toEqual(['loss', 'mae']);
    const lines = [...svg.matchAll(/<polyline points="([^"]+)"/g)].map((p) => p[1]!.split(' ').length);
    expect(lines).toEqual([3, 3, 3, 3]);
    expect(svg).toContain('>validation<');
  });

  it('names a missing quantity and what the history holds', async () => {
    await expect(nb.utils.plotHistory({ loss: [1, 0.5] }, undefined, { metrics: ['accuracy'] })).rejects.toThrow(/no 'accuracy'.*loss/);
  });
});
