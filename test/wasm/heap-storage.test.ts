// The wasm backend's tensors live in the module's linear memory: kernels are handed their
// addresses (nothing is copied per op), growing the memory keeps every live tensor's values,
// dispose gives the memory back at once, the garbage collector frees what nobody disposed,
// memory() counts it, and an allocation past the wasm32 limit is an error naming its size.
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import type { NativeBackend } from '../../src/backends/native/native-backend.js';
import { HeapArray, type HeapStore } from '../../src/backends/wasm/heap-array.js';
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

  it('kernels get the tensors\' own addresses and write results in place: no array is copied per op', () =>
    onWasm(() => {
      const a = nb.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
      const b = nb.tensor([1, 0, -1, 2, 0.5, 1], [3, 2]);
      const addresses: number[][] = [];
      const runEntry = mod.runEntry.bind(mod);
      vi.spyOn(mod, 'runEntry').mockImplementation((entry, op, buffers, count, words, wordCount, name) => {
        const list = new Int32Array(mod.heap.buffer, buffers, 3 * count);
        addresses.push(Array.from({ length: count }, (_, k) => list[3 * k]! >>> 0));
        runEntry(entry, op, buffers, count, words, wordCount, name);
      });
      const copies = { ...stagedCopies };
      const c = nb.matmul(a, b);
      expect(addresses[0]).toEqual([handleOf(a).byteOffset, handleOf(b).byteOffset, handleOf(c).byteOffset]);
      const d = nb.relu(c.add(1));
      const s = nb.sum(nb.conv2d(d.reshape([1, 2, 2, 1]), nb.ones([2, 2, 1, 1]), 1, 'valid'));
      expect(Array.from(c.dataSync())).toEqual([0.5, 7, 2, 16]);
      expect(Array.from(s.dataSync())).toEqual([1.5 + 8 + 3 + 17]);
      expect(stagedCopies).toEqual(copies);
      // The result's values are in linear memory at its address.
      const h = handleOf(d);
      expect(h).toBeInstanceOf(HeapArray);
      expect(Array.from(new Float32Array(mod.heap.buffer, h.byteOffset, h.length))).toEqual([1.5, 8, 3, 17]);
    }));

  it('growing the memory detaches old views but keeps every live tensor\'s values', () =>
    onWasm(() => {
      const values = Array.from({ length: 1000 }, (_, i) => Math.sin(i));
      const x = nb.tensor(values);
      const stale = store().host(handleOf(x));
      const before = mod.memoryBytes;
      const big = nb.ones([before / 4 + 2 ** 20]);
      expect(mod.memoryBytes).toBeGreaterThan(before);
      expect(stale.length).toBe(0); // the view made before the growth is detached
      expect(Array.from(x.dataSync())).toEqual(Array.from(Float32Array.from(values)));
      expect(Array.from(x.add(1).dataSync())).toEqual(Array.from(Float32Array.from(values, (v) => Math.fround(v) + 1)));
      expect(nb.sum(big).dataSync()[0]).toBe(before / 4 + 2 ** 20);
      big.dispose();
    }));

  it('dispose gives the memory back at once, and memory() counts it until then', () =>
    onWasm(() => {
      const m0 = nb.memory().wasm ?? { numTensors: 0, numBytes: 0 };
      const s0 = { ...store().stats };
      const t = nb.zeros([1000]).add(3);
      expect(nb.memory().wasm!.numTensors).toBeGreaterThanOrEqual(m0.numTensors + 1);
      expect(store().stats.liveBytes).toBeGreaterThanOrEqual(s0.liveBytes + 4000);
      const bytesWithT = nb.memory().wasm!.numBytes;
      const liveWithT = store().stats.liveBytes;
      const freed = store().stats.freedExplicitly;
      t.dispose();
      expect(nb.memory().wasm!.numBytes).toBe(bytesWithT - 4000);
      expect(store().stats.liveBytes).toBe(liveWithT - 4000);
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
      expect(huge).toThrow(/out of memory allocating 6400000000 bytes for a float32 tensor of 1600000000 elements .*4 GiB/);
      expect(Array.from(nb.tensor([1, 2]).add(1).dataSync())).toEqual([2, 3]);
    }));

  it('a jit replay updates a variable inside its own allocation, copying nothing', () =>
    onWasm(() => {
      const w = new nb.Variable(nb.tensor([1, 2, 3, 4]));
      const x = nb.tensor([1, 1, 2, 2]);
      const step = nb.jit((x: nb.Tensor) => {
        w.assign(w.mul(0.5).add(x).sqrt());
        return w.sum();
      });
      let want = [1, 2, 3, 4];
      const addresses: number[] = [];
      step(x);
      step(x);
      const copies = { ...stagedCopies };
      for (let i = 0; i < 4; i++) {
        step(x);
        addresses.push(handleOf(w).byteOffset);
      }
      expect(stagedCopies).toEqual(copies);
      for (let i = 0; i < 6; i++) want = want.map((v, k) => Math.fround(Math.sqrt(Math.fround(Math.fround(v * 0.5) + [1, 1, 2, 2][k]!))));
      expect(Array.from(w.dataSync())).toEqual(want);
      expect(new Set(addresses).size).toBe(1);
    }));
});
