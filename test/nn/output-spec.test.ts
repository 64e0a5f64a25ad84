// A layer's output shape comes from tracing its call (shape rules only), not from running it on
// zeros: building a functional model computes nothing.
import { afterEach, describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';

describe('layer output specs', () => {
  const kernels = engine.backend.kernels as Record<string, unknown>;
  const saved = { ...kernels };
  afterEach(() => Object.assign(kernels, saved));

  it('a functional model of Dense/Conv2D/Lambda layers is wired without running a kernel', () => {
    // Any kernel call while wiring the model would throw.
    for (const name of ['matmul', 'conv2d', 'add', 'relu', 'exp', 'sum', 'fusedLinear']) {
      kernels[name] = () => {
        throw new Error(`kernel '${name}' ran while computing output shapes`);
      };
    }
    const input = nb.keras.Input([8, 8, 3]);
    const conv = new nb.layers.Conv2D(4, 3, { activation: 'relu' }).apply(input) as nb.SymbolicTensor;
    const flat = new nb.layers.Flatten().apply(conv) as nb.SymbolicTensor;
    const lambda = new nb.layers.Lambda((x: nb.Tensor) => nb.sum(nb.exp(x), { axis: -1, keepDims: true })).apply(flat) as nb.SymbolicTensor;
    const out = new nb.layers.Dense(2).apply(nb.keras.Input([5])) as nb.SymbolicTensor;
    expect(conv.shape).toEqual([null, 6, 6, 4]);
    expect(flat.shape).toEqual([null, 144]);
    expect(lambda.shape).toEqual([null, 1]);
    expect(out.shape).toEqual([null, 2]);
    expect(out.dtype).toBe('float32');
  });

  it('a layer whose call reads values still gets its shape (from a run on zeros)', () => {
    const reads = new nb.layers.Lambda((x: nb.Tensor) => nb.tensor(Array.from(x.dataSync(), (v) => v + 1)).reshape(x.shape));
    const out = reads.apply(nb.keras.Input([3])) as nb.SymbolicTensor;
    expect(out.shape).toEqual([null, 3]);
  });
});
