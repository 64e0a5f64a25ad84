// An ONNX model's predict is compiled with the jit's inference rewrites, like a Keras model's: a
// PyTorch CNN whose BatchNormalization nodes stayed in the file (scripts/make-onnx-bn-fixture.py,
// channels first) runs as three conv2d+bias+relu kernels on channels-last activations, with the
// BN folded into the convs (src/jit/passes/sink-transpose.ts moves BN and relu above the NCHW
// transpose, fold-affine folds them), matches onnxruntime, and follows changes of its weights.
import { afterAll, describe, expect, it } from 'vitest';
import * as nb from '../../../src/index.js';
import { backendsUnderTest } from '../../conformance/harness.js';
import { fixtureBytes, maxRelError, ortOutputs, predictValues, seededImage } from './onnx-fixtures.js';

const FILE = 'conv-bn-relu.onnx';
const start = nb.getBackend();
afterAll(() => nb.setBackend(start));

const image = (batch: number, seed: number) => seededImage(batch, 3, 12, seed);

describe.each(backendsUnderTest())('compiled predict of an imported Conv+BN+Relu CNN on %s', (backend) => {
  it('matches onnxruntime and the eager graph at two batch sizes', async () => {
    await nb.setBackend(backend);
    const model = nb.onnx.fromBytes(fixtureBytes(FILE));
    for (const batch of [1, 4]) {
      const raw = image(batch, batch);
      const want = (await ortOutputs(FILE, { image: raw })).logits!;
      const x = nb.tensor(raw.data, raw.shape);
      const compiled = predictValues(model, x, true);
      expect(maxRelError(compiled, want.data)).toBeLessThan(1e-4);
      expect(maxRelError(compiled, predictValues(model, x, false))).toBeLessThan(1e-5);
    }
  });

  it('the compiled graph has no normalization or activation pass left and no transpose between the convs', async () => {
    await nb.setBackend(backend);
    const model = nb.onnx.fromBytes(fixtureBytes(FILE));
    const raw = image(2, 3);
    const dump = (model as unknown as { compiledGraph(x: nb.Tensor): string }).compiledGraph(nb.tensor(raw.data, raw.shape));
    const body = dump.split('\n').filter((l) => l.includes(' = '));
    const ops = body.map((l) => /= (\w+)\(/.exec(l)![1]);
    // The only ops over activations: the input's transpose, three fused convs (+ bias + relu), the
    // mean (over the channels-last value: reduce-transpose.ts) and the classifier; everything else
    // works on weights.
    const overActivations = body.filter((l) => /float32\[2,/.test(l.split(':').at(-1)!)).map((l) => /= (\w+)\(/.exec(l)![1]);
    expect(overActivations).toEqual(['transpose', 'fusedLinear', 'fusedLinear', 'fusedLinear', 'sum', 'div', 'fusedLinear']);
    expect(body.filter((l) => l.includes('base=conv2d') && l.includes('activation=relu'))).toHaveLength(3);
    expect(ops).not.toContain('relu');
    expect(dump).toMatch(/sinkTranspose: 3, reduceTranspose: 1, foldAffine: 3/);
  });

  it('follows its weights: a changed BN statistic or conv weight is seen by the next compiled predict', async () => {
    await nb.setBackend(backend);
    const model = nb.onnx.fromBytes(fixtureBytes(FILE));
    const raw = image(2, 5);
    const x = nb.tensor(raw.data, raw.shape);
    const before = predictValues(model, x, true);
    const w = model.weights;
    w['bn2.running_var']!.assign(nb.mul(w['bn2.running_var']!, 3));
    w['conv1.weight']!.assign(nb.neg(w['conv1.weight']!));
    const after = predictValues(model, x, true);
    const eager = predictValues(model, x, false);
    expect(maxRelError(after, eager)).toBeLessThan(1e-5);
    expect(maxRelError(after, before)).toBeGreaterThan(1e-2);
  });

  it('runs eagerly under a GradientTape, so the weights get gradients', async () => {
    await nb.setBackend(backend);
    const model = nb.onnx.fromBytes(fixtureBytes(FILE));
    const raw = image(1, 9);
    const x = nb.tensor(raw.data, raw.shape);
    const tape = new nb.GradientTape();
    const loss = nb.sum(model.predict(x) as nb.Tensor);
    const grads = tape.gradient(loss, model.trainableWeights) as nb.Tensor[];
    expect(grads).toHaveLength(model.trainableWeights.length);
    expect(grads.every((g) => g !== undefined && Array.from(g.dataSync()).some((v) => v !== 0))).toBe(true);
  });
});
