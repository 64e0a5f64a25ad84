// nb.memory() counts, deterministic release, and the FinalizationRegistry safety net (DESIGN.md §6).
import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import type { Backend, Kernel, Layout } from '../../src/backends/backend.js';
import { gatherStrided, referenceKernels } from '../../src/backends/js/js-backend.js';
import type { DType, TypedArray } from '../../src/tensor/dtype.js';
import { collectGarbage } from './collect-garbage.js';
import { MAX_SHARED_GROUP } from '../../src/engine/memory.js';

/** A device-like backend: buffers are opaque handles that must be freed, as on a GPU. */
interface DeviceBuffer {
  readonly id: number;
  readonly data: TypedArray;
}

class FakeDevice implements Backend<DeviceBuffer> {
  readonly name = 'test-device';
  readonly freed = new Set<number>();
  private nextId = 0;
  readonly kernels: Record<string, Kernel<never, DeviceBuffer>> = {};

  constructor() {
    for (const [name, ref] of Object.entries(referenceKernels())) {
      this.kernels[name] = (inputs, attrs, outs) =>
        ref(inputs.map((k) => ({ ...k, data: this.live(k.data).data })), attrs, outs).map((a) => this.upload(a));
    }
  }
  private live(h: DeviceBuffer): DeviceBuffer {
    if (this.freed.has(h.id)) throw new Error(`test-device: buffer ${h.id} used after free`);
    return h;
  }
  upload(values: TypedArray): DeviceBuffer {
    return { id: this.nextId++, data: values };
  }
  async read(h: DeviceBuffer): Promise<TypedArray> {
    return this.live(h).data.slice();
  }
  readSync(h: DeviceBuffer): TypedArray {
    return this.live(h).data.slice();
  }
  materialize(h: DeviceBuffer, dtype: DType, layout: Layout): DeviceBuffer {
    return this.upload(gatherStrided(this.live(h).data, dtype, layout));
  }
  subrange(h: DeviceBuffer, _dtype: DType, offset: number, size: number): DeviceBuffer {
    return { id: -1, data: this.live(h).data.subarray(offset, offset + size) };
  }
  free(h: DeviceBuffer): void {
    if (this.freed.has(h.id)) throw new Error(`test-device: buffer ${h.id} freed twice`);
    this.freed.add(h.id);
  }
  byteLength(h: DeviceBuffer): number {
    return h.data.byteLength;
  }
  info() {
    return { name: this.name };
  }
}

const device = new FakeDevice();
engine.registerBackend({ name: device.name, priority: -100, create: () => device });

const stats = (backend = nb.getBackend()) => nb.memory()[backend] ?? { numTensors: 0, numBuffers: 0, numBytes: 0 };

describe('nb.memory() counts', () => {
  it('a new tensor adds one tensor, one buffer and its bytes; dispose takes them off', () => {
    const before = stats();
    const t = nb.zeros([10, 10]);
    const during = stats();
    expect(during.numTensors - before.numTensors).toBe(1);
    expect(during.numBuffers - before.numBuffers).toBe(1);
    expect(during.numBytes - before.numBytes).toBe(400);
    t.dispose();
    expect(stats()).toEqual(before);
  });

  it('views count as tensors but share the buffer, which goes when its last tensor is disposed', () => {
    const before = stats();
    const base = nb.zeros([4, 5], 'float64');
    const view = base.transpose();
    const flat = base.reshape([20]);
    expect(stats().numTensors - before.numTensors).toBe(3);
    expect(stats().numBuffers - before.numBuffers).toBe(1);
    expect(stats().numBytes - before.numBytes).toBe(160);
    base.dispose();
    view.dispose();
    expect(stats().numBuffers - before.numBuffers).toBe(1);
    flat.dispose();
    expect(stats()).toEqual(before);
  });

  it('after tidy only the returned tensors are counted', () => {
    const before = stats();
    const y = nb.tidy(() => {
      let x = nb.ones([100]);
      for (let i = 0; i < 50; i++) x = x.mul(1.01).add(0.5);
      return x;
    });
    expect(stats().numTensors - before.numTensors).toBe(1);
    expect(stats().numBytes - before.numBytes).toBe(400);
    y.dispose();
    expect(stats()).toEqual(before);
  });

  it('assigning a variable many times inside tidy holds one buffer', () => {
    const init = nb.zeros([8]);
    const v = new nb.Variable(init);
    init.dispose(); // the variable took its buffer over
    const before = stats();
    nb.tidy(() => {
      for (let i = 0; i < 20; i++) v.assignAdd(nb.ones([8]));
    });
    expect(stats()).toEqual(before);
    expect(v.arraySync()).toEqual(new Array(8).fill(20));
    v.dispose();
  });

  it('memory() is a snapshot: mutating it changes nothing', () => {
    const m = nb.memory();
    m[nb.getBackend()]!.numTensors = -1;
    expect(stats().numTensors).toBeGreaterThanOrEqual(0);
  });
});

