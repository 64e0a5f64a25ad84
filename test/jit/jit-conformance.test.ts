// Every op family of the conformance suite, jitted: values and gradients (a tape inside the
// jitted function) must equal eager execution.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { backendsUnderTest, expectClose, on, sample } from '../conformance/harness.js';

type Case = [string, (...xs: nb.Tensor[]) => nb.Tensor, number[][], [number, number]?];

const unary = ['neg', 'abs', 'exp', 'expm1', 'sin', 'cos', 'atan', 'sinh', 'cosh', 'tanh', 'sigmoid', 'relu', 'erf', 'square', 'softplus', 'elu', 'selu', 'gelu', 'swish', 'softsign', 'relu6', 'mish'];
const positive = ['log', 'log1p', 'sqrt', 'rsqrt', 'reciprocal'];
const binary = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'pow', 'atan2', 'squaredDifference'];
const fns = nb as unknown as Record<string, (...a: unknown[]) => nb.Tensor>;

const cases: Case[] = [
  ...unary.map((n): Case => [n, (x) => fns[n]!(x), [[2, 3]]]),
  ...positive.map((n): Case => [n, (x) => fns[n]!(x), [[2, 3]], [0.3, 2]]),
  ...binary.map((n): Case => [n, (a, b) => fns[n]!(a, b), [[2, 3], [3]], [0.3, 2]]),
  ['sum/mean/prod/max/min', (x) => nb.add(nb.sum(x, 1), nb.mean(x, 1)).add(nb.prod(x, 1)).add(nb.max(x, 1)).add(nb.min(x, 0).sum()), [[3, 4]]],
  ['variance/std/logSumExp/norm', (x) => nb.variance(x, 0).add(nb.std(x, 0)).add(nb.logSumExp(x, 0)).add(nb.norm(x)), [[3, 4]]],
  ['cumsum/cumprod', (x) => nb.cumsum(x, 1).mul(nb.cumprod(x, 0)), [[3, 4]], [0.5, 1.5]],
  ['sort/topk', (x) => nb.sort(x).add(nb.topk(x, 4).values), [[3, 4]]],
  ['gather/oneHot', (x) => nb.gather(x, nb.tensor([2, 0, 2], 'int32'), 1).sum(1).add(nb.oneHot(nb.tensor([1, 0, 3], 'int32'), 4).mul(x).sum(1)), [[3, 4]]],
  ['gatherND/scatterND', (x) => nb.scatterND(nb.tensor([[0], [2]], 'int32'), nb.gatherND(x, nb.tensor([[1], [0]], 'int32')), [3, 4]), [[3, 4]]],
  ['einsum', (a, b) => nb.einsum('ij,jk->ik', a, b).add(nb.einsum('ij->j', a).sum()), [[2, 3], [3, 4]]],
  ['matmul transposed', (a, b) => nb.matmul(a, b, { transposeA: true, transposeB: true }), [[3, 2], [4, 3]]],
  ['views and structure', (x) => nb.concat([x.transpose().index('::-1, 1:'), nb.tile(x.slice([0, 0], [1, 3]), [4, 1])], 1).pad([[1, 1], [0, 0]], { mode: 'reflect' }).flip(0), [[3, 4]]],
  ['where/clip', (x, y) => nb.where(nb.greater(x, y), nb.clip(x, -0.5, 0.5), y.mul(2)), [[2, 3], [2, 3]]],
  ['softmax/logSoftmax', (x) => nb.softmax(x).add(nb.logSoftmax(x, 0)), [[3, 4]]],
  ['cross-entropies', (x, y) => nb.nn.softmaxCrossEntropyWithLogits({ labels: nb.softmax(y), logits: x }).add(nb.nn.sigmoidCrossEntropyWithLogits({ labels: nb.sigmoid(y), logits: x }).sum(1)), [[3, 4], [3, 4]]],
  ['conv2d same/strided', (x, k) => nb.conv2d(x, k, { strides: 2, padding: 'same' }), [[1, 5, 5, 2], [3, 3, 2, 3]]],
  ['conv1d/depthwise/transpose', (x, k) => nb.conv1d(x.reshape([1, 10, 2]), k.reshape([2, 2, 3]), { padding: 'valid' }).sum().add(nb.depthwiseConv2d(x, k.slice([0, 0, 0, 0], [2, 1, 2, 1]), { padding: 'valid' }).sum()), [[1, 2, 5, 2], [2, 1, 2, 3]]],
  ['pooling', (x) => nb.maxPool(x, { poolSize: 2, strides: 1, padding: 'same' }).add(nb.avgPool(x, { poolSize: 2, strides: 1, padding: 'same' })), [[1, 4, 4, 2]]],
  ['moments/batchNormalization', (x) => {
    const { mean, variance } = nb.nn.moments(x, [0]);
    return nb.nn.batchNormalization(x, mean, variance, 0.1, 2, 1e-3);
  }, [[4, 3]]],
];

function valueAndGrads(fn: (...xs: nb.Tensor[]) => nb.Tensor, xs: nb.Tensor[]): nb.Tensor[] {
  const tape = new nb.GradientTape();
  xs.forEach((x) => tape.watch(x));
  const y = fn(...xs);
  return [y, ...tape.gradient(nb.sum(y), xs, { unconnectedGradients: 'zero' })];
}

for (const backend of backendsUnderTest()) {
  describe(`jitted = eager for every op family on ${backend}`, () => {
    for (const [name, fn, shapes, range] of cases) {
      it(name, () =>
        on(backend, () => {
          const jf = nb.jit((...a: nb.Tensor[]) => valueAndGrads(fn, a));
          // The first call traces (and on native records); later calls replay the prepared plan.
          for (const seed of [7, 19, 31]) {
            const xs = shapes.map((s, i) => sample(s, range?.[0] ?? -1, range?.[1] ?? 1, i + seed));
            const eager = valueAndGrads(fn, xs);
            const jitted = jf(...xs);
            expect(jitted).toHaveLength(eager.length);
            jitted.forEach((t, i) => expectClose(t, eager[i]!.arraySync() as number[], { rtol: 1e-9, atol: 1e-11 }));
          }
        }));
    }
  });
}
