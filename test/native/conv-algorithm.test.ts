// The forward float32 convolution picks its algorithm per shape (native/src/conv-algorithm.h):
// the register-tiled path for filters that stay in cache, the packed GEMM (im2col or pointwise)
// for larger ones. Each path, forced with NABLA_CONV_FORWARD, equals the JS reference within float
// rounding on every shape family (padding, strides, dilation, groups, 1x1, windows inside the
// input); the automatic choice equals the forced path it should have taken, bit for bit.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import type { Conv2DOptions } from '../../src/ops/primitives/conv.js';

const start = nb.getBackend();
afterAll(() => nb.setBackend(start));
afterEach(() => {
  delete process.env.NABLA_CONV_FORWARD;
});
const compiled = ['native', 'wasm'].filter((b) => nb.backendInfo(b).available);

interface Case {
  name: string;
  x: number[];
  f: number[];
  opts: Conv2DOptions;
}

const CASES: Case[] = [
  { name: '3x3 same (padded, im2col)', x: [2, 9, 8, 5], f: [3, 3, 5, 7], opts: { padding: 'same' } },
  { name: '3x3 valid (windows inside the input)', x: [3, 10, 10, 1], f: [3, 3, 1, 32], opts: { padding: 'valid' } },
  { name: '7x7 stride 2 same (a ResNet stem)', x: [1, 20, 20, 3], f: [7, 7, 3, 16], opts: { padding: 'same', strides: 2 } },
  { name: '1x1 (pointwise)', x: [2, 6, 6, 16], f: [1, 1, 16, 24], opts: {} },
  { name: '1x1 stride 2', x: [1, 8, 8, 16], f: [1, 1, 16, 24], opts: { strides: 2 } },
  // 62x62x16 padded floats per image: the tiled path copies 17 padded images at a time, then 3.
  { name: '3x3 same, batch past one padded copy', x: [20, 60, 60, 16], f: [3, 3, 16, 8], opts: { padding: 'same' } },
  { name: '3x3 dilation 2', x: [1, 11, 11, 4], f: [3, 3, 4, 6], opts: { padding: 'same', dilations: 2 } },
  { name: '3x3 two groups', x: [1, 7, 7, 8], f: [3, 3, 4, 10], opts: { padding: 'same', groups: 2 } },
  // 3x3x128x256 float32 = 1.18 MB of filter: past the tiled path's limit, so the GEMM by default.
  { name: '3x3 128->256 (large filter)', x: [1, 5, 5, 128], f: [3, 3, 128, 256], opts: { padding: 'same' } },
];

/** Whether the automatic choice for this filter is the GEMM (conv-algorithm.h: filters above 1 MiB). */
const autoIsGemm = (c: Case) => c.f.reduce((a, b) => a * b, 4) > 1 << 20;

function values(shape: number[], seed: number): number[] {
  let s = seed;
  return Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => ((s = (s * 1103515245 + 12345) >>> 0) / 4294967296) * 2 - 1);
}

async function conv(backend: string, c: Case, path?: 'tiled' | 'gemm'): Promise<Float32Array> {
  await nb.setBackend(backend);
  if (path) process.env.NABLA_CONV_FORWARD = path;
  else delete process.env.NABLA_CONV_FORWARD;
  const y = nb.conv2d(nb.tensor(values(c.x, 1), c.x), nb.tensor(values(c.f, 2), c.f), c.opts);
  return y.dataSync().slice() as Float32Array;
}

describe.each(compiled)('conv2d algorithm choice on %s', (backend) => {
  it.each(CASES)('$name: tiled, GEMM and the automatic choice equal the reference', async (c) => {
    const want = await conv('js', c);
    const k = c.f[0]! * c.f[1]! * c.f[2]!;
    const got = { tiled: await conv(backend, c, 'tiled'), gemm: await conv(backend, c, 'gemm'), auto: await conv(backend, c) };
    for (const [path, y] of Object.entries(got)) {
      expect(y.length, path).toBe(want.length);
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(y[i]! - want[i]!));
      // Sums of k products of values in [-1, 1], each path in its own order.
      expect(worst, path).toBeLessThanOrEqual(4e-7 * k);
    }
    expect(Array.from(got.auto)).toEqual(Array.from(autoIsGemm(c) ? got.gemm : got.tiled));
  });

  // Both paths sum a patch in order with fused multiply-adds, so they agree bit for bit up to the
  // GEMM's k block (1024); past it (3x3x128 = 1152) the GEMM adds two partial sums and bits differ,
  // which shows which path ran.
  it('the large filter runs the GEMM by default; short patches agree bit for bit on both paths', async () => {
    const large = CASES.at(-1)!;
    const tiled = await conv(backend, large, 'tiled');
    const gemm = await conv(backend, large, 'gemm');
    const auto = await conv(backend, large);
    expect(Array.from(auto)).toEqual(Array.from(gemm));
    const hasTiles = backend === 'native' && ['avx512', 'avx2'].includes(String((nb.backendInfo('native') as { simd?: string }).simd));
    // Without a tile product (wasm, arm64, CPUs without AVX2) a forced 'tiled' falls back to the GEMM.
    expect(tiled.some((v, i) => v !== gemm[i])).toBe(hasTiles);
    for (const small of CASES.filter((c) => c.opts.padding === 'same' && !c.opts.dilations && !c.opts.groups && !autoIsGemm(c)))
      expect(Array.from(await conv(backend, small, 'tiled')), small.name).toEqual(Array.from(await conv(backend, small, 'gemm')));
  });
});
