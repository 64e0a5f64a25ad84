// dataFormat 'channelsFirst' for the conv and pool ops on every backend: values against the
// channels-last op on transposed inputs (itself checked against its definition in conv.test.ts and
// pool.test.ts), gradients against finite differences, and the same under jit and vmap. 3-D
// convolutions are compositions of the 2-D primitives (depth merged into height, channels first):
// the same checks, plus the transposed one as the adjoint of the forward one for ONNX's explicit
// pads, and a traced graph holding no transpose of the volume.
import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { conv3d, conv3dTranspose } from '../../src/nn/layers/conv3d.js';
import { conv3dChannelsFirst, conv3dTransposeChannelsFirst, type VolumeWindow } from '../../src/nn/layers/conv3d-channels-first.js';
import { backendsUnderTest, checkGrad, expectClose, on, onHost, sample, sampleFloat } from './harness.js';

const toFirst = (t: nb.Tensor) => nb.transpose(t, t.rank === 4 ? [0, 3, 1, 2] : [0, 2, 1]);
const toLast = (t: nb.Tensor) => nb.transpose(t, t.rank === 4 ? [0, 2, 3, 1] : [0, 2, 1]);

/** `y` equals the channels-last `reference(xLast)` moved to channels first. */
function expectMatchesLast(y: nb.Tensor, reference: () => nb.Tensor, tol = 1e-9): void {
  const want = onHost(() => toFirst(reference()));
  expect(y.shape).toEqual(want.shape);
  expectClose(y, onHost(() => want.arraySync()) as number[], { atol: y.dtype === 'float64' ? tol : 2e-5, rtol: y.dtype === 'float64' ? tol : 2e-5 });
}

type Conv2DOptions = { strides?: number | [number, number]; dilations?: number; padding?: 'valid' | 'same' | [number, number][]; groups?: number };
type Conv2DCase = { name: string; opts: Conv2DOptions; c: number; o: number };
const CONV_CASES: Conv2DCase[] = [
  { name: 'valid', opts: {}, c: 3, o: 4 },
  { name: "'same', stride 2", opts: { padding: 'same', strides: 2 }, c: 3, o: 2 },
  { name: 'dilation 2, explicit padding', opts: { dilations: 2, padding: [[1, 0], [0, 2]] }, c: 2, o: 3 },
  { name: 'grouped (2 groups)', opts: { groups: 2, strides: [1, 2] }, c: 4, o: 6 },
  { name: 'five channels (the kernels take fours, then the rest)', opts: { padding: 'same' }, c: 5, o: 2 },
];

