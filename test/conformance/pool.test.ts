import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { backendsUnderTest, checkGrad, expectClose, on, sample, sampleFloat } from './harness.js';

type Kind = 'max' | 'avg';

/**
 * Pooling from its definition: for each output cell, the max or mean over the input cells of its
 * window that lie inside the input (TensorFlow's 'same' pads with cells that do not count).
 */
function naivePool(kind: Kind, x: nb.Tensor, size: [number, number], strides: [number, number], padding: 'valid' | 'same'): nb.Tensor {
  const [n, h, w, c] = x.shape as number[];
  const xd = x.dataSync();
  let oh: number, ow: number, top: number, left: number;
  if (padding === 'valid') {
    oh = Math.floor((h! - size[0]) / strides[0]) + 1;
    ow = Math.floor((w! - size[1]) / strides[1]) + 1;
    top = left = 0;
  } else {
    oh = Math.ceil(h! / strides[0]);
    ow = Math.ceil(w! / strides[1]);
    top = Math.floor(Math.max((oh - 1) * strides[0] + size[0] - h!, 0) / 2);
    left = Math.floor(Math.max((ow - 1) * strides[1] + size[1] - w!, 0) / 2);
  }
  const out = new Float64Array(n! * oh * ow * c!);
  for (let b = 0; b < n!; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let k = 0; k < c!; k++) {
          const cells: number[] = [];
          for (let p = 0; p < size[0]; p++)
            for (let q = 0; q < size[1]; q++) {
              const ih = i * strides[0] - top + p;
              const iw = j * strides[1] - left + q;
              if (ih >= 0 && ih < h! && iw >= 0 && iw < w!) cells.push(xd[((b * h! + ih) * w! + iw) * c! + k]!);
            }
          out[((b * oh + i) * ow + j) * c! + k] = kind === 'max' ? Math.max(...cells) : cells.reduce((s, v) => s + v, 0) / cells.length;
        }
  return nb.tensor(out, [n!, oh, ow, c!], 'float64');
}

function expectSameValues(actual: nb.Tensor, expected: nb.Tensor): void {
  expect(actual.shape).toEqual(expected.shape);
  const a = actual.dataSync();
  const e = expected.dataSync();
  for (let i = 0; i < e.length; i++) {
    if (Math.abs(a[i]! - e[i]!) > 1e-12 * (1 + Math.abs(e[i]!))) throw new Error(`element ${i}: got ${a[i]}, expected ${e[i]}`);
  }
}

const CONFIGS: { name: string; size: [number, number]; strides: [number, number]; padding: 'valid' | 'same' }[] = [
  { name: '2x2 stride 2 valid', size: [2, 2], strides: [2, 2], padding: 'valid' },
  { name: '2x2 stride 2 same (odd sizes pad the end)', size: [2, 2], strides: [2, 2], padding: 'same' },
  { name: '3x3 stride 1 valid (overlapping)', size: [3, 3], strides: [1, 1], padding: 'valid' },
  { name: '3x3 stride 1 same', size: [3, 3], strides: [1, 1], padding: 'same' },
  { name: '3x2 strides [2, 1] same', size: [3, 2], strides: [2, 1], padding: 'same' },
];

const pool = (kind: Kind) => (kind === 'max' ? nb.maxPool : nb.avgPool);

/** d/dx of sum(pool(x)^2): depends on x through the pool and through the gradient op's input. */
function firstGrad(f: (x: nb.Tensor) => nb.Tensor) {
  return (x: nb.Tensor) => {
    const tape = new nb.GradientTape();
    tape.watch(x);
    return tape.gradient(nb.sum(nb.square(f(x))), x);
  };
}

