import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { backendsUnderTest, checkGrad, expectClose, expectExact, on, onHost, sample, sampleFloat, onExcept, widestFloat } from './harness.js';

const E = Math.E;

function gradOf(f: (x: nb.Tensor) => nb.Tensor, x: nb.Tensor): nb.Tensor {
  const tape = new nb.GradientTape();
  tape.watch(x);
  return tape.gradient(nb.sum(f(x)), x);
}

function allFinite(t: nb.Tensor): boolean {
  return Array.from(t.dataSync(), Number).every(Number.isFinite);
}

for (const backend of backendsUnderTest()) {
  describe(`cross-entropies on ${backend}`, () => {
    it('sigmoidCrossEntropyWithLogits: hand values, elementwise', () =>
      on(backend, () => {
        const y = nb.nn.sigmoidCrossEntropyWithLogits({ labels: nb.tensor([0, 1, 0.5]), logits: nb.tensor([0, 2, -3]) });
        expectClose(y, [Math.LN2, Math.log1p(Math.exp(-2)), 1.5 + Math.log1p(Math.exp(-3))]);
      }));

    it('sigmoidCrossEntropyWithLogits: float64 logits give float64 losses', () =>
      on(backend, () => {
        const m = nb.nn.sigmoidCrossEntropyWithLogits({ labels: [[1, 0]], logits: nb.tensor([[0, 0]], 'float64') });
        expect(m.dtype).toBe('float64');
        expectClose(m, [[Math.LN2, Math.LN2]]);
      }));

    it('sigmoidCrossEntropyWithLogits: huge logits give finite losses and gradients sigmoid(x) - z', () =>
      on(backend, () => {
        const labels = nb.tensor([0, 1, 1, 0]);
        const logits = nb.tensor([1e30, -1e30, 1000, 0]);
        const loss = nb.nn.sigmoidCrossEntropyWithLogits({ labels, logits });
        expectClose(loss, [1e30, 1e30, 0, Math.LN2], { rtol: 1e-6 });
        expectClose(gradOf((x) => nb.nn.sigmoidCrossEntropyWithLogits({ labels, logits: x }), logits), [1, -1, 0, 0.5]);
      }));

    it('sigmoidCrossEntropyWithLogits: gradients in logits and labels vs finite differences', () =>
      on(backend, () => {
        checkGrad((z, x) => nb.nn.sigmoidCrossEntropyWithLogits({ labels: z, logits: x }), [sample([2, 3], 0, 1, 2), sample([2, 3], -4, 4, 3)]);
        expect(() => nb.nn.sigmoidCrossEntropyWithLogits({ labels: nb.zeros([2]), logits: nb.zeros([3]) })).toThrow(
          /sigmoidCrossEntropyWithLogits: labels \[2\] and logits \[3\] must have the same shape/,
        );
      }));

    it('softmaxCrossEntropyWithLogits: hand values per example, any axis', () =>
      on(backend, () => {
        const logits = nb.tensor([[0, 1], [0, Math.log(3)]]);
        const labels = nb.tensor([[0, 1], [0.5, 0.5]]);
        const expected = [Math.log(1 + E) - 1, -(0.5 * Math.log(0.25) + 0.5 * Math.log(0.75))];
        expectClose(nb.nn.softmaxCrossEntropyWithLogits({ labels, logits }), expected);
        expectClose(nb.nn.softmaxCrossEntropyWithLogits({ labels: labels.transpose(), logits: logits.transpose(), axis: 0 }), expected);
      }));

    it('softmaxCrossEntropyWithLogits: huge and -Infinity logits stay finite', () =>
      on(backend, () => {
        expectClose(nb.nn.softmaxCrossEntropyWithLogits({ labels: [[0, 1], [1, 0]], logits: nb.tensor([[1000, 0], [1e30, -1e30]]) }), [1000, 0]);
        expectClose(nb.nn.softmaxCrossEntropyWithLogits({ labels: [[1, 0]], logits: nb.tensor([[0, -Infinity]]) }), [0]);
        const logits = nb.tensor([[1e4, -1e4, 0]]);
        const g = gradOf((x) => nb.nn.softmaxCrossEntropyWithLogits({ labels: [[0, 1, 0]], logits: x }), logits);
        expectClose(g, [[1, -1, 0]]);
      }));

    it('softmaxCrossEntropyWithLogits: gradient is softmax - labels; finite differences in both inputs', () =>
      on(backend, () => {
        const logits = sampleFloat([3, 4], -3, 3, 5);
        const labels = onHost(() => nb.cast(nb.softmax(sample([3, 4], -1, 1, 6)), widestFloat(backend)));
        const g = gradOf((x) => nb.nn.softmaxCrossEntropyWithLogits({ labels, logits: x }), logits);
        expectClose(g, onHost(() => nb.sub(nb.softmax(logits), labels).arraySync()) as number[][], g.dtype === 'float32' ? { atol: 1e-5 } : {});
        checkGrad((z, x) => nb.nn.softmaxCrossEntropyWithLogits({ labels: z, logits: x }), [labels, logits]);
        checkGrad((x) => nb.nn.softmaxCrossEntropyWithLogits({ labels, logits: x, axis: 0 }), [logits]);
      }));

    it('sparseSoftmaxCrossEntropyWithLogits: hand values, rank 3, huge logits', () =>
      on(backend, () => {
        const logits = nb.tensor([[0, 1], [0, Math.log(3)]]);
        expectClose(nb.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: nb.tensor([1, 0], 'int32'), logits }), [Math.log(1 + E) - 1, Math.log(4)]);
        expectClose(nb.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: [1, 0], logits }), [Math.log(1 + E) - 1, Math.log(4)]);
        const l3 = nb.reshape(nb.tensor([0, 0, 0, 1, 2, 3, 5, 5, 5, 0, 0, 1e30]), [2, 2, 3]);
        expectClose(nb.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: [[2, 0], [1, 2]], logits: l3 }), [
          [Math.log(3), Math.log(1 + E + E ** 2)],
          [Math.log(3), 0],
        ]);
        expectClose(nb.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: [0, 1], logits: nb.tensor([[1e30, -1e30], [1000, 0]]) }), [0, 1000]);
      }));

    it('sparseSoftmaxCrossEntropyWithLogits: gradients vs finite differences and softmax - oneHot', (ctx) =>
      onExcept(ctx, backend, { webgpu: 'checkGrad\'s js reference cannot read the webgpu tensors the function closes over' }, () => {
        const logits = sample([4, 3], -3, 3, 8);
        const labels = nb.tensor([2, 0, 1, 1], 'int32');
        checkGrad((x) => nb.nn.sparseSoftmaxCrossEntropyWithLogits({ labels, logits: x }), [logits]);
        const oneHot = nb.tensor([[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 1, 0]], 'float64');
        const g = gradOf((x) => nb.nn.sparseSoftmaxCrossEntropyWithLogits({ labels, logits: x }), logits);
        expectClose(g, nb.sub(nb.softmax(logits), oneHot).arraySync() as number[][]);
      }));

    it('sparseSoftmaxCrossEntropyWithLogits: bad labels raise clear errors', (ctx) =>
      onExcept(ctx, backend, { webgpu: 'label range errors need a host read' }, () => {
        const logits = nb.zeros([2, 3]);
        expect(() => nb.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: [0, 3], logits })).toThrow(nb.ValueError);
        expect(() => nb.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: [0, 3], logits })).toThrow(
          /sparseSoftmaxCrossEntropyWithLogits: label 3 at flat index 1 is out of range; expected a class index in \[0, 3\)/,
        );
        expect(() => nb.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: [-1, 0], logits })).toThrow(/label -1 at flat index 0/);
        expect(() => nb.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: [0, 1, 2], logits })).toThrow(nb.ShapeError);
        expect(() => nb.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: nb.tensor([0, 1]), logits })).toThrow(/labels must be int32/);
        expect(() => nb.nn.softmaxCrossEntropyWithLogits({ labels: nb.zeros([2, 2]), logits })).toThrow(nb.ShapeError);
      }));
  });

  describe(`dropout on ${backend}`, () => {
    it('rate 0 is the identity', () =>
      on(backend, () => {
        const x = nb.ones([3]);
        expect(nb.nn.dropout(x, 0)).toBe(x);
      }));

    it('drops about `rate` of the elements and scales the rest by 1 / (1 - rate)', (ctx) =>
      onExcept(ctx, backend, { webgpu: 'it reads with dataSync()' }, () => {
        const n = 20000;
        for (const rate of [0.2, 0.5, 0.9]) {
          const y = Array.from(nb.nn.dropout(nb.ones([n]), rate, { seed: 3 }).dataSync());
          const zeros = y.filter((v) => v === 0).length;
          const kept = y.filter((v) => v !== 0);
          // 5 standard deviations of a binomial proportion.
          expect(Math.abs(zeros / n - rate)).toBeLessThan(5 * Math.sqrt((rate * (1 - rate)) / n));
          for (const v of kept) expect(v).toBeCloseTo(1 / (1 - rate), 5);
          const mean = y.reduce((s, v) => s + v, 0) / n;
          expect(Math.abs(mean - 1)).toBeLessThan(5 * Math.sqrt(rate / (1 - rate) / n));
        }
      }));

    it('an op seed or the global seed reproduces the mask; different seeds differ', (ctx) =>
      onExcept(ctx, backend, { webgpu: 'it reads with dataSync()' }, () => {
        const x = nb.ones([200]);
        const a = nb.nn.dropout(x, 0.5, { seed: 7 }).arraySync();
        expect(nb.nn.dropout(x, 0.5, { seed: 7 }).arraySync()).toEqual(a);
        expect(nb.nn.dropout(x, 0.5, { seed: 8 }).arraySync()).not.toEqual(a);
        nb.random.seed(42);
        const b = nb.nn.dropout(x, 0.5).arraySync();
        const c = nb.nn.dropout(x, 0.5).arraySync();
        expect(c).not.toEqual(b);
        nb.random.seed(42);
        expect(nb.nn.dropout(x, 0.5).arraySync()).toEqual(b);
      }));

    it('noiseShape drops whole rows; the gradient is the scaled mask', (ctx) =>
      onExcept(ctx, backend, { webgpu: 'it reads with dataSync()' }, () => {
        const y = nb.nn.dropout(nb.ones([50, 4]), 0.5, { seed: 1, noiseShape: [50, 1] }).arraySync() as number[][];
        for (const row of y) expect(new Set(row).size).toBe(1);
        expect(new Set(y.map((r) => r[0])).size).toBe(2);
        const x = sample([4, 5], -1, 1, 9);
        const f = (t: nb.Tensor) => nb.nn.dropout(t, 0.25, { seed: 5 });
        checkGrad(f, [x]);
        const mask = nb.nn.dropout(nb.ones([4, 5], 'float64'), 0.25, { seed: 5 });
        expectClose(gradOf(f, x), mask.arraySync() as number[][]);
      }));

    it('bad rate, noiseShape or dtype raise', () =>
      on(backend, () => {
        expect(() => nb.nn.dropout(nb.ones([2]), 1)).toThrow(/dropout: rate must be a number in \[0, 1\), got 1/);
        expect(() => nb.nn.dropout(nb.ones([2]), -0.1)).toThrow(nb.ValueError);
        expect(() => nb.nn.dropout(nb.ones([2, 3]), 0.5, { noiseShape: [3, 3] })).toThrow(nb.ShapeError);
        expect(() => nb.nn.dropout(nb.ones([2], 'int32'), 0.5)).toThrow(/dropout: expected a float tensor/);
      }));
  });

  describe(`moments and normalisation on ${backend}`, () => {
    it('moments: hand values over one and all axes, keepDims', () =>
      on(backend, () => {
        const x = nb.tensor([[1, 2], [3, 6]]);
        const a = nb.nn.moments(x, [0]);
        expectClose(a.mean, [2, 4]);
        expectClose(a.variance, [1, 4]);
        const b = nb.nn.moments(x, [0, 1]);
        expectClose(b.mean, 3);
        expectClose(b.variance, (4 + 1 + 0 + 9) / 4);
        const k = nb.nn.moments(x, -1, { keepDims: true });
        expectClose(k.mean, [[1.5], [4.5]]);
        expectClose(k.variance, [[0.25], [2.25]]);
        expectClose(nb.nn.moments(nb.tensor([1, 2, 3], 'int32'), 0).mean, 2);
      }));

    it('moments: gradients of mean and variance vs finite differences', () =>
      on(backend, () => {
        const x = sample([3, 4, 2], -2, 2, 4);
        checkGrad((t) => nb.nn.moments(t, [0, 1]).mean, [x]);
        checkGrad((t) => nb.nn.moments(t, [0, 1]).variance, [x]);
        checkGrad((t) => nb.nn.moments(t, 2, { keepDims: true }).variance, [x]);
      }));

    it('batchNormalization: hand values, optional offset/scale, gradients in every input', () =>
      on(backend, () => {
        expectClose(nb.nn.batchNormalization(nb.tensor([1, 2, 3]), 2, 4, 1, 2, 0), [0, 1, 2]);
        expectClose(nb.nn.batchNormalization(nb.tensor([1, 2, 3]), 2, 4, null, null, 0), [-0.5, 0, 0.5]);
        expectClose(nb.nn.batchNormalization(nb.tensor([[0, 10]]), nb.tensor([1, 10]), nb.tensor([3, 0]), undefined, nb.tensor([1, 5]), 1), [[-0.5, 0]]);
        const x = sample([4, 3], -2, 2, 1);
        const mean = sample([3], -1, 1, 2);
        const variance = sample([3], 0.5, 2, 3);
        const offset = sample([3], -1, 1, 4);
        const scale = sample([3], 0.5, 2, 5);
        checkGrad((a, m, v, o, s) => nb.nn.batchNormalization(a, m, v, o, s, 1e-3), [x, mean, variance, offset, scale]);
        expect(() => nb.nn.batchNormalization(x, mean, variance, offset, scale, -1)).toThrow(/varianceEpsilon must be a non-negative number/);
      }));

    it('l2Normalize: hand values, zero vectors stay zero, gradients', () =>
      on(backend, () => {
        expectClose(nb.nn.l2Normalize(nb.tensor([3, 4])), [0.6, 0.8]);
        expectClose(nb.nn.l2Normalize(nb.tensor([[3, 4], [0, 0]]), { axis: 1 }), [[0.6, 0.8], [0, 0]]);
        expectClose(nb.nn.l2Normalize(nb.tensor([[3, 4], [0, 2]]), { axis: 0 }), [[1, 0.8944271909999159], [0, 0.4472135954999579]]);
        checkGrad((t) => nb.nn.l2Normalize(t, { axis: -1 }), [sample([3, 4], -1, 1, 6)]);
      }));

    it('biasAdd: adds along the last axis; a bias of the wrong size raises', () =>
      on(backend, () => {
        expectClose(nb.nn.biasAdd(nb.tensor([[1, 2], [3, 4]]), nb.tensor([10, 20])), [[11, 22], [13, 24]]);
        expectExact(nb.nn.biasAdd(nb.tensor([[1, 2]], 'int32'), [1, 1]), [[2, 3]], 'int32');
        checkGrad((a, b) => nb.nn.biasAdd(a, b), [sample([2, 2, 3]), sample([3], -1, 1, 2)]);
        expect(() => nb.nn.biasAdd(nb.zeros([2, 3]), nb.zeros([2]))).toThrow(/biasAdd: bias must be rank 1 with the size of the last axis of x \[2, 3\], got shape \[2\]/);
      }));
  });

  describe(`under nb.jit on ${backend}`, () => {
    it('a conv/pool/cross-entropy train step gives the eager loss and gradients', () =>
      on(backend, () => {
        const x = sampleFloat([2, 6, 6, 2], -1, 1, 1);
        const labels = onHost(() => nb.tensor([1, 0], 'int32'));
        const step = (input: nb.Tensor, l: nb.Tensor, f: nb.Tensor) => {
          const tape = new nb.GradientTape();
          tape.watch(f);
          const h = nb.maxPool(nb.relu(nb.conv2d(input, f, { padding: 'same' })), { poolSize: 2 });
          const logits = nb.reshape(nb.nn.globalAvgPool(h), [2, 3]);
          const loss = nb.mean(nb.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: l, logits }));
          return [loss, tape.gradient(loss, f)] as const;
        };
        const f = sampleFloat([3, 3, 2, 3], -1, 1, 2);
        // Eager on this backend; on webgpu (reads only asynchronously) eager float32 on js.
        const [eagerLoss, eagerGrad] = onHost(() => step(x, labels, f).map((t) => t.arraySync()) as [number, number[][][][]]);
        const tol = x.dtype === 'float32' ? { rtol: 1e-4, atol: 1e-5 } : {};
        const jitted = nb.jit(step);
        for (let i = 0; i < 2; i++) {
          const [loss, grad] = jitted(x, labels, f);
          expectClose(loss, eagerLoss, tol);
          expectClose(grad, eagerGrad, tol);
        }
      }));
  });

  describe(`nb.nn namespace on ${backend}`, () => {
    it('exposes the activations and aliases of the conv and pool ops', () =>
      on(backend, () => {
        expect(nb.nn.relu6).toBe(nb.relu6);
        expect(nb.nn.softmax).toBe(nb.softmax);
        expect(nb.nn.conv2d).toBe(nb.conv2d);
        expect(nb.nn.maxPool).toBe(nb.maxPool);
        expectClose(nb.nn.relu(nb.tensor([-1, 2])), [0, 2]);
        expectClose(nb.nn.sigmoid(nb.tensor([0])), [0.5]);
        expectClose(nb.nn.avgPool(nb.ones([1, 2, 2, 1])), [[[[1]]]]);
      }));
  });
}