for (const backend of backendsUnderTest()) {
  describe(`channels-first convolutions on ${backend}`, () => {
    for (const k of CONV_CASES) {
      it(`conv2d ${k.name}: values, and gradients vs finite differences`, () =>
        on(backend, () => {
          const groups = k.opts.groups ?? 1;
          const x = sampleFloat([2, k.c, 6, 7], -1, 1, 1);
          const f = sampleFloat([3, 2, k.c / groups, k.o], -1, 1, 2);
          const y = nb.conv2d(x, f, { ...k.opts, dataFormat: 'channelsFirst' });
          expectMatchesLast(y, () => nb.conv2d(toLast(x), f, k.opts));
          const xs = sample([1, k.c, 5, 4], -1, 1, 3);
          const fs = sample([2, 2, k.c / groups, k.o], -1, 1, 4);
          checkGrad((a, b) => nb.conv2d(a, b, { ...k.opts, dataFormat: 'channelsFirst' }), [xs, fs]);
        }));
    }

    it('depthwiseConv2d and separableConv2d: values and gradients', () =>
      on(backend, () => {
        const x = sampleFloat([2, 3, 6, 5], -1, 1, 5);
        const dw = sampleFloat([3, 3, 3, 2], -1, 1, 6);
        const pw = sampleFloat([1, 1, 6, 4], -1, 1, 7);
        const opts = { strides: 2, padding: 'same' } as const;
        expectMatchesLast(nb.depthwiseConv2d(x, dw, { ...opts, dataFormat: 'channelsFirst' }), () => nb.depthwiseConv2d(toLast(x), dw, opts));
        expectMatchesLast(nb.separableConv2d(x, dw, pw, { dilations: 2, dataFormat: 'channelsFirst' }), () => nb.separableConv2d(toLast(x), dw, pw, { dilations: 2 }));
        const xs = sample([1, 2, 4, 4], -1, 1, 8);
        checkGrad((a, b) => nb.depthwiseConv2d(a, b, { dilations: 2, padding: 'same', dataFormat: 'channelsFirst' }), [xs, sample([2, 2, 2, 2], -1, 1, 9)]);
      }));

    it('conv1d: values and gradients ([n, c, width] inputs, [k, c, o] filters)', () =>
      on(backend, () => {
        const x = sampleFloat([2, 4, 9], -1, 1, 10);
        const f = sampleFloat([3, 2, 6], -1, 1, 11);
        const opts = { strides: 2, padding: 'same', groups: 2 } as const;
        expectMatchesLast(nb.conv1d(x, f, { ...opts, dataFormat: 'channelsFirst' }), () => nb.conv1d(toLast(x), f, opts));
        checkGrad((a, b) => nb.conv1d(a, b, { dilations: 2, dataFormat: 'channelsFirst' }), [sample([1, 2, 7], -1, 1, 12), sample([2, 2, 3], -1, 1, 13)]);
      }));

    it('conv2dTranspose: values and gradients', () =>
      on(backend, () => {
        const x = sampleFloat([2, 3, 3, 4], -1, 1, 14);
        const f = sampleFloat([3, 3, 2, 3], -1, 1, 15);
        const y = nb.conv2dTranspose(x, f, [2, 2, 6, 8], { strides: 2, padding: 'same', dataFormat: 'channelsFirst' });
        expectMatchesLast(y, () => nb.conv2dTranspose(toLast(x), f, [2, 6, 8, 2], { strides: 2, padding: 'same' }));
        checkGrad((a, b) => nb.conv2dTranspose(a, b, [1, 2, 5, 5], { strides: 2, dataFormat: 'channelsFirst' }), [sample([1, 3, 2, 2], -1, 1, 16), sample([3, 3, 2, 3], -1, 1, 17)]);
      }));

    it('an unbatched [c, h, w] input gives an unbatched output', () =>
      on(backend, () => {
        const x = sampleFloat([2, 4, 4], -1, 1, 18);
        const f = sampleFloat([2, 2, 2, 3], -1, 1, 19);
        const y = nb.conv2d(x, f, { dataFormat: 'channelsFirst' });
        expect(y.shape).toEqual([3, 3, 3]);
        expectMatchesLast(nb.expandDims(y, 0), () => nb.conv2d(nb.expandDims(nb.transpose(x, [1, 2, 0]), 0), f));
      }));

    it('errors name the op, the layout and the shapes', () =>
      on(backend, () => {
        const f = sampleFloat([2, 2, 3, 1]);
        expect(() => nb.conv2d(sampleFloat([1, 4, 5, 5]), f, { dataFormat: 'channelsFirst' })).toThrow(/conv2d: input \[1, 4, 5, 5\] has 4 channels but the filter \[2, 2, 3, 1\] expects 3/);
        expect(() => nb.conv2d(sampleFloat([4, 5]), f, { dataFormat: 'channelsFirst' })).toThrow(/rank 4 \[batch, channels, height, width\]/);
        expect(() => nb.conv2d(sampleFloat([1, 3, 5, 5]), f, { dataFormat: 'NCHW' as never })).toThrow(/conv2d: dataFormat must be 'channelsLast' or 'channelsFirst', got "NCHW"/);
        expect(() => nb.maxPool(sampleFloat([1, 3, 5, 5]), { dataFormat: 'channels_first' as never })).toThrow(/maxPool: dataFormat must be/);
      }));
  });

  describe(`channels-first pooling on ${backend}`, () => {
    const POOLS = [
      { name: '2x2', opts: {} },
      { name: "3x3 'same', stride 2", opts: { poolSize: 3, strides: 2, padding: 'same' } },
      { name: '[2, 3] window, [1, 2] stride', opts: { poolSize: [2, 3], strides: [1, 2] } },
    ] as const;
    for (const p of POOLS) {
      for (const kind of ['maxPool', 'avgPool'] as const) {
        it(`${kind} ${p.name}: values and gradients (and second order)`, () =>
          on(backend, () => {
            const x = sampleFloat([2, 3, 6, 7], -1, 1, 20);
            expectMatchesLast(nb[kind](x, { ...p.opts, dataFormat: 'channelsFirst' }), () => nb[kind](toLast(x), p.opts));
            const xs = sample([1, 2, 5, 5], -1, 1, 21);
            const pool = (a: nb.Tensor) => nb[kind](a, { ...p.opts, dataFormat: 'channelsFirst' });
            checkGrad(pool, [xs]);
            // The gradient's own gradient runs maxPoolGradGrad / avgPool on channels-first data.
            const grad = (a: nb.Tensor) => nb.grad((t: nb.Tensor) => nb.sum(nb.square(pool(t))))(a) as nb.Tensor;
            checkGrad(grad, [xs], { eps: 1e-5, rtol: 1e-5, atol: 1e-6 });
          }));
      }
    }

    it('maxPool1d and avgPool1d over [n, c, width]', () =>
      on(backend, () => {
        const x = sampleFloat([2, 3, 9], -1, 1, 22);
        for (const kind of ['maxPool1d', 'avgPool1d'] as const) {
          expectMatchesLast(nb[kind](x, { poolSize: 3, strides: 2, padding: 'same', dataFormat: 'channelsFirst' }), () => nb[kind](toLast(x), { poolSize: 3, strides: 2, padding: 'same' }));
          checkGrad((a) => nb[kind](a, { poolSize: 2, dataFormat: 'channelsFirst' }), [sample([1, 2, 6], -1, 1, 23)]);
        }
      }));
  });

  describe(`channels-first under jit and vmap on ${backend}`, () => {
    it('a jitted conv -> bias -> relu -> pool equals eager (no fusion across the channel axis)', () =>
      on(backend, () => {
        const f = sampleFloat([3, 3, 2, 4], -1, 1, 24);
        const b = onHost(() => nb.reshape(sampleFloat([4], -1, 1, 25), [4, 1, 1]));
        const net = (x: nb.Tensor) => nb.maxPool(nb.relu(nb.add(nb.conv2d(x, f, { padding: 'same', dataFormat: 'channelsFirst' }), b)), { dataFormat: 'channelsFirst' });
        const x = sampleFloat([2, 2, 6, 6], -1, 1, 26);
        // The reference on the host (the js backend where reads are asynchronous: webgpu).
        const eager = onHost(() => net(x).arraySync()) as number[];
        const jitted = nb.jit(net);
        jitted(x);
        const y = jitted(x);
        expect(y.shape).toEqual([2, 4, 3, 3]);
        expectClose(y, eager, { atol: 1e-6 });
      }));

    it('vmap over a batched input and a batched filter equals a loop', () =>
      on(backend, () => {
        const xs = sampleFloat([3, 1, 2, 5, 5], -1, 1, 27);
        const fs = sampleFloat([3, 2, 2, 2, 3], -1, 1, 28);
        const conv = (x: nb.Tensor, f: nb.Tensor) => nb.conv2d(x, f, { dataFormat: 'channelsFirst', padding: 'same' });
        const batched = nb.vmap(conv)(xs, fs) as nb.Tensor;
        const looped = onHost(() => nb.stack([0, 1, 2].map((i) => conv(nb.gather(xs, i), nb.gather(fs, i)))).arraySync()) as number[];
        expect(batched.shape).toEqual([3, 1, 3, 5, 5]);
        expectClose(batched, looped, { atol: 1e-6 });
        const dy = nb.vmap((x: nb.Tensor) => nb.grad((t: nb.Tensor) => nb.sum(nb.square(conv(t, nb.gather(fs, 0)))))(x))(xs) as nb.Tensor;
        const dyLoop = onHost(() => nb.stack([0, 1, 2].map((i) => nb.grad((t: nb.Tensor) => nb.sum(nb.square(conv(t, nb.gather(fs, 0)))))(nb.gather(xs, i)))).arraySync()) as number[];
        expectClose(dy, dyLoop, { atol: 1e-6 });
      }));
  });
}

