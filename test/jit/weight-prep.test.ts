// Compiled inference graphs compute their weight-only part (folded BN weights, transposed imported
// weights) once and reuse it until a variable is written: by assign, by a compiled training step
// (which may write the variable's buffer in place), by setWeights or fit. Never stale.
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import * as nb from '../../src/index.js';
import { Plan } from '../../src/jit/executor.js';

const start = nb.getBackend();
afterAll(() => nb.setBackend(start));
afterEach(() => vi.restoreAllMocks());
const backends = ['native', 'wasm', 'js'].filter((b) => nb.backendInfo(b).available);

const values = (t: nb.Tensor) => Array.from(t.dataSync());

/** Counts runs of weight-preparation plans (the only plans run without inputs here). */
function countPrepRuns(): { readonly count: number } {
  const spy = vi.spyOn(Plan.prototype, 'run');
  return {
    get count() {
      return spy.mock.calls.filter(([inputs]) => inputs.length === 0).length;
    },
  };
}

describe.each(backends)('weight preparation of inference graphs on %s', (backend) => {
  it('runs once over repeated calls, again after each assign, and the results equal the uncached graph bit for bit', async () => {
    await nb.setBackend(backend);
    nb.random.seed(3);
    const w = new nb.Variable(nb.random.normal([6, 5]));
    const s = new nb.Variable(nb.random.uniform([5], { min: 0.5, max: 2 }));
    const fn = (x: nb.Tensor) => nb.relu(nb.matmul(x, nb.mul(nb.transpose(nb.transpose(w)), nb.exp(s))));
    const cached = nb.jit(fn, { inference: true });
    const plain = nb.jit(fn);
    const x = nb.random.normal([4, 6]);
    const runs = countPrepRuns();
    for (let i = 0; i < 3; i++) expect(values(cached(x))).toEqual(values(plain(x)));
    expect(runs.count).toBe(1);
    expect(cached.graph(x)).toMatch(/weightPrep: [1-9]/);
    s.assign(nb.mul(s, 2));
    expect(values(cached(x))).toEqual(values(plain(x)));
    w.assign(nb.neg(w));
    expect(values(cached(x))).toEqual(values(plain(x)));
    expect(values(cached(x))).toEqual(values(plain(x)));
    expect(runs.count).toBe(3);
  });

  it('writes to variables the weight graph does not read (another model, a compiled step on them) do not recompute it', async () => {
    await nb.setBackend(backend);
    nb.random.seed(6);
    const w = new nb.Variable(nb.random.normal([5, 4]));
    const s = new nb.Variable(nb.random.uniform([4], { min: 0.5, max: 2 }));
    const other = new nb.Variable(nb.random.normal([5, 4]));
    const fn = (x: nb.Tensor) => nb.matmul(x, nb.mul(w, nb.exp(s)));
    const cached = nb.jit(fn, { inference: true });
    // Takes an input, so that its plan runs are not counted as weight preparations.
    const step = nb.jit((d: nb.Tensor) => {
      other.assign(nb.sub(other, d));
    });
    const x = nb.random.normal([6, 5]);
    const runs = countPrepRuns();
    expect(values(cached(x))).toEqual(values(fn(x)));
    other.assign(nb.neg(other));
    step(nb.tensor(0.5));
    expect(values(cached(x))).toEqual(values(fn(x)));
    expect(runs.count).toBe(1);
    s.assign(nb.add(s, 0.25));
    expect(values(cached(x))).toEqual(values(fn(x)));
    expect(runs.count).toBe(2);
    other.assign(nb.neg(other));
    expect(values(cached(x))).toEqual(values(fn(x)));
    expect(runs.count).toBe(2);
  });

  it('follows a compiled training step that updates the weights (in place where the backend can)', async () => {
    await nb.setBackend(backend);
    nb.random.seed(4);
    const w = new nb.Variable(nb.random.normal([3, 3]));
    const predict = nb.jit((x: nb.Tensor) => nb.matmul(x, nb.mul(w, 2)), { inference: true });
    const step = nb.jit(() => {
      w.assign(nb.sub(w, 0.25));
    });
    const x = nb.eye(3);
    for (let i = 0; i < 3; i++) {
      const want = values(nb.mul(w, 2));
      expect(values(predict(x))).toEqual(want);
      step();
    }
    expect(values(predict(x))).toEqual(values(nb.mul(w, 2)));
  });

  it('a Conv2D + BN model predicts like its eager forward pass after fit and setWeights between predicts', async () => {
    await nb.setBackend(backend);
    nb.random.seed(5);
    const model = new nb.Sequential([
      new nb.layers.Conv2D({ filters: 4, kernelSize: 3, useBias: false, inputShape: [6, 6, 2] }),
      new nb.layers.BatchNormalization(),
      new nb.layers.ReLU(),
      new nb.layers.Flatten(),
      new nb.layers.Dense(3),
    ]);
    model.compile({ optimizer: 'adam', loss: 'mse' });
    const x = nb.random.normal([16, 6, 6, 2]);
    const y = nb.random.normal([16, 3]);
    const eager = () => values(model.apply(x, { training: false }) as nb.Tensor);
    const close = (a: number[], b: number[]) => a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(b[i]!))));
    close(values(model.predict(x) as nb.Tensor), eager());
    await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    close(values(model.predict(x) as nb.Tensor), eager());
    const before = values(model.predict(x) as nb.Tensor);
    model.setWeights(model.getWeights().map((t) => nb.mul(t, 1.5)));
    const after = values(model.predict(x) as nb.Tensor);
    close(after, eager());
    expect(after.some((v, i) => Math.abs(v - before[i]!) > 1e-3)).toBe(true);
  });
});
