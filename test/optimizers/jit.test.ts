// Optimizers inside nb.jit: the step-dependent scalars (bias corrections, schedules, Nadam's
// momentum product) and a learning rate changed between calls must follow each replay, not
// stay at their trace-time values.
import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose } from '../conformance/harness.js';

const O = nb.optimizers;
const X = [[0.5, -1], [1.5, 2], [-0.3, 0.8]];
const Y = [[1], [-2], [0.5]];

/** One least-squares train step of a 2-1 linear model. */
function makeStep(opt: nb.optimizers.Optimizer, w: nb.Variable, b: nb.Variable) {
  return (x: nb.Tensor, y: nb.Tensor) => {
    const tape = new nb.GradientTape();
    const loss = nb.mean(nb.square(nb.sub(nb.add(nb.matmul(x, w), b), y)));
    const grads = tape.gradient(loss, [w, b]);
    opt.applyGradients(grads, [w, b]);
    return loss;
  };
}

function train(make: () => nb.optimizers.Optimizer, jitted: boolean, steps: number, between?: (opt: nb.optimizers.Optimizer, i: number) => void) {
  const w = new nb.Variable(nb.tensor([[0.1], [-0.2]]), { name: 'w' });
  const b = new nb.Variable(nb.tensor([0.05]), { name: 'b' });
  const opt = make();
  const plain = makeStep(opt, w, b);
  const step = jitted ? nb.jit(plain) : plain;
  const x = nb.tensor(X);
  const y = nb.tensor(Y);
  for (let i = 0; i < steps; i++) {
    between?.(opt, i);
    step(x, y);
  }
  return { w: Array.from(w.dataSync()), b: Array.from(b.dataSync()), opt };
}

const cases: [string, () => nb.optimizers.Optimizer][] = [
  ['adam', () => new O.Adam(0.1)],
  ['adamw', () => new O.AdamW({ learningRate: 0.1, weightDecay: 0.05 })],
  ['nadam', () => new O.Nadam(0.1)],
  ['adamax', () => new O.Adamax(0.1)],
  ['sgd momentum', () => new O.SGD({ learningRate: 0.1, momentum: 0.9, nesterov: true })],
  ['rmsprop', () => new O.RMSprop({ learningRate: 0.05, centered: true, momentum: 0.5 })],
  ['adagrad', () => new O.Adagrad(0.1)],
  ['adadelta', () => new O.Adadelta(1)],
  ['lion', () => new O.Lion(0.01)],
  ['adam + cosine warmup', () => new O.Adam(O.schedules.cosineDecay({ initialLearningRate: 0, decaySteps: 4, warmupTarget: 0.1, warmupSteps: 2 }))],
  ['sgd + piecewise', () => new O.SGD(O.schedules.piecewiseConstant({ boundaries: [1, 3], values: [0.1, 0.05, 0.01] }))],
  ['adam + globalClipNorm', () => new O.Adam({ learningRate: 0.1, globalClipNorm: 0.5 })],
];

describe('optimizers under nb.jit', () => {
  for (const [name, make] of cases) {
    it(`${name}: five jitted steps equal five eager steps`, () => {
      const eager = train(make, false, 5);
      const compiled = train(make, true, 5);
      expectClose(nb.tensor(compiled.w), eager.w, { rtol: 1e-5, atol: 1e-6 });
      expectClose(nb.tensor(compiled.b), eager.b, { rtol: 1e-5, atol: 1e-6 });
      expect(compiled.opt.iterations.dataSync()[0]).toBe(5);
      expect(compiled.opt.stepCount).toBe(5);
    });
  }

  it('a learning rate set between jitted calls (as ReduceLROnPlateau does) is used', () => {
    const lower = (opt: nb.optimizers.Optimizer, i: number) => {
      if (i === 2) opt.learningRate = 0.01;
    };
    const eager = train(() => new O.SGD(0.1), false, 4, lower);
    const compiled = train(() => new O.SGD(0.1), true, 4, lower);
    expectClose(nb.tensor(compiled.w), eager.w, { rtol: 1e-5, atol: 1e-6 });
    const never = train(() => new O.SGD(0.1), false, 4);
    expect(Math.abs(never.w[0]! - eager.w[0]!)).toBeGreaterThan(1e-4);
  });
});

describe('schedules on tensors agree with schedules on numbers', () => {
  const S = O.schedules;
  const all: nb.optimizers.schedules.LearningRateSchedule[] = [
    S.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 }),
    S.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true }),
    S.piecewiseConstant({ boundaries: [10, 20], values: [1, 0.5, 0.1] }),
    S.cosineDecay({ initialLearningRate: 1, decaySteps: 10, alpha: 0.1 }),
    S.cosineDecay({ initialLearningRate: 0, decaySteps: 10, warmupTarget: 1, warmupSteps: 4 }),
    S.polynomialDecay({ initialLearningRate: 1, decaySteps: 10, endLearningRate: 0.1, power: 2 }),
    S.polynomialDecay({ initialLearningRate: 1, decaySteps: 10, endLearningRate: 0.1, cycle: true }),
    S.inverseTimeDecay({ initialLearningRate: 1, decaySteps: 10, decayRate: 0.5, staircase: true }),
  ];
  it('at steps before, on and after every boundary', () => {
    for (const s of all) {
      for (const step of [0, 1, 2, 4, 5, 9, 10, 11, 14, 15, 19, 20, 21, 40]) {
        const t = s.callTensor(nb.tensor(step, 'float64'));
        expect(t.dtype).toBe('float64');
        expect(t.item(), `${s.className} at ${step}`).toBeCloseTo(s.call(step), 12);
        expect(s.callTensor(nb.tensor(step)).dtype).toBe('float32');
      }
    }
  });
});
