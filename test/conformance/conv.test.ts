import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { backendsUnderTest, checkGrad, expectClose, on, onHost, sample, sampleFloat } from './harness.js';

type Pads = [number, number, number, number];

/** TensorFlow's 'same' padding of one axis, from its definition: output ceil(in / stride). */
function samePad(size: number, k: number, stride: number, dilation: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + (k - 1) * dilation + 1 - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/**
 * Convolution straight from its definition, one output element at a time:
 * y[b, i, j, o] = sum over (p, q, ci) of x[b, i*sh - top + p*dh, j*sw - left + q*dw, g*cg + ci] * f[p, q, ci, o].
 */
function naiveConv2d(x: nb.Tensor, f: nb.Tensor, strides: [number, number], dilations: [number, number], pads: Pads, groups = 1): nb.Tensor {
  const [n, h, w, c] = x.shape as number[];
  const [kh, kw, cg, o] = f.shape as number[];
  const xd = x.dataSync();
  const fd = f.dataSync();
  const oh = Math.floor((h! + pads[0] + pads[1] - ((kh! - 1) * dilations[0] + 1)) / strides[0]) + 1;
  const ow = Math.floor((w! + pads[2] + pads[3] - ((kw! - 1) * dilations[1] + 1)) / strides[1]) + 1;
  const og = o! / groups;
  const out = new Float64Array(n! * oh * ow * o!);
  for (let b = 0; b < n!; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let oc = 0; oc < o!; oc++) {
          const g = Math.floor(oc / og);
          let s = 0;
          for (let p = 0; p < kh!; p++)
            for (let q = 0; q < kw!; q++)
              for (let ci = 0; ci < cg!; ci++) {
                const ih = i * strides[0] - pads[0] + p * dilations[0];
                const iw = j * strides[1] - pads[2] + q * dilations[1];
                if (ih < 0 || ih >= h! || iw < 0 || iw >= w!) continue;
                s += xd[((b * h! + ih) * w! + iw) * c! + g * cg! + ci]! * fd[((p * kw! + q) * cg! + ci) * o! + oc]!;
              }
          out[((b * oh + i) * ow + j) * o! + oc] = s;
        }
  return nb.tensor(out, [n!, oh, ow, o!], 'float64');
}

/** Depthwise convolution from its definition: output channel k*m + r reads only input channel k. */
function naiveDepthwise(x: nb.Tensor, f: nb.Tensor, strides: [number, number], dilations: [number, number], pads: Pads): nb.Tensor {
  const [kh, kw, c, m] = f.shape as number[];
  const fd = f.dataSync();
  // Expand to a dense filter [kh, kw, c, c*m] that is zero off the diagonal blocks.
  const dense = new Float64Array(kh! * kw! * c! * c! * m!);
  for (let p = 0; p < kh! * kw!; p++)
    for (let k = 0; k < c!; k++)
      for (let r = 0; r < m!; r++) dense[(p * c! + k) * c! * m! + k * m! + r] = fd[(p * c! + k) * m! + r]!;
  return naiveConv2d(x, nb.tensor(dense, [kh!, kw!, c!, c! * m!], 'float64'), strides, dilations, pads);
}

function values(t: nb.Tensor): number[] {
  return Array.from(t.dataSync(), Number);
}

function expectSameValues(actual: nb.Tensor, expected: nb.Tensor, tol = 1e-10): void {
  expect(actual.shape).toEqual(expected.shape);
  const a = values(actual);
  const e = values(expected);
  a.forEach((v, i) => {
    if (Math.abs(v - e[i]!) > tol * (1 + Math.abs(e[i]!))) throw new Error(`element ${i}: got ${v}, expected ${e[i]}`);
  });
}

/** `y` against its direct-loop definition: to 1e-10 in float64; to float32 rounding where inputs are float32 (webgpu). */
function expectDefinition(y: nb.Tensor, definition: () => nb.Tensor): void {
  if (y.dtype === 'float64') expectSameValues(y, definition());
  else expectClose(y, onHost(() => definition().arraySync()) as number[], { atol: 1e-5 });
}

const CONFIGS: { name: string; strides: [number, number]; dilations: [number, number]; padding: 'valid' | 'same' }[] = [
  { name: 'valid, stride 1', strides: [1, 1], dilations: [1, 1], padding: 'valid' },
  { name: 'same, stride 1', strides: [1, 1], dilations: [1, 1], padding: 'same' },
  { name: 'valid, stride 2', strides: [2, 2], dilations: [1, 1], padding: 'valid' },
  { name: 'same, stride 2', strides: [2, 2], dilations: [1, 1], padding: 'same' },
  { name: 'same, strides [1, 2]', strides: [1, 2], dilations: [1, 1], padding: 'same' },
  { name: 'valid, dilation 2', strides: [1, 1], dilations: [2, 2], padding: 'valid' },
  { name: 'same, dilation 2', strides: [1, 1], dilations: [2, 2], padding: 'same' },
  { name: 'same, stride 2 and dilation [2, 1]', strides: [2, 2], dilations: [2, 1], padding: 'same' },
];

function padsFor(cfg: (typeof CONFIGS)[number], h: number, w: number, kh: number, kw: number): Pads {
  if (cfg.padding === 'valid') return [0, 0, 0, 0];
  return [...samePad(h, kh, cfg.strides[0], cfg.dilations[0]), ...samePad(w, kw, cfg.strides[1], cfg.dilations[1])] as Pads;
}

const sumSquares = (t: nb.Tensor) => nb.sum(nb.square(t));

/** d/dx and d/df of sum(conv(x, f)^2): depends on x and f, so its gradient exercises every backprop op's gradient. */
function firstGrad(conv: (x: nb.Tensor, f: nb.Tensor) => nb.Tensor, which: 0 | 1) {
  return (x: nb.Tensor, f: nb.Tensor) => {
    const tape = new nb.GradientTape();
    tape.watch([x, f]);
    const g = tape.gradient(sumSquares(conv(x, f)), [x, f]);
    return g[which]!;
  };
}

for (const backend of backendsUnderTest()) {
  describe(`conv2d on ${backend}`, () => {
    const x9 = () => nb.reshape(nb.range(1, 10, 1, 'float32'), [1, 3, 3, 1]);

    it('hand-computed: 2x2 identity-diagonal filter, valid', () =>
      on(backend, () => {
        const f = nb.reshape(nb.tensor([1, 0, 0, 1]), [2, 2, 1, 1]);
        const y = nb.conv2d(x9(), f);
        expectClose(y, [[[[6], [8]], [[12], [14]]]]);
        expect(y.dtype).toBe('float32');
      }));

    it("hand-computed: 3x3 ones, 'same', stride 2 (pads 1 on each side)", () =>
      on(backend, () => {
        expectClose(nb.conv2d(x9(), nb.ones([3, 3, 1, 1]), { padding: 'same', strides: 2 }), [[[[12], [16]], [[24], [28]]]]);
      }));

    it('hand-computed: dilation 2 reads the corners; explicit padding', () =>
      on(backend, () => {
        expectClose(nb.conv2d(x9(), nb.ones([2, 2, 1, 1]), { dilations: 2 }), [[[[1 + 3 + 7 + 9]]]]);
        // Zero padding of one row on top only: first output row sees the padding row.
        const y = nb.conv2d(x9(), nb.ones([2, 1, 1, 1]), { padding: [[1, 0], [0, 0]] });
        expectClose(y, [[[[1], [2], [3]], [[5], [7], [9]], [[11], [13], [15]]]]);
      }));

    it('hand-computed: two input channels, two output channels', () =>
      on(backend, () => {
        const x = nb.tensor([[[[1, 10], [2, 20]]]]); // [1, 1, 2, 2]
        // f[0, q, c, o]: output 0 sums channel 0 over both taps, output 1 takes channel 1 at tap 1.
        const f = nb.tensor([[[[1, 0], [0, 0]], [[1, 0], [0, 1]]]]); // [1, 2, 2, 2]
        expectClose(nb.conv2d(x, f), [[[[3, 20]]]]);
      }));

    for (const cfg of CONFIGS) {
      it(`matches the direct-loop definition: ${cfg.name}, batch 2, 3 -> 4 channels`, () =>
        on(backend, () => {
          // float32 on webgpu (no float64 there): the definition is checked, not float64 precision.
          const x = sampleFloat([2, 7, 6, 3], -1, 1, 3);
          const f = sampleFloat([3, 2, 3, 4], -1, 1, 4);
          const y = nb.conv2d(x, f, { strides: cfg.strides, dilations: cfg.dilations, padding: cfg.padding });
          const pads = padsFor(cfg, 7, 6, 3, 2);
          if (x.dtype === 'float64') expectSameValues(y, naiveConv2d(x, f, cfg.strides, cfg.dilations, pads));
          else expectClose(y, nb.withBackend('js', () => naiveConv2d(x, f, cfg.strides, cfg.dilations, pads).arraySync()) as number[], { atol: 1e-5 });
        }));
    }

    it('float32 inputs give float32 results close to the float64 definition', () =>
      on(backend, () => {
        const x = sample([1, 5, 5, 2], -1, 1, 5);
        const f = sample([3, 3, 2, 3], -1, 1, 6);
        // The float32 copies are made on the host where the device has no float64 (webgpu).
        const [x32, f32] = onHost(() => [nb.cast(x, 'float32'), nb.cast(f, 'float32')]);
        const y = nb.conv2d(x32!, f32!, { padding: 'same' });
        expect(y.dtype).toBe('float32');
        expectClose(y, onHost(() => naiveConv2d(x, f, [1, 1], [1, 1], [1, 1, 1, 1]).arraySync()) as number[], { rtol: 1e-5, atol: 1e-5 });
      }));

    it('5 input channels (kernels take channels in fours, then the rest): values and gradients', () =>
      on(backend, () => {
        const x = sampleFloat([2, 5, 5, 5], -1, 1, 15);
        const f = sampleFloat([2, 3, 5, 3], -1, 1, 16);
        const opts = { strides: 2, padding: 'same' } as const;
        expectDefinition(nb.conv2d(x, f, opts), () => naiveConv2d(x, f, [2, 2], [1, 1], [0, 1, 1, 1]));
        checkGrad((a, b) => nb.conv2d(a, b, opts), [x, f]);
      }));

    it('grouped convolution: each group sees its own channels', () =>
      on(backend, () => {
        const x = sampleFloat([1, 4, 4, 4], -1, 1, 8);
        const f = sampleFloat([2, 2, 2, 6], -1, 1, 9);
        expectDefinition(nb.conv2d(x, f, { groups: 2 }), () => naiveConv2d(x, f, [1, 1], [1, 1], [0, 0, 0, 0], 2));
        const x10 = sampleFloat([1, 4, 3, 10], -1, 1, 10);
        const f10 = sampleFloat([2, 2, 5, 4], -1, 1, 11);
        expectDefinition(nb.conv2d(x10, f10, { groups: 2 }), () => naiveConv2d(x10, f10, [1, 1], [1, 1], [0, 0, 0, 0], 2));
        checkGrad((a, b) => nb.conv2d(a, b, { groups: 2 }), [x10, f10]);
        expect(() => nb.conv2d(x10, f10, { groups: 3 })).toThrow(/expects 5 per group x 3 groups = 15/);
      }));

    it('an unbatched [h, w, c] input gives an unbatched output', () =>
      on(backend, () => {
        expectClose(nb.conv2d(nb.reshape(x9(), [3, 3, 1]), nb.ones([2, 2, 1, 1])), [[[12], [16]], [[24], [28]]]);
      }));

    for (const cfg of CONFIGS) {
      it(`gradients vs finite differences: ${cfg.name}`, () =>
        on(backend, () => {
          const x = sample([2, 5, 4, 2], -1, 1, 11);
          const f = sample([3, 2, 2, 3], -1, 1, 12);
          checkGrad((a, b) => nb.conv2d(a, b, cfg), [x, f]);
        }));
    }

    for (const cfg of [CONFIGS[1]!, CONFIGS[3]!, CONFIGS[5]!]) {
      it(`second order (gradients of conv2dBackpropInput/Filter): ${cfg.name}`, () =>
        on(backend, () => {
          const x = sample([1, 5, 4, 2], -1, 1, 13);
          const f = sample([2, 2, 2, 2], -1, 1, 14);
          const conv = (a: nb.Tensor, b: nb.Tensor) => nb.conv2d(a, b, cfg);
          checkGrad(firstGrad(conv, 0), [x, f], { eps: 1e-5, rtol: 1e-5, atol: 1e-6 });
          checkGrad(firstGrad(conv, 1), [x, f], { eps: 1e-5, rtol: 1e-5, atol: 1e-6 });
        }));
    }

    it('errors name the op, the shapes and what was expected', () =>
      on(backend, () => {
        const x = nb.zeros([1, 4, 4, 3]);
        expect(() => nb.conv2d(x, nb.zeros([2, 2, 2, 1]))).toThrow(nb.ShapeError);
        expect(() => nb.conv2d(x, nb.zeros([2, 2, 2, 1]))).toThrow(/conv2d: input \[1, 4, 4, 3\] has 3 channels but the filter \[2, 2, 2, 1\] expects 2/);
        expect(() => nb.conv2d(x, nb.zeros([2, 2, 3, 1]), { padding: 'full' as never })).toThrow(nb.ValueError);
        expect(() => nb.conv2d(x, nb.zeros([2, 2, 3, 1]), { padding: 'full' as never })).toThrow(/conv2d: padding must be 'valid', 'same'.*"full"/);
        expect(() => nb.conv2d(x, nb.zeros([5, 2, 3, 1]))).toThrow(/conv2d: the window .* more than the padded input size 4/);
        expect(() => nb.conv2d(nb.zeros([4, 3]), nb.zeros([2, 2, 3, 1]))).toThrow(/conv2d: input must have rank 4/);
        expect(() => nb.conv2d(x, nb.zeros([2, 2, 3]))).toThrow(/conv2d: filter must have rank 4/);
        expect(() => nb.conv2d(x, nb.zeros([2, 2, 3, 1]), { strides: 0 })).toThrow(/conv2d: strides must be a positive integer/);
        expect(() => nb.conv2d(nb.zeros([1, 4, 4, 3], 'int32'), nb.zeros([2, 2, 3, 1], 'int32'))).toThrow(nb.DTypeError);
      }));
  });

  describe(`conv1d, conv2dTranspose, depthwise and separable convolutions on ${backend}`, () => {
    it('conv1d: hand-computed valid and same with stride 2', () =>
      on(backend, () => {
        const x = nb.reshape(nb.tensor([1, 2, 3, 4, 5]), [1, 5, 1]);
        const f = nb.reshape(nb.tensor([1, -1]), [2, 1, 1]);
        expectClose(nb.conv1d(x, f), [[[-1], [-1], [-1], [-1]]]);
        // 'same' with stride 2: 3 outputs, one cell of padding at the end.
        expectClose(nb.conv1d(x, f, { strides: 2, padding: 'same' }), [[[-1], [-1], [5]]]);
        expectClose(nb.nn.conv1d(x, f, { dilations: 2 }), [[[-2], [-2], [-2]]]);
      }));

    it('conv1d: matches conv2d over a unit height, and its gradients', () =>
      on(backend, () => {
        const x = sampleFloat([2, 7, 3], -1, 1, 21);
        const f = sampleFloat([3, 3, 2], -1, 1, 22);
        const y = nb.conv1d(x, f, { strides: 2, padding: 'same' });
        expectDefinition(y, () => nb.reshape(naiveConv2d(nb.reshape(x, [2, 1, 7, 3]), nb.reshape(f, [1, 3, 3, 2]), [1, 2], [1, 1], [0, 0, 1, 1]), [2, 4, 2]));
        checkGrad((a, b) => nb.conv1d(a, b, { padding: 'same' }), [x, f]);
        expect(() => nb.conv1d(x, nb.zeros([3, 2, 2], x.dtype))).toThrow(/conv1d: input \[2, 7, 3\] has 3 channels but the filter \[3, 2, 2\] expects 2/);
      }));

    it('conv2dTranspose: hand-computed stride-2 upsampling', () =>
      on(backend, () => {
        const x = nb.tensor([[[[1], [2]], [[3], [4]]]]);
        const y = nb.conv2dTranspose(x, nb.ones([2, 2, 1, 1]), [1, 4, 4, 1], { strides: 2 });
        expectClose(y, [[[[1], [1], [2], [2]], [[1], [1], [2], [2]], [[3], [3], [4], [4]], [[3], [3], [4], [4]]]]);
      }));

    for (const padding of ['valid', 'same'] as const) {
      it(`conv2dTranspose is the adjoint of conv2d (${padding}, stride 2) and has gradients`, () =>
        on(backend, () => {
          const a = sampleFloat([2, 5, 5, 3], -1, 1, 31);
          const f = sampleFloat([3, 3, 3, 2], -1, 1, 32);
          const b = sampleFloat(nb.conv2d(a, f, { strides: 2, padding }).shape as number[], -1, 1, 33);
          const t = nb.conv2dTranspose(b, f, a.shape as number[], { strides: 2, padding });
          expect(t.shape).toEqual(a.shape);
          const yDotB = onHost(() => nb.sum(nb.mul(nb.conv2d(a, f, { strides: 2, padding }), b)).item());
          expectClose(nb.sum(nb.mul(t, a)), yDotB, t.dtype === 'float32' ? { rtol: 1e-4, atol: 1e-4 } : {});
          checkGrad((u, v) => nb.conv2dTranspose(u, v, [2, 5, 5, 3], { strides: 2, padding }), [b, f]);
        }));
    }

    it('conv2dTranspose: an output shape that conv2d does not map to x raises', () =>
      on(backend, () => {
        const x = nb.zeros([1, 2, 2, 1]);
        expect(() => nb.conv2dTranspose(x, nb.ones([2, 2, 1, 1]), [1, 6, 6, 1], { strides: 2 })).toThrow(/conv2dTranspose: a conv2d with these options maps outputShape \[1, 6, 6, 1\] to \[1, 3, 3, 1\]/);
        expect(() => nb.conv2dTranspose(x, nb.ones([2, 2, 1, 3]), [1, 4, 4, 1], { strides: 2 })).toThrow(/conv2dTranspose: input .* has 1 channels but the filter .* expects 3/);
      }));

    it('depthwiseConv2d: hand-computed, multiplier 2', () =>
      on(backend, () => {
        const x = nb.tensor([[[[1, 10], [2, 20]], [[3, 30], [4, 40]]]]); // [1, 2, 2, 2]
        // f[p, q, c, m] = 1 for m = 0, and (p == q ? 1 : 0) for m = 1.
        const f = nb.tensor([[[[1, 1], [1, 1]], [[1, 0], [1, 0]]], [[[1, 0], [1, 0]], [[1, 1], [1, 1]]]]);
        expectClose(nb.depthwiseConv2d(x, f), [[[[10, 5, 100, 50]]]]);
      }));

    for (const cfg of [CONFIGS[0]!, CONFIGS[3]!, CONFIGS[6]!]) {
      it(`depthwiseConv2d matches its definition and finite differences: ${cfg.name}`, () =>
        on(backend, () => {
          const x = sampleFloat([2, 6, 5, 3], -1, 1, 41);
          const f = sampleFloat([3, 2, 3, 2], -1, 1, 42);
          const y = nb.nn.depthwiseConv2d(x, f, cfg);
          expectDefinition(y, () => naiveDepthwise(x, f, cfg.strides, cfg.dilations, padsFor(cfg, 6, 5, 3, 2)));
          const xs = sampleFloat([1, 4, 4, 2], -1, 1, 43);
          const fs = sampleFloat([2, 2, 2, 2], -1, 1, 44);
          checkGrad((a, b) => nb.depthwiseConv2d(a, b, cfg), [xs, fs]);
          const dw = (a: nb.Tensor, b: nb.Tensor) => nb.depthwiseConv2d(a, b, cfg);
          checkGrad(firstGrad(dw, 0), [xs, fs], { eps: 1e-5, rtol: 1e-5, atol: 1e-6 });
        }));
    }

    it('depthwiseConv2d: channel mismatch raises naming the op', () =>
      on(backend, () => {
        expect(() => nb.depthwiseConv2d(nb.zeros([1, 4, 4, 3]), nb.zeros([2, 2, 2, 1]))).toThrow(/depthwiseConv2d: input \[1, 4, 4, 3\] has 3 channels but the filter \[2, 2, 2, 1\] expects 2/);
      }));

    it('separableConv2d is depthwise then pointwise, with gradients for all three inputs', () =>
      on(backend, () => {
        const x = sampleFloat([1, 5, 5, 2], -1, 1, 51);
        const dw = sampleFloat([3, 3, 2, 2], -1, 1, 52);
        const pw = sampleFloat([1, 1, 4, 3], -1, 1, 53);
        const y = nb.separableConv2d(x, dw, pw, { padding: 'same' });
        expectDefinition(y, () => naiveConv2d(naiveDepthwise(x, dw, [1, 1], [1, 1], [1, 1, 1, 1]), pw, [1, 1], [1, 1], [0, 0, 0, 0]));
        checkGrad((a, b, c) => nb.separableConv2d(a, b, c, { padding: 'same', strides: 2 }), [x, dw, pw]);
        expect(() => nb.separableConv2d(x, dw, nb.zeros([2, 1, 4, 3]))).toThrow(/separableConv2d: pointwise filter must be \[1, 1/);
      }));
  });
}
