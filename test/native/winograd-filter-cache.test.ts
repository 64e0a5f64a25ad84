// Eager conv2d keeps the Winograd transform of a filter it sees again (winograd-filter-cache.ts),
// so ResNet-18's 14x14x256 convs at batch 1 run Winograd in compiled and eager predict alike:
// compiled predict equals eager predict bit for bit on every eager call (first, caching, cached),
// after setWeights and after fit; a filter array written in place is never read stale; the results
// are a convolution (float64 reference); a jitted function's recorded plan stays the plain kernel's;
// the buffer goes when the filter is freed, and the cache keeps to its byte limit.
import { afterAll, describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import type { NativeBackend } from '../../src/backends/native/native-backend.js';
import { WINOGRAD_CACHE_BYTES } from '../../src/backends/native/winograd-filter-cache.js';
import { packedLength } from '../../src/jit/prepacked-ops.js';
import type { ConvAttrs } from '../../src/ops/primitives/conv.js';
import type { TypedArray } from '../../src/tensor/dtype.js';

const L = nb.layers;
const start = nb.getBackend();
afterAll(() => nb.setBackend(start));
const backends = ['native', 'wasm'].filter((b) => nb.backendInfo(b).available);
const values = (t: nb.Tensor) => Array.from(t.dataSync());
const SAME: ConvAttrs = { strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], groups: 1 };

function cacheOf(backend: string) {
  const cache = (engine.instance(backend) as NativeBackend).winograd;
  if (!cache) throw new Error(`${backend}: no Winograd filter cache`);
  return cache;
}

function block(): nb.Sequential {
  return new nb.Sequential([
    new L.Conv2D({ filters: 256, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [14, 14, 256] }),
    new L.Conv2D({ filters: 256, kernelSize: 3, padding: 'same' }),
  ]);
}

