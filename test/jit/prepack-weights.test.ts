// Weights packed once for the GEMM (packGemmB, fusedLinear's `prepacked` input, the jit's
// prepack-weights pass) on the backends with the C++ GEMM: results bit-equal to the unpacked
// kernels at panel- and block-boundary sizes, the pack really read where the kernel packs (a
// wrong unpacked weight beside it does not change the result) and the unpacked weight where it
// does not, and compiled inference graphs that never read a stale pack.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import { loadWasmModule } from '../../src/backends/wasm/wasm-module.js';
import { run1 } from '../../src/ops/run.js';
import { conv2dOp, type ConvAttrs } from '../../src/ops/primitives/conv.js';
import { fusedLinearOp, type FusedLinearAttrs } from '../../src/jit/fused-ops.js';
import { packGemmBOp, packedLength, type PackGemmBAttrs } from '../../src/jit/prepacked-ops.js';
import { prepackWeights } from '../../src/jit/passes/prepack-weights.js';
import type { DType } from '../../src/tensor/dtype.js';

const start = nb.getBackend();
const forced = process.env.NABLA_CONV_FORWARD;
afterAll(() => nb.setBackend(start));
afterEach(() => forceConvForward(forced as ConvPath | undefined));

// native reads NABLA_CONV_FORWARD on each call; the wasm module is told (it has no environment).
type ConvPath = 'tiled' | 'gemm' | 'winograd';
function forceConvForward(path: ConvPath | undefined): void {
  if (path === undefined) delete process.env.NABLA_CONV_FORWARD;
  else process.env.NABLA_CONV_FORWARD = path;
  if (nb.backendInfo('wasm').available) loadWasmModule().setConvForward(path);
}
const backends = ['native', 'wasm'].filter((b) => nb.backendInfo(b).available);

const values = (t: nb.Tensor) => Array.from(t.dataSync());

function packMatmulWeight(w: nb.Tensor, transposeB: boolean): nb.Tensor {
  const [r, c] = w.shape as [number, number];
  const attrs: PackGemmBAttrs = transposeB
    ? { k: c, n: r, groups: 1, rowStride: 1, colStride: c, dtype: w.dtype }
    : { k: r, n: c, groups: 1, rowStride: c, colStride: 1, dtype: w.dtype };
  return run1(packGemmBOp, [w], attrs);
}

function linear(base: 'matmul' | 'conv2d', baseAttrs: unknown, x: nb.Tensor, w: nb.Tensor, packed: nb.Tensor, shape: readonly number[], dtype: DType): nb.Tensor {
  const attrs: FusedLinearAttrs = { base, baseAttrs, hasBias: false, activation: null, shape, dtype, prepacked: true };
  return run1(fusedLinearOp, [x, w, packed], attrs);
}

