// Winograd convs of inference graphs read their filter transformed once (packGemmB with
// `winograd`): bit-equal to the unpacked Winograd conv at tile remainders, paddings, batches and
// odd channel counts, the pack really read (a zeroed unpacked filter beside it changes nothing),
// and compiled graphs that never read a stale pack after a write to the filter.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import { run1 } from '../../src/ops/run.js';
import { conv2dOp, type ConvAttrs } from '../../src/ops/primitives/conv.js';
import { fusedLinearOp, type FusedLinearAttrs } from '../../src/jit/fused-ops.js';
import { packGemmBOp, packedLength } from '../../src/jit/prepacked-ops.js';
import { loadWasmModule } from '../../src/backends/wasm/wasm-module.js';

const start = nb.getBackend();
const forced = process.env.NABLA_CONV_FORWARD;
afterAll(() => nb.setBackend(start));
const backends = ['native', 'wasm'].filter((b) => nb.backendInfo(b).available);
afterEach(() => {
  if (forced === undefined) delete process.env.NABLA_CONV_FORWARD;
  else process.env.NABLA_CONV_FORWARD = forced;
  if (nb.getBackend() === 'wasm') loadWasmModule().setConvForward(undefined);
});

/** Force the conv path on native (environment) and wasm (the module has none). */
function force(path: 'winograd' | undefined): void {
  if (path) process.env.NABLA_CONV_FORWARD = path;
  else delete process.env.NABLA_CONV_FORWARD;
  if (nb.getBackend() === 'wasm') loadWasmModule().setConvForward(path);
}
const values = (t: nb.Tensor) => Array.from(t.dataSync());

function packWinograd(f: nb.Tensor): nb.Tensor {
  const [, , c, o] = f.shape as [number, number, number, number];
  return run1(packGemmBOp, [f], { k: c, n: o, groups: 1, rowStride: o, colStride: 1, dtype: 'float32', winograd: true });
}

function prepackedConv(attrs: ConvAttrs, x: nb.Tensor, f: nb.Tensor, packed: nb.Tensor, shape: readonly number[]): nb.Tensor {
  const fused: FusedLinearAttrs = { base: 'conv2d', baseAttrs: attrs, hasBias: false, activation: null, shape, dtype: 'float32', prepacked: true };
  return run1(fusedLinearOp, [x, f, packed], fused);
}

describe.each(backends)('prepacked Winograd filters on %s', (backend) => {
  // [x shape, filter shape, pads]: 4x4 tile remainders, padding on some sides only, batches, odd channels.
  const convs: [number[], number[], [number, number, number, number]][] = [
    [[2, 9, 9, 16], [3, 3, 16, 33], [1, 1, 1, 1]],
    [[1, 7, 7, 64], [3, 3, 64, 130], [1, 1, 1, 1]],
    [[3, 6, 10, 5], [3, 3, 5, 7], [0, 2, 1, 0]],
    [[1, 11, 13, 3], [3, 3, 3, 9], [0, 0, 0, 0]],
    [[2, 14, 14, 67], [3, 3, 67, 31], [1, 1, 1, 1]],
  ];

  it.each(convs)('conv2d x=%j f=%j pads=%j: bit-equal to the unpacked Winograd conv, read from the pack', async (xs, fs, pads) => {
    await nb.setBackend(backend);
    force('winograd');
    nb.random.seed(xs[1]! * 3 + fs[3]!);
    const attrs: ConvAttrs = { strides: [1, 1], dilations: [1, 1], pads, groups: 1 };
    const x = nb.random.normal(xs);
    const f = nb.random.normal(fs);
    const packed = packWinograd(f);
    expect(packed.shape).toEqual([packedLength(fs[2]!, fs[3]!, 1, true)]);
    const y = run1(conv2dOp, [x, f], attrs);
    expect(engine.backend.prepack!.winograd!(x.shape, f.shape, y.shape, 'float32', attrs)).toBe(true);
    expect(engine.backend.prepack!.uses('conv2d', x.shape, f.shape, y.shape, 'float32', attrs)).toBe(false);
    const want = values(y);
    expect(values(prepackedConv(attrs, x, f, packed, y.shape))).toEqual(want);
    expect(values(prepackedConv(attrs, x, nb.zerosLike(f), packed, y.shape))).toEqual(want);
    // The Winograd result itself is a convolution (float64 reference, float32 rounding).
    const ref = values(run1(conv2dOp, [nb.cast(x, 'float64'), nb.cast(f, 'float64')], attrs));
    const worst = want.reduce((m, v, i) => Math.max(m, Math.abs(v - ref[i]!)), 0);
    expect(worst).toBeLessThan(1e-3 * Math.sqrt(9 * fs[2]!));
  });

  it('a pack of another filter shape is not read: the plain kernel runs', async () => {
    await nb.setBackend(backend);
    force('winograd');
    nb.random.seed(5);
    const attrs: ConvAttrs = { strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], groups: 1 };
    const x = nb.random.normal([1, 8, 8, 4]);
    const f = nb.random.normal([3, 3, 4, 6]);
    const y = run1(conv2dOp, [x, f], attrs);
    // Same element count, other channel split (6 x 4): its header names another shape.
    const other = packWinograd(nb.random.normal([3, 3, 6, 4]));
    expect(values(prepackedConv(attrs, x, f, other, y.shape))).toEqual(values(y));
  });

  it('float64 convs and strided 3x3 convs get no Winograd pack', async () => {
    await nb.setBackend(backend);
    force('winograd');
    const same: ConvAttrs = { strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], groups: 1 };
    const strided: ConvAttrs = { ...same, strides: [2, 2] };
    expect(engine.backend.prepack!.winograd!([1, 8, 8, 16], [3, 3, 16, 16], [1, 8, 8, 16], 'float64', same)).toBe(false);
    expect(engine.backend.prepack!.winograd!([1, 8, 8, 16], [3, 3, 16, 16], [1, 4, 4, 16], 'float32', strided)).toBe(false);
  });

  it('compiled inference graphs transform the filter once, equal the uncompiled function bit for bit, and follow writes to it', async () => {
    await nb.setBackend(backend);
    nb.random.seed(17);
    force('winograd');
    const f = new nb.Variable(nb.random.normal([3, 3, 8, 24]));
    const b = new nb.Variable(nb.random.normal([24]));
    const fn = (x: nb.Tensor) => nb.relu(nb.add(nb.conv2d(x, f, { padding: 'same' }), b));
    const compiled = nb.jit(fn, { inference: true });
    const x = nb.random.normal([2, 10, 10, 8]);
    expect(values(compiled(x))).toEqual(values(fn(x)));
    expect(compiled.graph(x)).toMatch(/prepack: 1/);
    for (const write of [() => f.assign(nb.mul(f, -0.5)), () => f.assign(nb.random.normal([3, 3, 8, 24])), () => b.assign(nb.add(b, 1))]) {
      write();
      expect(values(compiled(x))).toEqual(values(fn(x)));
    }
  });

  it('the automatic choice packs Winograd for a shape where it wins', async () => {
    await nb.setBackend(backend);
    force(undefined);
    const attrs: ConvAttrs = { strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], groups: 1 };
    expect(engine.backend.prepack!.winograd!([1, 28, 28, 64], [3, 3, 64, 64], [1, 28, 28, 64], 'float32', attrs)).toBe(true);
    expect(engine.backend.prepack!.uses('conv2d', [1, 28, 28, 64], [3, 3, 64, 64], [1, 28, 28, 64], 'float32', attrs)).toBe(false);
  });
});
