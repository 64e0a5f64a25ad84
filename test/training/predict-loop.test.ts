// The predict loop (src/training/predict-loop.ts): compiled equals eager over several batches,
// callbacks given to a tensor or a dataset predict get their hooks with the right batch indices,
// `steps` limits the batches, and nothing is left behind: not over repeated predicts, not when a
// hook throws half-way, not when a hook is async in a predict that cannot await it.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';

const L = nb.layers;
const values = (t: nb.Tensor) => Array.from(t.dataSync());
const live = () => Object.values(nb.memory()).reduce((n, b) => n + b.numTensors, 0);
const bytes = () => Object.values(nb.memory()).reduce((n, b) => n + b.numBytes, 0);

function mlp(): nb.Sequential {
  nb.random.seed(3);
  return new nb.Sequential([new L.Dense(8, { activation: 'relu', inputShape: [5] }), new L.Dense(3, { activation: 'softmax' })]);
}

/** Two inputs, two outputs of different widths. */
function twoByTwo(): nb.Model {
  nb.random.seed(4);
  const a = nb.keras.Input([4]);
  const b = nb.keras.Input([3]);
  const joined = L.concatenate([new L.Dense(5, { activation: 'tanh' }).apply(a), new L.Dense(2).apply(b)]);
  return new nb.Model({ inputs: [a, b], outputs: [new L.Dense(1).apply(joined), new L.Dense(4, { activation: 'softmax' }).apply(joined)] });
}

/** Records every predict hook as `name:batch` (or `name` for begin/end), and the params it was given. */
class Recorder extends nb.callbacks.Callback {
  readonly seen: string[] = [];
  override onPredictBegin(): void {
    this.seen.push('begin');
  }
  override onPredictBatchBegin(batch: number): void {
    this.seen.push(`batchBegin:${batch}`);
  }
  override onPredictBatchEnd(batch: number): void {
    this.seen.push(`batchEnd:${batch}`);
  }
  override onPredictEnd(): void {
    this.seen.push('end');
  }
}

function expectedHooks(batches: number): string[] {
  return ['begin', ...Array.from({ length: batches }, (_, i) => [`batchBegin:${i}`, `batchEnd:${i}`]).flat(), 'end'];
}

