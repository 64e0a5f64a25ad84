// The addon's conv2d and pool2d write every element of their output: the jit executor reuses
// output buffers across steps, so a kernel must not count on a zero-filled array. Each kernel
// runs twice on the addon directly, into a zeroed array and into one full of NaN and garbage,
// and both results must agree bit for bit (geometries with gaps between windows, padding,
// 1x1 and depthwise filters, many channels, empty images).
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { loadAddon, type NativeAddon } from '../../src/backends/native/load-addon.js';
import { randomArray } from './random-inputs.js';

const nativeUp = nb.backendInfo('native').available;

type Floats = Float32Array | Float64Array;

interface ConvCase {
  /** n, h, w, c, kh, kw, c/groups, o, oh, ow, strides, dilations, pads, groups (window-kernels.h). */
  geometry: number[];
  label: string;
}

const CONV_CASES: ConvCase[] = [
  { label: '3x3 valid, 1 input channel', geometry: [2, 8, 7, 1, 3, 3, 1, 32, 6, 5, 1, 1, 1, 1, 0, 0, 0, 0, 1] },
  { label: '3x3 valid, 32 -> 64', geometry: [2, 7, 6, 32, 3, 3, 32, 64, 5, 4, 1, 1, 1, 1, 0, 0, 0, 0, 1] },
  { label: 'stride 3 (input cells no window reads)', geometry: [2, 8, 8, 3, 2, 2, 3, 5, 3, 3, 3, 3, 1, 1, 0, 0, 0, 0, 1] },
  { label: 'padding and dilation', geometry: [1, 6, 5, 2, 3, 3, 2, 4, 6, 5, 1, 1, 2, 2, 2, 2, 2, 2, 1] },
  { label: '1x1', geometry: [2, 4, 5, 6, 1, 1, 6, 3, 4, 5, 1, 1, 1, 1, 0, 0, 0, 0, 1] },
  { label: 'depthwise', geometry: [2, 5, 5, 4, 3, 3, 1, 8, 5, 5, 1, 1, 1, 1, 1, 1, 1, 1, 4] },
  { label: 'no images (the filter gradient is zero)', geometry: [0, 4, 4, 2, 3, 3, 2, 3, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0, 1] },
];

interface PoolCase {
  /** n, h, w, c, oh, ow, poolH, poolW, strideH, strideW, pads (window-kernels.h). */
  geometry: number[];
  label: string;
}

const POOL_CASES: PoolCase[] = [
  { label: '2x2 stride 2, odd size (last row and column in no window)', geometry: [2, 11, 11, 64, 5, 5, 2, 2, 2, 2, 0, 0, 0, 0] },
  { label: '2x2 stride 3 (gaps between windows), 70 channels', geometry: [2, 8, 9, 70, 3, 3, 2, 2, 3, 3, 0, 0, 0, 0] },
  { label: '3x3 stride 2 padded (windows overlap)', geometry: [1, 7, 6, 3, 4, 3, 3, 3, 2, 2, 1, 1, 1, 0] },
  { label: '2x2 stride 2 same padding', geometry: [2, 5, 5, 5, 3, 3, 2, 2, 2, 2, 0, 1, 0, 1] },
  { label: 'pool larger than its window stride in one axis only', geometry: [1, 6, 6, 2, 3, 5, 2, 2, 2, 1, 0, 0, 0, 0] },
];

const CONV_MODES = ['conv2d', 'conv2dBackpropInput', 'conv2dBackpropFilter'] as const;
const POOL_MODES = ['maxPool', 'maxPoolGrad', 'maxPoolGradGrad', 'avgPool', 'avgPoolGrad'] as const;

function sizes(c: ConvCase): { x: number; f: number; y: number } {
  const [n, h, w, ch, kh, kw, cg, o, oh, ow] = c.geometry as [number, number, number, number, number, number, number, number, number, number];
  return { x: n * h * w * ch, f: kh * kw * cg * o, y: n * oh * ow * o };
}

function poolSizes(c: PoolCase): { x: number; y: number } {
  const [n, h, w, ch, oh, ow] = c.geometry as [number, number, number, number, number, number];
  return { x: n * h * w * ch, y: n * oh * ow * ch };
}

/** An output array of `n` elements filled with NaN, infinities and large values. */
function garbage<T extends Floats>(like: T, n: number): T {
  const out = new (like.constructor as new (n: number) => T)(n);
  const junk = [NaN, Infinity, -1e30, 12345, -0];
  for (let i = 0; i < n; i++) out[i] = junk[i % junk.length]!;
  return out;
}

function bits(a: Floats): number[] {
  return Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

describe(`native window kernels write every output element${nativeUp ? '' : ' (addon not built)'}`, () => {
  if (!nativeUp) {
    it('the native backend reports itself unavailable', () => expect(nb.backendInfo('native').available).toBe(false));
    return;
  }
  const addon: NativeAddon = loadAddon();
  const args = new Float64Array(1024);
  addon.setArgs(args);
  const setArgs = (v: number[]) => {
    args.fill(0);
    args.set(v);
  };
  const random = (dtype: 'float32' | 'float64', n: number, seed: number) => randomArray(dtype, n, seed, { lo: -1, hi: 1 }) as Floats;
  /** Run a kernel into a zeroed output and into a garbage-filled one; both must give the same bits. Returns the zeroed run's output. */
  const expectOverwritten = (label: string, geometry: number[], a: Floats, outSize: number, run: (out: Floats) => void): Floats => {
    const fresh = garbage(a, outSize).fill(0);
    setArgs(geometry);
    run(fresh);
    const reused = garbage(a, outSize);
    setArgs(geometry);
    run(reused);
    expect(bits(reused), label).toEqual(bits(fresh));
    return fresh;
  };

  for (const dtype of ['float32', 'float64'] as const) {
    CONV_CASES.forEach((c, k) => {
      it(`conv2d and its gradients, ${c.label} (${dtype})`, () => {
        const s = sizes(c);
        const inputs = { x: random(dtype, s.x, 1 + k), f: random(dtype, s.f, 11 + k), y: random(dtype, s.y, 21 + k) };
        const operands = { conv2d: [inputs.x, inputs.f, s.y], conv2dBackpropInput: [inputs.y, inputs.f, s.x], conv2dBackpropFilter: [inputs.x, inputs.y, s.f] } as const;
        CONV_MODES.forEach((mode, code) => {
          const [a, b, outSize] = operands[mode];
          const fresh = expectOverwritten(mode, c.geometry, a, outSize, (out) => addon.conv2d(code, a, b, out));
          if (s.x > 0 && outSize > 0) expect(fresh.some((v) => v !== 0), `${mode} is not all zero`).toBe(true);
        });
      });
    });

    POOL_CASES.forEach((c, k) => {
      it(`pooling and its gradients, ${c.label} (${dtype})`, () => {
        const s = poolSizes(c);
        const x = random(dtype, s.x, 31 + k);
        const dy = random(dtype, s.y, 41 + k);
        const gx = random(dtype, s.x, 51 + k);
        const operands = { maxPool: [x, x, s.y], maxPoolGrad: [x, dy, s.x], maxPoolGradGrad: [x, gx, s.y], avgPool: [x, x, s.y], avgPoolGrad: [dy, dy, s.x] } as const;
        POOL_MODES.forEach((mode, code) => {
          const [a, b, outSize] = operands[mode];
          expectOverwritten(mode, c.geometry, a, outSize, (out) => addon.pool2d(code, a, b, out));
        });
      });
    });
  }
});
