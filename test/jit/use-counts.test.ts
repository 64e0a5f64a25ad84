// Use counting for the jit passes (src/jit/passes/fusion.ts): useCounts counts each node input slot
// and each output or update once, and usesOf agrees with it. The passes that count once and again
// only after a rewrite (reduce-transpose, conv-pool) still rewrite two candidates in a row, where
// the second reads what the first rewrite put in place, and still refuse a value with another use.
import { afterAll, describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { traceGraph } from '../../src/jit/trace.js';
import { reduceBeforeTranspose } from '../../src/jit/passes/index.js';
import { useCounts, usesOf } from '../../src/jit/passes/fusion.js';
import type { Graph, Node } from '../../src/jit/graph.js';
import { expectClose } from '../conformance/harness.js';

const start = nb.getBackend();
afterAll(() => nb.setBackend(start));
const backends = ['native', 'wasm', 'js'].filter((b) => nb.backendInfo(b).available);
const values = (t: nb.Tensor) => Array.from(t.dataSync());
const graphOf = (fn: (x: nb.Tensor) => nb.Tensor[], shape: number[]): Graph => traceGraph([{ shape, dtype: 'float32' }], ([x]) => fn(x!));
const opsOf = (dump: string) => dump.split('\n').filter((l) => l.includes(' = ')).map((l) => /= (\w+)\(/.exec(l)![1]!);
const toNchw = (x: nb.Tensor) => nb.transpose(x, [0, 3, 1, 2]);

describe('useCounts', () => {
  it('counts a value read twice by one node twice, an output as a use, and leaves an unused value out', () => {
    const g = graphOf((x) => {
      const sq = nb.mul(x, x);
      nb.exp(x); // unused
      const neg = nb.neg(sq);
      return [sq, neg, neg];
    }, [3]);
    expect(g.nodes.map((n) => n.op.name)).toEqual(['mul', 'exp', 'neg']);
    const [mul, exp, neg] = g.nodes as [Node, Node, Node];
    const x = g.inputs[0]!;
    const count = useCounts(g);
    expect(count.get(x)).toBe(3); // twice by mul, once by exp
    expect(count.get(mul.outputs[0]!)).toBe(2); // by neg and as an output
    expect(count.get(neg.outputs[0]!)).toBe(2); // returned twice
    expect(count.has(exp.outputs[0]!)).toBe(false);
    expect(count.size).toBe(3);

    const uses = usesOf(g);
    expect(uses.count).toEqual(count);
    expect(uses.readers.get(x)).toEqual([mul, mul, exp]);
    expect(uses.readers.get(mul.outputs[0]!)).toEqual([neg]);
    expect(uses.readers.has(neg.outputs[0]!)).toBe(false);
  });

  it('counts a variable update as a use', () => {
    const v = new nb.Variable(nb.zeros([3]));
    const g = graphOf((x) => [nb.exp(x)], [3]);
    const y = g.outputs[0]!;
    g.updates.set(v, y);
    expect(useCounts(g).get(y)).toBe(2);
  });
});

// max over H of the NCHW transpose ([N, C, W]), then a sum over W of that result transposed to
// [N, W, C]: the second transpose reads the node the first rewrite put in the first reduction's place.
const twoReductions = (t: nb.Tensor) => nb.sum(nb.transpose(nb.max(toNchw(t), { axis: 2 }), [0, 2, 1]), { axis: 1 });

describe('reduceBeforeTranspose, two candidates in a row', () => {
  it('the pass alone rewrites both on the traced graph', () => {
    const g = graphOf((x) => [twoReductions(x)], [2, 3, 4, 6]);
    expect(g.nodes.map((n) => n.op.name)).toEqual(['transpose', 'max', 'transpose', 'sum']);
    expect(reduceBeforeTranspose(g)).toBe(2);
    // max of x over H, the small [2, 4, 6] result transposed, then summed over its last axis.
    expect(g.nodes.map((n) => n.op.name)).toEqual(['max', 'transpose', 'sum']);
    expect(g.nodes[1]!.inputs[0]!.shape).toEqual([2, 4, 6]);
  });

  it.each(backends)('compiled on %s: both rewritten, equal to eager; a transpose also returned stays', async (backend) => {
    await nb.setBackend(backend);
    nb.random.seed(11);
    const x = nb.random.normal([2, 3, 4, 6]);
    const f = nb.jit(twoReductions, { inference: true });
    expectClose(f(x), twoReductions(x).arraySync() as number[], { atol: 1e-6, rtol: 1e-5 });
    const dump = f.graph(x);
    expect(dump).toMatch(/reduceTranspose: 2/);
    expect(opsOf(dump).filter((op) => op === 'transpose')).toHaveLength(1);

    // The first transpose is also a graph output: that use keeps it; the second is rewritten.
    const shared = (t: nb.Tensor) => {
      const y = toNchw(t);
      return [nb.sum(nb.transpose(nb.max(y, { axis: 2 }), [0, 2, 1]), { axis: 1 }), y];
    };
    const g = nb.jit(shared, { inference: true });
    const got = g(x) as nb.Tensor[];
    const want = shared(x);
    expectClose(got[0]!, want[0]!.arraySync() as number[], { atol: 1e-6, rtol: 1e-5 });
    expect(values(got[1]!)).toEqual(values(want[1]!));
    expect(g.graph(x)).toMatch(/reduceTranspose: 1/);
  });
});

describe.each(backends)('fuseConvPool, two candidates in a row, on %s', (backend) => {
  it('fuses both convs with their pools, bit-equal to eager; a conv output also returned is left alone', async () => {
    await nb.setBackend(backend);
    nb.random.seed(12);
    const f1 = new nb.Variable(nb.random.normal([3, 3, 4, 8]));
    const b1 = new nb.Variable(nb.random.normal([8]));
    const f2 = new nb.Variable(nb.random.normal([3, 3, 8, 8]));
    const b2 = new nb.Variable(nb.random.normal([8]));
    const x = nb.random.normal([3, 14, 14, 4]);
    const block1 = (t: nb.Tensor) => nb.relu(nb.add(nb.conv2d(t, f1), b1));
    // The second conv reads the first pool's output, which the first fusion replaces.
    const rest = (y: nb.Tensor) => nb.maxPool(nb.relu(nb.add(nb.conv2d(nb.avgPool(y, { poolSize: 2 }), f2), b2)), { poolSize: 2 });
    const both = (t: nb.Tensor) => rest(block1(t));
    const f = nb.jit(both, { inference: true });
    expect(values(f(x))).toEqual(values(both(x)));
    const dump = f.graph(x);
    expect(dump).toMatch(/convPool: 2/);
    expect(opsOf(dump)).toEqual(['fusedConvPool', 'fusedConvPool']);

    const shared = (t: nb.Tensor) => {
      const y = block1(t);
      return [rest(y), y];
    };
    const g = nb.jit(shared, { inference: true });
    const got = g(x) as nb.Tensor[];
    const want = shared(x);
    got.forEach((t, i) => expect(values(t)).toEqual(values(want[i]!)));
    const sharedDump = g.graph(x);
    expect(sharedDump).toMatch(/convPool: 1/);
    expect(opsOf(sharedDump).filter((op) => op === 'fusedConvPool')).toHaveLength(1);
    expect(opsOf(sharedDump)).toContain('avgPool');
  });
});
