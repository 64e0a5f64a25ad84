// Each optimizer's first updates against its published update rule, worked in plain JS numbers.
// Variables are float64 so the comparison can be tight.
import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose } from '../conformance/harness.js';

const W0 = [1, -2];
// A different gradient at each step, so that state carried between steps matters.
const GRADS = [
  [0.5, -1],
  [-0.25, 2],
  [1.5, 0.75],
];

/** Run `steps` updates of `opt` on a float64 variable starting at W0; values after each step. */
function run(opt: nb.optimizers.Optimizer, steps = GRADS.length): number[][] {
  const w = new nb.Variable(nb.tensor(W0, 'float64'));
  const out: number[][] = [];
  for (let i = 0; i < steps; i++) {
    opt.applyGradients([[nb.tensor(GRADS[i]!, 'float64'), w]]);
    out.push(Array.from(w.dataSync()));
  }
  return out;
}

/** Apply a scalar rule element by element; `state` holds one object per element. */
function reference<S>(init: () => S, rule: (w: number, g: number, s: S, t: number) => number, steps = GRADS.length): number[][] {
  let w = [...W0];
  const states = W0.map(init);
  const out: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    w = w.map((wi, j) => rule(wi, GRADS[t - 1]![j]!, states[j]!, t));
    out.push([...w]);
  }
  return out;
}

function expectSteps(actual: number[][], expected: number[][], rtol = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, i) => expectClose(nb.tensor(row, 'float64'), expected[i]!, { rtol, atol: 1e-14 }));
}

describe('SGD', () => {
  it('plain: w -= lr * g (first steps written out)', () => {
    expectSteps(run(new nb.optimizers.SGD(0.1), 2), [
      [1 - 0.1 * 0.5, -2 - 0.1 * -1],
      [1 - 0.1 * 0.5 - 0.1 * -0.25, -2 - 0.1 * -1 - 0.1 * 2],
    ]);
  });

  it('momentum: m = 0.9 m - lr g; w += m', () => {
    // element 0: m1 = -0.05, w1 = 0.95; m2 = 0.9 * -0.05 + 0.025 = -0.02, w2 = 0.93
    const m1 = -0.1 * 0.5;
    const m2 = 0.9 * m1 - 0.1 * -0.25;
    const actual = run(new nb.optimizers.SGD({ learningRate: 0.1, momentum: 0.9 }));
    expectClose(nb.tensor(actual[0]![0]!, 'float64'), 1 + m1);
    expectClose(nb.tensor(actual[1]![0]!, 'float64'), 1 + m1 + m2);
    expectSteps(
      actual,
      reference(() => ({ m: 0 }), (w, g, s) => {
        s.m = 0.9 * s.m - 0.1 * g;
        return w + s.m;
      }),
    );
  });

  it('nesterov: w += 0.9 m_new - lr g', () => {
    // element 0 step 1: m = -0.05, w = 1 + (-0.05 + 0.9 * -0.05) = 0.905
    const actual = run(new nb.optimizers.SGD({ learningRate: 0.1, momentum: 0.9, nesterov: true }));
    expectClose(nb.tensor(actual[0]![0]!, 'float64'), 0.905);
    expectSteps(
      actual,
      reference(() => ({ m: 0 }), (w, g, s) => {
        s.m = 0.9 * s.m - 0.1 * g;
        return w + 0.9 * s.m - 0.1 * g;
      }),
    );
  });
});

describe('Adam family', () => {
  const adamRule = (lr: number, b1: number, b2: number, eps: number, amsgrad: boolean) =>
    reference(() => ({ m: 0, v: 0, vHat: 0 }), (w, g, s, t) => {
      s.m = s.m + (g - s.m) * (1 - b1);
      s.v = s.v + (g * g - s.v) * (1 - b2);
      s.vHat = Math.max(s.vHat, s.v);
      const alpha = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
      return w - (alpha * s.m) / (Math.sqrt(amsgrad ? s.vHat : s.v) + eps);
    });

  it('Adam: the first step moves each weight by lr * sign(g) when epsilon is 0', () => {
    // m1 = 0.1 g, v1 = 0.001 g², alpha = lr sqrt(0.001) / 0.1, so the step is lr * g / |g|.
    expectSteps(run(new nb.optimizers.Adam({ learningRate: 0.01, epsilon: 0 }), 1), [[1 - 0.01, -2 + 0.01]]);
  });

  it('Adam: three steps against the rule (defaults b1 0.9, b2 0.999, eps 1e-7)', () => {
    expectSteps(run(new nb.optimizers.Adam(0.01)), adamRule(0.01, 0.9, 0.999, 1e-7, false));
  });

  it('Adam amsgrad uses the running maximum of v', () => {
    // GRADS element 1 goes -1, 2, 0.75: v falls at step 3, so vHat differs from v there.
    const actual = run(new nb.optimizers.Adam({ learningRate: 0.01, amsgrad: true, beta2: 0.5 }));
    expectSteps(actual, adamRule(0.01, 0.9, 0.5, 1e-7, true));
    const plain = adamRule(0.01, 0.9, 0.5, 1e-7, false);
    expect(Math.abs(actual[2]![1]! - plain[2]![1]!)).toBeGreaterThan(1e-4);
  });

  it('AdamW decays weights by lr * wd before the Adam step (default wd 0.004)', () => {
    const lr = 0.01;
    const wd = 0.004;
    const expected = reference(() => ({ m: 0, v: 0 }), (w, g, s, t) => {
      const decayed = w - w * wd * lr;
      s.m = s.m + (g - s.m) * 0.1;
      s.v = s.v + (g * g - s.v) * 0.001;
      return decayed - ((lr * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t)) * (s.m / (Math.sqrt(s.v) + 1e-7));
    });
    expectSteps(run(new nb.optimizers.AdamW(lr)), expected);
  });

  it('Adamax: u = max(b2 u, |g|); w -= lr m / ((1 - b1^t)(u + eps))', () => {
    // step 1, element 0: m = 0.05, u = 0.5, w = 1 - 0.01 * 0.05 / (0.1 * (0.5 + 1e-7))
    const actual = run(new nb.optimizers.Adamax(0.01));
    expectClose(nb.tensor(actual[0]![0]!, 'float64'), 1 - (0.01 * 0.05) / (0.1 * (0.5 + 1e-7)));
    expectSteps(
      actual,
      reference(() => ({ m: 0, u: 0 }), (w, g, s, t) => {
        s.m = s.m + (g - s.m) * 0.1;
        s.u = Math.max(0.999 * s.u, Math.abs(g));
        return w - (0.01 * s.m) / ((1 - 0.9 ** t) * (s.u + 1e-7));
      }),
    );
  });

  it('Nadam: momentum schedule mu_t = b1 (1 - 0.5 * 0.96^t) and its running product', () => {
    const b1 = 0.9;
    const b2 = 0.999;
    const lr = 0.01;
    const mu = (t: number) => b1 * (1 - 0.5 * 0.96 ** t);
    let product = 1;
    let lastT = 0;
    const expected = reference(() => ({ m: 0, v: 0 }), (w, g, s, t) => {
      if (t !== lastT) {
        product *= mu(t);
        lastT = t;
      }
      s.m = s.m + (g - s.m) * (1 - b1);
      s.v = s.v + (g * g - s.v) * (1 - b2);
      const mHat = (mu(t + 1) * s.m) / (1 - product * mu(t + 1)) + ((1 - mu(t)) * g) / (1 - product);
      const vHat = s.v / (1 - b2 ** t);
      return w - (lr * mHat) / (Math.sqrt(vHat) + 1e-7);
    });
    expectSteps(run(new nb.optimizers.Nadam(lr)), expected);
  });
});

