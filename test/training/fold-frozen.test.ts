// fit's compiled train step folds a frozen BatchNormalization into the frozen conv before it (the
// step updates neither), and trains the rest as the eager step does, within float rounding; a
// trainable conv before a frozen BN is not folded (its weight changes every step).
import { afterAll, describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { trainStepGraph } from '../../src/training/steps.js';

const start = nb.getBackend();
afterAll(() => nb.setBackend(start));
const backends = ['native', 'wasm', 'js'].filter((b) => nb.backendInfo(b).available);

function net(convTrainable: boolean, jitCompile: boolean): nb.Sequential {
  nb.random.seed(11);
  const m = new nb.Sequential([
    new nb.layers.Conv2D({ filters: 8, kernelSize: 3, useBias: false, inputShape: [8, 8, 3], trainable: convTrainable }),
    new nb.layers.BatchNormalization({ trainable: false }),
    new nb.layers.ReLU(),
    new nb.layers.Flatten(),
    new nb.layers.Dense(4),
  ]);
  const bn = m.layers[1]!;
  bn.setWeights(bn.getWeights().map((w, i) => (i === 3 ? nb.random.uniform(w.shape, { min: 0.5, max: 2 }) : nb.random.normal(w.shape))));
  m.compile({ optimizer: 'sgd', loss: 'mse', jitCompile });
  return m;
}

describe.each(backends)('folding frozen layers in fit on %s', (backend) => {
  it('a frozen Conv2D + frozen BN fold in the train step, and training matches the eager step', async () => {
    await nb.setBackend(backend);
    nb.random.seed(12);
    const x = nb.random.normal([32, 8, 8, 3]);
    const y = nb.random.normal([32, 4]);
    const compiled = net(false, true);
    const eager = net(false, false);
    const hc = await compiled.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0, shuffle: false });
    const he = await eager.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0, shuffle: false });
    const xb = nb.slice(x, [0, 0, 0, 0], [16, 8, 8, 3]);
    const yb = nb.slice(y, [0, 0], [16, 4]);
    expect(trainStepGraph(compiled, [xb], [yb])).toMatch(/foldAffine: 1/);
    const lc = hc.history.loss as number[];
    const le = he.history.loss as number[];
    lc.forEach((v, i) => expect(Math.abs(v - le[i]!)).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(le[i]!))));
    const wc = compiled.getWeights().map((t) => Array.from(t.dataSync()));
    const we = eager.getWeights().map((t) => Array.from(t.dataSync()));
    wc.forEach((w, i) => w.forEach((v, j) => expect(Math.abs(v - we[i]![j]!)).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(we[i]![j]!)))));
    // The frozen weights did not move.
    expect(wc[0]).toEqual(Array.from(net(false, true).getWeights()[0]!.dataSync()));
  });

  it('a trainable conv before a frozen BN is left unfolded', async () => {
    await nb.setBackend(backend);
    nb.random.seed(13);
    const x = nb.random.normal([16, 8, 8, 3]);
    const y = nb.random.normal([16, 4]);
    const m = net(true, true);
    await m.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0 });
    expect(trainStepGraph(m, [x], [y])).toMatch(/\/\/ passes: /);
    expect(trainStepGraph(m, [x], [y])).not.toMatch(/foldAffine: [1-9]/);
  });
});
