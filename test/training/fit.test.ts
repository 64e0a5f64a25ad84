import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose } from '../conformance/harness.js';
import { linearlySeparable } from './synthetic.js';

const L = nb.layers;

/** y = 2 x0 - x1 + 0.5: a linear model can fit it exactly. */
function regression(n: number, seed: number) {
  const x = nb.random.uniform([n, 2], { min: -1, max: 1, seed });
  const y = nb.add(nb.matmul(x, nb.tensor([[2], [-1]])), 0.5);
  return { x, y };
}

function linearModel(lr = 0.1) {
  nb.random.seed(3);
  const m = new nb.Sequential([new L.Dense(1, { inputShape: [2] })]);
  m.compile({ optimizer: new nb.optimizers.SGD(lr), loss: 'mse', metrics: ['mae'] });
  return m;
}

async function* batchesOf(x: nb.Tensor, y: nb.Tensor, size: number): AsyncGenerator<[nb.Tensor, nb.Tensor]> {
  for (let i = 0; i < x.shape[0]!; i += size) {
    const n = Math.min(size, x.shape[0]! - i);
    yield [x.slice([i, 0], [n, -1]), y.slice([i, 0], [n, -1])];
  }
}

describe('fit options', () => {
  it('learns a linear function; trainOnBatch / testOnBatch / predictOnBatch agree with the loops', async () => {
    const { x, y } = regression(64, 1);
    const m = linearModel(0.2);
    const h = await m.fit(x, y, { epochs: 30, batchSize: 16, verbose: 0 });
    expect(h.history.loss!.at(-1)!).toBeLessThan(1e-3);
    expect(Object.keys(h.history)).toEqual(['loss', 'mae']);
    expectClose(m.getWeights()[0]!, [[2], [-1]], { atol: 0.05 });
    const [loss, mae] = (await m.evaluate(x, y, { batchSize: 64, verbose: 0 })) as number[];
    const [l2, mae2] = m.testOnBatch(x, y) as number[];
    expect(l2).toBeCloseTo(loss!, 6);
    expect(mae2).toBeCloseTo(mae!, 6);
    expect(await m.evaluate(x, y, { returnDict: true, verbose: 0 })).toEqual({ loss: expect.closeTo(loss!, 6), mae: expect.closeTo(mae!, 6) });
    expectClose(m.predictOnBatch(x), m.predict(x, { batchSize: 7 }).arraySync() as number[][]);
    const before = m.getWeights()[0]!.dataSync()[0]!;
    m.trainOnBatch(x, nb.add(y, 5));
    expect(m.getWeights()[0]!.dataSync()[0]!).not.toBe(before);
  });

  it('validationSplit holds out the last samples; shuffle false gives a reproducible run', async () => {
    const { x, y } = regression(40, 2);
    const run = async () => {
      const m = linearModel();
      return (await m.fit(x, y, { epochs: 3, batchSize: 8, validationSplit: 0.25, shuffle: false, verbose: 0 })).history;
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    expect(a.val_loss!.length).toBe(3);
    // the held-out quarter is exactly the last 10 rows
    const m = linearModel();
    await m.fit(x, y, { epochs: 1, batchSize: 8, validationSplit: 0.25, shuffle: false, verbose: 0 });
    const tail = (await m.evaluate(x.slice([30, 0], [10, -1]), y.slice([30, 0], [10, -1]), { returnDict: true, verbose: 0 })) as Record<string, number>;
    expect(m.history!.history.val_loss![0]).toBeCloseTo(tail.loss!, 6);
  });

  it('initialEpoch, stepsPerEpoch and validationFreq', async () => {
    const { x, y } = regression(40, 3);
    const m = linearModel();
    const epochs: number[] = [];
    let batches = 0;
    const h = await m.fit(x, y, {
      epochs: 5,
      initialEpoch: 2,
      batchSize: 4,
      stepsPerEpoch: 3,
      validationData: [x, y],
      validationFreq: 2,
      verbose: 0,
      callbacks: [{ onEpochBegin: (e) => void epochs.push(e), onTrainBatchEnd: () => void batches++ }],
    });
    expect(epochs).toEqual([2, 3, 4]);
    expect(batches).toBe(9);
    expect(h.epoch).toEqual([2, 3, 4]);
    expect(h.history.val_loss!.length).toBe(1);
  });

  it('fits, evaluates and predicts from a dataset of [x, y] batches', async () => {
    const { x, y } = regression(48, 4);
    const m = linearModel(0.2);
    const ds = { [Symbol.asyncIterator]: () => batchesOf(x, y, 16) };
    const h = await m.fit(ds, { epochs: 20, verbose: 0, validationData: ds });
    expect(h.history.loss!.at(-1)!).toBeLessThan(h.history.loss![0]!);
    expect(h.history.val_loss!.length).toBe(20);
    const fromDs = (await m.evaluate(ds, { returnDict: true, verbose: 0 })) as Record<string, number>;
    const fromArrays = (await m.evaluate(x, y, { returnDict: true, verbose: 0 })) as Record<string, number>;
    expect(fromDs.loss).toBeCloseTo(fromArrays.loss!, 5);
    const p = await m.predict(ds);
    expectClose(p, m.predict(x).arraySync() as number[][]);
    // stepsPerEpoch continues one iterator across epochs
    let seen = 0;
    await m.fit(ds, { epochs: 2, stepsPerEpoch: 2, verbose: 0, callbacks: [{ onTrainBatchEnd: () => void seen++ }] });
    expect(seen).toBe(4);
    // an nb.data.Dataset works the same way
    const dataset = nb.data.Dataset.fromTensorSlices([x, y]).batch(16);
    const h2 = await m.fit(dataset as never, { epochs: 1, verbose: 0 });
    expect(h2.history.loss!.length).toBe(1);
  });

  it('sampleWeight and classWeight weight the loss', () => {
    const x = nb.tensor([[1, 0], [0, 1]]);
    const y = nb.tensor([[1], [0]]);
    const m = linearModel();
    m.setWeights([nb.tensor([[0], [0]]), nb.tensor([0])]);
    // predictions are 0: squared errors [1, 0]
    expect(m.testOnBatch(x, y, { sampleWeight: nb.tensor([1, 1]) })).toEqual([0.5, 0.5]);
    expect((m.testOnBatch(x, y, { sampleWeight: nb.tensor([3, 1]) }) as number[])[0]).toBeCloseTo(1.5, 6);
  });

  it('classWeight scales each class in the loss', async () => {
    const { x, y } = linearlySeparable(32, 5);
    const loss = async (classWeight?: Record<number, number>) => {
      nb.random.seed(1);
      const m = new nb.Sequential([new L.Dense(1, { activation: 'sigmoid', inputShape: [2] })]);
      m.compile({ optimizer: new nb.optimizers.SGD(0), loss: 'binaryCrossentropy' });
      return (await m.fit(x, y, { epochs: 1, batchSize: 32, classWeight, verbose: 0, shuffle: false })).history.loss![0]!;
    };
    const base = await loss();
    expect(await loss({ 0: 2, 1: 2 })).toBeCloseTo(2 * base, 5);
    expect(await loss({ 0: 0, 1: 1 })).toBeLessThan(base);
  });

  it('several outputs: per-output losses, lossWeights and metric names', async () => {
    nb.random.seed(2);
    const inp = nb.keras.Input([2]);
    const h = new L.Dense(4, { activation: 'relu' }).apply(inp);
    const a = new L.Dense(1, { name: 'reg' }).apply(h);
    const b = new L.Dense(1, { name: 'cls', activation: 'sigmoid' }).apply(h);
    const m = new nb.Model({ inputs: inp, outputs: [a, b] });
    m.compile({ optimizer: 'adam', loss: { reg: 'mse', cls: 'binaryCrossentropy' }, lossWeights: { reg: 0.5, cls: 2 }, metrics: { cls: ['accuracy'] } });
    const { x, y } = linearlySeparable(32, 6);
    const logs = m.testOnBatch(x, [x.sum(1, true), y], { returnDict: true }) as Record<string, number>;
    expect(Object.keys(logs)).toEqual(['loss', 'reg_loss', 'cls_loss', 'cls_accuracy']);
    expect(logs.loss).toBeCloseTo(0.5 * logs.reg_loss! + 2 * logs.cls_loss!, 5);
    const hist = await m.fit(x, [x.sum(1, true), y], { epochs: 2, batchSize: 8, verbose: 0 });
    expect(Object.keys(hist.history)).toEqual(['loss', 'reg_loss', 'cls_loss', 'cls_accuracy']);
  });

  it('regularization losses are added to the training loss', () => {
    const x = nb.tensor([[1, 1]]);
    const y = nb.tensor([[0]]);
    const m = new nb.Sequential([new L.Dense(1, { inputShape: [2], useBias: false, kernelRegularizer: nb.regularizers.l2(0.1) })]);
    m.compile({ optimizer: new nb.optimizers.SGD(0), loss: 'mse' });
    m.setWeights([nb.tensor([[1], [2]])]);
    // mse (3 - 0)^2 = 9, plus 0.1 * (1 + 4)
    expect(m.testOnBatch(x, y) as number).toBeCloseTo(9.5, 5);
  });

  it('memory stays flat across epochs: each step runs in tidy and its batch is freed', async () => {
    const { x, y } = regression(64, 7);
    const m = linearModel();
    m.compile({ optimizer: 'adam', loss: 'mse', metrics: ['mae'] });
    const live = () => Object.values(nb.memory()).reduce((n, b) => n + b.numTensors, 0);
    await m.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0, validationData: [x, y] });
    const after1 = live();
    await m.fit(x, y, { epochs: 6, batchSize: 8, verbose: 0, validationData: [x, y] });
    // 6 epochs x 8 batches x (inputs, targets, forward and backward intermediates) would be hundreds
    expect(live() - after1).toBeLessThan(20);
    const p0 = live();
    m.predict(x, { batchSize: 8 });
    expect(live() - p0).toBeLessThan(5);
  });

  it('data made on another backend trains as if made here, and the copy and validationSplit views fit makes are freed', async () => {
    const { x, y } = regression(32, 5);
    const here = nb.getBackend();
    const other = nb.backends().find((b) => b !== here && b !== 'webgpu' && nb.backendInfo(b).available) ?? here;
    const xo = nb.withBackend(other, () => nb.tensor(x.dataSync(), x.shape));
    const yo = nb.withBackend(other, () => nb.tensor(y.dataSync(), y.shape));
    expect(xo.backend).toBe(other);
    const opts = { epochs: 3, batchSize: 8, verbose: 0 };
    nb.random.seed(11);
    const local = await linearModel().fit(x, y, opts);
    nb.random.seed(11);
    const m = linearModel();
    const foreign = await m.fit(xo, yo, opts);
    expectClose(nb.tensor(foreign.history.loss!), local.history.loss!, { rtol: 1e-6 });
    const liveHere = () => nb.memory()[here]?.numTensors ?? 0;
    const round = async () => {
      await m.fit(xo, yo, opts);
      await m.fit(xo, yo, { ...opts, validationSplit: 0.25 });
      await m.evaluate(xo, yo, { verbose: 0 });
      m.predict(xo).dispose();
    };
    // Compiles the steps (their graphs hold constants; predict, eager on its first call, compiles
    // on its second) and prepares their weights (predict keeps its packed weights until they change).
    await round();
    await round();
    const before = liveHere();
    await round();
    expect(liveHere()).toBe(before);
  });

  it("an unbuilt Sequential compiled with 'accuracy' picks the accuracy flavour on the first batch", async () => {
    const { x, y } = linearlySeparable(32, 8);
    nb.random.seed(6);
    const m = new nb.Sequential([new L.Dense(4, { activation: 'relu' }), new L.Dense(1, { activation: 'sigmoid' })]);
    m.compile({ optimizer: new nb.optimizers.Adam(0.05), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    expect(m.built).toBe(false);
    const h = await m.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0 });
    expect(m.built).toBe(true);
    const acc = h.history.accuracy!.at(-1)!;
    expect(acc).toBeGreaterThanOrEqual(0);
    expect(acc).toBeLessThanOrEqual(1);
    // binary accuracy, recomputed by hand from the predictions
    const fresh = (await m.evaluate(x, y, { verbose: 0, returnDict: true })) as Record<string, number>;
    const manual = nb.equal(nb.greater(m.predict(x), 0.5).cast('float32'), y).cast('float32').mean().item();
    expect(fresh.accuracy).toBeCloseTo(manual, 6);
  });
});
