// The Winograd F(4x4, 3x3) forward convolution (native/src/conv-winograd.cc), forced with
// NABLA_CONV_FORWARD=winograd on native and the module's setConvForward on wasm, against a float64
// reference over shapes that reach its edge cases: output sizes that leave partial 4x4 tiles,
// same/valid/asymmetric padding, batches, channel counts off the SIMD width. The automatic choice
// (conv-algorithm.h winogradWins) takes it on the shapes its rule names and not elsewhere, and the
// gradient of a conv that ran it (the backward stays on the direct kernels) matches finite differences.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import type { NativeBackend } from '../../src/backends/native/native-backend.js';
import { loadWasmModule } from '../../src/backends/wasm/wasm-module.js';
import type { Conv2DOptions } from '../../src/ops/primitives/conv.js';

type Path = 'tiled' | 'gemm' | 'winograd';

const start = nb.getBackend();
const compiled = ['native', 'wasm'].filter((b) => nb.backendInfo(b).available);
afterEach(() => force(undefined));
afterAll(() => nb.setBackend(start));

function force(path: Path | undefined): void {
  if (path) process.env.NABLA_CONV_FORWARD = path;
  else delete process.env.NABLA_CONV_FORWARD;
  if (nb.backendInfo('wasm').available) loadWasmModule().setConvForward(path);
}

interface Case {
  name: string;
  x: number[];
  f: number[];
  opts: Conv2DOptions;
}

const CASES: Case[] = [
  { name: 'odd sizes, same, batch 2, 5->7 channels', x: [2, 9, 11, 5], f: [3, 3, 5, 7], opts: { padding: 'same' } },
  { name: 'valid, 13x10 (11x8 out: partial tiles)', x: [1, 13, 10, 17], f: [3, 3, 17, 19], opts: { padding: 'valid' } },
  { name: 'asymmetric explicit padding', x: [1, 7, 6, 3], f: [3, 3, 3, 4], opts: { padding: [[2, 0], [0, 1]] } },
  { name: 'a 1x1 output (one tile, mostly outside)', x: [1, 3, 3, 4], f: [3, 3, 4, 2], opts: { padding: 'valid' } },
  { name: 'padding wider than the window', x: [1, 2, 3, 2], f: [3, 3, 2, 3], opts: { padding: [[3, 2], [1, 4]] } },
  { name: 'batch 3, 8x8, 8->8', x: [3, 8, 8, 8], f: [3, 3, 8, 8], opts: { padding: 'same' } },
  { name: '16x16, 64->72, same', x: [1, 16, 16, 64], f: [3, 3, 64, 72], opts: { padding: 'same' } },
];

function values(shape: number[], seed: number): number[] {
  let s = seed;
  return Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => ((s = (s * 1103515245 + 12345) >>> 0) / 4294967296) * 2 - 1);
}

async function conv(backend: string, c: Case, path: Path | undefined, dtype: 'float32' | 'float64' = 'float32'): Promise<Float64Array> {
  await nb.setBackend(backend);
  force(path);
  const y = nb.conv2d(nb.tensor(values(c.x, 1), c.x, dtype), nb.tensor(values(c.f, 2), c.f, dtype), c.opts);
  return Float64Array.from(y.dataSync() as Float32Array);
}

function worstError(got: Float64Array, want: Float64Array): number {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  return worst;
}

/**
 * Measured worst error of F(4x4, 3x3) against float64 on ResNet-18's 3x3 layers, inputs and
 * filters uniform in [-1, 1] (bench/conv-winograd.ts): 3.0-3.8e-7 per summed product (k = 9c:
 * 2.2e-4 at k = 576, 1.4e-3 at k = 4608), about 7x the direct paths' 5e-8. The bound leaves 2.5x.
 */
const winogradBound = (c: Case) => 1e-6 * c.f[0]! * c.f[1]! * c.f[2]!;

