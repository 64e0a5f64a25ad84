import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { PRIMITIVES } from '../../src/ops/primitives/index.js';
import { defineOp } from '../../src/ops/define-op.js';
import { run, run1 } from '../../src/ops/run.js';
import { FUSED_OPS } from '../../src/jit/fused-ops.js';

const close = (a: nb.Tensor, b: nb.Tensor, tol = 1e-5) => {
  expect(a.shape).toEqual(b.shape);
  const x = Array.from(a.dataSync(), Number);
  const y = Array.from(b.dataSync(), Number);
  x.forEach((v, i) => expect(Math.abs(v - y[i]!), `element ${i}: ${v} vs ${y[i]}`).toBeLessThanOrEqual(tol * (1 + Math.abs(y[i]!))));
};

function data(shape: number[], seed: number): nb.Tensor {
  let s = seed * 2654435761;
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s ^ (s >>> 15), 2246822519) + 0x9e3779b9) | 0;
    v[i] = (s >>> 0) / 4294967296 - 0.5;
  }
  return nb.tensor(v, shape, 'float32');
}

const params = { w1: data([4, 8], 1), b1: data([8], 2), w2: data([8, 3], 3), b2: data([3], 4) };
type Params = typeof params;

/** An MLP on one example (a vector of 4 features). */
function mlp(p: Params, x: nb.Tensor): nb.Tensor {
  const h = nb.tanh(nb.add(nb.matmul(nb.reshape(x, [1, 4]), p.w1), p.b1));
  return nb.reshape(nb.add(nb.matmul(h, p.w2), p.b2), [3]);
}

function loss(p: Params, x: nb.Tensor, label: nb.Tensor): nb.Tensor {
  const logits = mlp(p, x);
  return nb.neg(nb.sum(nb.mul(nb.oneHot(label, 3), nb.logSoftmax(logits))));
}

const xs = data([5, 4], 9);
const labels = nb.tensor([0, 2, 1, 1, 0], undefined, 'int32');

