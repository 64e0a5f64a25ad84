import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { backendsUnderTest, on } from '../conformance/harness.js';

/** The lesson's linear regression: y = 3x + 2 + noise, a tape and manual SGD. */
function linearRegression(useJit: boolean) {
  nb.random.seed(11);
  const x = nb.random.uniform([64, 1], { min: -1, max: 1 });
  const y = x.mul(3).add(2).add(nb.random.normal([64, 1], { stddev: 0.1 }));
  const w = new nb.Variable(nb.random.normal([1, 1]), { name: 'w' });
  const b = new nb.Variable(nb.zeros([1]), { name: 'b' });
  const step = (xb: nb.Tensor, yb: nb.Tensor) => {
    const tape = new nb.GradientTape();
    const loss = nb.mean(nb.square(yb.sub(nb.matmul(xb, w).add(b))));
    const [dw, db] = tape.gradient(loss, [w, b]);
    w.assignSub(dw.mul(0.1));
    b.assignSub(db.mul(0.1));
    return loss;
  };
  const run = useJit ? nb.jit(step) : step;
  const losses: number[] = [];
  for (let epoch = 0; epoch < 60; epoch++) losses.push(run(x, y).item());
  return { w: w.item(), b: b.item(), losses };
}

/** The lesson's perceptron: two features, sigmoid cross-entropy with logits, SGD. */
function logisticRegression(useJit: boolean) {
  nb.random.seed(5);
  const n = 128;
  const x = nb.random.normal([n, 2]);
  const y = nb.cast(nb.greater(x.index(':, 0').add(x.index(':, 1').mul(2)), 0.3), 'float32').reshape([n, 1]);
  const w = new nb.Variable(nb.zeros([2, 1]));
  const b = new nb.Variable(nb.zeros([1]));
  const step = (xb: nb.Tensor, yb: nb.Tensor) => {
    const tape = new nb.GradientTape();
    const logits = nb.matmul(xb, w).add(b);
    const loss = nb.mean(nb.nn.sigmoidCrossEntropyWithLogits({ labels: yb, logits }));
    const [dw, db] = tape.gradient(loss, [w, b]);
    w.assignSub(dw.mul(0.5));
    b.assignSub(db.mul(0.5));
    return loss;
  };
  const run = useJit ? nb.jit(step) : step;
  for (let epoch = 0; epoch < 80; epoch++) run(x, y);
  const acc = nb.mean(nb.cast(nb.equal(nb.greater(nb.matmul(x, w).add(b), 0), nb.cast(y, 'bool')), 'float32')).item();
  return { w: Array.from(w.dataSync()), b: b.item(), acc };
}

for (const backend of backendsUnderTest()) {
  describe(`the lesson's regressions under nb.jit on ${backend}`, () => {
    it('linear regression reaches the same parameters jitted as eager (and fits y = 3x + 2)', () =>
      on(backend, () => {
        const eager = linearRegression(false);
        const jitted = linearRegression(true);
        expect(jitted.w).toBeCloseTo(eager.w, 5);
        expect(jitted.b).toBeCloseTo(eager.b, 5);
        jitted.losses.forEach((l, i) => expect(l).toBeCloseTo(eager.losses[i]!, 5));
        expect(eager.w).toBeCloseTo(3, 0);
        expect(eager.b).toBeCloseTo(2, 0);
      }));

    it('logistic regression reaches the same parameters jitted as eager (and separates the data)', () =>
      on(backend, () => {
        const eager = logisticRegression(false);
        const jitted = logisticRegression(true);
        jitted.w.forEach((v, i) => expect(v).toBeCloseTo(eager.w[i]!, 5));
        expect(jitted.b).toBeCloseTo(eager.b, 5);
        expect(eager.acc).toBeGreaterThan(0.9);
        expect(jitted.acc).toBe(eager.acc);
      }));
  });
}
