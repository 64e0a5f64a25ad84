// Learning-rate schedule values worked by hand, and an optimizer following a schedule.
import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';

const S = nb.optimizers.schedules;
const close = (a: number, b: number) => expect(a).toBeCloseTo(b, 12);

describe('schedules', () => {
  it('exponentialDecay, smooth and staircase', () => {
    const s = S.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 });
    close(s.call(0), 0.1);
    close(s.call(5), 0.1 * Math.SQRT1_2);
    close(s.call(20), 0.025);
    const stairs = S.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true });
    close(stairs.call(15), 0.05);
    close(stairs.call(9), 0.1);
  });

  it('piecewiseConstant: a boundary belongs to the piece before it', () => {
    const s = S.piecewiseConstant({ boundaries: [10, 20], values: [1, 0.5, 0.1] });
    expect([0, 10, 11, 20, 21, 1000].map((t) => s.call(t))).toEqual([1, 1, 0.5, 0.5, 0.1, 0.1]);
    expect(() => S.piecewiseConstant({ boundaries: [10, 20], values: [1, 0.5] })).toThrow(/values.length = boundaries.length \+ 1/);
    expect(() => S.piecewiseConstant({ boundaries: [20, 10], values: [1, 0.5, 0.1] })).toThrow(/must increase/);
  });

  it('cosineDecay without and with alpha', () => {
    const s = S.cosineDecay({ initialLearningRate: 1, decaySteps: 10 });
    close(s.call(0), 1);
    close(s.call(5), 0.5);
    close(s.call(10), 0);
    close(s.call(15), 0);
    const floor = S.cosineDecay({ initialLearningRate: 1, decaySteps: 10, alpha: 0.1 });
    close(floor.call(5), 0.9 * 0.5 + 0.1);
    close(floor.call(10), 0.1);
  });

  it('cosineDecay with linear warmup to warmupTarget', () => {
    const s = S.cosineDecay({ initialLearningRate: 0, decaySteps: 10, warmupTarget: 1, warmupSteps: 4 });
    close(s.call(0), 0);
    close(s.call(2), 0.5);
    close(s.call(4), 1);
    close(s.call(9), 0.5);
    close(s.call(14), 0);
    close(s.call(100), 0);
  });

  it('polynomialDecay: linear, squared and cycling', () => {
    const s = S.polynomialDecay({ initialLearningRate: 1, decaySteps: 10, endLearningRate: 0.1 });
    close(s.call(0), 1);
    close(s.call(5), 0.55);
    close(s.call(10), 0.1);
    close(s.call(20), 0.1);
    close(S.polynomialDecay({ initialLearningRate: 1, decaySteps: 10, endLearningRate: 0.1, power: 2 }).call(5), 0.9 * 0.25 + 0.1);
    // cycle: at step 15 the horizon becomes 20, so p = 0.75
    close(S.polynomialDecay({ initialLearningRate: 1, decaySteps: 10, endLearningRate: 0.1, cycle: true }).call(15), 0.9 * 0.25 + 0.1);
    // the default end rate is 0.0001
    close(S.polynomialDecay({ initialLearningRate: 1, decaySteps: 10 }).call(10), 0.0001);
  });

  it('inverseTimeDecay', () => {
    close(S.inverseTimeDecay({ initialLearningRate: 1, decaySteps: 10, decayRate: 0.5 }).call(10), 1 / 1.5);
    close(S.inverseTimeDecay({ initialLearningRate: 1, decaySteps: 10, decayRate: 0.5, staircase: true }).call(19), 1 / 1.5);
  });

  it('round-trip through serialize/deserialize; bad options are ValueErrors', () => {
    const s = S.cosineDecay({ initialLearningRate: 0.1, decaySteps: 100, alpha: 0.2, warmupTarget: 0.5, warmupSteps: 10 });
    const again = S.deserialize(JSON.parse(JSON.stringify(S.serialize(s))));
    expect(again).toBeInstanceOf(S.CosineDecay);
    for (const t of [0, 5, 10, 50, 200]) close(again.call(t), s.call(t));
    expect(() => S.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.5 })).toThrow(/decaySteps must be a positive/);
    expect(() => S.deserialize({ className: 'Nope', config: {} })).toThrow(/unknown schedule 'Nope'/);
  });
});

describe('an optimizer following a schedule', () => {
  it('uses the rate at the current step count (0 for the first update)', () => {
    const w = new nb.Variable(nb.tensor([0], 'float64'));
    const opt = new nb.optimizers.SGD(S.piecewiseConstant({ boundaries: [0], values: [1, 0.1] }));
    expect(opt.learningRate).toBe(1);
    opt.applyGradients([nb.tensor([1], 'float64')], [w]);
    expect(w.dataSync()[0]).toBeCloseTo(-1, 12);
    expect(opt.learningRate).toBe(0.1);
    opt.applyGradients([nb.tensor([1], 'float64')], [w]);
    expect(w.dataSync()[0]).toBeCloseTo(-1.1, 12);
  });

  it('accepts any (step) => number', () => {
    const w = new nb.Variable(nb.tensor([0], 'float64'));
    const opt = new nb.optimizers.SGD({ learningRate: (step) => 1 / (step + 1) });
    for (let i = 0; i < 3; i++) opt.applyGradients([[nb.tensor([1], 'float64'), w]]);
    expect(w.dataSync()[0]).toBeCloseTo(-(1 + 1 / 2 + 1 / 3), 12);
  });

  it('a scheduled rate cannot be overwritten with a number; a fixed one can', () => {
    const scheduled = new nb.optimizers.Adam(S.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 }));
    expect(() => {
      scheduled.learningRate = 0.01;
    }).toThrow(/is a schedule/);
    const fixed = new nb.optimizers.Adam(0.1);
    fixed.learningRate = 0.01;
    expect(fixed.learningRate).toBe(0.01);
  });
});