describe.each(backends)('kept Winograd filters of eager conv2d on %s', (backend) => {
  it('14x14x256 -> 256 at batch 1 runs Winograd from a pack, compiled and eager alike', async () => {
    await nb.setBackend(backend);
    expect(engine.backend.prepack!.winograd!([1, 14, 14, 256], [3, 3, 256, 256], [1, 14, 14, 256], 'float32', SAME)).toBe(true);
    // 7x7x512 still loses with a packed transform (BENCHMARKS.md): the GEMM.
    expect(engine.backend.prepack!.winograd!([1, 7, 7, 512], [3, 3, 512, 512], [1, 7, 7, 512], 'float32', SAME)).toBe(false);
  });

  it('compiled predict equals eager predict bit for bit on every eager call, after setWeights and after fit', async () => {
    await nb.setBackend(backend);
    nb.random.seed(3);
    const model = block();
    const x = nb.random.normal([1, 14, 14, 256]);
    const compiled = () => values(model.predictOnBatch(x));
    const eager = () => {
      model.compile({ optimizer: 'sgd', loss: 'mse', jitCompile: false });
      const calls = [0, 1, 2].map(() => values(model.predictOnBatch(x)));
      model.compile({ optimizer: 'sgd', loss: 'mse' });
      return calls;
    };
    const held = cacheOf(backend).stats().buffers;
    const want = compiled();
    expect(compiled()).toEqual(want);
    // First call: the plain kernel; second: the pack made and kept; third: read from the cache.
    for (const e of eager()) expect(e).toEqual(want);
    expect(cacheOf(backend).stats().buffers).toBe(held + 2);

    const before = want;
    model.layers[1]!.setWeights(model.layers[1]!.getWeights().map((w) => nb.mul(w, -0.5)));
    const afterSet = compiled();
    expect(afterSet).not.toEqual(before);
    for (const e of eager()) expect(e).toEqual(afterSet);

    // A compiled training step may write the variables' arrays in place.
    await model.fit(x, nb.random.normal([1, 14, 14, 256]), { epochs: 1, batchSize: 1, verbose: 0 });
    const afterFit = compiled();
    expect(afterFit).not.toEqual(afterSet);
    for (const e of eager()) expect(e).toEqual(afterFit);
  });

  it('a filter array written in place is never read stale, and the result is a convolution', async () => {
    await nb.setBackend(backend);
    nb.random.seed(11);
    const xs = [1, 14, 14, 256], fs = [3, 3, 256, 256];
    const x = nb.random.normal(xs);
    const f = nb.mul(nb.random.normal(fs), 0.05);
    const run = () => nb.conv2d(x, f, { padding: 'same' });
    const plain = (filter: nb.Tensor) => values(nb.conv2d(x, nb.add(filter, 0), { padding: 'same' }));
    const first = values(run());
    expect(values(run())).toEqual(first); // the pack made and kept
    expect(values(run())).toEqual(first); // read from it
    expect(first).toEqual(plain(f));
    // Close to a float64 convolution (Winograd's rounding, conv-winograd.test.ts's bound).
    const ref = values(nb.conv2d(nb.cast(x, 'float64'), nb.cast(f, 'float64'), { padding: 'same' }));
    expect(first.reduce((m, v, i) => Math.max(m, Math.abs(v - ref[i]!)), 0)).toBeLessThan(1e-6 * 9 * 256);
    // Write one element of the filter's own array in place: the next call remakes the pack.
    const host = f.dataSync() as Float32Array;
    host[12345] = host[12345]! + 1;
    writeInPlace(backend, f.storage.handle as TypedArray, host);
    const changed = values(run());
    expect(changed).not.toEqual(first);
    expect(changed).toEqual(plain(nb.tensor(host, fs)));
  });

  it('a jitted (not inference) function records and replays its conv with the plain kernel, equal to eager', async () => {
    await nb.setBackend(backend);
    nb.random.seed(5);
    const f = new nb.Variable(nb.mul(nb.random.normal([3, 3, 256, 256]), 0.05));
    const fn = (x: nb.Tensor) => nb.relu(nb.conv2d(x, f, { padding: 'same' }));
    const jitted = nb.jit(fn);
    const x = nb.random.normal([1, 14, 14, 256]);
    const want = values(fn(x));
    for (let i = 0; i < 3; i++) expect(values(jitted(x))).toEqual(want);
    for (let i = 0; i < 2; i++) expect(values(fn(x))).toEqual(want);
    f.assign(nb.mul(f, 2));
    const doubled = values(fn(x));
    expect(doubled).not.toEqual(want);
    expect(values(jitted(x))).toEqual(doubled);
  });

  it('gives the buffer back when the filter is freed', async () => {
    await nb.setBackend(backend);
    const x = nb.random.normal([1, 14, 14, 256]);
    const f = nb.random.normal([3, 3, 256, 256]);
    const held = cacheOf(backend).stats().buffers;
    nb.conv2d(x, f, { padding: 'same' }).dispose();
    expect(cacheOf(backend).stats().buffers).toBe(held);
    nb.conv2d(x, f, { padding: 'same' }).dispose();
    expect(cacheOf(backend).stats().buffers).toBe(held + 1);
    f.dispose();
    expect(cacheOf(backend).stats().buffers).toBe(held);
  });

  it('keeps at most its byte limit, giving back the least recently used buffer; a limit of 0 keeps none', async () => {
    await nb.setBackend(backend);
    const cache = cacheOf(backend);
    const x = nb.random.normal([1, 14, 14, 256]);
    const f = nb.random.normal([3, 3, 256, 256]);
    const g = nb.random.normal([3, 3, 256, 256]);
    const conv = (filter: nb.Tensor) => values(nb.conv2d(x, filter, { padding: 'same' }));
    const plain = (filter: nb.Tensor) => values(nb.conv2d(x, nb.add(filter, 0), { padding: 'same' }));
    const one = (packedLength(256, 256, 1, true) + 9 * 256 * 256) * 4;
    try {
      cache.setLimit(0);
      expect(cache.stats()).toEqual({ buffers: 0, bytes: 0 });
      cache.setLimit(one);
      conv(f);
      expect(conv(f)).toEqual(plain(f));
      expect(cache.stats()).toEqual({ buffers: 1, bytes: one });
      conv(g);
      expect(conv(g)).toEqual(plain(g)); // f's buffer given back for g's
      expect(cache.stats()).toEqual({ buffers: 1, bytes: one });
      expect(conv(f)).toEqual(plain(f)); // made again from f, g's given back
      expect(cache.stats()).toEqual({ buffers: 1, bytes: one });
      cache.setLimit(0);
      expect(cache.stats()).toEqual({ buffers: 0, bytes: 0 });
      expect(conv(f)).toEqual(plain(f));
      expect(cache.stats().buffers).toBe(0);
    } finally {
      cache.setLimit(WINOGRAD_CACHE_BYTES);
    }
  });
});

/** Overwrite a backend array's values where it lies (native: the typed array; wasm: its memory). */
function writeInPlace(backend: string, handle: TypedArray, values: Float32Array): void {
  const store = (engine.instance(backend) as unknown as { store: { host(a: TypedArray): TypedArray } }).store;
  (store.host(handle) as Float32Array).set(values);
}
