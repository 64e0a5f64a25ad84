// Forward mode of every differentiable primitive on every backend: the JVP (the op's direct rule,
// its linear/bilinear mark, or the rule derived from its VJP) against central finite differences
// in float64 on js, and the derived rule on its own for every op, so both paths are checked.
import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { PRIMITIVES, type PrimitiveName } from '../../src/ops/primitives/index.js';
import { run1 } from '../../src/ops/run.js';
import { transposedVjp } from '../../src/transforms/jvp-rules.js';
import { backendsUnderTest, expectClose, on, sample, widestFloat } from './harness.js';

/** A differentiated input (shape and sampling domain) or a fixed one (indices, masks). */
type Input = { shape: number[]; lo?: number; hi?: number } | { fixed: () => nb.Tensor };

interface Case {
  op: PrimitiveName;
  inputs: Input[];
  attrs?: unknown;
  /** Step of the finite difference (a linear op's tangent is exact at any step). */
  eps?: number;
}

const M = [2, 3];
const unary = (op: PrimitiveName, lo = -1, hi = 1): Case => ({ op, inputs: [{ shape: M, lo, hi }] });
const binary = (op: PrimitiveName, a: [number, number] = [-1, 1], b: [number, number] = [-1, 1], bShape = M): Case => ({
  op,
  inputs: [{ shape: M, lo: a[0], hi: a[1] }, { shape: bShape, lo: b[0], hi: b[1] }],
});
const reduce = (op: PrimitiveName, lo = -1, hi = 1): Case => ({ op, inputs: [{ shape: M, lo, hi }], attrs: { axes: [1], keepDims: false } });
const int32 = (v: number[] | number[][]) => () => nb.tensor(v, 'int32');
const CONV = { strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], groups: 1 };
const POOL = { poolSize: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] };
const IMAGE = [1, 4, 4, 2];

const cases: Case[] = [
  unary('neg'), unary('abs', 0.1, 1), unary('exp'), unary('expm1'), unary('log', 0.5, 2), unary('log2', 0.5, 2), unary('log1p', 0, 2),
  unary('sqrt', 0.5, 2), unary('rsqrt', 0.5, 2), unary('square'), unary('reciprocal', 0.5, 2), unary('sin'), unary('cos'),
  unary('asin', -0.8, 0.8), unary('acos', -0.8, 0.8), unary('atan'), unary('tanh'), unary('sigmoid'), unary('relu', 0.1, 1), unary('erf'),
  binary('add'), binary('sub'), binary('mul', [-1, 1], [-1, 1], [3]), binary('div', [-1, 1], [0.5, 2]), binary('mod', [0.1, 0.9], [1.5, 2]),
  binary('pow', [0.5, 2], [-1, 2]), binary('maximum'), binary('minimum'), binary('atan2', [0.5, 1], [0.5, 1]),
  { op: 'cast', inputs: [{ shape: M }], attrs: { dtype: 'float32' }, eps: 0.25 },
  { op: 'where', inputs: [{ fixed: () => nb.tensor([[true, false, true], [false, true, false]]) }, { shape: M }, { shape: M }] },
  reduce('sum'), reduce('prod', 0.5, 1.5), reduce('max'), reduce('min'),
  { op: 'reshape', inputs: [{ shape: M }], attrs: { shape: [3, 2] } },
  { op: 'transpose', inputs: [{ shape: M }], attrs: { perm: [1, 0] } },
  { op: 'slice', inputs: [{ shape: [3, 4] }], attrs: { begin: [0, 1], size: [2, 2], step: [2, 1] } },
  { op: 'broadcastTo', inputs: [{ shape: [1, 3] }], attrs: { shape: [2, 2, 3] } },
  { op: 'flip', inputs: [{ shape: M }], attrs: { axes: [1] } },
  { op: 'pad', inputs: [{ shape: M }], attrs: { paddings: [[1, 0], [0, 2]], value: 0.5 } },
  { op: 'concat', inputs: [{ shape: [2, 2] }, { shape: M }], attrs: { axis: 1 } },
  { op: 'matmul', inputs: [{ shape: M }, { shape: [4, 3] }], attrs: { transposeA: false, transposeB: true } },
  { op: 'copy', inputs: [{ shape: M }], attrs: {} },
  { op: 'gather', inputs: [{ shape: [3, 4] }, { fixed: int32([2, 0, 2]) }], attrs: { axis: 0, batchDims: 0 } },
  { op: 'unsortedSegmentSum', inputs: [{ shape: [4, 2] }, { fixed: int32([0, 2, 0, 1]) }], attrs: { axis: 0, batchDims: 0, numSegments: 3 } },
  { op: 'gatherND', inputs: [{ shape: [3, 4] }, { fixed: int32([[0, 1], [2, 3]]) }], attrs: {} },
  { op: 'scatterND', inputs: [{ fixed: int32([[0], [2]]) }, { shape: [2, 4] }], attrs: { shape: [3, 4] } },
  { op: 'tensorScatterUpdate', inputs: [{ shape: [3, 4] }, { fixed: int32([[1]]) }, { shape: [1, 4] }], attrs: {} },
  { op: 'cumsum', inputs: [{ shape: M }], attrs: { axis: 1, exclusive: false, reverse: true } },
  { op: 'cumprod', inputs: [{ shape: M, lo: 0.5, hi: 1.5 }], attrs: { axis: 1, exclusive: false, reverse: false } },
  { op: 'conv2d', inputs: [{ shape: IMAGE }, { shape: [3, 3, 2, 3] }], attrs: CONV },
  { op: 'conv2dBackpropInput', inputs: [{ shape: [1, 4, 4, 3] }, { shape: [3, 3, 2, 3] }], attrs: { ...CONV, inputShape: IMAGE } },
  { op: 'conv2dBackpropFilter', inputs: [{ shape: IMAGE }, { shape: [1, 4, 4, 3] }], attrs: { ...CONV, filterShape: [3, 3, 2, 3] } },
  { op: 'maxPool', inputs: [{ shape: IMAGE }], attrs: POOL },
  { op: 'maxPoolGrad', inputs: [{ shape: IMAGE }, { shape: [1, 2, 2, 2] }], attrs: POOL },
  { op: 'maxPoolGradGrad', inputs: [{ shape: IMAGE }, { shape: IMAGE }], attrs: POOL },
  { op: 'avgPool', inputs: [{ shape: IMAGE }], attrs: POOL },
  { op: 'avgPoolGrad', inputs: [{ shape: [1, 2, 2, 2] }], attrs: { ...POOL, inputShape: IMAGE } },
];