describe('vmap', () => {
  it('equals stacking f over the batch for an MLP (parameters closed over)', () => {
    const y = nb.vmap((x: nb.Tensor) => mlp(params, x))(xs);
    close(y, nb.stack(nb.unstack(xs).map((x) => mlp(params, x))));
  });

  it('passes pytree arguments with inAxes null unbatched, and maps the rest', () => {
    const y = nb.vmap(mlp, { inAxes: [null, 0] })(params, xs);
    close(y, nb.stack(nb.unstack(xs).map((x) => mlp(params, x))));
  });

  it('vmap(grad) gives per-example gradients equal to the loop', () => {
    const perExample = nb.vmap(
      (x: nb.Tensor, label: nb.Tensor) => nb.grad((w1: nb.Tensor) => loss({ ...params, w1 }, x, label))(params.w1) as nb.Tensor,
    )(xs, labels);
    expect(perExample.shape).toEqual([5, 4, 8]);
    const loop = nb.unstack(xs).map((x, i) => nb.grad((w1: nb.Tensor) => loss({ ...params, w1 }, x, nb.slice(labels, [i], [1]).reshape([])))(params.w1) as nb.Tensor);
    close(perExample, nb.stack(loop));
  });

  it('vmap(grad) through a small CNN (conv, max and average pooling) equals the loop', () => {
    const filter = data([3, 3, 2, 4], 40);
    const dense = data([4, 2], 41);
    const cnnLoss = (f: nb.Tensor, image: nb.Tensor) => {
      const h = nb.relu(nb.conv2d(nb.reshape(image, [1, 6, 6, 2]), f, 1, 'same'));
      const p = nb.avgPool(nb.maxPool(h, 2, 2, 'valid'), 3, 3, 'valid');
      return nb.sum(nb.square(nb.matmul(nb.reshape(p, [1, 4]), dense)));
    };
    const images = data([3, 6, 6, 2], 42);
    const g = nb.vmap((image: nb.Tensor) => nb.grad(cnnLoss)(filter, image) as nb.Tensor)(images);
    expect(g.shape).toEqual([3, 3, 3, 2, 4]);
    close(g, nb.stack(nb.unstack(images).map((image) => nb.grad(cnnLoss)(filter, image) as nb.Tensor)));
    // Gradients with respect to each image too (conv2dBackpropInput, maxPoolGrad, avgPoolGrad).
    const gi = nb.vmap((image: nb.Tensor) => nb.grad(cnnLoss, { argnums: 1 })(filter, image) as nb.Tensor)(images);
    close(gi, nb.stack(nb.unstack(images).map((image) => nb.grad(cnnLoss, { argnums: 1 })(filter, image) as nb.Tensor)));
  });

  it('vmap(grad): unconnected arguments get zeros, broadcast parameters get their summed gradient', () => {
    const x = nb.tensor([[1, 2], [3, 4]]);
    const both = nb.vmap((u: nb.Tensor) => nb.grad((a: nb.Tensor, _b: nb.Tensor) => nb.sum(nb.mul(a, 2)), { argnums: [0, 1] })(u, nb.ones([2])) as nb.Tensor[])(x);
    expect(both.map((t) => t.arraySync())).toEqual([[[2, 2], [2, 2]], [[0, 0], [0, 0]]]);
    // d/db sum(u * b) for a scalar b is sum(u), per example.
    expect(nb.vmap((u: nb.Tensor) => nb.grad((b: nb.Tensor) => nb.sum(nb.mul(u, b)))(nb.tensor(2)) as nb.Tensor)(x).arraySync()).toEqual([3, 7]);
  });

  it('vmap of a second derivative equals the loop', () => {
    const f = (x: nb.Tensor) => nb.sum(nb.mul(nb.sin(x), nb.square(x)));
    const d2 = (x: nb.Tensor) => nb.grad((u: nb.Tensor) => nb.sum(nb.grad(f)(u) as nb.Tensor))(x) as nb.Tensor;
    const x = data([4, 3], 43);
    close(nb.vmap(d2)(x), nb.stack(nb.unstack(x).map(d2)));
  });

  it('grad of vmap equals the gradient of the summed loop', () => {
    const g = nb.grad((w2: nb.Tensor) => nb.sum(nb.vmap((x: nb.Tensor, l: nb.Tensor) => loss({ ...params, w2 }, x, l))(xs, labels)))(params.w2) as nb.Tensor;
    const ref = nb.grad((w2: nb.Tensor) => nb.unstack(xs).map((x, i) => loss({ ...params, w2 }, x, nb.slice(labels, [i], [1]).reshape([]))).reduce((a, b) => nb.add(a, b)))(params.w2) as nb.Tensor;
    close(g, ref);
  });

  it('a GradientTape around vmap sees the batched ops', () => {
    const w = nb.tensor([[1, 2], [3, 4]]);
    const tape = new nb.GradientTape();
    tape.watch(w);
    const y = nb.vmap((x: nb.Tensor) => nb.sum(nb.square(nb.matmul(nb.reshape(x, [1, 2]), w))))(nb.tensor([[1, 0], [0, 1], [1, 1]]));
    const g = tape.gradient(nb.sum(y), w) as nb.Tensor;
    // d/dw sum_i |x_i w|^2 = sum_i 2 x_iᵀ (x_i w)
    expect(g.arraySync()).toEqual([
      [2 * 1 + 0 + 2 * 4, 2 * 2 + 0 + 2 * 6],
      [0 + 2 * 3 + 2 * 4, 0 + 2 * 4 + 2 * 6],
    ]);
  });

  it('nested vmap: pairwise squared distances equal the double loop', () => {
    const a = data([3, 2], 11);
    const b = data([4, 2], 12);
    const dist = (u: nb.Tensor, v: nb.Tensor) => nb.sum(nb.square(nb.sub(u, v)));
    const d = nb.vmap((u: nb.Tensor) => nb.vmap((v: nb.Tensor) => dist(u, v))(b))(a);
    expect(d.shape).toEqual([3, 4]);
    close(d, nb.stack(nb.unstack(a).map((u) => nb.stack(nb.unstack(b).map((v) => dist(u, v))))));
    // The same through inAxes on one function of two arguments.
    const d2 = nb.vmap(nb.vmap(dist, { inAxes: [null, 0] }), { inAxes: [0, null] })(a, b);
    close(d2, d);
  });

  it('composes with nb.jit both ways', () => {
    const f = (x: nb.Tensor) => mlp(params, x);
    const ref = nb.vmap(f)(xs);
    const jitted = nb.jit((x: nb.Tensor) => nb.vmap(f)(x));
    close(jitted(xs), ref);
    close(jitted(xs), ref);
    expect(jitted.traceCount).toBe(1);
    expect(jitted.graph(xs)).toContain('matmul');
    close(nb.vmap(nb.jit(f))(xs), ref);
    // jit of vmap of grad, traced inside a tidy: what the graph captured survives it.
    const perExample = nb.jit((w1: nb.Tensor, x: nb.Tensor, l: nb.Tensor) =>
      nb.vmap((u: nb.Tensor, v: nb.Tensor) => nb.grad((w: nb.Tensor) => loss({ ...params, w1: w }, u, v))(w1) as nb.Tensor, { inAxes: [0, 0] })(x, l),
    );
    const eager = nb.vmap((u: nb.Tensor, v: nb.Tensor) => nb.grad((w: nb.Tensor) => loss({ ...params, w1: w }, u, v))(params.w1) as nb.Tensor)(xs, labels);
    for (let i = 0; i < 2; i++) nb.tidy(() => close(perExample(params.w1, xs, labels), eager));
  });

  it('takes negative and per-argument inAxes, and places the batch at outAxes', () => {
    const x = data([2, 3, 5], 20); // batch on the last axis
    const f = (u: nb.Tensor) => nb.sum(u, 1);
    const y = nb.vmap(f, { inAxes: -1 })(x);
    expect(y.shape).toEqual([5, 2]);
    close(y, nb.transpose(nb.sum(x, 1), [1, 0]));
    const y1 = nb.vmap(f, { inAxes: 2, outAxes: 1 })(x);
    close(y1, nb.sum(x, 1));
    const yLast = nb.vmap((u: nb.Tensor) => u, { inAxes: 0, outAxes: -1 })(x);
    expect(yLast.shape).toEqual([3, 5, 2]);
    close(yLast, nb.transpose(x, [1, 2, 0]));
  });

  it('maps structured arguments and results, with axis specs per leaf', () => {
    const batch = { a: data([4, 3], 30), b: [data([3, 4], 31)] };
    const f = (p: { a: nb.Tensor; b: nb.Tensor[] }) => ({ s: nb.add(p.a, p.b[0]!), n: [nb.sum(p.a)] });
    const out = nb.vmap(f, { inAxes: [{ a: 0, b: [1] }], outAxes: { s: 1, n: [0] } })(batch);
    close(out.s, nb.transpose(nb.add(batch.a, nb.transpose(batch.b[0]!)), [1, 0]));
    close(out.n[0]!, nb.sum(batch.a, 1));
  });

  it('broadcasts a result that does not depend on the batch; outAxes null keeps it unbatched', () => {
    const c = nb.tensor([1, 2]);
    const y = nb.vmap((_x: nb.Tensor) => c)(nb.zeros([3, 4]));
    expect(y.arraySync()).toEqual([[1, 2], [1, 2], [1, 2]]);
    const r = nb.vmap((x: nb.Tensor) => [nb.mul(x, 2), c], { outAxes: [0, null] })(nb.tensor([1, 2, 3]));
    expect(r[0]!.arraySync()).toEqual([2, 4, 6]);
    expect(r[1]!.arraySync()).toEqual([1, 2]);
    expect(() => nb.vmap((x: nb.Tensor) => x, { outAxes: null })(nb.tensor([1, 2]))).toThrow(/outAxes null must not depend on the batch/);
  });

  it('keeps batched values alive through a tidy inside f and frees its intermediates', () => {
    const f = (x: nb.Tensor) => nb.tidy(() => nb.mul(nb.exp(x), 2));
    const x = nb.tensor([[0, 1], [2, 3]]);
    const expected = nb.mul(nb.exp(x), 2);
    const live = () => nb.memory()[nb.getBackend()]!.numTensors;
    const before = live();
    const y = nb.vmap(f)(x);
    close(y, expected);
    y.dispose();
    // The per-example stand-ins hold no data (they live on their own 'vmap' entry); no batched value leaks.
    expect(live()).toBe(before);
  });

  it('runs variables read in f as shared, and refuses to assign a batched value', () => {
    const v = new nb.Variable(nb.tensor([1, 1]));
    close(nb.vmap((x: nb.Tensor) => nb.mul(x, v))(nb.tensor([[1, 2], [3, 4]])), nb.tensor([[1, 2], [3, 4]]));
    expect(() => nb.vmap((x: nb.Tensor) => v.assign(x))(nb.tensor([[1, 2], [3, 4]]))).toThrow(/cannot assign a batched value to variable/);
  });

  it('customGradient under vmap: its gradFunc runs per example, inside vmap(grad) and for a tape outside', () => {
    const f = nb.customGradient((x: nb.Tensor) => {
      const e = nb.exp(x);
      // Deliberately not the true derivative (exp), so that the test sees gradFunc was used.
      return { value: nb.mul(e, 1), gradFunc: (dy: nb.Tensor) => nb.mul(dy, nb.mul(e, 3)) };
    });
    const xs2 = nb.tensor([[0, 1], [2, -1]]);
    const inside = nb.vmap((x: nb.Tensor) => nb.grad((u: nb.Tensor) => nb.sum(f(u)))(x) as nb.Tensor)(xs2);
    close(inside, nb.mul(nb.exp(xs2), 3));
    // The backward pass comes after vmap returned; the per-example gradFunc still runs batched.
    const outside = nb.grad((x: nb.Tensor) => nb.sum(nb.vmap((u: nb.Tensor) => f(u))(x)))(xs2) as nb.Tensor;
    close(outside, nb.mul(nb.exp(xs2), 3));
    // A shared input's gradient sums over the examples.
    const g = nb.customGradient((x: nb.Tensor, w: nb.Tensor) => ({ value: nb.mul(x, w), gradFunc: (dy: nb.Tensor) => [nb.mul(dy, w), nb.mul(dy, nb.mul(x, 2))] }));
    const w = nb.tensor([1, 2]);
    const dw = nb.grad((ww: nb.Tensor) => nb.sum(nb.vmap((u: nb.Tensor) => g(u, ww))(xs2)))(w) as nb.Tensor;
    close(dw, nb.mul(nb.sum(xs2, 0), 2));
  });
});

