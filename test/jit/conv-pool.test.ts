// The conv-pool pass (src/jit/passes/conv-pool.ts) and its fusedConvPool kernel, which runs
// conv2d → bias → activation → pool over the batch in cache-sized pieces of images on native and
// wasm (native/src/conv-pool.cc): bit-equal to the unfused ops on the same backend for odd batch
// sizes around the piece boundaries, batch 1, strides, padding, dilation, max and average pools,
// every forced conv algorithm and float64; close to the js backend; the pass refuses what the
// kernel cannot run.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { loadWasmModule } from '../../src/backends/wasm/wasm-module.js';
import { run1 } from '../../src/ops/run.js';
import { fusedConvPoolOp, type FusedConvPoolAttrs } from '../../src/jit/conv-pool-op.js';
import { convPoolRefusal } from '../../src/jit/passes/conv-pool.js';
import type { ConvAttrs } from '../../src/ops/primitives/conv.js';
import type { PoolAttrs } from '../../src/ops/primitives/pool.js';
import type { Node } from '../../src/jit/graph.js';
import { cnn } from '../../bench/inference-models.js';

const start = nb.getBackend();
const forced = process.env.NABLA_CONV_FORWARD;
afterAll(() => nb.setBackend(start));
afterEach(() => forceConvForward(forced as ConvPath | undefined));

type ConvPath = 'tiled' | 'gemm' | 'winograd';
function forceConvForward(path: ConvPath | undefined): void {
  if (path === undefined) delete process.env.NABLA_CONV_FORWARD;
  else process.env.NABLA_CONV_FORWARD = path;
  if (nb.backendInfo('wasm').available) loadWasmModule().setConvForward(path);
}
const backends = ['native', 'wasm'].filter((b) => nb.backendInfo(b).available);
const values = (t: nb.Tensor) => Array.from(t.dataSync());

interface Case {
  name: string;
  /** batch, height, width, channels in, channels out, window */
  n: number;
  hw: number;
  c: number;
  o: number;
  k: number;
  conv?: { strides?: number; padding?: 'valid' | 'same'; dilations?: number };
  pool?: { kind: 'maxPool' | 'avgPool'; poolSize: number; strides?: number; padding?: 'valid' | 'same' };
  activation?: 'relu' | 'sigmoid' | null;
}

// 26x26x32 float32 conv outputs are 86.5 KB an image: pieces of 3 images a thread (256 KB each),
// so batches 7 and 13 end in a short piece on one or two threads; 40x40x48 (300 KB) runs one
// image a piece on one thread, one or two on two.
const cases: Case[] = [
  { name: 'bench conv1, batch 1', n: 1, hw: 28, c: 1, o: 32, k: 3 },
  { name: 'bench conv1, batch 3 (one piece)', n: 3, hw: 28, c: 1, o: 32, k: 3 },
  { name: 'bench conv1, batch 7 (3+3+1)', n: 7, hw: 28, c: 1, o: 32, k: 3 },
  { name: 'bench conv1, batch 13', n: 13, hw: 28, c: 1, o: 32, k: 3, activation: 'sigmoid' },
  { name: 'bench conv2, batch 29', n: 29, hw: 13, c: 32, o: 64, k: 3 },
  { name: 'one image a piece, batch 5', n: 5, hw: 40, c: 3, o: 48, k: 3, conv: { padding: 'same' } },
  { name: 'conv stride 2 same, pool 3x3/2 same', n: 9, hw: 27, c: 4, o: 24, k: 5, conv: { strides: 2, padding: 'same' }, pool: { kind: 'maxPool', poolSize: 3, strides: 2, padding: 'same' } },
  { name: 'dilation 2, average pool 2x2', n: 11, hw: 30, c: 2, o: 40, k: 3, conv: { dilations: 2 }, pool: { kind: 'avgPool', poolSize: 2 } },
  { name: 'pool 2x2 stride 1, no activation', n: 6, hw: 33, c: 3, o: 17, k: 3, pool: { kind: 'maxPool', poolSize: 2, strides: 1 }, activation: null },
  // Winograd on native for the batch (64 channels, 4 tiles an image): pieces of 16 images (8 or
  // more pieces, so none are rebalanced on 1 or 2 threads) would leave a last one of 7 (28 tiles,
  // under Winograd's 32), which would take the tiled path: it joins the piece before it.
  { name: 'Winograd batch 135 (a short last piece would take another path)', n: 135, hw: 8, c: 64, o: 64, k: 3, conv: { padding: 'same' } },
  { name: 'average pool 3x3/2 same over odd sizes', n: 15, hw: 25, c: 5, o: 33, k: 3, conv: { padding: 'same' }, pool: { kind: 'avgPool', poolSize: 3, strides: 2, padding: 'same' } },
];

