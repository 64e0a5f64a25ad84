// Every exported options object is checked at run time: an unknown key (a Keras snake_case
// spelling, a typo) is a ValueError naming it and the likely spelling, never silently ignored.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';

const BAD = { no_such_option: 1 } as never;
const unknown = /unknown option 'no_such_option'/;

/** The exported classes of a namespace that extend `base` (so a new one is covered without editing this file). */
function subclasses(ns: Record<string, unknown>, base: abstract new (...a: never[]) => unknown): [string, new (...a: unknown[]) => unknown][] {
  return Object.entries(ns).filter(([, v]) => typeof v === 'function' && (v as { prototype: unknown }).prototype instanceof base) as [string, new (...a: unknown[]) => unknown][];
}

/** Constructors whose first argument is not the options: how to call them. */
const FIRST_ARG: Record<string, unknown> = {
  LossFunctionWrapper: (t: nb.Tensor, p: nb.Tensor) => nb.sub(t, p),
  MeanMetricWrapper: (t: nb.Tensor, p: nb.Tensor) => nb.sub(t, p),
  CSVLogger: join(tmpdir(), 'unused.csv'),
  ModelCheckpoint: join(tmpdir(), 'unused.safetensors'),
};

function construct(name: string, cls: new (...a: unknown[]) => unknown, opts: unknown): unknown {
  return name in FIRST_ARG ? new cls(FIRST_ARG[name], opts) : new cls(opts);
}

describe('constructors of optimizers, losses, metrics, callbacks and schedules', () => {
  const groups: [string, [string, new (...a: unknown[]) => unknown][]][] = [
    ['optimizers', subclasses(nb.optimizers, nb.optimizers.Optimizer)],
    ['losses', subclasses(nb.losses, nb.losses.Loss)],
    ['metrics', subclasses(nb.metrics, nb.metrics.Metric)],
  ];
  for (const [group, classes] of groups) {
    it(`every exported ${group} class rejects an unknown key (${classes.length} classes)`, () => {
      expect(classes.length).toBeGreaterThan(5);
      for (const [name, cls] of classes) {
        if (name === 'AutoMetric') {
          expect(() => new cls({ kind: 'accuracy', no_such_option: 1 })).toThrow(unknown);
          continue;
        }
        expect(() => construct(name, cls, {}), name).not.toThrow();
        expect(() => construct(name, cls, BAD), name).toThrow(nb.ValueError);
        expect(() => construct(name, cls, BAD), name).toThrow(unknown);
      }
    });
  }

  it('every exported callback with options rejects an unknown key; the others take none', () => {
    const withOptions = subclasses(nb.callbacks, nb.callbacks.Callback).filter(([n]) => !['History', 'TerminateOnNaN', 'LearningRateScheduler'].includes(n));
    expect(withOptions.map(([n]) => n).sort()).toEqual(['CSVLogger', 'EarlyStopping', 'LambdaCallback', 'ModelCheckpoint', 'ProgressBar', 'ReduceLROnPlateau', 'TensorBoard']);
    for (const [name, cls] of withOptions) expect(() => construct(name, cls, BAD), name).toThrow(unknown);
    expect(() => new nb.callbacks.EarlyStopping({ restore_best_weights: true } as never)).toThrow(/did you mean 'restoreBestWeights'/);
    expect(() => new nb.callbacks.LambdaCallback({ on_epoch_end: () => {} } as never)).toThrow(/did you mean 'onEpochEnd'/);
  });

  it('every exported learning-rate schedule rejects an unknown key', () => {
    const S = nb.optimizers.schedules;
    const valid = { initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 };
    const classes = subclasses(S, S.LearningRateSchedule);
    expect(classes.length).toBe(5);
    for (const [name, cls] of classes) {
      const ok = name === 'PiecewiseConstantDecay' ? { boundaries: [1], values: [1, 0.5] } : name === 'ExponentialDecay' || name === 'InverseTimeDecay' ? valid : { initialLearningRate: 0.1, decaySteps: 10 };
      expect(() => new cls(ok), name).not.toThrow();
      expect(() => new cls({ ...ok, no_such_option: 1 }), name).toThrow(unknown);
    }
  });

  it('optimizers suggest the camelCase spelling', () => {
    expect(() => new nb.optimizers.Adam({ learning_rate: 0.01 } as never)).toThrow(/Adam: unknown option 'learning_rate'; did you mean 'learningRate'\?/);
    expect(() => new nb.optimizers.AdamW({ weight_decay: 0.1 } as never)).toThrow(/AdamW: unknown option 'weight_decay'; did you mean 'weightDecay'\?/);
  });
});

