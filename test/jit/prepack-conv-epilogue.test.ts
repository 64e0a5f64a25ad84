// A prepacked conv2d of an inference graph applies its bias and activation itself (the GEMM per
// finished block, or the Winograd output transform per output pixel) instead of a biasActivation
// pass afterwards: bit-equal to the conv followed by that pass, on the Winograd and GEMM paths,
// grouped convs, tile remainders and 1 or 2 threads; and a compiled residual block equals its
// eager forward pass bit for bit.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import { run1 } from '../../src/ops/run.js';
import type { ConvAttrs } from '../../src/ops/primitives/conv.js';
import { fusedLinearOp, type FusedLinearAttrs } from '../../src/jit/fused-ops.js';
import { packGemmBOp } from '../../src/jit/prepacked-ops.js';
import { loadWasmModule } from '../../src/backends/wasm/wasm-module.js';

const start = nb.getBackend();
const forced = process.env.NABLA_CONV_FORWARD;
afterAll(() => nb.setBackend(start));
const backends = ['native', 'wasm'].filter((b) => nb.backendInfo(b).available);

type ConvPath = 'gemm' | 'winograd';
function force(path: ConvPath | undefined): void {
  if (path === undefined) delete process.env.NABLA_CONV_FORWARD;
  else process.env.NABLA_CONV_FORWARD = path;
  if (nb.backendInfo('wasm').available) loadWasmModule().setConvForward(path);
}
afterEach(() => force(forced as ConvPath | undefined));

const bits = (t: nb.Tensor) => Buffer.from((t.dataSync() as Float32Array).buffer).toString('base64');

/** The native pool's thread count becomes n (the wasm backend keeps its own); returns the previous one. */
function setThreads(n: number): number {
  if (nb.getBackend() !== 'native') return 1;
  const backend = engine.backend as { setThreads?: (n: number) => void; info?: () => { threads?: unknown } };
  const before = Number(backend.info?.().threads ?? 1);
  backend.setThreads?.(n);
  return before;
}

const threadCounts = () => (nb.getBackend() === 'native' ? [1, 2] : [1]);

/** fusedLinear on [x, f, bias] (+ the pack when `packed`), conv2d base. */
function fusedConv(attrs: ConvAttrs, x: nb.Tensor, f: nb.Tensor, bias: nb.Tensor, activation: string | null, shape: readonly number[], packed?: nb.Tensor): nb.Tensor {
  const fused: FusedLinearAttrs = { base: 'conv2d', baseAttrs: attrs, hasBias: true, activation, shape, dtype: 'float32', prepacked: packed !== undefined };
  return run1(fusedLinearOp, packed ? [x, f, bias, packed] : [x, f, bias], fused);
}