function unfused(cs: Case, x: nb.Tensor, f: nb.Tensor, b: nb.Tensor | null): nb.Tensor {
  let y = nb.conv2d(x, f, cs.conv ?? {});
  if (b) y = nb.add(y, b);
  const act = cs.activation === undefined ? 'relu' : cs.activation;
  if (act) y = nb[act](y);
  const pool = cs.pool ?? { kind: 'maxPool', poolSize: 2 };
  return nb[pool.kind](y, { poolSize: pool.poolSize, strides: pool.strides ?? pool.poolSize, padding: pool.padding ?? 'valid' });
}

/** The compiled inference graph of the unfused chain: its fused node and its values. */
function compiled(cs: Case, f: nb.Tensor, b: nb.Tensor | null, inference = true) {
  const fv = new nb.Variable(f);
  const bv = b && new nb.Variable(b);
  return nb.jit((x: nb.Tensor) => unfused(cs, x, fv, bv), { inference });
}

function inputs(cs: Case, dtype: 'float32' | 'float64' = 'float32') {
  nb.random.seed(cs.n * 31 + cs.hw + cs.o);
  const x = nb.cast(nb.random.normal([cs.n, cs.hw, cs.hw, cs.c]), dtype);
  const f = nb.cast(nb.random.normal([cs.k, cs.k, cs.c, cs.o]), dtype);
  const b = nb.cast(nb.random.normal([cs.o]), dtype);
  return { x, f, b };
}

