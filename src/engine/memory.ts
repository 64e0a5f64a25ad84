import type { Storage } from '../tensor/storage.js';
import type { Tensor } from '../tensor/tensor.js';
import { stridesOf } from '../tensor/shape.js';

export interface BackendMemory {
  numTensors: number;
  numBuffers: number;
  numBytes: number;
}

/**
 * Counts live tensors and buffers per backend. Storage is released when its last tensor is
 * disposed or garbage-collected (the FinalizationRegistry is the safety net of DESIGN.md §6).
 */
export class MemoryTracker {
  private stats = new Map<string, BackendMemory>();
  private registry = new FinalizationRegistry<Storage>((s) => this.unref(s, true));

  private of(name: string): BackendMemory {
    let m = this.stats.get(name);
    if (!m) this.stats.set(name, (m = { numTensors: 0, numBuffers: 0, numBytes: 0 }));
    return m;
  }

  onAlloc(s: Storage): void {
    const m = this.of(s.backend.name);
    m.numBuffers++;
    m.numBytes += s.backend.byteLength(s.handle);
  }

  onTensor(t: Tensor): void {
    this.of(t.storage.backend.name).numTensors++;
    this.registry.register(t, t.storage, t);
  }

  /** `t` was disposed by hand. */
  release(t: Tensor): void {
    this.registry.unregister(t);
    this.unref(t.storage, true);
  }

  /** Point `t` at a new (contiguous) storage holding the same values. */
  swapStorage(t: Tensor, fresh: Storage): void {
    this.registry.unregister(t);
    this.unref(t.storage, false);
    fresh.refs++;
    t.storage = fresh;
    t.strides = stridesOf(t.shape);
    t.offset = 0;
    this.registry.register(t, fresh, t);
  }

  private unref(s: Storage, tensorGone: boolean): void {
    const m = this.of(s.backend.name);
    if (tensorGone) m.numTensors--;
    if (--s.refs > 0 || s.released) return;
    s.released = true;
    m.numBuffers--;
    m.numBytes -= s.backend.byteLength(s.handle);
    s.backend.free(s.handle);
  }

  snapshot(): Record<string, BackendMemory> {
    const out: Record<string, BackendMemory> = {};
    for (const [k, v] of this.stats) out[k] = { ...v };
    return out;
  }
}