/** Differentiable primitives with no case here, and why. */
const NOT_CASES: Partial<Record<PrimitiveName, string>> = {
  readVariable: 'only reads variables, and variables carry no tangent (jvp differentiates its primals only)',
};

const isFixed = (i: Input): i is { fixed: () => nb.Tensor } => 'fixed' in i;

/** Float64 values of a case's differentiated inputs and of their tangents (from the harness's deterministic sampler). */
function caseValues(c: Case): { xs: Float64Array[]; vs: Float64Array[] } {
  return nb.withBackend('js', () => {
    const floats = c.inputs.filter((i) => !isFixed(i)) as { shape: number[]; lo?: number; hi?: number }[];
    const xs = floats.map((i, k) => sample(i.shape, i.lo ?? -1, i.hi ?? 1, 3 + k).dataSync() as Float64Array);
    const vs = floats.map((i, k) => sample(i.shape, -1, 1, 17 + k).dataSync() as Float64Array);
    return { xs, vs };
  });
}

/** The op as a function of its differentiated inputs (fixed inputs made on the current backend). */
function opOf(c: Case): (...floats: nb.Tensor[]) => nb.Tensor {
  return (...floats) => {
    let k = 0;
    const inputs = c.inputs.map((i) => (isFixed(i) ? i.fixed() : floats[k++]!));
    return run1(PRIMITIVES[c.op] as never, inputs, (c.attrs ?? {}) as never);
  };
}

/** Central difference of the op along the tangents, in float64 on js. */
function finiteDifference(c: Case): number[] {
  const { xs, vs } = caseValues(c);
  const eps = c.eps ?? 1e-6;
  const shapes = (c.inputs.filter((i) => !isFixed(i)) as { shape: number[] }[]).map((i) => i.shape);
  return nb.withBackend('js', () => {
    const at = (sign: number) => {
      const args = xs.map((x, k) => nb.tensor(x.map((v, j) => v + sign * eps * vs[k]![j]!), shapes[k]!, 'float64'));
      return Array.from(nb.cast(opOf(c)(...args), 'float64').dataSync() as Float64Array);
    };
    const plus = at(1);
    const minus = at(-1);
    return plus.map((p, j) => (p - minus[j]!) / (2 * eps));
  });
}

/** The case's primals and tangents on the current backend, in `dtype`. */
function onBackend(c: Case, dtype: nb.DType): { xs: nb.Tensor[]; vs: nb.Tensor[] } {
  const { xs, vs } = caseValues(c);
  const shapes = (c.inputs.filter((i) => !isFixed(i)) as { shape: number[] }[]).map((i) => i.shape);
  const make = (v: Float64Array, k: number) => nb.tensor(dtype === 'float64' ? v : Float32Array.from(v), shapes[k]!, dtype);
  return { xs: xs.map(make), vs: vs.map(make) };
}

const tolerance = (dtype: nb.DType) => (dtype === 'float64' ? { rtol: 1e-5, atol: 1e-7 } : { rtol: 2e-3, atol: 2e-4 });

describe('the JVP table covers every differentiable primitive', () => {
  it('each primitive with a gradient has a case or a stated reason', () => {
    const covered = new Set(cases.map((c) => c.op));
    const missing = (Object.keys(PRIMITIVES) as PrimitiveName[]).filter((n) => !PRIMITIVES[n].notDifferentiable && !covered.has(n) && !NOT_CASES[n]);
    expect(missing).toEqual([]);
  });
});

const references = new Map<Case, number[]>();
const reference = (c: Case) => references.get(c) ?? references.set(c, finiteDifference(c)).get(c)!;

for (const backend of backendsUnderTest()) {
  describe(`jvp of every differentiable primitive on ${backend}`, () => {
    for (const c of cases) {
      it(`${c.op}: jvp vs central differences`, () =>
        on(backend, () => {
          const dtype = widestFloat(backend);
          const { xs, vs } = onBackend(c, dtype);
          const [, t] = nb.jvp(opOf(c), xs, vs);
          expectClose(nb.reshape(t, [t.size]), reference(c), tolerance(dtype));
        }));
      it(`${c.op}: the rule derived from the VJP vs central differences`, () =>
        on(backend, () => {
          const dtype = widestFloat(backend);
          const { xs, vs } = onBackend(c, dtype);
          const f = opOf(c);
          const y = f(...xs);
          let k = 0;
          const inputs = c.inputs.map((i) => (isFixed(i) ? i.fixed() : xs[k++]!));
          k = 0;
          const tangents = c.inputs.map((i) => (isFixed(i) ? null : vs[k++]!));
          const [t] = transposedVjp(PRIMITIVES[c.op] as never, tangents, { inputs, outputs: [y], attrs: c.attrs ?? {} });
          expectClose(nb.reshape(t!, [t!.size]), reference(c), tolerance(dtype));
        }));
    }
  });
}