describe.each(backends)('fusedConvPool on %s', (backend) => {
  it.each(cases)('$name: the compiled graph fuses, bit-equal to the unfused ops; close to js', async (cs) => {
    await nb.setBackend(backend);
    const { x, f, b } = inputs(cs);
    const fn = compiled(cs, f, b);
    expect(fn.graph(x)).toMatch(/convPool: 1/);
    const got = values(fn(x));
    expect(got).toEqual(values(unfused(cs, x, f, b)));
    const want = nb.withBackend('js', () => values(unfused(cs, nb.tensor(values(x), x.shape), nb.tensor(values(f), f.shape), nb.tensor(values(b), b.shape))));
    const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
    expect(got.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i]!)), 0)).toBeLessThan(1e-4 * scale);
  });

  it.each(['tiled', 'gemm', 'winograd'] as const)('every conv algorithm (forced %s): bit-equal over pieces of the batch', async (path) => {
    await nb.setBackend(backend);
    forceConvForward(path);
    for (const cs of [cases[2]!, cases[4]!, cases[6]!]) {
      const { x, f, b } = inputs(cs);
      // Not an inference graph: the prepack pass would pack the GEMM's and Winograd's filters.
      const fn = compiled(cs, f, b, false);
      expect(values(fn(x))).toEqual(values(unfused(cs, x, f, b)));
      expect(fn.graph(x)).toMatch(/fusedConvPool/);
    }
  });

  it('a conv without bias or activation before a pool fuses too, bit-equal', async () => {
    await nb.setBackend(backend);
    const cs: Case = { name: 'plain', n: 7, hw: 28, c: 1, o: 32, k: 3, activation: null };
    const { x, f } = inputs(cs);
    const fn = compiled(cs, f, null);
    expect(fn.graph(x)).toMatch(/convPool: 1/);
    expect(values(fn(x))).toEqual(values(unfused(cs, x, f, null)));
  });

  it('float64, and the op without a bias, bit-equal to the unfused ops', async () => {
    await nb.setBackend(backend);
    const cs = cases[2]!;
    const { x, f, b } = inputs(cs, 'float64');
    expect(values(compiled(cs, f, b)(x))).toEqual(values(unfused(cs, x, f, b)));
    const conv: ConvAttrs = { strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], groups: 1 };
    const pool: PoolAttrs = { poolSize: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] };
    const attrs: FusedConvPoolAttrs = {
      linear: { base: 'conv2d', baseAttrs: conv, hasBias: false, activation: 'relu', shape: [cs.n, 26, 26, cs.o], dtype: 'float32' },
      pool: 'maxPool',
      poolAttrs: pool,
      shape: [cs.n, 13, 13, cs.o],
      dtype: 'float32',
    };
    const x32 = nb.cast(x, 'float32');
    const f32 = nb.cast(f, 'float32');
    const got = run1(fusedConvPoolOp, [x32, f32], attrs);
    expect(got.shape).toEqual([cs.n, 13, 13, cs.o]);
    expect(values(got)).toEqual(values(nb.maxPool(nb.relu(nb.conv2d(x32, f32)), { poolSize: 2 })));
  });

  it('the bench CNN: predict equals the eager forward pass bit for bit at odd batch sizes, both convs fused', async () => {
    await nb.setBackend(backend);
    nb.random.seed(5);
    const model = cnn();
    const fn = nb.jit((x: nb.Tensor) => model.apply(x, { training: false }) as nb.Tensor, { inference: true });
    for (const n of [1, 7, 37]) {
      const x = nb.random.uniform([n, 28, 28, 1]);
      const eager = values(model.apply(x, { training: false }) as nb.Tensor);
      expect(values(model.predict(x, { batchSize: n }) as nb.Tensor)).toEqual(eager);
      expect(values(fn(x))).toEqual(eager);
      expect(fn.graph(x)).toMatch(/convPool: 2/);
    }
  });

  it('refuses a conv output read by more than the pool, a conv without a pool and channels first; takes over a prepacked filter', async () => {
    await nb.setBackend(backend);
    nb.random.seed(3);
    const f = new nb.Variable(nb.random.normal([3, 3, 4, 8]));
    const b = new nb.Variable(nb.random.normal([8]));
    const x = nb.random.normal([3, 10, 10, 4]);
    const twice = nb.jit((x: nb.Tensor) => {
      const y = nb.relu(nb.add(nb.conv2d(x, f), b));
      return [nb.maxPool(y, { poolSize: 2 }), nb.sum(y)];
    }, { inference: true });
    expect(twice.graph(x)).not.toMatch(/fusedConvPool/);
    const [p, s] = twice(x) as nb.Tensor[];
    const y = nb.relu(nb.add(nb.conv2d(x, f), b));
    expect(values(p!)).toEqual(values(nb.maxPool(y, { poolSize: 2 })));
    expect(values(s!)).toEqual(values(nb.sum(y)));
    const noPool = nb.jit((x: nb.Tensor) => nb.relu(nb.add(nb.conv2d(x, f), b)), { inference: true });
    expect(noPool.graph(x)).not.toMatch(/fusedConvPool/);
    const xcf = nb.random.normal([3, 4, 10, 10]);
    const cf = nb.jit((x: nb.Tensor) => nb.maxPool(nb.relu(nb.add(nb.conv2d(x, f, { dataFormat: 'channelsFirst' }), nb.reshape(b, [8, 1, 1]))), { poolSize: 2, dataFormat: 'channelsFirst' }));
    expect(cf.graph(xcf)).not.toMatch(/fusedConvPool/);
    // A filter over 1 MB takes the packed GEMM: the prepack pass packs it and the fused node reads the pack.
    const big = new nb.Variable(nb.random.normal([3, 3, 128, 256]));
    const bigBias = new nb.Variable(nb.random.normal([256]));
    const xb = nb.random.normal([5, 8, 8, 128]);
    const chain = (x: nb.Tensor) => nb.maxPool(nb.relu(nb.add(nb.conv2d(x, big), bigBias)), { poolSize: 2 });
    const packed = nb.jit(chain, { inference: true });
    const dump = packed.graph(xb);
    expect(dump).toMatch(/prepack: 1/);
    expect(dump).toMatch(/convPool: 1/);
    expect(values(packed(xb))).toEqual(values(chain(xb)));
  });
});

