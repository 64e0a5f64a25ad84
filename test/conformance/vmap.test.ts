// vmap conformance: for every primitive, vmap of the op over a batch equals stacking the op applied
// to each example, on every backend, with the batch on axis 0, on the last axis, and with all but
// one input shared (inAxes null) — and the primitive's own batching rule is what ran.
import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { PRIMITIVES, type PrimitiveName } from '../../src/ops/primitives/index.js';
import type { BatchContext, OpDef } from '../../src/ops/define-op.js';
import { run } from '../../src/ops/run.js';
import { backendsUnderTest, expectClose, on } from './harness.js';

const BATCH = 3;
/** For calling a rule directly: these rules never run per-example code. */
const NO_CONTEXT: BatchContext = {
  perExample: () => {
    throw new Error('not expected');
  },
  keepValues: () => {
    throw new Error('not expected');
  },
};

/** One example's input, different for each seed. */
type Gen = (seed: number) => nb.Tensor;

function values(n: number, lo: number, hi: number, seed: number): number[] {
  let s = (seed + 1) * 2654435761;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s ^ (s >>> 15), 2246822519) + 0x9e3779b9) | 0;
    return lo + ((s >>> 0) / 4294967296) * (hi - lo);
  });
}
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

const f32 =
  (shape: number[], lo = 0.2, hi = 0.9): Gen =>
  (seed) =>
    nb.tensor(Float32Array.from(values(size(shape), lo, hi, seed)), shape, 'float32');
/** int32 values in [lo, hi). */
const i32 =
  (shape: number[], lo: number, hi: number): Gen =>
  (seed) =>
    nb.tensor(Int32Array.from(values(size(shape), lo, hi, seed), Math.floor), shape, 'int32');
const bools =
  (shape: number[]): Gen =>
  (seed) =>
    nb.tensor(Uint8Array.from(values(size(shape), 0, 2, seed), Math.floor), shape, 'bool');
/** A fixed int32 tensor per example, chosen by seed from `options` (for indices that must be distinct). */
const pick =
  (options: number[][][]): Gen =>
  (seed) =>
    nb.tensor(options[seed % options.length]!, undefined, 'int32');

interface Case {
  readonly op: PrimitiveName;
  readonly label?: string;
  readonly attrs: unknown;
  readonly inputs: readonly Gen[];
}

const UNARY = ['neg', 'abs', 'sign', 'exp', 'expm1', 'log', 'log2', 'log1p', 'sqrt', 'rsqrt', 'square', 'reciprocal', 'sin', 'cos', 'asin', 'acos', 'atan', 'tanh', 'sigmoid', 'relu', 'erf', 'floor', 'ceil', 'round', 'isNaN', 'isFinite', 'logicalNot'] as const;
const BINARY = ['add', 'sub', 'mul', 'div', 'floorDiv', 'mod', 'pow', 'maximum', 'minimum', 'atan2'] as const;
const COMPARE = ['equal', 'notEqual', 'less', 'lessEqual', 'greater', 'greaterEqual', 'logicalAnd', 'logicalOr'] as const;
const NONE = {};
const conv = { strides: [1, 1], dilations: [1, 1], pads: [1, 0, 0, 1], groups: 1 };
const pool = { poolSize: [2, 2], strides: [2, 1], pads: [0, 0, 0, 0] };

