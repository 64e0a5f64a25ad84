// Fused elementwise loops that write more than one tensor: a value one node reads that is also a
// result of the graph (a variable's new value, an output) joins its reader's loop, which writes
// it too. Adam's new moments and the weight update they feed become one loop; the results equal
// eager execution bit for bit on every backend, and the native plans still update in place.
// The native loop keeps each register's tile in a scratch slot that is reused once the register
// is dead: long programs with values read much later, or read twice by one op, check that reuse.
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import { fuseElementwise } from '../../src/jit/passes/fusion.js';
import { trace } from '../../src/jit/trace.js';
import type { Graph } from '../../src/jit/graph.js';
import type { NativeBackend } from '../../src/backends/native/native-backend.js';
import { backendsUnderTest } from '../conformance/harness.js';
import { watchReplays } from './replay-watch.js';

const bits = (t: nb.Tensor) => Array.from(t.dataSync());

/** Where two tensors' float bits first differ, as a message ('' when equal): a short failure, not a 70,000-element diff. */
function bitsDiffer(got: nb.Tensor, want: nb.Tensor): string {
  const a = new Uint32Array(Float32Array.from(got.dataSync()).buffer);
  const b = new Uint32Array(Float32Array.from(want.dataSync()).buffer);
  if (a.length !== b.length) return `lengths ${a.length} and ${b.length}`;
  const i = a.findIndex((v, k) => v !== b[k]);
  return i < 0 ? '' : `element ${i}: ${got.dataSync()[i]} against ${want.dataSync()[i]}`;
}

/** Trace `fn` on zeros of `shape`: its graph, outputs and variable updates set. */
function graphOf(fn: (x: nb.Tensor) => nb.Tensor | readonly nb.Tensor[], shape: number[]): Graph {
  const { tracer, result } = trace([nb.zeros(shape)], ([x]) => fn(x!));
  tracer.graph.outputs = (Array.isArray(result) ? result : [result]).map((t: nb.Tensor) => tracer.valueOf(t));
  return tracer.graph;
}

