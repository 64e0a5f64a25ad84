// The inference pass that gives a product reading a read-only weight transposed (PyTorch's Linear,
// exported as Gemm with transB = 1) the weight's transpose, prepared once, and transposeB off
// (src/jit/passes/untranspose-weights.ts): it fires on that pattern only, the values equal the
// unrewritten graph's to float rounding at one row and at several, and a weight written between
// calls is seen by the next call (the transpose is weight preparation, recomputed after a write).
import { afterAll, describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose } from '../conformance/harness.js';

const start = nb.getBackend();
afterAll(() => nb.setBackend(start));
const backends = ['native', 'wasm', 'js'].filter((b) => nb.backendInfo(b).available);
const nested = (t: nb.Tensor) => t.arraySync() as number[][];
/** The matmul-based lines of the compiled graph (a fusedLinear or a plain matmul). */
const products = (dump: string) => dump.split('\n').filter((l) => /= (fusedLinear|matmul)\(/.test(l));

describe.each(backends)('untransposeWeights on %s', (backend) => {
  it('a product with a transposed weight variable runs with transposeB off and the same values', async () => {
    await nb.setBackend(backend);
    nb.random.seed(8);
    const w = new nb.Variable(nb.random.normal([24, 40])); // [out, in], as torch.nn.Linear keeps it
    const b = new nb.Variable(nb.random.normal([24]));
    const fn = (x: nb.Tensor) => nb.relu(nb.add(nb.matmul(x, w.value(), { transposeB: true }), b.value()));
    const f = nb.jit(fn, { inference: true });
    for (const rows of [1, 5]) {
      const x = nb.random.normal([rows, 40]);
      expectClose(f(x), nested(nb.jit(fn)(x)), { rtol: 1e-5, atol: 1e-5 });
      const dump = f.graph(x);
      expect(dump).toMatch(/untransposeWeights: 1/);
      expect(products(dump)).toHaveLength(1);
      expect(products(dump)[0]).toMatch(/"transposeB":false/);
    }
  });

  it('follows the weight: a write between calls is seen by the next call', async () => {
    await nb.setBackend(backend);
    nb.random.seed(9);
    const w = new nb.Variable(nb.random.normal([6, 10]));
    const fn = (x: nb.Tensor) => nb.matmul(x, w.value(), { transposeB: true });
    const f = nb.jit(fn, { inference: true });
    const x = nb.random.normal([1, 10]);
    const before = nested(f(x));
    w.assign(nb.mul(w.value(), -2));
    const after = f(x);
    expectClose(after, nested(fn(x)), { rtol: 1e-5, atol: 1e-5 });
    expectClose(after, before.map((row) => row.map((v) => -2 * v)), { rtol: 1e-5, atol: 1e-5 });
  });

  it('leaves products whose transposed operand is not a read-only weight, and training graphs', async () => {
    await nb.setBackend(backend);
    nb.random.seed(10);
    const w = new nb.Variable(nb.random.normal([6, 10]));
    const x = nb.random.normal([3, 10]);
    const y = nb.random.normal([6, 10]);
    // The transposed operand is an input, or a weight the function also assigns.
    const inputOperand = nb.jit((a: nb.Tensor, c: nb.Tensor) => nb.matmul(a, c, { transposeB: true }), { inference: true });
    expectClose(inputOperand(x, y), nested(nb.matmul(x, y, { transposeB: true })), { rtol: 1e-5, atol: 1e-5 });
    expect(inputOperand.graph(x, y)).not.toMatch(/untransposeWeights: [1-9]/);
    const assigning = nb.jit(
      (a: nb.Tensor) => {
        w.assign(nb.mul(w.value(), 1));
        return nb.matmul(a, w.value(), { transposeB: true });
      },
      { inference: true },
    );
    expect(assigning.graph(x)).not.toMatch(/untransposeWeights: [1-9]/);
    expect(nb.jit((a: nb.Tensor) => nb.matmul(a, w.value(), { transposeB: true })).graph(x)).not.toMatch(/untransposeWeights/);
  });
});
