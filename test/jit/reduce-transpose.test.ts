// The inference pass that reduces a value before its transpose rather than after it
// (src/jit/passes/reduce-transpose.ts): the global average pool of a channels-first model over the
// NCHW transpose of a channels-last activation. The transpose goes (a reshape of the small result
// takes its place where only size-1 axes move), values equal the unrewritten graph (max exactly,
// sums to float rounding), and a transpose with another use stays.
import { afterAll, describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose } from '../conformance/harness.js';

const start = nb.getBackend();
afterAll(() => nb.setBackend(start));
const backends = ['native', 'wasm', 'js'].filter((b) => nb.backendInfo(b).available);
const values = (t: nb.Tensor) => Array.from(t.dataSync());
const toNchw = (x: nb.Tensor) => nb.transpose(x, [0, 3, 1, 2]);
const opsOf = (dump: string) => dump.split('\n').filter((l) => l.includes(' = ')).map((l) => /= (\w+)\(/.exec(l)![1]!);

describe.each(backends)('reduceTranspose on %s', (backend) => {
  it('a mean over H, W of an NHWC -> NCHW transpose reduces the NHWC value, with or without kept dims', async () => {
    await nb.setBackend(backend);
    nb.random.seed(5);
    const x = nb.random.normal([2, 3, 4, 6]);
    for (const keepDims of [true, false]) {
      const fn = (t: nb.Tensor) => nb.mean(toNchw(t), { axis: [2, 3], keepDims });
      const f = nb.jit(fn, { inference: true });
      const got = f(x);
      expect(got.shape).toEqual(keepDims ? [2, 6, 1, 1] : [2, 6]);
      expectClose(got, (nb.jit(fn)(x)).arraySync() as number[], { atol: 1e-6, rtol: 1e-5 });
      const dump = f.graph(x);
      expect(dump).toMatch(/reduceTranspose: 1/);
      expect(opsOf(dump)).not.toContain('transpose');
    }
  });

  it('keeps a transpose where the kept axes change order, and max stays exact', async () => {
    await nb.setBackend(backend);
    nb.random.seed(6);
    const x = nb.random.normal([2, 3, 4, 6]);
    // Over H only: the result [N, C, W] needs x's [N, W, C] axes swapped.
    const fn = (t: nb.Tensor) => nb.max(toNchw(t), { axis: 2 });
    const f = nb.jit(fn, { inference: true });
    expect(f(x).shape).toEqual([2, 6, 4]);
    expect(values(f(x))).toEqual(values(fn(x)));
    const dump = f.graph(x);
    expect(dump).toMatch(/reduceTranspose: 1/);
    // The transpose now permutes the reduced [2, 4, 6] result, not the [2, 3, 4, 6] input.
    expect(dump).toMatch(/transpose\(%\d+\) \{perm=\[0,2,1\]\} : float32\[2, 6, 4\]/);
  });

  it('leaves the transpose where another op reads it, and outside inference graphs', async () => {
    await nb.setBackend(backend);
    nb.random.seed(7);
    const x = nb.random.normal([2, 3, 4, 6]);
    const shared = (t: nb.Tensor) => {
      const y = toNchw(t);
      return [nb.sum(y, { axis: [2, 3] }), nb.relu(y)];
    };
    const f = nb.jit(shared, { inference: true });
    const got = [f(x)].flat() as nb.Tensor[];
    const want = shared(x);
    got.forEach((g, i) => expect(values(g)).toEqual(values(want[i]!)));
    expect(f.graph(x)).not.toMatch(/reduceTranspose: [1-9]/);
    const training = nb.jit((t: nb.Tensor) => nb.sum(toNchw(t), { axis: [2, 3] }));
    expect(training.graph(x)).not.toMatch(/reduceTranspose/);
  });
});