describe.each(backends)('prepacked GEMM weights on %s', (backend) => {
  // k around the 1024-row k block, n around 32-column panels, m around the 4 streamed rows and the 48-row blocks.
  const sizes: [number, number, number][] = [
    [5, 1, 1],
    [6, 7, 31],
    [8, 33, 32],
    [17, 64, 33],
    [48, 1023, 65],
    [49, 1024, 10],
    [97, 1025, 128],
    [130, 300, 257],
    // Large enough for several threads: split by columns, then by rows.
    [256, 512, 300],
    [600, 1100, 64],
  ];

  it.each(sizes)('matmul m=%i k=%i n=%i: bit-equal to matmul, read from the pack (both transposes, float32 and float64)', async (m, k, n) => {
    await nb.setBackend(backend);
    nb.random.seed(m * 7 + k + n);
    for (const dtype of ['float32', 'float64'] as const) {
      for (const transposeB of [false, true]) {
        const x = nb.cast(nb.random.normal([m, k]), dtype);
        const w = nb.cast(nb.random.normal(transposeB ? [n, k] : [k, n]), dtype);
        const packed = packMatmulWeight(w, transposeB);
        expect(packed.shape).toEqual([packedLength(k, n, 1)]);
        const want = values(nb.matmul(x, w, { transposeB }));
        const attrs = { transposeA: false, transposeB };
        expect(values(linear('matmul', attrs, x, w, packed, [m, n], dtype))).toEqual(want);
        // A wrong unpacked weight beside the pack: the kernel multiplies by the pack.
        expect(values(linear('matmul', attrs, x, nb.zerosLike(w), packed, [m, n], dtype))).toEqual(want);
      }
    }
  });

  it('a product of at most 4 rows streams the unpacked weight (the pack is not read), bit-equal to matmul', async () => {
    await nb.setBackend(backend);
    nb.random.seed(2);
    const x = nb.random.normal([3, 50]);
    const w = nb.random.normal([50, 40]);
    const packed = packMatmulWeight(w, false);
    const attrs = { transposeA: false, transposeB: false };
    expect(values(linear('matmul', attrs, x, w, packed, [3, 40], 'float32'))).toEqual(values(nb.matmul(x, w)));
    expect(values(linear('matmul', attrs, x, nb.zerosLike(w), packed, [3, 40], 'float32')).every((v) => v === 0)).toBe(true);
    expect(engine.backend.prepack!.uses('matmul', [3, 50], [50, 40], [3, 40], 'float32', attrs)).toBe(false);
    expect(engine.backend.prepack!.uses('matmul', [5, 50], [50, 40], [5, 40], 'float32', attrs)).toBe(true);
  });

  // [x shape, filter shape, strides, pads, groups]
  const convs: [number[], number[], number, [number, number, number, number], number][] = [
    [[2, 9, 9, 16], [3, 3, 16, 33], 1, [1, 1, 1, 1], 1],
    [[1, 14, 14, 24], [3, 3, 12, 64], 2, [0, 1, 0, 1], 2],
    [[3, 7, 7, 40], [1, 1, 40, 96], 1, [0, 0, 0, 0], 1],
    [[1, 7, 7, 64], [3, 3, 64, 130], 1, [1, 1, 1, 1], 1],
    // Fewer output pixels than filter columns per group: the threads split the filter's columns.
    [[1, 6, 6, 128], [3, 3, 64, 256], 1, [1, 1, 1, 1], 2],
    [[1, 6, 6, 256], [1, 1, 256, 320], 1, [0, 0, 0, 0], 1],
  ];

  it.each(convs)('conv2d x=%j f=%j (im2col + GEMM path): bit-equal to conv2d, read from the pack', async (xs, fs, s, pads, groups) => {
    await nb.setBackend(backend);
    forceConvForward('gemm');
    nb.random.seed(xs[1]! + fs[3]!);
    const attrs: ConvAttrs = { strides: [s, s], dilations: [1, 1], pads, groups };
    for (const dtype of ['float32', 'float64'] as const) {
      const x = nb.cast(nb.random.normal(xs), dtype);
      const f = nb.cast(nb.random.normal(fs), dtype);
      const [kh, kw, cg, o] = fs as [number, number, number, number];
      const packed = run1(packGemmBOp, [f], { k: kh * kw * cg, n: o / groups, groups, rowStride: o, colStride: 1, dtype });
      const y = run1(conv2dOp, [x, f], attrs);
      expect(engine.backend.prepack!.uses('conv2d', x.shape, f.shape, y.shape, dtype, attrs)).toBe(true);
      expect(values(linear('conv2d', attrs, x, f, packed, y.shape, dtype))).toEqual(values(y));
      expect(values(linear('conv2d', attrs, x, nb.zerosLike(f), packed, y.shape, dtype))).toEqual(values(y));
    }
  });

  it('a depthwise conv2d is never packed', async () => {
    await nb.setBackend(backend);
    const attrs: ConvAttrs = { strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], groups: 8 };
    expect(engine.backend.prepack!.uses('conv2d', [1, 6, 6, 8], [3, 3, 1, 8], [1, 6, 6, 8], 'float32', attrs)).toBe(false);
  });

  it('compiled inference graphs pack each weight once, equal the uncompiled function bit for bit, and follow writes to the weights', async () => {
    await nb.setBackend(backend);
    nb.random.seed(11);
    forceConvForward('gemm');
    const f = new nb.Variable(nb.random.normal([3, 3, 4, 40]));
    const w = new nb.Variable(nb.random.normal([40 * 16, 70]));
    const b = new nb.Variable(nb.random.normal([70]));
    const fn = (x: nb.Tensor) => nb.relu(nb.add(nb.matmul(nb.reshape(nb.relu(nb.conv2d(x, f, { strides: 2, padding: 'same' })), [-1, 40 * 16]), w), b));
    const compiled = nb.jit(fn, { inference: true });
    const x = nb.random.normal([9, 8, 8, 4]);
    expect(values(compiled(x))).toEqual(values(fn(x)));
    expect(compiled.graph(x)).toMatch(/prepack: 2/);
    expect(compiled.graph(x)).not.toMatch(/packGemmB/); // moved to the weight prep
    for (const write of [() => w.assign(nb.neg(w)), () => f.assign(nb.mul(f, 0.5)), () => b.assign(nb.add(b, 1))]) {
      write();
      expect(values(compiled(x))).toEqual(values(fn(x)));
    }
  });

  it('packs nothing where a result is computed from weights alone (the weight prep cannot be split off, so packs would run per call)', async () => {
    await nb.setBackend(backend);
    const w = new nb.Variable(nb.random.normal([20, 30]));
    const compiled = nb.jit((x: nb.Tensor) => [nb.matmul(x, w), nb.mul(w, 2)], { inference: true });
    const x = nb.random.normal([8, 20]);
    const [y, w2] = compiled(x) as nb.Tensor[];
    expect(values(y!)).toEqual(values(nb.matmul(x, w)));
    expect(values(w2!)).toEqual(values(nb.mul(w, 2)));
    expect(compiled.graph(x)).not.toMatch(/prepack/);
  });

  it('a Dense model predicts like its eager forward pass, before and after fit and setWeights', async () => {
    await nb.setBackend(backend);
    nb.random.seed(12);
    const model = new nb.Sequential([new nb.layers.Dense(48, { activation: 'relu', inputShape: [30] }), new nb.layers.Dense(5)]);
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    const x = nb.random.normal([20, 30]);
    const eager = () => values(model.apply(x, { training: false }) as nb.Tensor);
    expect(values(model.predict(x) as nb.Tensor)).toEqual(eager());
    await model.fit(x, nb.random.normal([20, 5]), { epochs: 1, batchSize: 10, verbose: 0 });
    expect(values(model.predict(x) as nb.Tensor)).toEqual(eager());
    model.setWeights(model.getWeights().map((t) => nb.mul(t, -1.5)));
    expect(values(model.predict(x) as nb.Tensor)).toEqual(eager());
  });
});