const volumeToFirst = (t: nb.Tensor) => nb.transpose(t, [0, 4, 1, 2, 3]);
const volumeToLast = (t: nb.Tensor) => nb.transpose(t, [0, 2, 3, 4, 1]);

/** `y` equals the channels-last `reference()` moved to channels first (a 5-D volume). */
function expectVolumeMatchesLast(y: nb.Tensor, reference: () => nb.Tensor): void {
  const tol = y.dtype === 'float64' ? 1e-9 : 2e-5;
  expectSameValues(y, volumeToFirst(reference()), tol);
}

/**
 * a and b equal within tol, both computed on the backend under test: a layer's weights live there,
 * and webgpu cannot be read synchronously on the host, so the difference is what gets read.
 */
function expectSameValues(a: nb.Tensor, b: nb.Tensor, tol: number): void {
  expect(a.shape).toEqual(b.shape);
  expectClose(nb.sub(a, b), onHost(() => nb.zeros(a.shape).arraySync()) as number[], { atol: tol, rtol: 0 });
}

type Conv3DCase = { name: string; c: number; f: number; kernel: number[]; strides: number[]; dilations: number[]; padding: 'same' | 'valid'; groups?: number };
const CONV3D_CASES: Conv3DCase[] = [
  { name: "'same', stride 2", c: 3, f: 2, kernel: [3, 2, 3], strides: [2, 2, 2], dilations: [1, 1, 1], padding: 'same' },
  { name: 'valid, strides [1, 3, 2], dilations [2, 1, 2]', c: 2, f: 3, kernel: [2, 2, 2], strides: [1, 3, 2], dilations: [2, 1, 2], padding: 'valid' },
  { name: "'same', 2 groups, dilation in height", c: 4, f: 2, kernel: [2, 3, 2], strides: [1, 1, 2], dilations: [1, 2, 1], padding: 'same', groups: 2 },
];