describe('compile, fit, evaluate, predict and the other model methods', () => {
  const model = () => {
    const m = new nb.Sequential([new nb.layers.Dense(1, { inputShape: [2] })]);
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    return m;
  };
  const x = nb.tensor([[1, 2], [3, 4]]);
  const y = nb.tensor([[1], [2]]);

  it('fit(x, y, { batch_size, validation_split }) is an error, not batch 32 without validation', async () => {
    await expect(model().fit(x, y, { batch_size: 256, validation_split: 0.5 } as never)).rejects.toThrow(/fit: unknown option 'batch_size'; did you mean 'batchSize'\?/);
    await expect(model().fit(x, y, { epochs: 1, verbose: 0, validation_split: 0.5 } as never)).rejects.toThrow(/did you mean 'validationSplit'/);
    await expect(model().fit(x, y, { epoch: 2, verbose: 0 } as never)).rejects.toThrow(/unknown option 'epoch'; did you mean 'epochs'/);
  });

  it('compile, evaluate, predict, trainOnBatch, testOnBatch, summary, save, loadWeights and models.load', async () => {
    const m = model();
    expect(() => m.compile({ optimizer: 'sgd', loss: 'mse', loss_weights: [1] } as never)).toThrow(/compile: unknown option 'loss_weights'; did you mean 'lossWeights'/);
    await expect(m.evaluate(x, y, { batch_size: 1 } as never)).rejects.toThrow(/evaluate: unknown option 'batch_size'/);
    expect(() => m.predict(x, { batch_size: 1 } as never)).toThrow(/predict: unknown option 'batch_size'/);
    expect(() => m.trainOnBatch(x, y, { return_dict: true } as never)).toThrow(/did you mean 'returnDict'/);
    expect(() => m.testOnBatch(x, y, BAD)).toThrow(unknown);
    expect(() => m.summary({ line_length: 80 } as never)).toThrow(/did you mean 'lineLength'/);
    const dir = mkdtempSync(join(tmpdir(), 'nabla-options-'));
    await expect(m.save(join(dir, 'm'), { include_optimizer: false } as never)).rejects.toThrow(/did you mean 'includeOptimizer'/);
    await m.saveWeights(join(dir, 'w.safetensors'));
    await expect(m.loadWeights(join(dir, 'w.safetensors'), BAD)).rejects.toThrow(unknown);
    await m.save(join(dir, 'm'));
    await expect(nb.models.load(join(dir, 'm'), BAD)).rejects.toThrow(unknown);
  });

  it('evaluate is typed by returnDict: a record, or the loss / [loss, ...metrics]', async () => {
    const m = new nb.Sequential([new nb.layers.Dense(1, { inputShape: [2], kernelInitializer: 'zeros' })]);
    m.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['mae'] });
    const logs = await m.evaluate(x, y, { verbose: 0, returnDict: true });
    // Zero weights: predictions 0, so mse = (1 + 4) / 2 and mae = (1 + 2) / 2. (logs.loss is typed number: no cast.)
    const loss: number = logs.loss;
    expect(loss).toBeCloseTo(2.5, 6);
    expect(logs.mean_absolute_error ?? logs.mae).toBeCloseTo(1.5, 6);
    const plain: number | number[] = await m.evaluate(x, y, { verbose: 0 });
    expect(plain).toEqual([expect.closeTo(2.5, 6), expect.closeTo(1.5, 6)]);
  });
});

describe('Dataset methods and nb.keras.Input', () => {
  it('map, shuffle, batch and paddedBatch reject unknown keys', () => {
    const ds = nb.data.Dataset.range(4);
    expect(() => ds.map((v: nb.Tensor) => v, { num_parallel_calls: 2 } as never)).toThrow(/did you mean 'numParallelCalls'/);
    expect(() => ds.shuffle(4, { reshuffle_each_iteration: false } as never)).toThrow(/did you mean 'reshuffleEachIteration'/);
    expect(() => ds.batch(2, { drop_remainder: true } as never)).toThrow(/batch: unknown option 'drop_remainder'; did you mean 'dropRemainder'/);
    expect(() => ds.paddedBatch(2, BAD)).toThrow(unknown);
  });

  it('Input rejects unknown keys', () => {
    expect(() => nb.keras.Input([2], { batch_size: 4 } as never)).toThrow(/Input: unknown option 'batch_size'; did you mean 'batchSize'/);
  });
});
