// The wasm backend's tensors live in the module's linear memory: kernels are handed their
// addresses (nothing is copied per op), growing the memory keeps every live tensor's values,
// dispose gives the memory back at once, the garbage collector frees what nobody disposed,
// memory() counts it, and an allocation past the wasm32 limit is an error naming its size.
// Tensors under HEAP_MIN_BYTES stay JS typed arrays (see heap-array.ts for why).
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import type { NativeBackend } from '../../src/backends/native/native-backend.js';
import { HEAP_MIN_BYTES, HeapArray, type HeapStore } from '../../src/backends/wasm/heap-array.js';
import { stagedCopies } from '../../src/backends/wasm/wasm-addon.js';
import { loadWasmModule } from '../../src/backends/wasm/wasm-module.js';

const mod = loadWasmModule();
const backend = () => engine.instance('wasm') as NativeBackend;
const store = () => (backend() as unknown as { store: HeapStore }).store;
const handleOf = (t: nb.Tensor) => t.storage.handle as HeapArray;
const onWasm = <T>(fn: () => T): T => nb.withBackend('wasm', fn);

/** Collect garbage, then let the finalization callbacks run (they run between tasks). */
async function collect(until: () => boolean): Promise<void> {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  for (let i = 0; i < 20 && !until(); i++) {
    gc();
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('wasm tensor storage in linear memory', () => {
  afterEach(() => vi.restoreAllMocks());

  it("kernels get the tensors' own addresses and write results in place: no array is copied per op", () =>
    onWasm(() => {
      // 32 x 48 times 48 x 40, small integers, so float32 sums are exact.
      const [m, k, n] = [32, 48, 40];
      const av = Float32Array.from({ length: m * k }, (_, i) => ((Math.floor(i / k) + (i % k)) % 5) - 2);
      const bv = Float32Array.from({ length: k * n }, (_, i) => ((Math.floor(i / n) * (i % n)) % 3) - 1);
      const want = new Float32Array(m * n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) want[i * n + j]! += av[i * k + p]! * bv[p * n + j]!;
      const a = nb.tensor(av, [m, k]);
      const b = nb.tensor(bv, [k, n]);
      const addresses: number[][] = [];
      const runEntry = mod.runEntry.bind(mod);
      vi.spyOn(mod, 'runEntry').mockImplementation((entry, op, buffers, count, words, wordCount, name) => {
        const list = new Int32Array(mod.heap.buffer, buffers, 3 * count);
        addresses.push(Array.from({ length: count }, (_, q) => list[3 * q]! >>> 0));
        runEntry(entry, op, buffers, count, words, wordCount, name);
      });
      const copies = { ...stagedCopies };
      const c = nb.matmul(a, b);
      expect(addresses[0]).toEqual([handleOf(a).byteOffset, handleOf(b).byteOffset, handleOf(c).byteOffset]);
      const d = nb.relu(c.add(nb.ones([m, n])));
      expect(stagedCopies).toEqual(copies);
      expect(Array.from(c.dataSync())).toEqual(Array.from(want));
      const dWant = want.map((v) => Math.max(v + 1, 0));
      expect(Array.from(d.dataSync())).toEqual(Array.from(dWant));
      // The result's values are in linear memory at its address.
      const h = handleOf(d);
      expect(h).toBeInstanceOf(HeapArray);
      expect(Array.from(new Float32Array(mod.heap.buffer, h.byteOffset, h.length))).toEqual(Array.from(dWant));
    }));

  it(`tensors under ${HEAP_MIN_BYTES} bytes stay JS typed arrays, copied in for each call`, () =>
    onWasm(() => {
      const a = nb.tensor([1, 2, 3]);
      expect(a.storage.handle).toBeInstanceOf(Float32Array);
      const copies = stagedCopies.arrays;
      const c = a.mul(a);
      expect(c.storage.handle).toBeInstanceOf(Float32Array);
      expect(stagedCopies.arrays).toBe(copies + 3);
      expect(Array.from(c.dataSync())).toEqual([1, 4, 9]);
      expect(nb.zeros([HEAP_MIN_BYTES / 4]).add(1).storage.handle).toBeInstanceOf(HeapArray);
    }));

  it("growing the memory detaches old views (or, shared, leaves them short) but keeps every live tensor's values", () =>
    onWasm(() => {
      const values = Array.from({ length: 2000 }, (_, i) => Math.sin(i));
      const x = nb.tensor(values);
      const stale = store().host(x.storage.handle as Float32Array); // a HeapArray: the store types its arrays as TypedArray (array-store.ts)
      const before = mod.memoryBytes;
      const big = nb.ones([before / 4 + 2 ** 20]);
      expect(mod.memoryBytes).toBeGreaterThan(before);
      // The view made before the growth is detached; a shared memory's (the threaded module) is
      // never detached, and still reads the values, as the views made after.
      expect(stale.length).toBe(mod.threaded ? 2000 : 0);
      expect(store().host(x.storage.handle as Float32Array).buffer.byteLength).toBe(mod.memoryBytes);
      expect(Array.from(x.dataSync())).toEqual(Array.from(Float32Array.from(values)));
      expect(Array.from(x.add(1).dataSync())).toEqual(Array.from(Float32Array.from(values, (v) => Math.fround(v) + 1)));
      expect(nb.sum(big).dataSync()[0]).toBe(before / 4 + 2 ** 20);
      big.dispose();
    }));

  it('dispose gives the memory back at once, and memory() counts it until then', () =>
    onWasm(() => {
      const m0 = nb.memory().wasm ?? { numTensors: 0, numBytes: 0 };
      const s0 = { ...store().stats };
      const t = nb.zeros([2000]).add(3);
      expect(nb.memory().wasm!.numTensors).toBeGreaterThanOrEqual(m0.numTensors + 1);
      expect(store().stats.liveBytes).toBeGreaterThanOrEqual(s0.liveBytes + 8000);
      const bytesWithT = nb.memory().wasm!.numBytes;
      const liveWithT = store().stats.liveBytes;
      const freed = store().stats.freedExplicitly;
      t.dispose();
      expect(nb.memory().wasm!.numBytes).toBe(bytesWithT - 8000);
      expect(store().stats.liveBytes).toBe(liveWithT - 8000);
      expect(store().stats.freedExplicitly).toBe(freed + 1);
    }));

  it('the garbage collector frees tensors and kernel arrays that nobody disposed', async () => {
    const live0 = store().stats.liveBytes;
    onWasm(() => {
      for (let i = 0; i < 8; i++) nb.ones([10_000]).mul(2);
    });
    expect(store().stats.liveBytes).toBeGreaterThanOrEqual(live0 + 8 * 40_000);
    await collect(() => store().stats.liveBytes < live0 + 40_000);
    expect(store().stats.liveBytes).toBeLessThan(live0 + 40_000);

    // An array no tensor holds goes back through the registry's own callback.
    const byCollector = store().stats.freedByCollector;
    (() => store().alloc('float32', 5000))();
    await collect(() => store().stats.freedByCollector > byCollector);
    expect(store().stats.freedByCollector).toBe(byCollector + 1);
  });

  it('an allocation past the 4 GiB of wasm32 is a RangeError naming its size, and later ops work', () =>
    onWasm(() => {
      const huge = () => nb.broadcastTo(nb.tensor(1), [40_000, 40_000]).add(1);
      expect(huge).toThrow(RangeError);
      expect(huge).toThrow(/out of memory allocating 6400000000 bytes for a float32 tensor of 1600000000 elements .*4 GiB.*nb\.tidy/);
      expect(Array.from(nb.tensor([1, 2]).add(1).dataSync())).toEqual([2, 3]);
    }));

  it('a jit replay updates a variable inside its own allocation, copying nothing', () =>
    onWasm(() => {
      const n = 2048;
      const start = Array.from({ length: n }, (_, i) => 1 + (i % 7));
      const xs = Array.from({ length: n }, (_, i) => 1 + (i % 2));
      const w = new nb.Variable(nb.tensor(start));
      const x = nb.tensor(xs);
      const half = nb.ones([n]).mul(0.5);
      const step = nb.jit((x: nb.Tensor) => {
        w.assign(w.mul(half).add(x).sqrt());
        return w.sum();
      });
      let want = start.map(Math.fround);
      const addresses: number[] = [];
      step(x);
      step(x);
      const copies = { ...stagedCopies };
      for (let i = 0; i < 4; i++) {
        step(x);
        addresses.push(handleOf(w).byteOffset);
      }
      for (let i = 0; i < 6; i++) want = want.map((v, k) => Math.fround(Math.sqrt(Math.fround(Math.fround(v * 0.5) + xs[k]!))));
      expect(Array.from(w.dataSync())).toEqual(want);
      expect(handleOf(w)).toBeInstanceOf(HeapArray);
      expect(new Set(addresses).size).toBe(1);
      // Only the sum (4 bytes) is a JS array: one copy back per replay, nothing else.
      expect(stagedCopies.bytes - copies.bytes).toBe(4 * 4);
    }));
});