describe('vmap and control flow', () => {
  it('nb.cond with a per-example predicate gives each example its own branch', () => {
    const f = (x: nb.Tensor) => nb.cond(nb.greater(nb.sum(x), 0), () => nb.mul(x, 2), () => nb.neg(x));
    const xs2 = nb.tensor([[1, 2], [-1, -2], [3, -1]]);
    expect(nb.vmap(f)(xs2).arraySync()).toEqual([[2, 4], [1, 2], [6, -2]]);
    // A predicate shared by the batch takes one branch for all.
    expect(nb.vmap((x: nb.Tensor) => nb.cond(true, () => x, () => nb.neg(x)))(xs2).arraySync()).toEqual(xs2.arraySync());
  });

  it('nb.whileLoop with a per-example condition stops each example at its own step', () => {
    const halve = (x: nb.Tensor) => nb.whileLoop((v) => nb.greater(v, 1), (v) => [nb.div(v, 2)], [x])[0]!;
    expect(nb.vmap(halve)(nb.tensor([10, 100, 0.5])).arraySync()).toEqual([0.625, 0.78125, 0.5]);
    // Nested vmaps: the loop runs while any example of either batch goes on.
    expect(nb.vmap(nb.vmap(halve))(nb.tensor([[10, 3], [0.5, 100]])).arraySync()).toEqual([[0.625, 0.75], [0.5, 0.78125]]);
    // A shared condition (a step counter) loops as usual.
    const steps = (x: nb.Tensor) => nb.whileLoop((i, _v) => nb.less(i, 3), (i, v) => [nb.add(i, 1), nb.mul(v, 2)], [nb.tensor(0), x])[1]!;
    expect(nb.vmap(steps)(nb.tensor([1, 2])).arraySync()).toEqual([8, 16]);
  });

  it('refuses variable assignments under per-example control flow; a per-example loop inside nb.jit runs', () => {
    const v = new nb.Variable(nb.tensor(0));
    const f = (x: nb.Tensor) => nb.cond(nb.greater(x, 0), () => (v.assign(1), x), () => x);
    expect(() => nb.vmap(f)(nb.tensor([1, -1]))).toThrow(/cannot assign variable .* inside nb.cond with a per-example predicate/);
    expect(v.dataSync()[0]).toBe(0);
    const halve = (x: nb.Tensor) => nb.whileLoop((u) => nb.greater(u, 1), (u) => [nb.div(u, 2)], [x])[0]!;
    expect(nb.jit((x: nb.Tensor) => nb.vmap(halve)(x))(nb.tensor([10, 1])).arraySync()).toEqual([0.625, 1]);
  });
});

