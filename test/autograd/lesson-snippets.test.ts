// The Variables and Gradients snippets of API.md, run as written (with the few names they assume
// defined), and the lesson's linear regression done by hand with a tape.
import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose } from '../conformance/harness.js';

describe('API.md: Variables', () => {
  it('sums the rows of a with assignAdd (the lesson’s a = [[1, 2], [3, 4]])', () => {
    const a = nb.tensor([[1, 2], [3, 4]]);
    const s = new nb.Variable(nb.zerosLike(a.at(0))); // a Variable is a Tensor
    for (const row of a) s.assignAdd(row);
    expectClose(s, [4, 6]);
    // Like tf.Variable.assign, the value must have the variable's shape: [[10]] is not [2].
    expect(() => s.assign([[10]])).toThrow(nb.ShapeError);
  });

  it('runs line by line where a has rows of shape [1, 1], so s.assign([[10]]) fits', () => {
    const a = nb.tensor([[[1]], [[2]], [[3]]]);
    const lr = 0.1;
    const s = new nb.Variable(nb.zerosLike(a.at(0))); // a Variable is a Tensor
    for (const row of a) s.assignAdd(row);
    expectClose(s, [[6]]);
    const tape = new nb.GradientTape();
    const loss = nb.sum(nb.square(s));
    const grad = tape.gradient(loss, s)!; // 2 s = [[12]]
    s.assign([[10]]);
    s.assignSub(nb.mul(lr, grad));
    expectClose(s, [[10 - 1.2]]);
    const init = nb.zeros([]);
    const step = new nb.Variable(init, { trainable: false, name: 'step' });
    expect(step.trainable).toBe(false);
    expect(step.name).toBe('step');
  });
});

describe('API.md: Gradients', () => {
  it('c = sqrt(a^2 + b^2): dc/da = a / c', () => {
    const a = nb.tensor(3);
    const b = nb.tensor(4);
    const tape = new nb.GradientTape(); // records from construction
    tape.watch(a); // variables are watched automatically
    const c = nb.sqrt(nb.square(a).add(nb.square(b)));
    const dcDa = tape.gradient(c, a); // same structure as the sources
    expectClose(c, 5);
    expectClose(dcDa!, 0.6);
  });

  it('the same with a and b as tensors of points', () => {
    const a = nb.tensor([3, 5, 8]);
    const b = nb.tensor([4, 12, 15]);
    const tape = new nb.GradientTape();
    tape.watch(a);
    const c = nb.sqrt(nb.square(a).add(nb.square(b)));
    expectClose(tape.gradient(c, a)!, [3 / 5, 5 / 13, 8 / 17]);
  });

  it('const [dw, db] = tape.gradient(loss, [w, b]) with variables watched automatically', () => {
    const w = new nb.Variable([[2], [-1]]);
    const b = new nb.Variable([0.5]);
    const x = nb.tensor([[1, 2], [3, 4]]);
    const y = nb.tensor([[1], [0]]);
    const tape = new nb.GradientTape();
    const loss = nb.mean(nb.square(y.sub(nb.matmul(x, w).add(b))));
    const [dw, db] = tape.gradient(loss, [w, b]);
    // pred = [0.5, 2.5], r = pred - y = [-0.5, 2.5]; dL/dpred = r; dw = x^T r, db = sum r
    expectClose(dw!, [[7], [9]]);
    expectClose(db!, [2]);
  });

  it('{ using t = new nb.GradientTape({ persistent: true }) } is released at scope end', () => {
    const x = nb.tensor(2);
    let t2: nb.GradientTape;
    {
      using t = new nb.GradientTape({ persistent: true });
      t2 = t;
      t.watch(x);
      const y = nb.square(x);
      expectClose(t.gradient(y, x)!, 4);
      expectClose(t.gradient(y, x)!, 4);
    }
    expect(() => t2.gradient(nb.square(x), x)).toThrow(nb.ValueError);
  });

  it('nb.grad(f)(x); nb.valueAndGrad(f)(x); nb.stopGradient(x); nb.customGradient(fn)', () => {
    const f = (x: nb.Tensor) => nb.sum(nb.square(x));
    const x = nb.tensor([1, 2]);
    expectClose(nb.grad(f)(x) as nb.Tensor, [2, 4]);
    const { value, grad } = nb.valueAndGrad(f)(x);
    expectClose(value, 5);
    expectClose(grad as nb.Tensor, [2, 4]);
    expectClose(nb.stopGradient(x), [1, 2]);
    const double = nb.customGradient((t) => ({ value: nb.mul(t, 2), gradFunc: (dy) => nb.mul(dy, 2) }));
    expectClose(nb.grad((t) => double(t))(x) as nb.Tensor, [2, 2]);
  });
});

describe('the lesson’s linear regression, by hand with a tape', () => {
  it('recovers w = 2, b = 1 from noiseless data with assignSub(nb.mul(lr, grad))', () => {
    const x = nb.linspace(-1, 1, 20).reshape([-1, 1]);
    const y = x.mul(2).add(1);
    const w = new nb.Variable(nb.zeros([1, 1]), { name: 'w' });
    const b = new nb.Variable(nb.zeros([1]), { name: 'b' });
    const lr = 0.3;
    let first = NaN;
    let last = NaN;
    for (let epoch = 0; epoch < 150; epoch++) {
      const tape = new nb.GradientTape();
      const loss = nb.mean(nb.square(nb.matmul(x, w).add(b).sub(y)));
      const [dw, db] = tape.gradient(loss, [w, b]);
      w.assignSub(nb.mul(lr, dw!));
      b.assignSub(nb.mul(lr, db!));
      if (epoch === 0) first = loss.item();
      last = loss.item();
    }
    expect(first).toBeGreaterThan(1);
    expect(last).toBeLessThan(1e-6);
    expectClose(w, [[2]], { atol: 1e-3 });
    expectClose(b, [1], { atol: 1e-3 });
  });
});
