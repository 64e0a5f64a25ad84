// Inference graphs fold BatchNormalization (and other per-channel affine chains) into the conv2d or
// matmul before it: same predictions within rounding, no normalization left over the activations,
// and the folded weights follow every change of the variables.
import { afterAll, describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { trace } from '../../src/jit/trace.js';
import { foldAffineIntoLinear } from '../../src/jit/passes/index.js';
import type { Graph } from '../../src/jit/graph.js';
import { predictStepGraph } from '../../src/training/steps.js';

const L = nb.layers;
const start = nb.getBackend();
afterAll(() => nb.setBackend(start));
const backends = ['native', 'wasm', 'js'].filter((b) => nb.backendInfo(b).available);

const values = (t: nb.Tensor) => Array.from(t.dataSync());

function expectClose(actual: number[], expected: number[], tol = 1e-4): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => expect(Math.abs(v - expected[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(expected[i]!))));
}

/** BN statistics and affine parameters away from their 0/1 initial values. */
function randomizeBatchNorms(model: nb.Sequential): void {
  for (const layer of model.layers) {
    if (!(layer instanceof L.BatchNormalization)) continue;
    // Weights: gamma, beta, moving mean, moving variance (positive).
    layer.setWeights(layer.getWeights().map((w, i) => (i === 3 ? nb.random.uniform(w.shape, { min: 0.5, max: 2 }) : nb.random.normal(w.shape))));
  }
}

function convNet(): nb.Sequential {
  const m = new nb.Sequential([
    new L.Conv2D({ filters: 4, kernelSize: 3, inputShape: [7, 7, 2] }),
    new L.BatchNormalization(),
    new L.Activation('relu'),
    new L.Conv2D({ filters: 3, kernelSize: 2, useBias: false, padding: 'same' }),
    new L.BatchNormalization(),
    new L.Flatten(),
    new L.Dense(6),
    new L.BatchNormalization(),
    new L.Activation('relu'),
    new L.Dense(2),
  ]);
  m.build([null, 7, 7, 2]);
  randomizeBatchNorms(m);
  return m;
}