describe('vmap errors', () => {
  it('names the arguments and sizes when batch sizes differ', () => {
    const f = (a: nb.Tensor, b: nb.Tensor) => nb.add(a, b);
    expect(() => nb.vmap(f)(nb.zeros([3, 2]), nb.zeros([4, 2]))).toThrow(nb.ValueError);
    expect(() => nb.vmap(f)(nb.zeros([3, 2]), nb.zeros([4, 2]))).toThrow(/argument 0 \[3, 2\] axis 0 has 3; argument 1 \[4, 2\] axis 0 has 4/);
    expect(() => nb.vmap(f, { inAxes: [0, 1] })(nb.zeros([3, 2]), nb.zeros([3, 2]))).toThrow(/axis 1 has 2/);
  });

  it('rejects axes out of range, inAxes of the wrong length, and nothing to map', () => {
    expect(() => nb.vmap((a: nb.Tensor) => a, { inAxes: 2 })(nb.zeros([3, 2]))).toThrow(/axis 2 is out of range for argument 0 of shape \[3, 2\]/);
    expect(() => nb.vmap((a: nb.Tensor) => a, { inAxes: [0, 0] })(nb.zeros([3]))).toThrow(/inAxes has 2 entries but the function got 1 arguments/);
    expect(() => nb.vmap((a: nb.Tensor) => a, { inAxes: null })(nb.zeros([3]))).toThrow(/maps no tensor argument/);
    expect(() => nb.vmap((a: nb.Tensor) => a, { inAxes: [{ x: 0 }] })(nb.zeros([3]))).toThrow(/does not match the structure of argument 0/);
  });

  it('explains that values of per-example tensors cannot be read, nor used after vmap', () => {
    expect(() => nb.vmap((a: nb.Tensor) => nb.tensor(a.dataSync()[0]!))(nb.zeros([3]))).toThrow(/stands for a whole batch inside nb.vmap/);
    let escaped: nb.Tensor | undefined;
    nb.vmap((a: nb.Tensor) => {
      escaped = nb.mul(a, 2);
      return a;
    })(nb.zeros([3]));
    expect(() => nb.add(escaped!, 1).dataSync()).toThrow(/stands for a whole batch/);
  });

  it("reports an op's bad input with one example's shapes", () => {
    expect(() => nb.vmap((x: nb.Tensor) => nb.matmul(nb.reshape(x, [1, 3]), nb.ones([4, 2])))(nb.zeros([5, 3]))).toThrow(/matmul: inner dimensions differ: \[1, 3\] @ \[4, 2\]/);
  });

  it('names a primitive that has no batching rule', () => {
    const noRule = defineOp<Record<string, never>>({ name: 'testOnlyNoRule', infer: ([x]) => [{ shape: x!.shape, dtype: x!.dtype }], view: (l) => l });
    expect(() => nb.vmap((a: nb.Tensor) => run1(noRule, [a], {}))(nb.zeros([3, 2]))).toThrow(/the primitive 'testOnlyNoRule' has no batching rule/);
    // Unbatched, it runs as usual.
    expect(nb.vmap((a: nb.Tensor) => nb.add(a, run1(noRule, [nb.ones([2])], {})))(nb.zeros([3, 2])).arraySync()).toEqual([[1, 1], [1, 1], [1, 1]]);
  });

  it("the jit's fused ops have rules too (equal to the loop), though only a compiled graph makes them", () => {
    const program = [
      { op: 'mul', args: [0, 1], dtype: 'float32' },
      { op: 'add', args: [3, 2], dtype: 'float32' },
      { op: 'exp', args: [4], dtype: 'float32' },
    ];
    const attrs = { program, nInputs: 3, shape: [2, 3], dtype: 'float32', inPlace: -1 };
    const fused = (a: nb.Tensor, b: nb.Tensor, c: nb.Tensor) => run(FUSED_OPS.fusedElementwise, [a, b, c], attrs as never)[0]!;
    const a = data([4, 2, 3], 50);
    const b = data([2, 3], 51);
    const c = nb.tensor(0.5);
    close(nb.vmap(fused, { inAxes: [0, null, null] })(a, b, c), nb.stack(nb.unstack(a).map((ai) => fused(ai, b, c))));
    const bs = data([4, 2, 3], 52);
    close(nb.vmap(fused, { inAxes: [null, 0, null] })(b, bs, c), nb.stack(nb.unstack(bs).map((bi) => fused(b, bi, c))));
    // A loop that writes two tensors (the last register, then register 3): both batched.
    const both = (a: nb.Tensor, b: nb.Tensor, c: nb.Tensor) => run(FUSED_OPS.fusedElementwise, [a, b, c], { ...attrs, outputs: [5, 3] } as never);
    const [last, first] = nb.vmap(both, { inAxes: [0, null, null] })(a, b, c) as unknown as [nb.Tensor, nb.Tensor];
    close(last, nb.stack(nb.unstack(a).map((ai) => both(ai, b, c)[0]!)));
    close(first, nb.stack(nb.unstack(a).map((ai) => nb.mul(ai, b))));

    const linear = { base: 'matmul', baseAttrs: { transposeA: false, transposeB: false }, hasBias: true, activation: 'relu', shape: [2, 4], dtype: 'float32' };
    const fl = (x: nb.Tensor, w: nb.Tensor, bias: nb.Tensor) => run(FUSED_OPS.fusedLinear, [x, w, bias], linear as never)[0]!;
    const x = data([3, 2, 3], 53);
    const w = data([3, 4], 54);
    const biases = data([3, 4], 55);
    close(nb.vmap(fl, { inAxes: [0, null, 0] })(x, w, biases), nb.stack(nb.unstack(x).map((xi, i) => fl(xi, w, nb.unstack(biases)[i]!))));
    // Only the bias batched: the matmul runs once, unbatched.
    const x0 = nb.reshape(nb.slice(x, [0], [1]), [2, 3]);
    close(nb.vmap(fl, { inAxes: [null, null, 0] })(x0, w, biases), nb.stack(nb.unstack(biases).map((bi) => fl(x0, w, bi))));
  });

  it('every primitive (and the jit\'s fused ops) has a batching rule', () => {
    const all = { ...PRIMITIVES, ...FUSED_OPS };
    const missing = Object.entries(all).filter(([, op]) => typeof (op as { batch?: unknown }).batch !== 'function').map(([n]) => n);
    expect(missing).toEqual([]);
  });
});