describe('RMSprop, Adagrad, Adadelta, Lion', () => {
  it('RMSprop: s = rho s + (1 - rho) g²; w -= lr g / sqrt(s + eps)', () => {
    // step 1, element 0: s = 0.1 * 0.25 = 0.025, w = 1 - 0.01 * 0.5 / sqrt(0.025 + 1e-7)
    const actual = run(new nb.optimizers.RMSprop(0.01));
    expectClose(nb.tensor(actual[0]![0]!, 'float64'), 1 - (0.01 * 0.5) / Math.sqrt(0.025 + 1e-7));
    expectSteps(
      actual,
      reference(() => ({ s: 0 }), (w, g, st) => {
        st.s = 0.9 * st.s + 0.1 * g * g;
        return w - (0.01 * g) / Math.sqrt(st.s + 1e-7);
      }),
    );
  });

  it('RMSprop centered with momentum', () => {
    const expected = reference(() => ({ s: 0, a: 0, m: 0 }), (w, g, st) => {
      st.s = 0.8 * st.s + 0.2 * g * g;
      st.a = 0.8 * st.a + 0.2 * g;
      const increment = (0.01 * g) / Math.sqrt(st.s - st.a * st.a + 1e-7);
      st.m = 0.5 * st.m + increment;
      return w - st.m;
    });
    expectSteps(run(new nb.optimizers.RMSprop({ learningRate: 0.01, rho: 0.8, momentum: 0.5, centered: true })), expected);
  });

  it('Adagrad: acc starts at 0.1; acc += g²; w -= lr g / sqrt(acc + eps)', () => {
    // step 1, element 1: acc = 0.1 + 1 = 1.1, w = -2 + 0.1 / sqrt(1.1 + 1e-7)
    const actual = run(new nb.optimizers.Adagrad(0.1));
    expectClose(nb.tensor(actual[0]![1]!, 'float64'), -2 + 0.1 / Math.sqrt(1.1 + 1e-7));
    expectSteps(
      actual,
      reference(() => ({ acc: 0.1 }), (w, g, s) => {
        s.acc += g * g;
        return w - (0.1 * g) / Math.sqrt(s.acc + 1e-7);
      }),
    );
  });

  it('Adadelta: two running averages, step lr * delta', () => {
    const rho = 0.95;
    const eps = 1e-7;
    const expected = reference(() => ({ eg: 0, ed: 0 }), (w, g, s) => {
      s.eg = rho * s.eg + (1 - rho) * g * g;
      const delta = (-Math.sqrt(s.ed + eps) * g) / Math.sqrt(s.eg + eps);
      s.ed = rho * s.ed + (1 - rho) * delta * delta;
      return w + 1 * delta;
    });
    expectSteps(run(new nb.optimizers.Adadelta(1)), expected);
  });

  it('Lion: w -= lr sign(b1 m + (1 - b1) g); m = b2 m + (1 - b2) g', () => {
    // step 1: m = 0, so the step is lr * sign(g): [1 - 0.1, -2 + 0.1]
    const actual = run(new nb.optimizers.Lion(0.1));
    expectClose(nb.tensor(actual[0]!, 'float64'), [0.9, -1.9]);
    // step 2, element 0: m = 0.01 * 0.5 = 0.005; 0.9 * 0.005 + 0.1 * -0.25 = -0.0205 -> w = 0.9 + 0.1
    expectClose(nb.tensor(actual[1]![0]!, 'float64'), 1.0);
    expectSteps(
      actual,
      reference(() => ({ m: 0 }), (w, g, s) => {
        const next = w - 0.1 * Math.sign(0.9 * s.m + 0.1 * g);
        s.m = 0.99 * s.m + 0.01 * g;
        return next;
      }),
    );
  });
});