/** The op names of the nodes whose output has `shape` (the activations, not the parameters). */
function opsAtShape(dump: string, shape: readonly number[]): string[] {
  const suffix = `: float32[${shape.join(', ')}]`;
  return dump
    .split('\n')
    .filter((l) => l.endsWith(suffix))
    .map((l) => /= (\w+)\(/.exec(l)![1]!);
}

describe.each(backends)('BatchNormalization folding on %s', (backend) => {
  it('Conv2D + BN + ReLU and Dense + BN: the inference graph has no normalization left and predicts the same', async () => {
    await nb.setBackend(backend);
    nb.random.seed(3);
    const model = convNet();
    const x = nb.random.normal([16, 7, 7, 2]);
    const eager = values(nb.tidy(() => model.apply(x, { training: false }) as nb.Tensor));
    const f = nb.jit((t: nb.Tensor) => model.apply(t, { training: false }) as nb.Tensor, { inference: true, name: 'infer' });
    const dump = f.graph(x);
    expect(dump).toMatch(/foldAffine: 3/);
    // Over the activations only the convolutions/matmuls (with their bias and activation) remain.
    const linear = /^(fusedLinear|conv2d|matmul|add|relu)$/;
    for (const shape of [[16, 5, 5, 4], [16, 5, 5, 3], [16, 6]]) {
      const names = opsAtShape(dump, shape);
      expect(names.length).toBeGreaterThan(0);
      for (const n of names) expect(n).toMatch(linear);
    }
    // The moving statistics are now read only by parameter-sized arithmetic.
    for (const line of dump.split('\n').filter((l) => l.includes('moving_'))) expect(line).toMatch(/: float32\[\d+\]$/);
    expectClose(values(f(x)), eager);
  });

  it('at batch 1 the dense layer folds too (its rescaled weight is prepared once, not per call), as do the convolutions', async () => {
    await nb.setBackend(backend);
    nb.random.seed(8);
    const model = convNet();
    const x = nb.random.normal([1, 7, 7, 2]);
    const f = nb.jit((t: nb.Tensor) => model.apply(t, { training: false }) as nb.Tensor, { inference: true });
    const dump = f.graph(x);
    expect(dump).toMatch(/foldAffine: 3/);
    expect(dump).toMatch(/weightPrep: [1-9]/);
    expect(opsAtShape(dump, [1, 6]).every((n) => /^(fusedLinear|matmul|add|relu)$/.test(n))).toBe(true);
    expectClose(values(f(x)), values(nb.tidy(() => model.apply(x, { training: false }) as nb.Tensor)));
  });

  it('DepthwiseConv2D (a grouped conv2d) + BN folds per output channel and predicts the same', async () => {
    await nb.setBackend(backend);
    nb.random.seed(9);
    const model = new nb.Sequential([
      new L.DepthwiseConv2D({ kernelSize: 3, depthMultiplier: 2, inputShape: [6, 6, 3] }),
      new L.BatchNormalization(),
      new L.Activation('relu'),
    ]);
    model.build([null, 6, 6, 3]);
    randomizeBatchNorms(model);
    const x = nb.random.normal([8, 6, 6, 3]);
    const f = nb.jit((t: nb.Tensor) => model.apply(t, { training: false }) as nb.Tensor, { inference: true });
    expect(f.graph(x)).toMatch(/foldAffine: 1/);
    expectClose(values(f(x)), values(nb.tidy(() => model.apply(x, { training: false }) as nb.Tensor)));
  });

  it('without the inference option, or with weights the function assigns, nothing folds', async () => {
    await nb.setBackend(backend);
    nb.random.seed(4);
    const model = convNet();
    const x = nb.random.normal([16, 7, 7, 2]);
    const plain = nb.jit((t: nb.Tensor) => model.apply(t, { training: false }) as nb.Tensor);
    expect(plain.graph(x)).not.toMatch(/foldAffine/);
    const kernel = model.layers[0]!.getWeights()[0]!;
    const variable = (model.layers[0] as nb.layers.Conv2D).trainableWeights[0]!;
    const assigning = nb.jit(
      (t: nb.Tensor) => {
        variable.assign(nb.mul(variable.value(), 1));
        return model.apply(t, { training: false }) as nb.Tensor;
      },
      { inference: true },
    );
    expect(assigning.graph(x)).toMatch(/foldAffine: 2/); // the second conv and the dense still fold
    variable.assign(kernel);
  });

  it('model.predict folds, and follows setWeights and fit with no stale folded weights', async () => {
    await nb.setBackend(backend);
    nb.random.seed(5);
    const model = convNet();
    const x = nb.random.normal([40, 7, 7, 2]);
    const y = nb.random.normal([40, 2]);
    const eagerNow = () => values(nb.tidy(() => model.apply(x, { training: false }) as nb.Tensor));
    const predictNow = () => values(model.predict(x, { batchSize: 20 }) as nb.Tensor);
    predictNow(); // the warm-up batch runs eagerly
    const before = predictNow();
    expectClose(before, eagerNow());
    const dump = predictStepGraph(model, [x.slice([0], [20])])!;
    expect(dump).toMatch(/foldAffine: 3/);
    for (const line of dump.split('\n').filter((l) => l.includes('moving_'))) expect(line).toMatch(/: float32\[\d+\]$/);
    randomizeBatchNorms(model);
    const conv = model.layers[0]!;
    conv.setWeights(conv.getWeights().map((w) => nb.mul(w, -0.7)));
    const afterSet = predictNow();
    expect(afterSet).not.toEqual(before);
    expectClose(afterSet, eagerNow());
    model.compile({ optimizer: new nb.optimizers.SGD(0.1), loss: 'mse' });
    predictNow();
    await model.fit(x, y, { epochs: 2, batchSize: 20, verbose: 0 });
    const afterFit = predictNow();
    expect(afterFit).not.toEqual(afterSet);
    expectClose(afterFit, eagerNow());
  });
});

describe('the affine folding pass', () => {
  function graphOf(fn: (x: nb.Tensor) => nb.Tensor, shape: number[]): Graph {
    const { tracer, result } = trace([nb.zeros(shape)], ([t]) => fn(t!));
    tracer.graph.outputs = [tracer.valueOf(result)];
    return tracer.graph;
  }

  it('folds div, reversed sub and one-element parameters, computing the same values', () => {
    nb.random.seed(6);
    const w = new nb.Variable(nb.random.normal([3, 4]));
    const p = new nb.Variable(nb.random.uniform([4], { min: 1, max: 2 }));
    const q = new nb.Variable(nb.random.normal([1, 4]));
    const s = new nb.Variable(nb.tensor([[0.5]]));
    const fn = (x: nb.Tensor) => nb.sub(q, nb.matmul(x, w).div(p)).mul(s).add(q);
    const g = graphOf(fn, [2, 3]);
    expect(foldAffineIntoLinear(g)).toBe(1);
    const activations = g.nodes.filter((n) => n.outputs[0]!.shape.join() === '2,4').map((n) => n.op.name);
    expect(activations).toEqual(['matmul', 'add']);
    const x = nb.random.normal([2, 3]);
    const folded = nb.jit(fn, { inference: true });
    expect(folded.graph(x)).toMatch(/foldAffine: 1/);
    expectClose(values(folded(x)), values(fn(x)));
  });

  it('leaves a chain alone when the linear output is used twice, the product is integer, or a parameter depends on the input', () => {
    const w = new nb.Variable(nb.random.normal([3, 4]));
    const p = new nb.Variable(nb.random.normal([4]));
    const twice = graphOf((x) => {
      const h = nb.matmul(x, w);
      return nb.add(h.mul(p), h);
    }, [2, 3]);
    expect(foldAffineIntoLinear(twice)).toBe(0);
    const wi = new nb.Variable(nb.tensor([[1, 2], [3, 4]], 'int32'));
    const integer = graphOf((x) => nb.matmul(nb.cast(x, 'int32'), wi).mul(nb.tensor([2, 3], 'int32')), [2, 2]);
    expect(foldAffineIntoLinear(integer)).toBe(0);
    const fromInput = graphOf((x) => nb.matmul(x, w).mul(nb.sum(x)), [2, 3]);
    expect(foldAffineIntoLinear(fromInput)).toBe(0);
  });
});