/** The output counts of the graph's fusedElementwise nodes, from its dump. */
function fusedOutputCounts(dump: string): number[] {
  return dump
    .split('\n')
    .filter((line) => /= fusedElementwise\(/.test(line))
    .map((line) => line.slice(0, line.indexOf(' = ')).split(',').length);
}

/** Adam's update of one weight, written out (what the optimizer's updateStep does). */
function adamStep(w: nb.Variable, m: nb.Variable, v: nb.Variable, g: nb.Tensor, alpha: number) {
  m.assign(m.add(g.sub(m).mul(0.1)));
  v.assign(v.add(g.square().sub(v).mul(0.001)));
  w.assign(w.sub(m.mul(alpha).div(v.sqrt().add(1e-7))));
  return w.sum();
}

describe.each(backendsUnderTest())('multi-output elementwise fusion (%s)', (backend) => {
  afterEach(() => vi.restoreAllMocks());
  const multi = (engine.instance(backend)?.maxFusedOutputs ?? 1) > 1;

  it.each([1, 1500, 70_001])('an Adam update of %i elements is one loop writing m, v and w, equal to eager bit for bit', (n) => {
    nb.withBackend(backend, () => {
      nb.random.seed(n);
      const start = nb.random.normal([n]);
      const make = () => [new nb.Variable(start), new nb.Variable(nb.zeros([n])), new nb.Variable(nb.zeros([n]))] as const;
      const eagerVars = make();
      const jitVars = make();
      const jitted = nb.jit((g: nb.Tensor) => adamStep(...jitVars, g, 0.01));
      for (let step = 0; step < 4; step++) {
        const g = nb.random.normal([n]);
        const want = adamStep(...eagerVars, g, 0.01);
        const got = jitted(g);
        expect(bitsDiffer(got, want)).toBe('');
        jitVars.forEach((variable, k) => expect(bitsDiffer(variable, eagerVars[k]!)).toBe(''));
      }
      const counts = fusedOutputCounts(jitted.graph(nb.zeros([n])));
      if (multi) expect(counts).toEqual([3]);
      else expect(counts.every((c) => c === 1)).toBe(true);
    });
  });

  it('a graph output read again by the chain leaves the loop as a second output', () => {
    nb.withBackend(backend, () => {
      const f = (x: nb.Tensor) => {
        const y = x.mul(2).add(1);
        return [y, y.exp().sub(x)] as const;
      };
      const x = nb.tensor([0.5, -1, 2, 3.25], [4]);
      const jitted = nb.jit(f);
      const [y, z] = jitted(x);
      const [wy, wz] = f(x);
      expect(bits(y)).toEqual(bits(wy));
      expect(bits(z)).toEqual(bits(wz));
      expect(fusedOutputCounts(jitted.graph(x))).toEqual(multi ? [2] : [1, 1]);
    });
  });
});

describe.each(backendsUnderTest())('long fused programs (%s)', (backend) => {
  it('values read many instructions later, twice by one op, and as extra outputs keep their bits', () => {
    nb.withBackend(backend, () => {
      const f = (x: nb.Tensor, s: nb.Tensor) => {
        const a = x.add(1);
        const b = a.mul(a);
        const c = b.sub(s).div(a);
        const d = c.mul(c).add(b.sqrt());
        const e = nb.where(d.greater(a), d.neg(), c.add(a.mul(0.5)));
        return [e.add(a), b] as const;
      };
      nb.random.seed(5);
      for (const n of [3, 1024, 4099]) {
        const x = nb.random.normal([n]);
        const s = nb.random.uniform([n]);
        const jitted = nb.jit(f);
        const [got0, got1] = jitted(x, s);
        const [want0, want1] = f(x, s);
        expect(bitsDiffer(got0, want0)).toBe('');
        expect(bitsDiffer(got1, want1)).toBe('');
      }
    });
  });
});

describe('fuseElementwise with maxOutputs', () => {
  const adamLike = () => {
    const w = new nb.Variable(nb.ones([3]));
    const m = new nb.Variable(nb.zeros([3]));
    return graphOf((g) => {
      m.assign(m.add(g.sub(m).mul(0.1)));
      w.assign(w.sub(m.mul(0.5)));
      return w.sum();
    }, [3]);
  };

  it('joins a result read by one node only where the backend can write more than one tensor', () => {
    const one = adamLike();
    expect(fuseElementwise(one, { fusedElementwise: true })).toBe(2);
    const two = adamLike();
    expect(fuseElementwise(two, { fusedElementwise: true }, Infinity, 2)).toBe(1);
    const node = two.nodes.find((n) => n.op.name === 'fusedElementwise')!;
    expect(node.outputs.length).toBe(2);
    // Both variables' new values are the node's outputs: w's first (the loop's last value), then m's.
    expect(new Set(two.updates.values())).toEqual(new Set(node.outputs));
  });

  it('leaves a value two nodes read to its own loop', () => {
    const g = graphOf((x) => {
      const y = x.mul(2).add(1);
      return [y.exp(), y.neg(), y];
    }, [3]);
    fuseElementwise(g, { fusedElementwise: true }, Infinity, 16);
    // y has two readers: neither exp nor neg may take its chain in.
    const fused = g.nodes.filter((n) => n.op.name === 'fusedElementwise');
    expect(fused.length).toBe(1);
    expect(fused[0]!.outputs.length).toBe(1);
  });

  it('writes no more tensors than the backend allows', () => {
    const g = graphOf((x) => {
      const a = x.mul(2);
      const b = a.add(1);
      return [a, b, b.exp()];
    }, [3]);
    fuseElementwise(g, { fusedElementwise: true }, Infinity, 2);
    expect(g.nodes.every((n) => n.outputs.length <= 2)).toBe(true);
  });
});

describe.runIf(nb.backendInfo('native').available)('multi-output loops in native plans', () => {
  afterEach(() => vi.restoreAllMocks());

  it('replay the Adam step as one plan that updates m, v and w in their own buffers', () => {
    nb.withBackend('native', () => {
      const watch = watchReplays(engine.instance('native') as NativeBackend);
      const n = 5000;
      const vars = [new nb.Variable(nb.random.normal([n])), new nb.Variable(nb.zeros([n])), new nb.Variable(nb.zeros([n]))] as const;
      const step = nb.jit((g: nb.Tensor) => adamStep(...vars, g, 0.01));
      const g = nb.random.normal([n]);
      const storages: unknown[][] = [];
      for (let i = 0; i < 4; i++) {
        step(g);
        storages.push(vars.map((v) => v.storage));
      }
      expect(watch.replays()).toBeGreaterThan(0);
      // After the recording calls, each replay writes every variable where it was.
      expect(storages[3]).toEqual(storages[2]);
      storages[3]!.forEach((s, k) => expect(s).toBe(storages[2]![k]));
    });
  });
});
