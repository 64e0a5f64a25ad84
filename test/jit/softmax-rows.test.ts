// The one-kernel softmax over the last axis (src/jit/softmax-rows-op.ts, native/src/softmax-rows.cc)
// that the jit's softmax pass makes of the composed softmax in inference graphs on native and
// wasm: bit-equal to the composed ops run eagerly (rows of 1, 10 and 100 elements, float32 and
// float64, rows of -Infinity, NaN, huge and tiny values), equal to the JS reference of the op
// (float32 to the bit, float64 within a few ulps),
// only in inference graphs (training graphs keep the composed ops and their gradient), and
// refused where the pattern is not a softmax over the last axis.
import { afterAll, describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { softmaxRowsOp, softmaxRowsReference } from '../../src/jit/softmax-rows-op.js';
import { run1 } from '../../src/ops/run.js';

const start = nb.getBackend();
afterAll(() => nb.setBackend(start));
const backends = ['native', 'wasm'].filter((b) => nb.backendInfo(b).available);

const bits = (t: nb.Tensor) => Array.from(t.dataSync(), (v) => (Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : String(v)));

/** Rows of n values: random ones, then the special rows. */
function rows(n: number, count: number, seed: number): number[] {
  let s = seed;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296 - 0.5) * 20;
  const out = Array.from({ length: n * count }, rand);
  const special = [
    Array(n).fill(-Infinity),
    Array.from({ length: n }, (_, j) => (j === n - 1 ? Infinity : rand())),
    Array.from({ length: n }, (_, j) => (j === 0 ? NaN : rand())),
    Array.from({ length: n }, (_, j) => (j % 2 ? 3e38 : -3e38)),
    Array.from({ length: n }, (_, j) => (j === 0 ? 1e-30 : j === 1 ? -0 : 0)),
    Array.from({ length: n }, () => 88.5),
  ];
  return out.concat(...special);
}

describe.each(backends)('softmaxRows on %s', (backend) => {
  for (const dtype of ['float32', 'float64'] as const)
    for (const n of [1, 10, 100]) {
      it(`${dtype} rows of ${n}: one node in the compiled graph, bit-equal to eager softmax and to the reference`, async () => {
        await nb.setBackend(backend);
        const x = nb.tensor(rows(n, 37, n), [37 + 6, n], dtype);
        const f = nb.jit((t: nb.Tensor) => nb.softmax(t), { inference: true });
        const compiled = f(x);
        const graph = f.graph(x);
        expect(graph).toMatch(/softmaxRows\(/);
        expect(graph).not.toMatch(/\bexp\(|\bsum\(/);
        const eager = nb.softmax(x);
        expect(bits(compiled)).toEqual(bits(eager));
        const ref = softmaxRowsReference(x.dataSync(), n, dtype);
        // float32's exp is the reference's to the bit; float64's is the addon's own and long rows sum in eight lanes: a few ulps.
        if (dtype === 'float32') expect(bits(compiled)).toEqual(bits(nb.tensor(Array.from(ref), [43, n], dtype)));
        else
          compiled.dataSync().forEach((v, i) => {
            if (Number.isNaN(ref[i]!)) expect(v).toBeNaN();
            else expect(Math.abs(v - ref[i]!)).toBeLessThanOrEqual(1e-14 * Math.abs(ref[i]!));
          });
        // The special rows came out as the composed ops make them (NaN rows, 0/0 for -Infinity, ...).
        const last = compiled.dataSync().slice(37 * n);
        expect(Number.isNaN(last[0]!)).toBe(true);
        expect(Array.from(last.slice(5 * n)).every((v) => v === 1 / n || Math.abs(v - 1 / n) < 1e-7)).toBe(true);
      });
    }

  it('a rank-3 input and a dense layer ending in softmax (batch 1 and 256) match eager predict bit for bit', async () => {
    await nb.setBackend(backend);
    const x3 = nb.random.normal([4, 5, 7]);
    const f = nb.jit((t: nb.Tensor) => nb.softmax(t), { inference: true });
    expect(bits(f(x3))).toEqual(bits(nb.softmax(x3)));
    // An empty batch: no rows, no work.
    expect(f(nb.zeros([0, 10])).shape).toEqual([0, 10]);
    nb.random.seed(3);
    const model = new nb.Sequential([new nb.layers.Dense(16, { activation: 'relu', inputShape: [13] }), new nb.layers.Dense(10, { activation: 'softmax' })]);
    const g = nb.jit((t: nb.Tensor) => model.apply(t) as nb.Tensor, { inference: true });
    for (const batch of [1, 256]) {
      const xb = nb.random.normal([batch, 13]);
      expect(g.graph(xb)).toMatch(/softmaxRows\(/);
      expect(bits(g(xb))).toEqual(bits(model.apply(xb) as nb.Tensor));
    }
  });

  it('is left out of training graphs (the softmax gradient is the composed one) and of softmax over another axis', async () => {
    await nb.setBackend(backend);
    const x = nb.random.normal([6, 10]);
    const train = nb.jit((t: nb.Tensor) => nb.grad((u: nb.Tensor) => nb.sum(nb.mul(nb.softmax(u), nb.range(0, 10))))(t));
    expect(train.graph(x)).not.toMatch(/softmaxRows/);
    const other = nb.jit((t: nb.Tensor) => nb.softmax(t, 0), { inference: true });
    expect(other.graph(x)).not.toMatch(/softmaxRows/);
    expect(bits(other(x))).toEqual(bits(nb.softmax(x, 0)));
    // A graph that also returns the row maximum keeps the composed ops (an intermediate is read outside).
    const shared = nb.jit((t: nb.Tensor) => [nb.softmax(t), nb.exp(nb.sub(t, nb.max(t, { axis: -1, keepDims: true })))], { inference: true });
    const [s] = shared(x) as nb.Tensor[];
    expect(bits(s!)).toEqual(bits(nb.softmax(x)));
  });

  it('the kernel names the op on bad input', async () => {
    await nb.setBackend(backend);
    const x = nb.tensor([1, 2, 3], [3], 'int32');
    expect(() => run1(softmaxRowsOp, [x], { shape: [3], dtype: 'int32' }).dataSync()).toThrow(/softmaxRows: expected float32 or float64/);
  });
});

describe('softmaxRows reference and batching rule', () => {
  it('the reference backend runs the op with the composed softmax bits (float32 and float64)', async () => {
    await nb.setBackend('js');
    for (const dtype of ['float32', 'float64'] as const) {
      const x = nb.tensor(rows(10, 9, 4), [15, 10], dtype);
      expect(bits(run1(softmaxRowsOp, [x], { shape: [15, 10], dtype }))).toEqual(bits(nb.softmax(x)));
    }
  });

  it('vmap over the op: softmax over each unbatched row, with the batch axis first or last', async () => {
    await nb.setBackend('js');
    const x = nb.random.normal([3, 4, 5]);
    const f = (t: nb.Tensor) => run1(softmaxRowsOp, [t], { shape: t.shape, dtype: 'float32' });
    expect(bits(nb.vmap(f)(x))).toEqual(bits(nb.softmax(x)));
    // Batched along the last axis: each [3, 4] slice is softmaxed over its 4 columns.
    const last = nb.vmap(f, { inAxes: 2, outAxes: 2 })(x);
    expect(bits(last)).toEqual(bits(nb.softmax(x, 1)));
  });
});