const cases: Case[] = [
  ...UNARY.map((op) => ({ op, attrs: NONE, inputs: [op === 'asin' || op === 'acos' ? f32([2, 3], -0.9, 0.9) : f32([2, 3], 0.2, 2.9)] })),
  // The second input has a lower rank: the rule must line the batch up before broadcasting.
  ...BINARY.map((op) => ({ op, attrs: NONE, inputs: [f32([2, 3], 0.2, 3), f32([3], 0.5, 2)] })),
  ...COMPARE.map((op) => ({ op, attrs: NONE, inputs: [i32([2, 3], 0, 3), i32([3], 0, 3)] })),
  { op: 'cast', attrs: { dtype: 'int32' }, inputs: [f32([2, 3], -3, 3)] },
  { op: 'where', attrs: NONE, inputs: [bools([2, 3]), f32([2, 3]), f32([3])] },
  ...(['sum', 'prod', 'max', 'min'] as const).map((op) => ({ op, attrs: { axes: [1], keepDims: false }, inputs: [f32([2, 3, 2])] })),
  { op: 'sum', label: 'keepDims over two axes', attrs: { axes: [0, 2], keepDims: true }, inputs: [f32([2, 3, 2])] },
  { op: 'all', attrs: { axes: [0], keepDims: false }, inputs: [bools([2, 3])] },
  { op: 'any', attrs: { axes: [1], keepDims: true }, inputs: [bools([2, 3])] },
  { op: 'argmax', attrs: { axis: 1 }, inputs: [f32([2, 4])] },
  { op: 'argmin', attrs: { axis: 0 }, inputs: [f32([2, 4])] },
  { op: 'reshape', attrs: { shape: [3, 1, 2] }, inputs: [f32([2, 3])] },
  { op: 'transpose', attrs: { perm: [2, 0, 1] }, inputs: [f32([2, 3, 4])] },
  { op: 'slice', attrs: { begin: [0, 1], size: [2, 2], step: [1, 1] }, inputs: [f32([2, 4])] },
  { op: 'slice', label: 'negative step', attrs: { begin: [1, 3], size: [2, 2], step: [-1, -2] }, inputs: [f32([2, 4])] },
  { op: 'broadcastTo', attrs: { shape: [2, 3] }, inputs: [f32([3])] },
  { op: 'flip', attrs: { axes: [1] }, inputs: [f32([2, 3])] },
  { op: 'pad', attrs: { paddings: [[1, 0], [0, 2]], value: 0.5 }, inputs: [f32([2, 3])] },
  { op: 'concat', attrs: { axis: 0 }, inputs: [f32([2, 3]), f32([1, 3])] },
  { op: 'matmul', attrs: { transposeA: false, transposeB: false }, inputs: [f32([2, 3]), f32([3, 4])] },
  { op: 'matmul', label: 'transposed, with leading axes', attrs: { transposeA: true, transposeB: true }, inputs: [f32([2, 3, 2]), f32([4, 3])] },
  { op: 'copy', attrs: NONE, inputs: [f32([2, 3])] },
  { op: 'stopGradient', attrs: NONE, inputs: [f32([2, 3])] },
  { op: 'gather', attrs: { axis: 0, batchDims: 0 }, inputs: [f32([4, 3]), i32([2], 0, 4)] },
  { op: 'gather', label: 'batchDims 1', attrs: { axis: 1, batchDims: 1 }, inputs: [f32([2, 4]), i32([2, 3], 0, 4)] },
  { op: 'unsortedSegmentSum', attrs: { axis: 0, batchDims: 0, numSegments: 3 }, inputs: [f32([4, 3]), i32([4], -1, 3)] },
  { op: 'unsortedSegmentSum', label: 'batchDims 1', attrs: { axis: 1, batchDims: 1, numSegments: 2 }, inputs: [f32([2, 3]), i32([2, 3], 0, 2)] },
  { op: 'gatherND', attrs: NONE, inputs: [f32([3, 4]), i32([2, 2], 0, 3)] },
  { op: 'scatterND', attrs: { shape: [3, 4] }, inputs: [i32([2, 1], 0, 3), f32([2, 4])] },
  {
    op: 'tensorScatterUpdate',
    attrs: NONE,
    inputs: [f32([3, 4]), pick([[[0], [2]], [[1], [0]], [[2], [1]], [[1], [2]]]), f32([2, 4])],
  },
  { op: 'cumsum', attrs: { axis: 1, exclusive: false, reverse: false }, inputs: [f32([2, 3])] },
  { op: 'cumsum', label: 'exclusive, reversed', attrs: { axis: 0, exclusive: true, reverse: true }, inputs: [f32([2, 3])] },
  { op: 'cumprod', attrs: { axis: 1, exclusive: false, reverse: true }, inputs: [f32([2, 3])] },
  { op: 'argsort', attrs: { axis: 1, descending: true }, inputs: [f32([2, 4])] },
  { op: 'conv2d', attrs: conv, inputs: [f32([2, 4, 4, 2], -1, 1), f32([3, 2, 2, 4], -1, 1)] },
  { op: 'conv2d', label: '2 groups, strided', attrs: { ...conv, strides: [2, 1], groups: 2 }, inputs: [f32([1, 5, 4, 4], -1, 1), f32([2, 2, 2, 6], -1, 1)] },
  { op: 'conv2dBackpropInput', attrs: { ...conv, inputShape: [2, 4, 4, 2] }, inputs: [f32([2, 3, 4, 4], -1, 1), f32([3, 2, 2, 4], -1, 1)] },
  { op: 'conv2dBackpropFilter', attrs: { ...conv, filterShape: [3, 2, 2, 4] }, inputs: [f32([2, 4, 4, 2], -1, 1), f32([2, 3, 4, 4], -1, 1)] },
  { op: 'maxPool', attrs: pool, inputs: [f32([2, 4, 4, 3], -1, 1)] },
  { op: 'maxPoolGrad', attrs: pool, inputs: [f32([2, 4, 4, 3], -1, 1), f32([2, 2, 3, 3], -1, 1)] },
  { op: 'maxPoolGradGrad', attrs: pool, inputs: [f32([2, 4, 4, 3], -1, 1), f32([2, 4, 4, 3], -1, 1)] },
  { op: 'avgPool', attrs: pool, inputs: [f32([2, 4, 4, 3], -1, 1)] },
  { op: 'avgPoolGrad', attrs: { ...pool, inputShape: [2, 4, 4, 3] }, inputs: [f32([2, 2, 3, 3], -1, 1)] },
];

