import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { trace } from '../../src/jit/trace.js';
import { eliminateCommonSubexpressions, eliminateDeadCode, foldConstants, fuseElementwise, fuseLinear, simplify } from '../../src/jit/passes/index.js';
import type { Graph } from '../../src/jit/graph.js';

/** Trace `fn` on tensors of the given shapes and return its graph (outputs set). */
function graphOf(fn: (...xs: nb.Tensor[]) => nb.Tensor | nb.Tensor[], ...shapes: number[][]): Graph {
  const { tracer, result } = trace(shapes.map((s) => nb.zeros(s)), (xs) => fn(...xs));
  const outs = Array.isArray(result) ? result : [result];
  tracer.graph.outputs = outs.map((t) => tracer.valueOf(t));
  return tracer.graph;
}

const opNames = (g: Graph) => g.nodes.map((n) => n.op.name);

describe('jit passes on small graphs', () => {
  it('dead-code elimination drops nodes no output needs', () => {
    const g = graphOf((x) => {
      x.exp(); // unused
      return x.add(1);
    }, [3]);
    expect(opNames(g)).toEqual(['exp', 'add']);
    expect(eliminateDeadCode(g)).toBe(1);
    expect(opNames(g)).toEqual(['add']);
  });

  it('common-subexpression elimination merges identical ops', () => {
    const g = graphOf((x) => nb.add(x.exp(), x.exp()), [3]);
    expect(opNames(g)).toEqual(['exp', 'exp', 'add']);
    expect(eliminateCommonSubexpressions(g)).toBe(1);
    eliminateDeadCode(g);
    expect(opNames(g)).toEqual(['exp', 'add']);
    const add = g.nodes[1]!;
    expect(add.inputs[0]).toBe(add.inputs[1]);
  });

  it('random ops are never merged', () => {
    const g = graphOf((x) => x.add(nb.random.uniform([3])).add(nb.random.uniform([3])), [3]);
    expect(eliminateCommonSubexpressions(g)).toBe(0);
  });

  it('constant folding evaluates nodes whose inputs are all constants', () => {
    const g = graphOf((x) => x.mul(nb.tensor([1, 2, 3]).mul(2).add(1)), [3]);
    expect(opNames(g)).toEqual(['mul', 'add', 'mul']);
    expect(foldConstants(g)).toBe(2);
    eliminateDeadCode(g);
    expect(opNames(g)).toEqual(['mul']);
    const c = g.nodes[0]!.inputs[1]!;
    expect(c.source.kind).toBe('const');
    expect(Array.from((c.source as { tensor: nb.Tensor }).tensor.dataSync())).toEqual([3, 5, 7]);
  });

  it('algebraic simplification removes x*1, x+0, x-0, x/1 and double negation', () => {
    const g = graphOf((x) => x.mul(1).add(0).sub(0).div(1).neg().neg().exp(), [3]);
    expect(simplify(g)).toBeGreaterThanOrEqual(5);
    eliminateDeadCode(g);
    expect(opNames(g)).toEqual(['exp']);
    expect(g.nodes[0]!.inputs[0]!.source.kind).toBe('input');
  });

  it('x*1 is kept when it broadcasts (the shape changes)', () => {
    const g = graphOf((x) => x.mul(nb.ones([2, 3])), [3]);
    simplify(g);
    expect(opNames(g)).toEqual(['mul']);
  });

  it('transpose of transpose cancels; reshape chains collapse', () => {
    const g = graphOf((x) => x.transpose().transpose().reshape([6]).reshape([3, 2]).exp(), [2, 3]);
    simplify(g);
    eliminateDeadCode(g);
    expect(opNames(g)).toEqual(['reshape', 'exp']);
    expect(g.nodes[0]!.inputs[0]!.source.kind).toBe('input');
  });

  it('elementwise chains fuse into one node that computes the same values', () => {
    const g = graphOf((x, y) => x.mul(2).add(y).exp().neg(), [4], [4]);
    expect(fuseElementwise(g, { fusedElementwise: true })).toBe(1);
    expect(opNames(g)).toEqual(['fusedElementwise']);
    // Without the kernel on the backend, nothing fuses.
    const g2 = graphOf((x, y) => x.mul(2).add(y), [4], [4]);
    expect(fuseElementwise(g2, {})).toBe(0);
  });

  it("a fused loop reads at most the backend's maxFusedInputs tensors (WebGPU binds each as a storage buffer)", () => {
    const shapes = Array.from({ length: 30 }, () => [4]);
    const chain = (...xs: nb.Tensor[]) => xs.slice(1).reduce((acc, x) => acc.add(x), xs[0]!);
    const g = graphOf(chain, ...shapes);
    expect(fuseElementwise(g, { fusedElementwise: true }, 7)).toBeGreaterThan(1);
    for (const n of g.nodes) expect(n.inputs.length).toBeLessThanOrEqual(7);
    expect(opNames(g).every((name) => name === 'fusedElementwise')).toBe(true);
    // Unlimited elsewhere: one loop.
    const whole = graphOf(chain, ...shapes);
    expect(fuseElementwise(whole, { fusedElementwise: true })).toBe(1);
  });

  it('a value used twice ends a fused chain', () => {
    const g = graphOf((x) => {
      const e = x.exp();
      return [e.add(1), e.mul(2)];
    }, [4]);
    fuseElementwise(g, { fusedElementwise: true });
    expect(opNames(g)).toEqual(['exp', 'add', 'mul']);
  });

  it('matmul + bias + activation fuse into fusedLinear', () => {
    const g = graphOf((x, w, b) => nb.relu(nb.matmul(x, w).add(b)), [2, 3], [3, 4], [4]);
    expect(fuseLinear(g, { fusedLinear: true })).toBe(1);
    expect(opNames(g)).toEqual(['fusedLinear']);
    const attrs = g.nodes[0]!.attrs as { activation: string; hasBias: boolean };
    expect(attrs.activation).toBe('relu');
    expect(attrs.hasBias).toBe(true);
  });
});
