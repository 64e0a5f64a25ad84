import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import * as nb from '../../src/index.js';

const L = nb.layers;
const C = nb.callbacks;

function setup(lr = 0.1) {
  nb.random.seed(4);
  const x = nb.random.uniform([16, 2], { min: -1, max: 1, seed: 9 });
  const y = nb.add(nb.matmul(x, nb.tensor([[1], [-2]])), 0.3);
  const m = new nb.Sequential([new L.Dense(1, { inputShape: [2] })]);
  m.compile({ optimizer: new nb.optimizers.SGD(lr), loss: 'mse' });
  return { m, x, y };
}

describe('callbacks', () => {
  it('every hook runs in Keras order, and async hooks are awaited', async () => {
    const { m, x, y } = setup();
    const calls: string[] = [];
    class Recorder extends C.Callback {
      override onTrainBegin() { calls.push('trainBegin'); }
      override onEpochBegin(e: number) { calls.push(`epochBegin ${e}`); }
      override onTrainBatchBegin(b: number) { calls.push(`batchBegin ${b}`); }
      override async onTrainBatchEnd(b: number, logs?: nb.callbacks.Logs) {
        await new Promise((r) => setTimeout(r, 1));
        calls.push(`batchEnd ${b} ${typeof logs?.loss}`);
      }
      override onTestBegin() { calls.push('testBegin'); }
      override onTestBatchEnd(b: number) { calls.push(`testBatchEnd ${b}`); }
      override onTestEnd() { calls.push('testEnd'); }
      override onEpochEnd(e: number, logs?: nb.callbacks.Logs) { calls.push(`epochEnd ${e} ${Object.keys(logs ?? {}).join(',')}`); }
      override onTrainEnd() { calls.push('trainEnd'); }
    }
    const rec = new Recorder();
    await m.fit(x, y, { epochs: 1, batchSize: 8, validationData: [x, y], validationBatchSize: 16, verbose: 0, callbacks: [rec] });
    expect(rec.model).toBe(m);
    expect(rec.params.epochs).toBe(1);
    expect(rec.params.steps).toBe(2);
    expect(calls).toEqual([
      'trainBegin', 'epochBegin 0', 'batchBegin 0', 'batchEnd 0 number', 'batchBegin 1', 'batchEnd 1 number',
      'epochEnd 0 loss,val_loss', 'trainEnd',
    ]);
    const predictCalls: string[] = [];
    await m.evaluate(x, y, { callbacks: [{ onTestBegin: () => void predictCalls.push('tb'), onTestBatchEnd: (b) => void predictCalls.push(`t${b}`), onTestEnd: () => void predictCalls.push('te') }], batchSize: 8, verbose: 0 });
    expect(predictCalls).toEqual(['tb', 't0', 't1', 'te']);
  });

  it('per-batch logs (metric results) are computed only when a callback has a batch-end hook', async () => {
    const { m, x, y } = setup();
    m.compile({ optimizer: new nb.optimizers.SGD(0.1), loss: 'mse', metrics: ['mae'] });
    const result = vi.spyOn(m.compiled!.metrics[0]!.metric, 'result');
    await m.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
    expect(result).toHaveBeenCalledTimes(2); // the epoch-end logs only
    result.mockClear();
    const seen: number[] = [];
    await m.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0, callbacks: [{ onTrainBatchEnd: (_b, logs) => void seen.push(logs!.mae!) }] });
    expect(result).toHaveBeenCalledTimes(2 * 4 + 2);
    expect(seen).toHaveLength(8);
    expect(seen.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
  });

  it('History records each epoch', async () => {
    const { m, x, y } = setup();
    const h = await m.fit(x, y, { epochs: 3, verbose: 0 });
    expect(h).toBeInstanceOf(C.History);
    expect(h.epoch).toEqual([0, 1, 2]);
    expect(m.history).toBe(h);
  });

  it('EarlyStopping stops after `patience` epochs without improvement and restores the best weights', async () => {
    const { m, x, y } = setup();
    const losses = [5, 4, 4.5, 4.6, 4.7, 1];
    const snapshots: number[] = [];
    // feed a scripted val_loss through a callback that runs before EarlyStopping
    const script = { onEpochEnd: (e: number, logs?: nb.callbacks.Logs) => { logs!.val_loss = losses[e]!; snapshots.push(m.getWeights()[0]!.dataSync()[0]!); } };
    const es = new C.EarlyStopping({ patience: 2, restoreBestWeights: true });
    const h = await m.fit(x, y, { epochs: 6, batchSize: 4, verbose: 0, callbacks: [script, es] });
    expect(h.epoch).toEqual([0, 1, 2, 3]);
    expect(es.stoppedEpoch).toBe(3);
    expect(es.bestEpoch).toBe(1);
    expect(m.getWeights()[0]!.dataSync()[0]).toBe(snapshots[1]);
    expect(() => new C.EarlyStopping({ mode: 'up' as never })).toThrow(/mode must be/);
  });

  it('ReduceLROnPlateau and LearningRateScheduler change the learning rate', async () => {
    const { m, x, y } = setup(0.1);
    const flat = { onEpochEnd: (_e: number, logs?: nb.callbacks.Logs) => void (logs!.val_loss = 1) };
    const h = await m.fit(x, y, { epochs: 4, verbose: 0, callbacks: [flat, new C.ReduceLROnPlateau({ patience: 1, factor: 0.5, minLr: 0.03 })] });
    // epoch 0 sets the best; epochs 1, 2 and 3 do not improve: 0.1 -> 0.05 -> 0.03 (floor) -> 0.03
    expect(h.history.learning_rate).toEqual([0.1, 0.1, 0.05, 0.03].map((v) => expect.closeTo(v, 10)));
    expect(m.optimizer!.learningRate).toBeCloseTo(0.03, 10);
    const s = setup(1);
    const seen: number[] = [];
    await s.m.fit(s.x, s.y, { epochs: 3, verbose: 0, callbacks: [new C.LearningRateScheduler((epoch) => 0.1 / (epoch + 1)), { onEpochEnd: () => void seen.push(s.m.optimizer!.learningRate) }] });
    expect(seen).toEqual([0.1, 0.05, 0.1 / 3].map((v) => expect.closeTo(v, 10)));
  });

  it('TerminateOnNaN stops on a NaN loss', async () => {
    const { m, x } = setup();
    const bad = nb.full([16, 1], NaN);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const t = new C.TerminateOnNaN();
    let batches = 0;
    const h = await m.fit(x, bad, { epochs: 3, batchSize: 4, verbose: 0, callbacks: [t, { onTrainBatchEnd: () => void batches++ }] });
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/invalid loss \(NaN\), terminating training/));
    warn.mockRestore();
    expect(batches).toBe(1);
    expect(t.terminatedAt).toEqual({ epoch: 0, batch: 0 });
    expect(h.history.loss![0]).toBeNaN();
  });

  it('CSVLogger writes a header and one row per epoch', async () => {
    const { m, x, y } = setup();
    const file = join(mkdtempSync(join(tmpdir(), 'nabla-csv-')), 'log.csv');
    await m.fit(x, y, { epochs: 2, verbose: 0, validationData: [x, y], callbacks: [new C.CSVLogger(file)] });
    const rows = readFileSync(file, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('epoch,loss,val_loss');
    expect(rows.length).toBe(3);
    expect(rows[2]!.split(',')[0]).toBe('1');
    expect(Number(rows[1]!.split(',')[1])).toBeCloseTo(m.history!.history.loss![0]!, 10);
  });

  it('ModelCheckpoint writes the weights (safetensors) for the best epochs', async () => {
    const { m, x, y } = setup();
    const dir = mkdtempSync(join(tmpdir(), 'nabla-ckpt-'));
    const scripted = [3, 2, 2.5];
    const ck = new C.ModelCheckpoint(join(dir, 'w-{epoch:02d}-{val_loss:.1f}.safetensors'), { saveBestOnly: true, saveWeightsOnly: true });
    await m.fit(x, y, { epochs: 3, verbose: 0, callbacks: [{ onEpochEnd: (e, logs) => void (logs!.val_loss = scripted[e]!) }, ck] });
    expect(ck.written.map((p) => p.slice(dir.length + 1))).toEqual(['w-01-3.0.safetensors', 'w-02-2.0.safetensors']);
    const { tensors } = await nb.io.safetensors.load(ck.written[1]!);
    expect(Object.values(tensors).map((t) => t.shape)).toEqual([[2, 1], [1]]);
    expect(C.formatCheckpointPath('m-{epoch:03d}-{loss:.3f}', 4, { loss: 0.12345 })).toBe('m-005-0.123');
  });

  it('the progress bar: one line per epoch off a terminal, in place on one, silent with verbose 0', async () => {
    const { m, x, y } = setup();
    const out: string[] = [];
    await m.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0, callbacks: [new C.ProgressBar({ write: (s) => void out.push(s), isTTY: false })] });
    const text = out.join('');
    expect(text).toMatch(/^Epoch 1\/2\n2\/2 \[=+\] - \S+ \S+\/step - loss: \d+\.\d{4}\nEpoch 2\/2\n/);
    expect(text.split('\n').filter(Boolean).length).toBe(4);
    const tty: string[] = [];
    await m.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0, callbacks: [new C.ProgressBar({ write: (s) => void tty.push(s), isTTY: true })] });
    expect(tty.filter((s) => s.startsWith('\r')).length).toBe(3);
    const two: string[] = [];
    await m.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0, callbacks: [new C.ProgressBar({ verbose: 2, write: (s) => void two.push(s), isTTY: true })] });
    expect(two.join('')).toMatch(/^Epoch 1\/1\n2\/2 - \S+ \S+\/step - loss: /);
    const ev: string[] = [];
    const loss = (await m.evaluate(x, y, { batchSize: 8, verbose: 0, callbacks: [new C.ProgressBar({ write: (s) => void ev.push(s), isTTY: false })] })) as number;
    expect(ev.join('')).toMatch(/^2\/2 \[=+\] - \S+ \S+\/step - loss: \d+\.\d{4}\n$/);
    expect(ev.join('')).toContain(`loss: ${loss.toFixed(4)}`);
  });
});