describe('the prepack pass elsewhere', () => {
  it('leaves graphs alone on a backend without a packed GEMM (js)', async () => {
    await nb.setBackend('js');
    const w = new nb.Variable(nb.ones([8, 8]));
    const compiled = nb.jit((x: nb.Tensor) => nb.matmul(x, w), { inference: true });
    const x = nb.ones([16, 8]);
    expect(values(compiled(x))).toEqual(values(nb.matmul(x, w)));
    expect(compiled.graph(x)).not.toMatch(/prepack/);
    expect(prepackWeights).toBeTypeOf('function');
  });

  it('vmap over a packed weight is refused with the op and the weight named', async () => {
    await nb.setBackend('js');
    const attrs: PackGemmBAttrs = { k: 3, n: 2, groups: 1, rowStride: 2, colStride: 1, dtype: 'float32' };
    expect(() => nb.vmap((w: nb.Tensor) => run1(packGemmBOp, [w], attrs))(nb.ones([4, 3, 2]))).toThrow(/packGemmB: cannot pack a batch of 3 x 2 weights/);
  });

  it.runIf(backends.length > 0)('the reference kernel of packGemmB names the op and the backends it runs on', async () => {
    await nb.setBackend('js');
    expect(() => run1(packGemmBOp, [nb.ones([4, 4])], { k: 4, n: 4, groups: 1, rowStride: 4, colStride: 1, dtype: 'float32' })).toThrow(/packGemmB.*native and wasm/);
  });
});
