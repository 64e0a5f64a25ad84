// fusedConvPool's direct kernel (native/src/conv-pool-direct.h): where the conv takes the tiled
// path, a max pool follows and the activation is relu or none (and the patch is short or the
// output small), each pooled output is computed in registers from its window of conv pixels. Every
// case below runs the kernel (a perturbed kernel failed all of them). Bit-equal to the unfused ops and to the fused node's
// steps (NABLA_CONV_POOL_DIRECT=0) for odd sizes, padding 'same' and 'valid' on the conv and the
// pool, strides, dilation, rectangular windows, channel counts across its 64-channel blocks,
// pool windows of more than 4 cells, batch > 1, neither bias nor activation, NaN inputs; the same bits on 1 to 3
// threads; close to the js reference.
import { afterEach, describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import type { NativeBackend } from '../../src/backends/native/native-backend.js';

const nativeUp = nb.backendInfo('native').available;
const values = (t: nb.Tensor) => Array.from(t.dataSync());
const bits = (t: nb.Tensor) => Buffer.from((t.dataSync() as Float32Array).buffer.slice(0)).toString('base64');

interface Case {
  name: string;
  n: number;
  h: number;
  w: number;
  c: number;
  o: number;
  /** window rows and columns */
  k: [number, number];
  conv?: { strides?: number; padding?: 'valid' | 'same'; dilations?: number };
  pool?: { poolSize: number; strides?: number; padding?: 'valid' | 'same' };
  bias?: boolean;
  relu?: boolean;
  nan?: boolean;
}

const cases: Case[] = [
  { name: 'bench conv1 at batch 1 (1 input channel)', n: 1, h: 28, w: 28, c: 1, o: 32, k: [3, 3] },
  { name: 'bench conv2 at batch 1 (288 taps, 64 outputs)', n: 1, h: 13, w: 13, c: 32, o: 64, k: [3, 3] },
  { name: "odd sizes, 'same', 70 outputs (a 64-channel block and 6)", n: 3, h: 17, w: 15, c: 3, o: 70, k: [3, 3], conv: { padding: 'same' } },
  { name: 'stride 2, 5x5 window, 17 outputs', n: 2, h: 23, w: 21, c: 2, o: 17, k: [5, 5], conv: { strides: 2 } },
  { name: "dilation 2 'same', pool 3x3/3 (9 cells a window)", n: 2, h: 20, w: 19, c: 2, o: 33, k: [3, 3], conv: { dilations: 2, padding: 'same' }, pool: { poolSize: 3 } },
  { name: "pool 'same' over an odd conv output (clipped windows), no bias, no activation", n: 5, h: 15, w: 16, c: 1, o: 8, k: [3, 3], pool: { poolSize: 2, padding: 'same' }, bias: false, relu: false },
  { name: 'rectangular 2x3 window, pool stride 3 over 2x2 (conv pixels no window reads)', n: 4, h: 12, w: 14, c: 4, o: 16, k: [2, 3], pool: { poolSize: 2, strides: 3 } },
  { name: 'NaN inputs (NaN wins the max, as pool.cc)', n: 2, h: 10, w: 10, c: 2, o: 20, k: [3, 3], nan: true },
  { name: '96 outputs (a 64-channel block and 32)', n: 3, h: 9, w: 11, c: 5, o: 96, k: [3, 3] },
];

function inputs(cs: Case) {
  nb.random.seed(cs.n * 131 + cs.h * 7 + cs.o);
  let x = nb.random.normal([cs.n, cs.h, cs.w, cs.c]);
  if (cs.nan) {
    const v = x.dataSync() as Float32Array;
    const copy = Float32Array.from(v);
    for (let i = 0; i < copy.length; i += 37) copy[i] = NaN;
    x = nb.tensor(copy, x.shape);
  }
  const f = nb.random.normal([cs.k[0], cs.k[1], cs.c, cs.o]);
  const b = cs.bias === false ? null : nb.random.normal([cs.o]);
  return { x, f, b };
}

function chain(cs: Case, x: nb.Tensor, f: nb.Tensor, b: nb.Tensor | null): nb.Tensor {
  let y = nb.conv2d(x, f, cs.conv ?? {});
  if (b) y = nb.add(y, b);
  if (cs.relu !== false) y = nb.relu(y);
  const pool = cs.pool ?? { poolSize: 2 };
  return nb.maxPool(y, { poolSize: pool.poolSize, strides: pool.strides ?? pool.poolSize, padding: pool.padding ?? 'valid' });
}

function withDirect<T>(on: boolean, run: () => T): T {
  const before = process.env.NABLA_CONV_POOL_DIRECT;
  process.env.NABLA_CONV_POOL_DIRECT = on ? '1' : '0';
  try {
    return run();
  } finally {
    if (before === undefined) delete process.env.NABLA_CONV_POOL_DIRECT;
    else process.env.NABLA_CONV_POOL_DIRECT = before;
  }
}

describe.skipIf(!nativeUp)('fusedConvPool direct kernel on native', () => {
  const start = nb.getBackend();
  const backend = () => engine.instance('native') as NativeBackend;
  const threads0 = nativeUp ? (backend().info().threads as number) : 1;
  afterEach(async () => {
    backend().setThreads(threads0);
    await nb.setBackend(start);
  });

  it.each(cases)('$name: bit-equal to the unfused ops and to the steps, on 1-3 threads; close to js', async (cs) => {
    await nb.setBackend('native');
    const { x, f, b } = inputs(cs);
    const fv = new nb.Variable(f);
    const bv = b && new nb.Variable(b);
    const fn = nb.jit((x: nb.Tensor) => chain(cs, x, fv, bv), { inference: true });
    expect(fn.graph(x)).toMatch(/convPool: 1/);
    const eager = chain(cs, x, f, b);
    const want = bits(eager);
    const steps = withDirect(false, () => bits(fn(x)));
    expect(steps).toBe(want);
    for (const t of [1, 2, 3]) {
      backend().setThreads(t);
      expect(bits(fn(x)), `${t} threads`).toBe(want);
    }
    const ref = nb.withBackend('js', () =>
      values(chain(cs, nb.tensor(values(x), x.shape), nb.tensor(values(f), f.shape), b && nb.tensor(values(b), b.shape))),
    );
    const got = values(eager);
    expect(got.length).toBe(ref.length);
    const scale = ref.reduce((m, v) => (Number.isNaN(v) ? m : Math.max(m, Math.abs(v))), 1);
    for (let i = 0; i < got.length; i++) {
      if (Number.isNaN(ref[i]!)) expect(got[i], `element ${i}`).toBeNaN();
      else expect(Math.abs(got[i]! - ref[i]!), `element ${i}`).toBeLessThan(1e-4 * scale);
    }
    if (cs.nan) expect(got.some((v) => Number.isNaN(v))).toBe(true);
  });

  it('the bench CNN: compiled predict at batch 1 and 3 equals the eager pass with the direct kernel on and off', async () => {
    await nb.setBackend('native');
    nb.random.seed(11);
    const { cnn } = await import('../../bench/inference-models.js');
    const model = cnn();
    for (const n of [1, 3]) {
      const x = nb.random.uniform([n, 28, 28, 1]);
      const eager = bits(model.apply(x, { training: false }) as nb.Tensor);
      expect(bits(model.predict(x, { batchSize: n }) as nb.Tensor)).toBe(eager);
      expect(withDirect(false, () => bits(model.predict(x, { batchSize: n }) as nb.Tensor))).toBe(eager);
    }
  });
});