describe.each(compiled)('Winograd conv2d on %s', (backend) => {
  it.each(CASES)('$name: forced Winograd equals the float64 reference within its bound', async (c) => {
    const want = await conv('js', c, undefined, 'float64');
    const got = await conv(backend, c, 'winograd');
    expect(worstError(got, want)).toBeLessThanOrEqual(winogradBound(c));
    // The bound is not loose enough to pass a wrong result: a transform off by one tap is O(1).
    const tiled = await conv(backend, c, 'tiled');
    expect(worstError(tiled, want)).toBeLessThanOrEqual(winogradBound(c));
  });

  // The rule (conv-algorithm.h winogradWins): native takes Winograd from 32 input and 64 output
  // channels and 32 output tiles of 4x4 (16 where both channel counts are 256), the wasm module (no tile product, a 4-wide GEMM) from 16
  // channels and 8 tiles.
  const shape = (name: string, x: number[], o: number, opts: Conv2DOptions = { padding: 'same' }): Case => ({ name, x, f: [3, 3, x[3]!, o], opts });
  const rule = {
    native: {
      picks: [
        shape('28x28 64->64 (49 tiles)', [1, 28, 28, 64], 64),
        shape('14x14 64->64, batch 2 (32 tiles)', [2, 14, 14, 64], 64),
        shape('28x28 32->64 (32 input channels)', [1, 28, 28, 32], 64),
        shape('14x14 256->256 (16 tiles, both 256 channels wide)', [1, 14, 14, 256], 256),
      ],
      skips: [
        shape('14x14 64->64 (16 tiles)', [1, 14, 14, 64], 64),
        shape('14x14 128->256 (16 tiles, 128 input channels)', [1, 14, 14, 128], 256),
        shape('7x7 256->256 (4 tiles)', [1, 7, 7, 256], 256),
        shape('28x28 16->64 (16 input channels)', [1, 28, 28, 16], 64),
        shape('28x28 32->32 (32 output channels)', [1, 28, 28, 32], 32),
        shape('28x28 64->64 stride 2', [1, 28, 28, 64], 64, { padding: 'same', strides: 2 }),
      ],
    },
    wasm: {
      picks: [
        shape('28x28 64->64 (49 tiles)', [1, 28, 28, 64], 64),
        shape('14x14 64->64 (16 tiles)', [1, 14, 14, 64], 64),
        shape('12x9 16->20 (9 tiles)', [1, 12, 9, 16], 20),
      ],
      skips: [
        shape('8x8 64->64 (4 tiles)', [1, 8, 8, 64], 64),
        shape('28x28 8->16 (8 input channels)', [1, 28, 28, 8], 16),
        shape('28x28 64->64 stride 2', [1, 28, 28, 64], 64, { padding: 'same', strides: 2 }),
      ],
    },
  }[backend as 'native' | 'wasm'];

  it('the per-shape choice takes Winograd where its rule says, and nothing else', async () => {
    for (const c of rule.picks) {
      const auto = await conv(backend, c, undefined);
      expect(Array.from(auto), c.name).toEqual(Array.from(await conv(backend, c, 'winograd')));
      // Winograd's bits differ from the direct path's, so the equality above says which one ran.
      expect(Array.from(auto), c.name).not.toEqual(Array.from(await conv(backend, c, 'gemm')));
    }
    for (const c of rule.skips) {
      const auto = await conv(backend, c, undefined);
      const direct = c.f[2]! * 9 * c.f[3]! * 4 > 1 << 20 ? 'gemm' : 'tiled';
      expect(Array.from(auto), c.name).toEqual(Array.from(await conv(backend, c, direct)));
    }
  });

  it('a forced Winograd on a shape it cannot run (stride 2, 5x5) runs the usual path', async () => {
    const c: Case = { name: '5x5 stride 2', x: [1, 9, 9, 3], f: [5, 5, 3, 4], opts: { padding: 'same', strides: 2 } };
    expect(Array.from(await conv(backend, c, 'winograd'))).toEqual(Array.from(await conv(backend, c, undefined)));
  });

  it('gradients through a conv that runs Winograd match finite differences', async () => {
    await nb.setBackend(backend);
    force(undefined);
    // A shape the rule gives Winograd on both backends (the test above checks that it does).
    const xs = [1, 28, 28, 64], fs = [3, 3, 64, 64];
    const xv = values(xs, 3), fv = values(fs, 4), wv = values([1, 28, 28, 64], 5);
    const loss = (x: nb.Tensor, f: nb.Tensor) => nb.sum(nb.mul(nb.cast(nb.conv2d(x, f, { padding: 'same' }), 'float64'), nb.tensor(wv, xs, 'float64')));
    const x = nb.tensor(xv, xs), f = nb.tensor(fv, fs);
    const tape = new nb.GradientTape();
    tape.watch(x);
    tape.watch(f);
    const [gx, gf] = tape.gradient(loss(x, f), [x, f]);
    // The loss is linear in each argument, so a central difference along a direction d is its
    // directional derivative up to rounding: compare grad . d on float64 copies.
    const at = (v: number[], d: number[], eps: number, shape: number[]) => nb.tensor(v.map((a, i) => a + eps * d[i]!), shape, 'float64');
    const dot = (g: nb.Tensor, d: number[]) => (g.dataSync() as Float32Array).reduce((s, a, i) => s + a * d[i]!, 0);
    const dx = values(xs, 6), df = values(fs, 7), eps = 1e-3;
    const x64 = nb.tensor(xv, xs, 'float64'), f64 = nb.tensor(fv, fs, 'float64');
    const numericX = (loss(at(xv, dx, eps, xs), f64).item() - loss(at(xv, dx, -eps, xs), f64).item()) / (2 * eps);
    const numericF = (loss(x64, at(fv, df, eps, fs)).item() - loss(x64, at(fv, df, -eps, fs)).item()) / (2 * eps);
    expect(Math.abs(dot(gx!, dx) - numericX)).toBeLessThanOrEqual(1e-4 * Math.abs(numericX) + 1e-3);
    expect(Math.abs(dot(gf!, df) - numericF)).toBeLessThanOrEqual(1e-4 * Math.abs(numericF) + 1e-3);
  });
});

describe.skipIf(!nb.backendInfo('native').available)('Winograd conv2d on native, any thread count', () => {
  it('gives the same bits on 1 to 4 threads (tile blocks shrink with the count; a tile never depends on its block)', async () => {
    await nb.setBackend('native');
    force('winograd');
    const native = engine.instance('native') as NativeBackend;
    const before = native.info().threads as number;
    const c: Case = { name: '30x30 65->66, batch 2', x: [2, 30, 30, 65], f: [3, 3, 65, 66], opts: { padding: 'same' } };
    try {
      const runs: number[][] = [];
      for (const t of [1, 2, 3, 4]) {
        native.setThreads(t);
        runs.push(Array.from(await conv('native', c, 'winograd')));
      }
      for (const r of runs.slice(1)) expect(r).toEqual(runs[0]);
    } finally {
      native.setThreads(before);
    }
  });
});