/** TensorFlow's [before, after] 'same' padding of each axis. */
function samePads(inSpatial: number[], k: Conv3DCase): [number, number][] {
  return inSpatial.map((n, i) => {
    if (k.padding === 'valid') return [0, 0];
    const ek = (k.kernel[i]! - 1) * k.dilations[i]! + 1;
    const total = Math.max((Math.ceil(n / k.strides[i]!) - 1) * k.strides[i]! + ek - n, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  });
}

for (const backend of backendsUnderTest()) {
  describe(`channels-first 3-D convolutions and pools on ${backend}`, () => {
    for (const k of CONV3D_CASES) {
      it(`conv3d ${k.name}: values vs channels last, gradients vs finite differences`, () =>
        on(backend, () => {
          const groups = k.groups ?? 1;
          const x = sampleFloat([2, k.c, 5, 7, 6], -1, 1, 31);
          const w = sampleFloat([...k.kernel, k.c / groups, k.f], -1, 1, 32);
          const win = (shape: number[]): VolumeWindow => ({ strides: k.strides, dilations: k.dilations, pads: samePads(shape.slice(2), k) });
          expectVolumeMatchesLast(conv3dChannelsFirst(x, w, win(x.shape as number[]), groups), () => conv3d(volumeToLast(x), w, k.strides, k.padding, k.dilations, groups));
          const xs = sample([1, k.c, 4, 5, 4], -1, 1, 33);
          const ws = sample([...k.kernel, k.c / groups, k.f], -1, 1, 34);
          checkGrad((a, b) => conv3dChannelsFirst(a, b, win(xs.shape as number[]), groups), [xs, ws]);
        }));
    }

    it('conv3dTranspose: values vs channels last (same with stride 2; valid with a kernel smaller than the stride), gradients', () =>
      on(backend, () => {
        const x = sampleFloat([2, 3, 3, 4, 2], -1, 1, 35);
        const w = sampleFloat([3, 2, 3, 2, 3], -1, 1, 36);
        // 'same', stride 2: output = input * 2, half the overhang cropped at the start.
        const cut = (n: number, k: number) => Math.floor(Math.max((n - 1) * 2 + k - n * 2, 0) / 2);
        const same = conv3dTransposeChannelsFirst(x, w, [6, 8, 4], [2, 2, 2], [1, 1, 1], [cut(3, 3), cut(4, 2), cut(2, 3)]);
        expectVolumeMatchesLast(same, () => conv3dTranspose(volumeToLast(x), w, [2, 6, 8, 4, 2], [2, 2, 2], 'same', [1, 1, 1]));
        const small = sampleFloat([1, 2, 1, 2, 3], -1, 1, 37);
        // valid, strides 3 over a kernel of 2: output = input * 3, the last cell of each stride zero.
        const valid = conv3dTransposeChannelsFirst(x, small, [9, 12, 6], [3, 3, 3], [1, 1, 1], [0, 0, 0]);
        expectVolumeMatchesLast(valid, () => conv3dTranspose(volumeToLast(x), small, [2, 9, 12, 6, 2], [3, 3, 3], 'valid', [1, 1, 1]));
        checkGrad((a, b) => conv3dTransposeChannelsFirst(a, b, [4, 5, 3], [2, 2, 1], [1, 2, 1], [1, 0, 0]), [sample([1, 3, 2, 2, 2], -1, 1, 38), sample([2, 2, 3, 2, 3], -1, 1, 39)]);
      }));

    it('conv3dTranspose with explicit pads, an output past the span and groups is the adjoint of conv3d', () =>
      on(backend, () => {
        // <conv3d(x), y> = <x, conv3dTranspose(y)> for every x and y, with the same kernel [k, c / g, f].
        const win: VolumeWindow = { strides: [2, 3, 2], dilations: [1, 1, 2], pads: [[1, 0], [0, 2], [2, 1]] };
        const x = sample([2, 4, 5, 7, 6], -1, 1, 40);
        const w = sample([2, 3, 2, 2, 6], -1, 1, 41);
        const y = conv3dChannelsFirst(x, w, win, 2);
        const dy = sample(y.shape as number[], -1, 1, 42);
        const back = conv3dTransposeChannelsFirst(dy, w, [5, 7, 6], win.strides, win.dilations, [1, 0, 2], 2);
        expect(back.shape).toEqual(x.shape);
        const lhs = onHost(() => nb.sum(nb.mul(y, dy)).item());
        const rhs = onHost(() => nb.sum(nb.mul(x, back)).item());
        expect(Math.abs(lhs - rhs)).toBeLessThan(1e-9 * Math.max(1, Math.abs(lhs)));
        // ...and equals the tape's input gradient of conv3d.
        const grad = nb.grad((t: nb.Tensor) => nb.sum(nb.mul(conv3dChannelsFirst(t, w, win, 2), dy)))(x) as nb.Tensor;
        expectClose(back, onHost(() => grad.arraySync()) as number[], { atol: 1e-9 });
      }));

    it('vmap over a batch of volumes and of kernels equals a loop', () =>
      on(backend, () => {
        const win: VolumeWindow = { strides: [1, 2, 1], dilations: [1, 1, 1], pads: [[1, 0], [1, 1], [0, 1]] };
        const xs = sampleFloat([3, 1, 2, 3, 4, 3], -1, 1, 48);
        const ws = sampleFloat([3, 2, 2, 2, 2, 3], -1, 1, 49);
        const conv = (x: nb.Tensor, w: nb.Tensor) => conv3dChannelsFirst(x, w, win);
        const batched = nb.vmap(conv)(xs, ws) as nb.Tensor;
        const looped = onHost(() => nb.stack([0, 1, 2].map((i) => conv(nb.gather(xs, i), nb.gather(ws, i)))).arraySync()) as number[];
        expectClose(batched, looped, { atol: 1e-5 });
        const up = (x: nb.Tensor) => conv3dTransposeChannelsFirst(x, nb.gather(ws, 0), [3, 5, 4], [1, 2, 1], [1, 1, 1], [0, 1, 0]);
        const ys = sampleFloat([3, 1, 3, 2, 3, 2], -1, 1, 50);
        const upLoop = onHost(() => nb.stack([0, 1, 2].map((i) => up(nb.gather(ys, i)))).arraySync()) as number[];
        expectClose(nb.vmap(up)(ys) as nb.Tensor, upLoop, { atol: 1e-5 });
      }));

    it('Conv3D, Conv3DTranspose and the 3-D pool layers: channels first equals channels last, gradients vs finite differences', () =>
      on(backend, () => {
        const L = nb.layers;
        // Layers hold float32 weights.
        const x = nb.cast(sampleFloat([2, 3, 4, 5, 6], -1, 1, 43), 'float32');
        const twins: [nb.layers.Layer, nb.layers.Layer][] = [
          [new L.Conv3D(4, [2, 3, 2], { strides: 2, padding: 'same', dataFormat: 'channelsFirst' }), new L.Conv3D(4, [2, 3, 2], { strides: 2, padding: 'same' })],
          [new L.Conv3DTranspose(2, 3, { strides: [2, 1, 2], padding: 'same', dataFormat: 'channelsFirst' }), new L.Conv3DTranspose(2, 3, { strides: [2, 1, 2], padding: 'same' })],
          [new L.MaxPooling3D({ poolSize: [2, 3, 2], strides: [1, 2, 2], padding: 'same', dataFormat: 'channelsFirst' }), new L.MaxPooling3D({ poolSize: [2, 3, 2], strides: [1, 2, 2], padding: 'same' })],
          [new L.AveragePooling3D({ poolSize: 2, strides: [2, 1, 2], padding: 'same', dataFormat: 'channelsFirst' }), new L.AveragePooling3D({ poolSize: 2, strides: [2, 1, 2], padding: 'same' })],
        ];
        for (const [first, last] of twins) {
          const y = first.apply(x) as nb.Tensor;
          last.apply(volumeToLast(x));
          last.setWeights(first.getWeights());
          expectVolumeMatchesLast(y, () => last.apply(volumeToLast(x)) as nb.Tensor);
          const xs = sample([1, 3, 3, 4, 4], -1, 1, 44);
          if (first.getWeights().length === 0) checkGrad((a) => first.apply(a) as nb.Tensor, [xs]);
        }
        const w = sample([2, 2, 2, 2, 3], -1, 1, 45);
        checkGrad((a, b) => conv3dTransposeChannelsFirst(a, b, [6, 8, 8], [2, 2, 2], [1, 1, 1], [0, 0, 0]), [sample([1, 3, 3, 4, 4], -1, 1, 46), w]);
      }));

    it('a traced channels-first Conv3D / Conv3DTranspose / pool stack transposes no activation, and every window op is channelsFirst', () =>
      on(backend, () => {
        const cf = { dataFormat: 'channelsFirst' } as const;
        const model = new nb.Sequential([
          new nb.layers.Conv3D(3, 2, { padding: 'same', inputShape: [2, 4, 5, 4], ...cf }),
          new nb.layers.MaxPooling3D({ poolSize: 2, ...cf }),
          new nb.layers.Conv3DTranspose(2, 2, { strides: 2, ...cf }),
          new nb.layers.AveragePooling3D({ poolSize: 2, ...cf }),
        ]);
        const f = nb.jit((x: nb.Tensor) => model.apply(x) as nb.Tensor);
        const dump = f.graph(nb.zeros([1, 2, 4, 5, 4]));
        // The only transposes reorder a kernel (a Variable) for the taps-as-channels convolution.
        const transposed = [...dump.matchAll(/= transpose\(([^,)]*)/g)].map((m) => m[1]!.trim());
        expect(transposed.length).toBeGreaterThan(0);
        for (const arg of transposed) expect(arg).toMatch(/^var\(/);
        const convs = [...dump.matchAll(/= (conv2d|conv2dBackpropInput)\([^)]*\)\s*(\{[^\n]*\})?/g)];
        expect(convs.length).toBeGreaterThan(0);
        for (const m of convs) expect(m[2] ?? '', m[0]).toMatch(/channelsFirst=true/);
        // The plan computes what eager calls do.
        const x = nb.cast(sampleFloat([2, 2, 4, 5, 4], -1, 1, 47), 'float32');
        expectSameValues(f(x), model.apply(x) as nb.Tensor, 1e-5);
      }));
  });
}