describe('the conv-pool pass elsewhere', () => {
  it('on js (reference kernels) the fused node runs the steps one after the other, bit-equal to the unfused ops', async () => {
    await nb.setBackend('js');
    const cs: Case = { name: 'small', n: 3, hw: 12, c: 2, o: 5, k: 3 };
    const { x, f, b } = inputs(cs);
    const fn = compiled(cs, f, b);
    expect(fn.graph(x)).toMatch(/convPool: 1/);
    expect(values(fn(x))).toEqual(values(unfused(cs, x, f, b)));
  });

  it('the js reference of fusedConvPool equals the unfused ops', async () => {
    await nb.setBackend('js');
    const cs: Case = { name: 'small', n: 2, hw: 11, c: 2, o: 3, k: 5, conv: { strides: 2, padding: 'same' }, pool: { kind: 'maxPool', poolSize: 3, strides: 2, padding: 'same' } };
    const { x, f, b } = inputs(cs);
    const conv = nb.conv2d(x, f, cs.conv);
    expect(conv.shape).toEqual([2, 6, 6, 3]);
    const attrs: FusedConvPoolAttrs = {
      linear: { base: 'conv2d', baseAttrs: { strides: [2, 2], dilations: [1, 1], pads: [2, 2, 2, 2], groups: 1 }, hasBias: true, activation: 'relu', shape: conv.shape, dtype: 'float32' },
      pool: 'maxPool',
      poolAttrs: { poolSize: [3, 3], strides: [2, 2], pads: [0, 1, 0, 1] },
      shape: [cs.n, 3, 3, cs.o],
      dtype: 'float32',
    };
    expect(values(run1(fusedConvPoolOp, [x, f, b], attrs))).toEqual(values(unfused(cs, x, f, b)));
  });

  it('vmap: its batching rule (the fused conv rule, then the pool rule) equals the op per slice', async () => {
    await nb.setBackend('js');
    nb.random.seed(8);
    const attrs: FusedConvPoolAttrs = {
      linear: { base: 'conv2d', baseAttrs: { strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], groups: 1 }, hasBias: true, activation: 'relu', shape: [2, 6, 6, 3], dtype: 'float32' },
      pool: 'avgPool',
      poolAttrs: { poolSize: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] },
      shape: [2, 3, 3, 3],
      dtype: 'float32',
    };
    const f = nb.random.normal([3, 3, 2, 3]);
    const b = nb.random.normal([3]);
    const xs = nb.random.normal([4, 2, 8, 8, 2]);
    const op = (x: nb.Tensor) => run1(fusedConvPoolOp, [x, f, b], attrs);
    const batched = nb.vmap(op)(xs) as nb.Tensor;
    const perSlice = nb.stack(nb.unstack(xs).map(op));
    expect(batched.shape).toEqual([4, 2, 3, 3, 3]);
    const got = values(batched);
    values(perSlice).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
  });

  it('names why it refuses a pair of nodes', () => {
    const linear = { base: 'conv2d', baseAttrs: {}, hasBias: true, activation: 'relu', shape: [1, 4, 4, 2], dtype: 'float32' };
    const out = { shape: [1, 4, 4, 2], dtype: 'float32' };
    const node = (name: string, attrs: unknown, inputs: unknown[] = []) => ({ op: { name }, attrs, inputs, outputs: [out] }) as unknown as Node;
    const conv = node('fusedLinear', linear);
    const pool = (name = 'maxPool', attrs: unknown = {}) => node(name, attrs, [out]);
    expect(convPoolRefusal(conv, pool())).toBeNull();
    expect(convPoolRefusal(node('conv2d', {}), pool())).toBeNull();
    expect(convPoolRefusal(node('matmul', {}), pool())).toBe('not a conv');
    expect(convPoolRefusal(node('fusedLinear', { ...linear, base: 'matmul' }), pool())).toBe('not a conv2d');
    expect(convPoolRefusal(node('fusedLinear', { ...linear, prepacked: true }), pool())).toBeNull();
    expect(convPoolRefusal(node('fusedLinear', { ...linear, baseAttrs: { channelsFirst: true } }), pool())).toBe('channels first');
    expect(convPoolRefusal(node('fusedLinear', { ...linear, dtype: 'int32' }), pool())).toBe('dtype int32');
    expect(convPoolRefusal(conv, pool('relu'))).toMatch(/not a max or average pool/);
    expect(convPoolRefusal(conv, pool('maxPool', { channelsFirst: true }))).toBe('channels-first pool');
    expect(convPoolRefusal(conv, node('maxPool', {}, [{}]))).toBe('pool does not read the conv');
  });
});
