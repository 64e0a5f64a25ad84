// Products with at most 4 rows (batch-1 inference) take native's streamed path instead of the
// packed GEMM: the same values as the JS reference, for every transpose, batch and special value.
import { afterAll, describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';

const start = nb.getBackend();
afterAll(() => nb.setBackend(start));
const compiled = ['native', 'wasm'].filter((b) => nb.backendInfo(b).available);

async function on<T>(backend: string, f: () => T): Promise<T> {
  await nb.setBackend(backend);
  return f();
}

function expectNear(got: Float32Array | Float64Array, want: Float32Array | Float64Array): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (Number.isNaN(want[i]!)) expect(got[i]).toBeNaN();
    else expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want[i]!)));
  }
}

describe.each(compiled)('few-row matmul on %s', (backend) => {
  it.each([1, 2, 3, 4, 5])('%i rows: equals the reference for each transpose of A, and batched', async (m) => {
    nb.random.seed(m);
    const a = Array.from(nb.random.normal([m, 300]).dataSync());
    const b = Array.from(nb.random.normal([300, 70]).dataSync());
    const cases = (t: typeof nb) => {
      const A = t.tensor(a, [m, 300]);
      const B = t.tensor(b, [300, 70]);
      const At = t.transpose(A).clone(); // [300, m], used transposed
      const batched = t.reshape(t.concat([A, t.mul(A, 2)], 0), [2, m, 300]);
      return [t.matmul(A, B), t.matmul(At, B, { transposeA: true }), t.matmul(batched, B)].map((r) => r.dataSync().slice());
    };
    const want = await on('js', () => cases(nb));
    const got = await on(backend, () => cases(nb));
    got.forEach((g, i) => expectNear(g as Float32Array, want[i] as Float32Array));
  });

  it('NaN and Infinity propagate as in the reference; float64 keeps its precision', async () => {
    const run = () => [
      nb.matmul(nb.tensor([[1, 0, 2]]), nb.tensor([[1, 2], [Infinity, 3], [NaN, 4]])).dataSync().slice(),
      nb.matmul(nb.tensor([[1, 1e-12]], 'float64'), nb.tensor([[1, 2], [1, 0]], 'float64')).dataSync().slice(),
    ];
    const want = await on('js', run);
    const got = await on(backend, run);
    expect(Array.from(got[0]!)).toEqual(Array.from(want[0]!));
    expect(got[1]![0]).toBe(1 + 1e-12);
    expect(Array.from(got[1]!)).toEqual(Array.from(want[1]!));
  });
});
