// A PyTorch ResNet's compiled predict (residual-block.onnx, scripts/make-onnx-resnet-fixture.py:
// conv+BN stem, max pool, an identity and a projection basic block, global average pool, Gemm,
// channels first, BN nodes kept) runs channels last from the input's transpose on: the residual
// add + relu of each block joins its convs' channels-last outputs (sink-transpose.ts moves it above
// the NCHW transposes of both branches) and the pool reduces the channels-last value
// (reduce-transpose.ts), so no other transpose is left. It matches onnxruntime and the eager graph
// and follows changes of its weights.
import { afterAll, describe, expect, it } from 'vitest';
import * as nb from '../../../src/index.js';
import { backendsUnderTest } from '../../conformance/harness.js';
import { fixtureBytes, maxRelError, ortOutputs, predictValues, seededImage } from './onnx-fixtures.js';

const FILE = 'residual-block.onnx';
const start = nb.getBackend();
afterAll(() => nb.setBackend(start));

const image = (batch: number, seed: number) => seededImage(batch, 3, 16, seed);

const compiledGraph = (model: nb.onnx.OnnxModel, x: nb.Tensor) => (model as unknown as { compiledGraph(x: nb.Tensor): string }).compiledGraph(x);

describe.each(backendsUnderTest())('compiled predict of an imported PyTorch ResNet on %s', (backend) => {
  it('matches onnxruntime and the eager graph at two batch sizes', async () => {
    await nb.setBackend(backend);
    const model = nb.onnx.fromBytes(fixtureBytes(FILE));
    for (const batch of [1, 3]) {
      const raw = image(batch, batch + 10);
      const want = (await ortOutputs(FILE, { image: raw })).logits!;
      const x = nb.tensor(raw.data, raw.shape);
      const compiled = predictValues(model, x, true);
      expect(maxRelError(compiled, want.data)).toBeLessThan(1e-4);
      expect(maxRelError(compiled, predictValues(model, x, false))).toBeLessThan(1e-5);
    }
  });

  it('runs the residual add + relu and the pool channels last: no transpose but the input one', async () => {
    await nb.setBackend(backend);
    const model = nb.onnx.fromBytes(fixtureBytes(FILE));
    const raw = image(2, 4);
    const dump = compiledGraph(model, nb.tensor(raw.data, raw.shape));
    const body = dump.split('\n').filter((l) => l.includes(' = '));
    // The ops over activations (batch 2), in order; the rest works on weights.
    const overActivations = body.filter((l) => /float32\[2,/.test(l.split(':').at(-1)!)).map((l) => /= (\w+)\(/.exec(l)![1]);
    expect(overActivations.filter((op) => op === 'transpose')).toHaveLength(1);
    expect(overActivations[0]).toBe('transpose');
    // Six convs: the stem's runs with its max pool as one fusedConvPool node, the other five alone.
    expect(body.filter((l) => l.includes('base=conv2d'))).toHaveLength(5);
    expect(body.filter((l) => /= fusedConvPool\(/.test(l))).toHaveLength(1);
    // Both residual adds, each with its relu, over channels-last [2, H, W, C] values.
    const residuals = body.filter((l) => /"op":"add".*"op":"relu"/.test(l));
    expect(residuals.map((l) => l.split(':').at(-1)!.trim())).toEqual(['float32[2, 8, 8, 8]', 'float32[2, 4, 4, 16]']);
    expect(body.some((l) => /= (add|relu|sub|mul)\(/.test(l) && /float32\[2,/.test(l.split(':').at(-1)!))).toBe(false);
  });

  it('follows its weights: a changed BN statistic or a shortcut conv weight is seen by the next compiled predict', async () => {
    await nb.setBackend(backend);
    const model = nb.onnx.fromBytes(fixtureBytes(FILE));
    const raw = image(2, 5);
    const x = nb.tensor(raw.data, raw.shape);
    const before = predictValues(model, x, true);
    const w = model.weights;
    const names = Object.keys(w);
    const shortcut = names.find((n) => n.includes('down') && n.endsWith('weight') && w[n]!.shape.length === 4)!;
    const bnVar = names.find((n) => n.startsWith('block1.bn2') && n.endsWith('running_var'))!;
    expect(shortcut && bnVar).toBeTruthy();
    w[bnVar]!.assign(nb.mul(w[bnVar]!, 3));
    w[shortcut]!.assign(nb.neg(w[shortcut]!));
    const after = predictValues(model, x, true);
    const eager = predictValues(model, x, false);
    expect(maxRelError(after, eager)).toBeLessThan(1e-5);
    expect(maxRelError(after, before)).toBeGreaterThan(1e-2);
  });
});