describe('predict loop', () => {
  it('compiled predict over batches (a short last one) equals eager predict, bit for bit on native', () => {
    const model = twoByTwo();
    const a = nb.random.normal([11, 4]);
    const b = nb.random.normal([11, 3]);
    // Three rounds: the first batch of the first one runs eagerly (the warm-up), the rest replay.
    let compiled: number[][] = [];
    for (let r = 0; r < 3; r++) {
      const ys = model.predictAll([a, b], { batchSize: 4 });
      compiled = ys.map(values);
      nb.dispose(ys);
    }
    model.compile({ optimizer: 'sgd', loss: 'mse', jitCompile: false });
    const eager = model.predictAll([a, b], { batchSize: 4 });
    expect(eager.map((t) => t.shape)).toEqual([
      [11, 1],
      [11, 4],
    ]);
    eager.forEach((e, i) => {
      if (nb.getBackend() === 'native') expect(compiled[i]).toEqual(values(e));
      else values(e).forEach((v, j) => expect(Math.abs(v - compiled[i]![j]!)).toBeLessThanOrEqual(1e-5));
    });
    nb.dispose([a, b, ...eager]);
  });

  it('callbacks given to a tensor predict see every hook in order, with batch indices 0..n-1 and steps in params', () => {
    const model = mlp();
    const x = nb.random.normal([10, 5]);
    const rec = new Recorder();
    const y = model.predict(x, { batchSize: 4, callbacks: [rec] }) as nb.Tensor;
    expect(y.shape).toEqual([10, 3]);
    expect(rec.seen).toEqual(expectedHooks(3));
    expect(rec.params.steps).toBe(3);
    expect(rec.model).toBe(model);
    // The same values as without callbacks.
    const plain = model.predict(x, { batchSize: 4 }) as nb.Tensor;
    expect(values(y)).toEqual(values(plain));
    nb.dispose([x, y, plain]);
  });

  it('a one-batch tensor predict with callbacks still calls them (batch 0), and plain hook objects work', () => {
    const model = mlp();
    const x = nb.random.normal([3, 5]);
    const rec = new Recorder();
    const ends: number[] = [];
    const y = model.predict(x, { callbacks: [rec, { onPredictBatchEnd: (batch) => void ends.push(batch) }] }) as nb.Tensor;
    expect(rec.seen).toEqual(expectedHooks(1));
    expect(ends).toEqual([0]);
    nb.dispose([x, y]);
  });

  it('a multi-output predict with callbacks gives each output joined, and the hooks per batch', () => {
    const model = twoByTwo();
    const a = nb.random.normal([7, 4]);
    const b = nb.random.normal([7, 3]);
    const rec = new Recorder();
    const ys = model.predictAll([a, b], { batchSize: 3, callbacks: [rec] });
    expect(ys.map((t) => t.shape)).toEqual([
      [7, 1],
      [7, 4],
    ]);
    expect(rec.seen).toEqual(expectedHooks(3));
    nb.dispose([a, b, ...ys]);
  });

  it('a dataset predict awaits async hooks, with the batch indices, and gives the tensor predict rows', async () => {
    const model = mlp();
    const x = nb.random.normal([10, 5]);
    const seen: string[] = [];
    const hooks = {
      onPredictBatchBegin: async (batch: number) => {
        await new Promise((r) => setTimeout(r, 1));
        seen.push(`batchBegin:${batch}`);
      },
      onPredictBatchEnd: (batch: number) => void seen.push(`batchEnd:${batch}`),
    };
    const fromDataset = await model.predict(nb.data.Dataset.fromTensorSlices(x).batch(4), { callbacks: [hooks] });
    expect(seen).toEqual(expectedHooks(3).slice(1, -1));
    const fromTensor = model.predict(x, { batchSize: 4 }) as nb.Tensor;
    const [d, t] = [values(fromDataset), values(fromTensor)];
    d.forEach((v, i) => expect(Math.abs(v - t[i]!)).toBeLessThanOrEqual(1e-6));
    nb.dispose([x, fromDataset, fromTensor]);
  });

  it('`steps` limits the batches (and so the rows); a steps or batchSize that is not a positive integer is an error', () => {
    const model = mlp();
    const x = nb.random.normal([10, 5]);
    const rec = new Recorder();
    const y = model.predict(x, { batchSize: 4, steps: 2, callbacks: [rec] }) as nb.Tensor;
    expect(y.shape).toEqual([8, 3]);
    expect(rec.seen).toEqual(expectedHooks(2));
    expect(() => model.predict(x, { batchSize: 4, steps: 0 })).toThrow(/predict: steps must be a positive integer, got 0/);
    expect(() => model.predict(x, { batchSize: 2.5 })).toThrow(/predict: batchSize must be a positive integer, got 2.5/);
    nb.dispose([x, y]);
  });

  it('an async hook in a tensor predict (which cannot await it) is an error naming the hook, and leaves nothing behind', () => {
    const model = mlp();
    const x = nb.random.normal([10, 5]);
    nb.dispose(model.predict(x, { batchSize: 4 }));
    const before = live();
    const hooks = { onPredictBatchEnd: async () => {} };
    expect(() => model.predict(x, { batchSize: 4, callbacks: [hooks] })).toThrow(/predict: the callback hook onPredictBatchEnd returned a Promise.*predict a dataset/);
    expect(live()).toBe(before);
    expect(x.isDisposed).toBe(false);
    x.dispose();
  });

  it('a hook that throws half-way frees the batches predicted so far', () => {
    const model = twoByTwo();
    const a = nb.random.normal([11, 4]);
    const b = nb.random.normal([11, 3]);
    nb.dispose(model.predictAll([a, b], { batchSize: 4 }));
    const before = live();
    const stop = {
      onPredictBatchEnd: (batch: number) => {
        if (batch === 1) throw new Error('stop at batch 1');
      },
    };
    expect(() => model.predictAll([a, b], { batchSize: 4, callbacks: [stop] })).toThrow('stop at batch 1');
    expect(live()).toBe(before);
    expect(a.isDisposed || b.isDisposed).toBe(false);
    nb.dispose([a, b]);
  });

  it('memory stays flat over repeated predicts: many batches, a short last one, nested arrays, callbacks', () => {
    const model = mlp();
    const x = nb.random.normal([37, 5]);
    const rows = x.arraySync() as number[][];
    const run = () => {
      nb.dispose(model.predict(x, { batchSize: 8 }));
      nb.dispose(model.predict(x, { batchSize: 64 }));
      nb.dispose(model.predict(rows, { batchSize: 8 }));
      nb.dispose(model.predict(x, { batchSize: 8, callbacks: [new Recorder()] }));
    };
    run();
    const [tensors, used] = [live(), bytes()];
    for (let i = 0; i < 5; i++) run();
    expect(live()).toBe(tensors);
    expect(bytes()).toBe(used);
    x.dispose();
  });

  it('fit and evaluate on nested arrays free the tensors they made from them', async () => {
    const model = mlp();
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const x = (nb.random.normal([12, 5]).arraySync() as number[][]).map((r) => r.map((v) => Math.round(v * 100) / 100));
    const y = x.map((_, i) => [0, 1, 2].map((c) => (c === i % 3 ? 1 : 0)));
    await model.fit(x, y, { epochs: 1, batchSize: 5, verbose: 0 });
    await model.evaluate(x, y, { batchSize: 5, verbose: 0 });
    const before = live();
    for (let i = 0; i < 3; i++) {
      await model.fit(x, y, { epochs: 1, batchSize: 5, verbose: 0 });
      await model.evaluate(x, y, { batchSize: 5, verbose: 0 });
    }
    expect(live()).toBe(before);
  });

  it('an identity model returns its input rows (a view the loop must not free)', () => {
    const input = nb.keras.Input([2]);
    const identity = new nb.Model({ inputs: input, outputs: input });
    const x = nb.tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const y = identity.predict(x, { batchSize: 2 }) as nb.Tensor;
    expect(y.arraySync()).toEqual(x.arraySync());
    nb.dispose([x, y]);
  });
});