for (const backend of backendsUnderTest()) {
  describe(`pooling on ${backend}`, () => {
    const x16 = () => nb.reshape(nb.range(1, 17, 1, 'float32'), [1, 4, 4, 1]);
    const x9 = () => nb.reshape(nb.range(1, 10, 1, 'float32'), [1, 3, 3, 1]);

    it('hand-computed 2x2 windows over 1..16', () =>
      on(backend, () => {
        expectClose(nb.maxPool(x16(), { poolSize: 2 }), [[[[6], [8]], [[14], [16]]]]);
        expectClose(nb.avgPool(x16(), { poolSize: 2 }), [[[[3.5], [5.5]], [[11.5], [13.5]]]]);
        expectClose(nb.nn.maxPool(x16(), { poolSize: [2, 4], strides: [2, 4] }), [[[[8]], [[16]]]]);
      }));

    it("'same' padding: padded cells are neither maxima nor counted in averages", () =>
      on(backend, () => {
        // 3x3 with 2x2 windows, stride 2: one padding row/column at the end.
        expectClose(nb.maxPool(x9(), { poolSize: 2, strides: 2, padding: 'same' }), [[[[5], [6]], [[8], [9]]]]);
        expectClose(nb.avgPool(x9(), { poolSize: 2, strides: 2, padding: 'same' }), [[[[3], [4.5]], [[7.5], [9]]]]);
        // Negative inputs: a padded zero must not win the max.
        expectClose(nb.maxPool(nb.neg(x9()), { poolSize: 2, strides: 2, padding: 'same' }), [[[[-1], [-3]], [[-7], [-9]]]]);
      }));

    it('1-D pooling, unbatched inputs, channels and batch stay separate', () =>
      on(backend, () => {
        const x = nb.reshape(nb.tensor([1, 5, 2, 4, 3, 0]), [1, 6, 1]);
        expectClose(nb.maxPool1d(x, { poolSize: 2 }), [[[5], [4], [3]]]);
        expectClose(nb.avgPool1d(x, { poolSize: 3, strides: 3 }), [[[8 / 3], [7 / 3]]]);
        expectClose(nb.maxPool1d(x, { poolSize: 4, strides: 4, padding: 'same' }), [[[5], [4]]]);
        expectClose(nb.maxPool(nb.reshape(x16(), [4, 4, 1]), { poolSize: 4 }), [[[16]]]);
        const two = nb.tensor([[[[1, -1], [2, -2]]], [[[10, -10], [20, -20]]]]); // [2, 1, 2, 2]
        expectClose(nb.maxPool(two, { poolSize: [1, 2] }), [[[[2, -1]]], [[[20, -10]]]]);
        expectClose(nb.avgPool(two, { poolSize: [1, 2] }), [[[[1.5, -1.5]]], [[[15, -15]]]]);
      }));

    for (const cfg of CONFIGS) {
      for (const kind of ['max', 'avg'] as const) {
        it(`${kind}Pool ${cfg.name}: matches the direct-loop definition, batch 2, 3 channels`, () =>
          on(backend, () => {
            // float32 on webgpu (no float64 there): the definition is checked, not float64 precision.
            const x = sampleFloat([2, 7, 6, 3], -1, 1, 5);
            const y = pool(kind)(x, { poolSize: cfg.size, strides: cfg.strides, padding: cfg.padding });
            if (x.dtype === 'float64') expectSameValues(y, naivePool(kind, x, cfg.size, cfg.strides, cfg.padding));
            else expectClose(y, nb.withBackend('js', () => naivePool(kind, x, cfg.size, cfg.strides, cfg.padding).arraySync()) as number[]);
          }));
        it(`${kind}Pool ${cfg.name}: gradient and second order vs finite differences`, () =>
          on(backend, () => {
            const x = sample([2, 5, 4, 2], -1, 1, 17);
            const f = (t: nb.Tensor) => pool(kind)(t, { poolSize: cfg.size, strides: cfg.strides, padding: cfg.padding });
            checkGrad(f, [x]);
            checkGrad(firstGrad(f), [x], { eps: 1e-6 });
          }));
      }
    }

    it('maxPool gradient routes to the argmax (the first of tied maxima); avgPool spreads evenly', () =>
      on(backend, () => {
        const grad = (f: (t: nb.Tensor) => nb.Tensor, x: nb.Tensor) => {
          const tape = new nb.GradientTape();
          tape.watch(x);
          return tape.gradient(nb.sum(f(x)), x);
        };
        const x = nb.tensor([[[[1], [4]], [[3], [2]]]]);
        expectClose(grad((t) => nb.maxPool(t), x), [[[[0], [1]], [[0], [0]]]]);
        expectClose(grad((t) => nb.maxPool(t), nb.ones([1, 2, 2, 1])), [[[[1], [0]], [[0], [0]]]]);
        expectClose(grad((t) => nb.avgPool(t), x), [[[[0.25], [0.25]], [[0.25], [0.25]]]]);
        // Overlapping windows: cell (1,1) of a 3x3 input is the max of all four 2x2 windows.
        const peak = nb.tensor([[[[0], [0], [0]], [[0], [9], [0]], [[0], [0], [0]]]]);
        expectClose(grad((t) => nb.maxPool(t, { poolSize: 2, strides: 1 }), peak), [[[[0], [0], [0]], [[0], [4], [0]], [[0], [0], [0]]]]);
        // 'same' averages: the corner window has one real cell, so it passes its whole gradient on.
        expectClose(grad((t) => nb.avgPool(t, { poolSize: 2, strides: 2, padding: 'same' }), x9()), [
          [[[0.25], [0.25], [0.5]], [[0.25], [0.25], [0.5]], [[0.5], [0.5], [1]]],
        ]);
      }));

    it('maxPool propagates NaN', () =>
      on(backend, () => {
        expectClose(nb.maxPool(nb.tensor([[[[1], [NaN]], [[3], [2]]]])), [[[[NaN]]]]);
      }));

    it('global pooling reduces the spatial axes', () =>
      on(backend, () => {
        const x = nb.reshape(nb.range(0, 8, 1, 'float32'), [1, 2, 2, 2]);
        expectClose(nb.nn.globalAvgPool(x), [[3, 4]]);
        expectClose(nb.nn.globalMaxPool(x), [[6, 7]]);
        expectClose(nb.nn.globalAvgPool(nb.reshape(x, [2, 2, 2])), [[1, 2], [5, 6]]);
        expect(nb.nn.globalMaxPool(x, { keepDims: true }).shape).toEqual([1, 1, 1, 2]);
        checkGrad((t) => nb.nn.globalAvgPool(t), [sample([2, 3, 3, 2])]);
        expect(() => nb.nn.globalAvgPool(nb.zeros([2, 3]))).toThrow(/globalAvgPool: expected a tensor \[batch, ...spatial, channels\] of rank 3 to 5, got shape \[2, 3\]/);
      }));

    it('errors name the op, the shapes and what was expected', () =>
      on(backend, () => {
        expect(() => nb.maxPool(x16(), { padding: 'full' as never })).toThrow(/maxPool: padding must be 'valid' or 'same', got "full"/);
        expect(() => nb.avgPool(x16(), { poolSize: 5 })).toThrow(/avgPool: the window .* more than the padded input size 4/);
        expect(() => nb.maxPool(nb.zeros([4, 4]))).toThrow(/maxPool: input must have rank 4/);
        expect(() => nb.maxPool1d(nb.zeros([2, 4, 4, 1]))).toThrow(/maxPool1d: input must have rank 3/);
        expect(() => nb.avgPool(x16(), { poolSize: [2, 0] })).toThrow(/avgPool: poolSize must be a positive integer/);
        expect(() => nb.avgPool1d(nb.zeros([1, 4, 1]), { poolSize: 0 })).toThrow(/avgPool1d: poolSize must be a positive integer, got 0/);
        expect(() => nb.maxPool1d(nb.zeros([1, 4, 1]), { strides: [1, 2] })).toThrow(nb.ValueError);
        expect(() => nb.maxPool(nb.zeros([1, 4, 4, 1], 'int32'))).toThrow(nb.DTypeError);
      }));
  });
}
