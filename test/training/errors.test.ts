// Bad input to compile/fit/evaluate/predict: each a clear error naming what is wrong.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';

const L = nb.layers;

function model() {
  return new nb.Sequential([new L.Dense(1, { inputShape: [2] })]);
}

describe('training errors', () => {
  it('unknown loss, optimizer, metric and activation names list what exists', () => {
    const m = model();
    expect(() => m.compile({ optimizer: 'adam', loss: 'meanSquaredErr' })).toThrow(/unknown loss 'meanSquaredErr'.*meanSquaredError/);
    expect(() => m.compile({ optimizer: 'adamm', loss: 'mse' })).toThrow(nb.ValueError);
    expect(() => m.compile({ optimizer: 'adamm', loss: 'mse' })).toThrow(/adamm/);
    expect(() => m.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['acuracy'] })).toThrow(/unknown metric 'acuracy'/);
    expect(() => new L.Dense(1, { activation: 'relu7' })).toThrow(/unknown activation 'relu7'; known activations: linear, .*relu/);
    expect(() => new L.Dense(1, { kernelInitializer: 'glorot' })).toThrow(/unknown initializer 'glorot'/);
    expect(() => new L.Dense(1, { kernelRegularizer: 'l3' })).toThrow(/unknown regularizer 'l3'/);
    expect(() => m.compile({ optimizer: 'sgd' } as never)).toThrow(/a loss is required/);
  });

  it('fit before compile, and x/y sample counts that differ', async () => {
    const m = model();
    await expect(m.fit(nb.zeros([4, 2]), nb.zeros([4, 1]))).rejects.toThrow(/must be compiled first/);
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    await expect(m.fit(nb.zeros([4, 2]), nb.zeros([3, 1]), { verbose: 0 })).rejects.toThrow(/same number of samples: x has 4 \(shape \[4, 2\]\), y has 3 \(shape \[3, 1\]\)/);
    await expect(m.fit(nb.zeros([4, 2]), nb.zeros([4, 1]), { verbose: 0, sampleWeight: nb.ones([5]) })).rejects.toThrow(/sampleWeight has 5/);
    await expect(m.evaluate(nb.zeros([4, 2]), nb.zeros([2, 1]), { verbose: 0 })).rejects.toThrow(/same number of samples/);
    await expect(m.fit(nb.zeros([4, 2]), nb.zeros([4, 1]), { verbose: 0, epochs: 0 })).rejects.toThrow(/epochs must be a positive integer/);
    await expect(m.fit(nb.zeros([4, 2]), nb.zeros([4, 1]), { verbose: 0, validationSplit: 1.5 })).rejects.toThrow(/validationSplit must be in \(0, 1\)/);
  });

  it('inputs of the wrong shape for a built model', async () => {
    const m = model();
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    await expect(m.fit(nb.zeros([4, 3]), nb.zeros([4, 1]), { verbose: 0 })).rejects.toThrow(nb.ShapeError);
    expect(() => m.predict(nb.zeros([4, 3]))).toThrow(/expected axis 1 to have size 2, got shape \(None, 3\)|expected axis 1 to have size 2/);
    // [4, 2, 1] would be squeezed to [4, 2] as in Keras; a trailing axis of another size is an error.
    expect(() => m.predict(nb.zeros([4, 2, 3]))).toThrow(/expected rank 2/);
  });

  it('more targets than outputs, or losses for outputs that do not exist', () => {
    const m = model();
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    expect(() => m.trainOnBatch(nb.zeros([4, 2]), [nb.zeros([4, 1]), nb.zeros([4, 1])])).toThrow(/1 output\(s\) but got 2 target\(s\)/);
    expect(() => m.compile({ optimizer: 'sgd', loss: { nope: 'mse' } })).toThrow(/'nope', which is not an output/);
    expect(() => m.compile({ optimizer: 'sgd', loss: ['mse', 'mae'] })).toThrow(/2 losses for 1 output/);
  });

  it('a NaN loss without TerminateOnNaN is reported in the history, not a crash', async () => {
    const m = model();
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const h = await m.fit(nb.zeros([4, 2]), nb.full([4, 1], NaN), { verbose: 0, epochs: 2 });
    expect(h.history.loss!.every((v) => Number.isNaN(v))).toBe(true);
  });
});
