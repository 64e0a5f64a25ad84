// The optimizer base: null gradients, clipping, weight decay, minimize, iterations, state
// save/restore, config round-trips and lookup by name.
import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose } from '../conformance/harness.js';

const O = nb.optimizers;
const f64 = (v: number[]) => nb.tensor(v, 'float64');
const variable = (v: number[], name?: string) => new nb.Variable(f64(v), { name });

describe('applyGradients', () => {
  it('accepts pairs or (grads, vars), skips null gradients and counts iterations', () => {
    const a = variable([1]);
    const b = variable([1]);
    const opt = new O.Adam(0.1);
    opt.applyGradients([
      [null, a],
      [f64([2]), b],
    ]);
    opt.applyGradients([undefined, f64([2])], [a, b]);
    expectClose(a, [1]);
    expect(b.dataSync()[0]).toBeLessThan(1);
    expect(opt.iterations.dataSync()[0]).toBe(2);
    expect(opt.iterations.trainable).toBe(false);
    expect(opt.iterations.dtype).toBe('int32');
    // iterations + m and v for b only
    expect(opt.variables.length).toBe(3);
  });

  it('raises when every gradient is null, on shape mismatches and on length mismatches', () => {
    const a = variable([1, 2], 'kernel');
    const opt = new O.SGD();
    expect(() => opt.applyGradients([[null, a]])).toThrow(/no gradients provided for any variable \(kernel\)/);
    expect(() => opt.applyGradients([[f64([1, 2, 3]), a]])).toThrow(nb.ShapeError);
    expect(() => opt.applyGradients([[f64([1, 2, 3]), a]])).toThrow(/\[3\] does not match variable 'kernel' of shape \[2\]/);
    expect(() => opt.applyGradients([f64([1, 2])], [a, a])).toThrow(/1 gradients for 2 variables/);
  });

  it('updates float32 variables from float64 gradients in float32', () => {
    const w = new nb.Variable(nb.tensor([1, 2]));
    new O.SGD(0.5).applyGradients([[f64([1, 1]), w]]);
    expect(w.dtype).toBe('float32');
    expectClose(w, [0.5, 1.5]);
  });
});

describe('clipping and weight decay', () => {
  it('clipNorm scales each gradient to norm at most clipNorm', () => {
    const w = variable([0, 0]);
    new O.SGD({ learningRate: 1, clipNorm: 1 }).applyGradients([[f64([3, 4]), w]]);
    expectClose(w, [-0.6, -0.8]);
    const small = variable([0, 0]);
    new O.SGD({ learningRate: 1, clipNorm: 10 }).applyGradients([[f64([3, 4]), small]]);
    expectClose(small, [-3, -4]);
  });

  it('clipValue clips elementwise', () => {
    const w = variable([0, 0]);
    new O.SGD({ learningRate: 1, clipValue: 0.5 }).applyGradients([[f64([3, -0.2]), w]]);
    expectClose(w, [-0.5, 0.2]);
  });

  it('globalClipNorm scales all gradients together', () => {
    const a = variable([0]);
    const b = variable([0]);
    new O.SGD({ learningRate: 1, globalClipNorm: 1 }).applyGradients([f64([3]), f64([4])], [a, b]);
    expectClose(a, [-0.6]);
    expectClose(b, [-0.8]);
    const c = variable([0]);
    const d = variable([0]);
    new O.SGD({ learningRate: 1, globalClipNorm: 1 }).applyGradients([f64([0.3]), f64([0.4])], [c, d]);
    expectClose(c, [-0.3]);
    expectClose(d, [-0.4]);
  });

  it('only one clipping option at a time', () => {
    expect(() => new O.SGD({ clipNorm: 1, clipValue: 1 })).toThrow(/only one of clipNorm, clipValue and globalClipNorm/);
    expect(() => new O.SGD({ clipNorm: -1 })).toThrow(/clipNorm must be a positive/);
  });

  it('weightDecay shrinks weights by lr * wd before the step; excluded names are left alone', () => {
    const kernel = variable([2], 'dense/kernel');
    const bias = variable([2], 'dense/bias');
    const opt = new O.SGD({ learningRate: 0.5, weightDecay: 0.1 });
    opt.excludeFromWeightDecay({ names: ['bias'] });
    opt.applyGradients([f64([1]), f64([1])], [kernel, bias]);
    // kernel: 2 - 2·0.1·0.5 = 1.9, then - 0.5·1 ; bias: 2 - 0.5
    expectClose(kernel, [1.4]);
    expectClose(bias, [1.5]);
  });
});

describe('minimize', () => {
  it('differentiates the loss with a tape and applies the step; returns the loss', () => {
    const w = variable([5]);
    const unused = variable([7]);
    const opt = new O.SGD(0.25);
    const loss = opt.minimize(() => nb.sum(nb.square(nb.sub(w, 3))), [w, unused]);
    expectClose(loss, 4);
    // gradient 2(w - 3) = 4 -> w = 5 - 0.25·4
    expectClose(w, [4]);
    expectClose(unused, [7]);
  });

  it('drives a least-squares fit to its solution', () => {
    const x = f64([0, 1, 2, 3]);
    const y = f64([1, 3, 5, 7]);
    const a = variable([0]);
    const b = variable([0]);
    const opt = new O.Adam(0.1);
    for (let i = 0; i < 600; i++) opt.minimize(() => nb.mean(nb.square(nb.sub(nb.add(nb.mul(x, a), b), y))), [a, b]);
    expectClose(a, [2], { atol: 1e-3, rtol: 0 });
    expectClose(b, [1], { atol: 1e-3, rtol: 0 });
  });
});

