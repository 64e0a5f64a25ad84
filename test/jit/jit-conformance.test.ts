// Every op family of the conformance suite, jitted: values and gradients (a tape inside the
// jitted function) must equal eager execution.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { backendsUnderTest, sample } from '../conformance/harness.js';

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
  ['signal fft/rfft/irfft and 2-D', (x) => nb.signal.irfft(nb.signal.rfft(x, { norm: 'ortho' }).mul(nb.signal.abs(nb.signal.fft(nb.stack([x, x.square()], -1))).slice([0, 0], [3, 3]).expandDims(-1)), { n: 5, norm: 'ortho' }).add(nb.signal.irfft2(nb.signal.rfft2(x), [3, 5])), [[3, 5]]],
  ['linalg', (x) => {
    const a = nb.add(nb.matmul(x, x, { transposeB: true }), nb.mul(nb.eye(3), 3));
    const l = nb.linalg.cholesky(a);
    const solved = nb.linalg.triangularSolve(l, x, { transposeA: true }).add(nb.linalg.solve(a, x));
    return solved.add(nb.linalg.det(a)).add(nb.linalg.svd(x).s.sum()).add(nb.linalg.eigh(a).values.sum()).add(nb.linalg.qr(x).r.sum());
  }, [[3, 3]]],
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

/** Async-read backends (webgpu) have no float64 and no dataSync: float32 inputs, async reads, float32 tolerances. */
const float32Only = new Set(['webgpu']);

/** Jitted and eager results agree: float64 to 1e-9; float32 to what reassociation in fused kernels leaves. */
async function expectSame(jitted: nb.Tensor[], eager: nb.Tensor[], float64: boolean): Promise<void> {
  expect(jitted).toHaveLength(eager.length);
  for (let i = 0; i < eager.length; i++) {
    expect(jitted[i]!.shape, `output ${i} shape`).toEqual(eager[i]!.shape);
    const [a, e] = [Array.from(await jitted[i]!.data(), Number), Array.from(await eager[i]!.data(), Number)];
    const [rtol, atol] = float64 ? [1e-9, 1e-11] : [1e-4, 1e-5];
    for (let k = 0; k < e.length; k++) {
      if (!(Math.abs(a[k]! - e[k]!) <= atol + rtol * Math.abs(e[k]!))) {
        throw new Error(`output ${i} element ${k}: jitted ${a[k]}, eager ${e[k]} (rtol ${rtol}, atol ${atol})`);
      }
    }
  }
}

for (const backend of backendsUnderTest()) {
  describe(`jitted = eager for every op family on ${backend}`, () => {
    const float64 = !float32Only.has(backend);
    for (const [name, fn, shapes, range] of cases) {
      it(name, async () => {
        const jf = nb.withBackend(backend, () => nb.jit((...a: nb.Tensor[]) => valueAndGrads(fn, a)));
        // The first call traces (and on native records); later calls replay the prepared plan.
        for (const seed of [7, 19, 31]) {
          const [jitted, eager] = nb.withBackend(backend, () => {
            const xs = shapes.map((s, i) => {
              const values = () => sample(s, range?.[0] ?? -1, range?.[1] ?? 1, i + seed);
              if (float64) return values();
              return nb.tensor(Float32Array.from(nb.withBackend('js', values).dataSync() as Float64Array), s, 'float32');
            });
            return [jf(...xs), valueAndGrads(fn, xs)];
          });
          await expectSame(jitted, eager, float64);
        }
      });
    }
  });
}