/** Batch axes to try: all inputs on axis 0; then each input alone batched on its last axis, the others shared. */
function variants(n: number): (number | null)[][] {
  const out: (number | null)[][] = [new Array<number | null>(n).fill(0)];
  for (let i = 0; i < n; i++) out.push(Array.from({ length: n }, (_, j) => (j === i ? -1 : null)));
  return out;
}

/** Run `body` counting the calls of `op`'s batching rule. */
function countingRule<T>(op: OpDef<any>, body: () => T): { result: T; calls: number } {
  const mutable = op as { batch?: OpDef<any>['batch'] };
  const rule = mutable.batch!;
  let calls = 0;
  mutable.batch = (...args) => {
    calls++;
    return rule(...args);
  };
  try {
    return { result: body(), calls };
  } finally {
    mutable.batch = rule;
  }
}

function checkCase(c: Case, inAxes: (number | null)[]): void {
  const op = PRIMITIVES[c.op] as OpDef<any>;
  const examples = Array.from({ length: BATCH }, (_, b) => c.inputs.map((g, i) => (inAxes[i] === null ? g(100 + i) : g(b * 7 + i))));
  const batched = c.inputs.map((_, i) => {
    const axis = inAxes[i];
    if (axis === null || axis === undefined) return examples[0]![i]!;
    const parts = examples.map((e) => e[i]!);
    return nb.stack(parts, axis < 0 ? parts[0]!.rank + 1 + axis : axis);
  });
  const expected = nb.stack(examples.map((e) => run(op, e, c.attrs)[0]!));
  const { result, calls } = countingRule(op, () => nb.vmap((...xs: nb.Tensor[]) => run(op, xs, c.attrs)[0]!, { inAxes })(...batched));
  expect(calls, `${c.op}'s batching rule ran`).toBeGreaterThan(0);
  expect(result.shape).toEqual(expected.shape);
  expect(result.dtype).toBe(expected.dtype);
  const diff = nb.max(nb.abs(nb.sub(nb.cast(result, 'float32'), nb.cast(expected, 'float32'))));
  expectClose(diff, 0, { atol: 1e-5 });
}

for (const backend of backendsUnderTest()) {
  describe(`vmap of every primitive on ${backend}`, () => {
    for (const c of cases) {
      for (const inAxes of variants(c.inputs.length)) {
        it(`${c.op}${c.label ? ` (${c.label})` : ''}, inAxes ${JSON.stringify(inAxes)}`, () => on(backend, () => checkCase(c, inAxes)));
      }
    }

    it('random: one draw for the whole batch (every example gets the same values)', () =>
      on(backend, () => {
        const op = PRIMITIVES.random as OpDef<any>;
        const xs = nb.tensor([[1], [2], [3]]);
        nb.random.seed(5);
        const y = nb.vmap((x: nb.Tensor) => nb.add(nb.random.uniform([4]), nb.mul(x, 0)))(xs);
        expect(y.shape).toEqual([3, 4]);
        const rows = nb.unstack(y);
        expectClose(nb.max(nb.abs(nb.sub(rows[0]!, rows[2]!))), 0, { atol: 0 });
        // Its rule, were it ever given a batch, draws once and leaves the result unbatched.
        const attrs = { shape: [2], dtype: 'float32', key: [1, 2], dist: { kind: 'uniform', min: 0, max: 1 }, fromGenerator: false };
        const r = op.batch!([], [], attrs, NO_CONTEXT);
        expect(r.axes).toEqual([null]);
        expect(r.outputs[0]!.shape).toEqual([2]);
      }));

    it('readVariable: a variable read inside vmap is shared by the batch', () =>
      on(backend, () => {
        const v = new nb.Variable(nb.tensor([10, 20]));
        const y = nb.vmap((x: nb.Tensor) => nb.add(x, v.value()))(nb.tensor([[1, 2], [3, 4]]));
        expectClose(y, [[11, 22], [13, 24]]);
        const x = nb.tensor([[1, 2]]);
        const r = (PRIMITIVES.readVariable as OpDef<any>).batch!([x], [0], {}, NO_CONTEXT);
        expect(r.outputs[0]).toBe(x);
        expect(r.axes).toEqual([0]);
      }));
  });
}

describe('vmap conformance covers every primitive', () => {
  it('every primitive has a case above (random and readVariable have their own)', () => {
    const covered = new Set<string>([...cases.map((c) => c.op), 'random', 'readVariable']);
    expect(Object.keys(PRIMITIVES).filter((n) => !covered.has(n))).toEqual([]);
  });
});