describe('state and config', () => {
  it('getWeights/setWeights resume training exactly (Adam, Nadam, RMSprop)', () => {
    const makers: [string, () => nb.optimizers.Optimizer][] = [
      ['adam', () => new O.Adam({ learningRate: 0.1, amsgrad: true })],
      ['nadam', () => new O.Nadam(0.1)],
      ['rmsprop', () => new O.RMSprop({ learningRate: 0.1, momentum: 0.5, centered: true })],
    ];
    const grads = [f64([0.5, -1]), f64([-0.25, 2]), f64([1.5, 0.75])];
    for (const [name, make] of makers) {
      const straight = make();
      const w1 = variable([1, -2]);
      for (const g of grads) straight.applyGradients([[g, w1]]);

      const first = make();
      const w2 = variable([1, -2]);
      first.applyGradients([[grads[0]!, w2]]);
      first.applyGradients([[grads[1]!, w2]]);
      const saved = first.getWeights().map((t) => t.clone());
      const resumed = make();
      const w3 = variable(Array.from(w2.dataSync()));
      resumed.build([w3]);
      resumed.setWeights(saved);
      expect(resumed.iterations.dataSync()[0], name).toBe(2);
      resumed.applyGradients([[grads[2]!, w3]]);
      expectClose(w3, Array.from(w1.dataSync()));
    }
  });

  it('setWeights with the wrong count says to build first', () => {
    const opt = new O.Adam();
    expect(() => opt.setWeights([nb.tensor(0, 'int32'), nb.tensor([1])])).toThrow(/call build\(variables\)/);
  });

  it('assigning iterations directly moves the schedule', () => {
    const opt = new O.SGD(O.schedules.piecewiseConstant({ boundaries: [5], values: [1, 0.1] }));
    expect(opt.learningRate).toBe(1);
    opt.iterations.assign(6);
    expect(opt.learningRate).toBe(0.1);
  });

  it('getConfig/fromConfig and serialize/deserialize round-trip through JSON', () => {
    const opt = new O.Adam({
      learningRate: O.schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 }),
      beta1: 0.8,
      amsgrad: true,
      clipNorm: 1,
    });
    const json = JSON.parse(JSON.stringify(O.serialize(opt)));
    expect(json.className).toBe('Adam');
    const again = O.deserialize(json);
    expect(again).toBeInstanceOf(O.Adam);
    expect(again.getConfig()).toEqual(opt.getConfig());
    expect(again.learningRate).toBe(0.1);
    const sgd = O.SGD.fromConfig(new O.SGD({ learningRate: 0.3, momentum: 0.9, nesterov: true }).getConfig());
    expect(sgd.getConfig()).toMatchObject({ learningRate: 0.3, momentum: 0.9, nesterov: true, name: 'SGD' });
    expect(new O.AdamW().getConfig()).toMatchObject({ name: 'adamw', weightDecay: 0.004, learningRate: 0.001 });
  });
});

describe('optimizers.get', () => {
  it('finds every optimizer by name, case-insensitively, with Keras defaults', () => {
    const cases: [string, unknown, number][] = [
      ['sgd', O.SGD, 0.01],
      ['SGD', O.SGD, 0.01],
      ['adam', O.Adam, 0.001],
      ['Adam', O.Adam, 0.001],
      ['adamw', O.AdamW, 0.001],
      ['rmsprop', O.RMSprop, 0.001],
      ['RMSprop', O.RMSprop, 0.001],
      ['adagrad', O.Adagrad, 0.001],
      ['adadelta', O.Adadelta, 0.001],
      ['adamax', O.Adamax, 0.001],
      ['nadam', O.Nadam, 0.001],
      ['lion', O.Lion, 0.001],
    ];
    for (const [name, cls, lr] of cases) {
      const opt = O.get(name);
      expect(opt, name).toBeInstanceOf(cls as never);
      expect(opt.learningRate, name).toBe(lr);
    }
    const mine = new O.SGD();
    expect(O.get(mine)).toBe(mine);
  });

  it('an unknown name is a ValueError listing the known optimizers', () => {
    expect(() => O.get('adamm')).toThrow(nb.ValueError);
    expect(() => O.get('adamm')).toThrow(/unknown optimizer 'adamm'; known optimizers: sgd, adam, adamw, rmsprop/);
  });

  it('bad hyperparameters are ValueErrors naming the optimizer', () => {
    expect(() => new O.Adam({ beta1: 1 })).toThrow(/adam: beta1 must be in \[0, 1\)/);
    expect(() => new O.SGD({ momentum: -0.5 })).toThrow(/SGD: momentum must be a finite number >= 0/);
    expect(() => new O.SGD(-1)).toThrow(/learningRate/);
  });
});