describe.each(backends)('prepacked conv2d with its bias and activation on %s', (backend) => {
  // [path, x shape, filter shape, pads, strides, groups]: Winograd tile remainders, the GEMM's row
  // remainders (49 rows: ResNet's 7x7 layers), strides, groups.
  const convs: [ConvPath, number[], number[], [number, number, number, number], number, number][] = [
    ['winograd', [1, 7, 7, 64], [3, 3, 64, 70], [1, 1, 1, 1], 1, 1],
    ['winograd', [2, 9, 10, 16], [3, 3, 16, 33], [1, 1, 1, 1], 1, 1],
    ['gemm', [1, 7, 7, 64], [3, 3, 64, 70], [1, 1, 1, 1], 1, 1],
    ['gemm', [1, 14, 14, 32], [3, 3, 32, 40], [1, 1, 1, 1], 2, 1],
    ['gemm', [2, 9, 9, 12], [3, 3, 4, 18], [1, 1, 1, 1], 1, 3],
    ['gemm', [1, 13, 11, 24], [1, 1, 24, 100], [0, 0, 0, 0], 1, 1],
  ];

  it.each(convs)('%s x=%j f=%j pads=%j stride %d groups %d: bit-equal to the conv then biasActivation, on 1 and 2 threads', async (path, xs, fs, pads, stride, groups) => {
    await nb.setBackend(backend);
    force(path);
    nb.random.seed(xs[1]! + fs[3]!);
    const attrs: ConvAttrs = { strides: [stride, stride], dilations: [1, 1], pads, groups };
    const x = nb.random.normal(xs);
    const f = nb.random.normal(fs);
    const o = fs[3]!;
    const bias = nb.random.normal([o]);
    const k = fs[0]! * fs[1]! * fs[2]!;
    const winograd = path === 'winograd';
    const packed = run1(packGemmBOp, [f], { k: winograd ? fs[2]! : k, n: o / groups, groups: winograd ? 1 : groups, rowStride: o, colStride: 1, dtype: 'float32', winograd });
    const oh = Math.floor((xs[1]! + pads[0] + pads[1] - fs[0]!) / stride) + 1, ow = Math.floor((xs[2]! + pads[2] + pads[3] - fs[1]!) / stride) + 1;
    const shape = [xs[0]!, oh, ow, o];
    const before = setThreads(1);
    try {
      for (const activation of [null, 'relu', 'sigmoid']) {
        const want = bits(fusedConv(attrs, x, f, bias, activation, shape));
        for (const threads of threadCounts()) {
          setThreads(threads);
          expect(bits(fusedConv(attrs, x, f, bias, activation, shape, packed)), `${activation} on ${threads} threads`).toBe(want);
          // The pack is what is read: a zeroed plain filter beside it changes nothing.
          expect(bits(fusedConv(attrs, x, nb.zerosLike(f), bias, activation, shape, packed))).toBe(want);
        }
        setThreads(1);
      }
      // relu really clamped something (the case is not vacuous).
      expect(Array.from(fusedConv(attrs, x, f, bias, 'relu', shape, packed).dataSync()).some((v) => v === 0)).toBe(true);
    } finally {
      setThreads(before);
    }
  });

  it('float64 (the GEMM path): bit-equal to the conv then biasActivation', async () => {
    await nb.setBackend(backend);
    force(undefined);
    nb.random.seed(9);
    const attrs: ConvAttrs = { strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], groups: 1 };
    const x = nb.cast(nb.random.normal([1, 7, 7, 16]), 'float64');
    const f = nb.cast(nb.random.normal([3, 3, 16, 40]), 'float64');
    const bias = nb.cast(nb.random.normal([40]), 'float64');
    const packed = run1(packGemmBOp, [f], { k: 144, n: 40, groups: 1, rowStride: 40, colStride: 1, dtype: 'float64', winograd: false });
    const fused = (withPack: boolean, filter: nb.Tensor) =>
      run1(fusedLinearOp, withPack ? [x, filter, bias, packed] : [x, filter, bias], {
        base: 'conv2d', baseAttrs: attrs, hasBias: true, activation: 'relu', shape: [1, 7, 7, 40], dtype: 'float64', prepacked: withPack,
      } as FusedLinearAttrs);
    const want = Array.from(fused(false, f).dataSync());
    expect(Array.from(fused(true, f).dataSync())).toEqual(want);
    expect(Array.from(fused(true, nb.zerosLike(f)).dataSync())).toEqual(want);
    expect(want.some((v) => v === 0) && want.some((v) => v > 0)).toBe(true);
  });

  it('a compiled residual block (conv+bias+relu, conv+bias, add, relu) equals its eager forward pass bit for bit', async () => {
    await nb.setBackend(backend);
    force(undefined);
    nb.random.seed(3);
    const f1 = new nb.Variable(nb.mul(nb.random.normal([3, 3, 64, 64]), 0.05));
    const f2 = new nb.Variable(nb.mul(nb.random.normal([3, 3, 64, 64]), 0.05));
    const b1 = new nb.Variable(nb.random.normal([64]));
    const b2 = new nb.Variable(nb.random.normal([64]));
    const fn = (x: nb.Tensor) => {
      const h = nb.relu(nb.add(nb.conv2d(x, f1, { padding: 'same' }), b1));
      return nb.relu(nb.add(nb.add(nb.conv2d(h, f2, { padding: 'same' }), b2), x));
    };
    const compiled = nb.jit(fn, { inference: true });
    const x = nb.random.normal([1, 28, 28, 64]); // 49 Winograd tiles: both convs prepacked
    expect(compiled.graph(x)).toMatch(/prepack: 2/);
    const before = setThreads(1);
    try {
      for (const threads of threadCounts()) {
        setThreads(threads);
        expect(bits(compiled(x)), `${threads} threads`).toBe(bits(fn(x)));
      }
    } finally {
      setThreads(before);
    }
  });
});