describe('a device backend (buffers that must be freed)', () => {
  it('dispose frees the buffer at once; a view keeps it until the view is disposed too', () => {
    nb.withBackend(device.name, () => {
      const a = nb.tensor([1, 2, 3, 4]);
      const id = (a as unknown as { storage: { handle: DeviceBuffer } }).storage.handle.id;
      const v = a.reshape([2, 2]);
      a.dispose();
      expect(device.freed.has(id)).toBe(false);
      expect(v.arraySync()).toEqual([[1, 2], [3, 4]]);
      v.dispose();
      expect(device.freed.has(id)).toBe(true);
    });
  });

  it('tidy frees the intermediates of a computation and nothing in use', () => {
    const before = stats(device.name);
    const freedBefore = device.freed.size;
    const y = nb.withBackend(device.name, () => nb.tidy(() => nb.tensor([1, 2, 3]).mul(2).add(1).sum()));
    expect(device.freed.size - freedBefore).toBe(5); // [1, 2, 3], the scalars 2 and 1, the product, the sum: all but the total
    expect(stats(device.name).numBuffers - before.numBuffers).toBe(1);
    expect(y.item()).toBe(15);
    y.dispose();
    expect(stats(device.name)).toEqual(before);
  });

  it('a dropped tensor’s buffer is freed by the garbage collector (FinalizationRegistry)', async () => {
    const before = stats(device.name);
    const freedBefore = device.freed.size;
    const made = nb.withBackend(device.name, () => {
      let n = 0;
      for (let i = 0; i < 50; i++) {
        nb.ones([256]).mul(2);
        n += 3; // ones, the scalar 2, the product
      }
      return n;
    });
    expect(stats(device.name).numBuffers - before.numBuffers).toBe(made);
    await collectGarbage();
    expect(device.freed.size - freedBefore).toBe(made);
    expect(stats(device.name)).toEqual(before);
  });
});

describe('tapes and memory', () => {
  it('a tape lets go of what it recorded once it has answered (non-persistent) or is disposed', async () => {
    const before = stats(device.name);
    const once = new nb.GradientTape();
    const persistent = new nb.GradientTape({ persistent: true });
    const grad = nb.withBackend(device.name, () => {
      const x = nb.tensor([1, 2, 3]);
      once.watch(x);
      persistent.watch(x);
      const y = nb.sum(nb.exp(nb.mul(x, 2)));
      const g = once.gradient(y, x)!;
      persistent.dispose();
      return g;
    });
    await collectGarbage();
    // Both tapes are still alive here, yet only the gradient's buffer is.
    expect([once, persistent].every((t) => t instanceof nb.GradientTape)).toBe(true);
    expect(stats(device.name).numBuffers - before.numBuffers).toBe(1);
    grad.dispose();
    expect(stats(device.name)).toEqual(before);
  });
});

describe('a tensor used on another backend', () => {
  it('is copied there, accounted, and the copy is freed once it is dropped', async () => {
    const host = nb.tensor([1, 2, 3]);
    const before = stats(device.name);
    const out = nb.withBackend(device.name, () => nb.tidy(() => nb.add(host, nb.tensor([10, 20, 30]))));
    expect(out.backend).toBe(device.name);
    expect(out.arraySync()).toEqual([11, 22, 33]);
    // the copy of `host` and [10, 20, 30] were released by tidy; only the sum is held
    expect(stats(device.name).numBuffers - before.numBuffers).toBe(1);
    const dropped = nb.withBackend(device.name, () => nb.mul(host, 2).sum().item());
    expect(dropped).toBe(12);
    await collectGarbage();
    expect(stats(device.name).numBuffers - before.numBuffers).toBe(1);
    out.dispose();
    expect(stats(device.name)).toEqual(before);
  });
});

describe('host memory the user never disposes', () => {
  it('is taken off the counts once the garbage collector has collected it', async () => {
    const before = stats();
    (() => {
      for (let i = 0; i < 1000; i++) nb.zeros([1000]);
    })();
    expect(stats().numBytes - before.numBytes).toBeGreaterThanOrEqual(4_000_000);
    await collectGarbage();
    const after = stats();
    // Host buffers are accounted in groups of 16: at most one group can be held by a live neighbour.
    expect(after.numBytes - before.numBytes).toBeLessThanOrEqual(16 * 4000);
    expect(after.numTensors - before.numTensors).toBeLessThanOrEqual(16);
  });

  it('views of a live tensor stop counting once they are collected (the buffer is counted once)', async () => {
    const base = nb.zeros([100], 'float32');
    const before = stats();
    (() => {
      for (let i = 0; i < 100_000; i++) nb.slice(base, [i % 50], [10]);
    })();
    expect(stats().numTensors - before.numTensors).toBe(100_000);
    expect(stats().numBuffers - before.numBuffers).toBe(0);
    await collectGarbage();
    const after = stats();
    // Before: all 100,000 views stayed counted while `base` lived. Views are counted in shared
    // groups (larger while a loop never yields): at most one group held by a live neighbour remains.
    expect(after.numTensors - before.numTensors).toBeLessThanOrEqual(MAX_SHARED_GROUP);
    expect(after.numBuffers).toBe(before.numBuffers);
    expect(after.numBytes).toBe(before.numBytes);
    base.dispose();
  });

  it('a dropped GradientTape stops recording once collected (a FinalizationRegistry releases its records)', async () => {
    const base = engine.activeRecorders;
    const w = new nb.Variable(nb.ones([4]));
    (() => {
      for (let i = 0; i < 5; i++) {
        const tape = new nb.GradientTape({ persistent: true });
        nb.sum(nb.mul(w, 2)); // recorded by every live tape
        void tape;
      }
    })();
    expect(engine.activeRecorders).toBe(base + 5);
    await collectGarbage();
    expect(engine.activeRecorders).toBe(base);
  });
});
