// The inference pass that moves pointwise per-channel ops above a channels-last -> channels-first
// transpose (src/jit/passes/sink-transpose.ts): the same values bit for bit (only the layout of
// the intermediates changes), the transpose moves to the end of the chain, and chains it may not
// move (a shared intermediate, a parameter that is not per channel) stay as they are. A binary op
// whose other operand is transposed the same way (a ResNet's residual add) joins the chain on the
// untransposed operand, where that transpose then dies.
import { afterAll, describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';

const start = nb.getBackend();
afterAll(() => nb.setBackend(start));
const backends = ['native', 'wasm', 'js'].filter((b) => nb.backendInfo(b).available);
const values = (t: nb.Tensor) => Array.from(t.dataSync());
const toNchw = (x: nb.Tensor) => nb.transpose(x, [0, 3, 1, 2]);

/** The op names of the graph's nodes, in order. */
const opsOf = (dump: string) => dump.split('\n').filter((l) => l.includes(' = ')).map((l) => /= (\w+)\(/.exec(l)![1]!);

describe.each(backends)('sinkTranspose on %s', (backend) => {
  it('a BN-like chain and relu after an NHWC -> NCHW transpose run before it, with the same bits', async () => {
    await nb.setBackend(backend);
    nb.random.seed(1);
    const x = nb.random.normal([2, 3, 4, 5]);
    const m = nb.random.normal([5, 1, 1]);
    const k = nb.random.uniform([1, 5, 1, 1], { min: 0.5, max: 2 });
    const b = nb.random.normal([5, 1, 1]);
    const fn = (t: nb.Tensor) => nb.relu(nb.add(nb.mul(nb.sub(toNchw(t), m), k), b));
    const sunk = nb.jit(fn, { inference: true });
    const plain = nb.jit(fn);
    expect(values(sunk(x))).toEqual(values(plain(x)));
    expect(values(sunk(x))).toEqual(values(fn(x)));
    const dump = sunk.graph(x);
    expect(dump).toMatch(/sinkTranspose: 1/);
    // The transpose is now the last op over the activations.
    expect(opsOf(dump).at(-1)).toBe('transpose');
    expect(sunk(x).shape).toEqual([2, 5, 3, 4]);
  });

  it('leaves the chain where the transposed value has another use or a parameter varies along another axis', async () => {
    await nb.setBackend(backend);
    nb.random.seed(2);
    const x = nb.random.normal([2, 3, 4, 5]);
    const perRow = nb.random.normal([1, 1, 3, 1]); // varies along H, not the channel axis
    const shared = (t: nb.Tensor) => {
      const y = toNchw(t);
      return [nb.relu(y), nb.neg(y)];
    };
    const notPerChannel = (t: nb.Tensor) => nb.mul(toNchw(t), perRow);
    for (const fn of [shared, notPerChannel]) {
      const f = nb.jit(fn as (t: nb.Tensor) => nb.Tensor, { inference: true });
      const got = [f(x)].flat() as nb.Tensor[];
      const want = [fn(x)].flat() as nb.Tensor[];
      got.forEach((g, i) => expect(values(g)).toEqual(values(want[i]!)));
      expect(f.graph(x)).not.toMatch(/sinkTranspose: [1-9]/);
    }
  });

  it('a residual add of two like-transposed values, then relu, runs before one transpose, with the same bits', async () => {
    await nb.setBackend(backend);
    nb.random.seed(3);
    const a = nb.random.normal([2, 3, 4, 5]);
    const b = nb.random.normal([2, 3, 4, 5]);
    const k = nb.random.uniform([5, 1, 1], { min: 0.5, max: 2 });
    // BN-like scale on one branch, as after a conv; the shortcut comes straight through its transpose.
    const fn = (x: nb.Tensor, y: nb.Tensor) => nb.relu(nb.add(nb.mul(toNchw(x), k), toNchw(y)));
    const sunk = nb.jit(fn, { inference: true });
    const plain = nb.jit(fn);
    expect(values(sunk(a, b))).toEqual(values(plain(a, b)));
    expect(values(sunk(a, b))).toEqual(values(fn(a, b)));
    const ops = opsOf(sunk.graph(a, b));
    expect(ops.filter((op) => op === 'transpose')).toHaveLength(1);
    expect(ops.at(-1)).toBe('transpose');
    // Either operand order.
    const flipped = (x: nb.Tensor, y: nb.Tensor) => nb.relu(nb.add(toNchw(y), nb.mul(toNchw(x), k)));
    const f2 = nb.jit(flipped, { inference: true });
    expect(values(f2(a, b))).toEqual(values(flipped(a, b)));
    expect(opsOf(f2.graph(a, b)).filter((op) => op === 'transpose')).toHaveLength(1);
  });

  it('leaves a binary op whose other operand is transposed differently, or whose transpose stays alive', async () => {
    await nb.setBackend(backend);
    nb.random.seed(4);
    const a = nb.random.normal([2, 3, 4, 5]);
    const b = nb.random.normal([2, 5, 4, 3]);
    const c = nb.random.normal([2, 3, 4, 5]);
    // [2, 5, 4, 3] -> [2, 5, 3, 4]: the same shape as toNchw(a), another permutation.
    const otherPerm = (x: nb.Tensor, y: nb.Tensor) => nb.relu(nb.add(toNchw(x), nb.transpose(y, [0, 1, 3, 2])));
    // The shortcut's transpose is also read by a non-transpose op, or is an output itself.
    const sharedTwin = (x: nb.Tensor, y: nb.Tensor) => {
      const ty = toNchw(y);
      return [nb.relu(nb.add(toNchw(x), ty)), nb.neg(ty)];
    };
    const twinIsOutput = (x: nb.Tensor, y: nb.Tensor) => {
      const ty = toNchw(y);
      return [nb.relu(nb.add(toNchw(x), ty)), ty];
    };
    const cases: [(x: nb.Tensor, y: nb.Tensor) => nb.Tensor | nb.Tensor[], nb.Tensor][] = [[otherPerm, b], [sharedTwin, c], [twinIsOutput, c]];
    for (const [fn, y] of cases) {
      const f = nb.jit(fn as (x: nb.Tensor, y: nb.Tensor) => nb.Tensor, { inference: true });
      const got = [f(a, y)].flat() as nb.Tensor[];
      const want = [fn(a, y)].flat() as nb.Tensor[];
      got.forEach((g, i) => expect(values(g)).toEqual(values(want[i]!)));
      expect(f.graph(a, y)).not.toMatch(/sinkTranspose: [1-9]/);
    }
  });
});
