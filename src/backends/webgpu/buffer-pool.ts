/// <reference types="@webgpu/types" />
// GPU buffers are slow to create; freed ones wait here, by size class, for the next allocation.

const STORAGE_USAGE = 0x80 | 0x04 | 0x08; // STORAGE | COPY_SRC | COPY_DST (GPUBufferUsage is a global only where WebGPU is)

/** Smallest class: bindings of size 0 are invalid, and tiny buffers are common (scalars). */
const MIN_BYTES = 16;

/** Size classes: powers of two up to 1 MiB, then multiples of 1 MiB, so reuse wastes at most half (small) or 1 MiB. */
export function sizeClass(bytes: number): number {
  if (bytes <= MIN_BYTES) return MIN_BYTES;
  const mib = 1 << 20;
  if (bytes <= mib) return 2 ** Math.ceil(Math.log2(bytes));
  return Math.ceil(bytes / mib) * mib;
}

export class BufferPool {
  private free = new Map<number, GPUBuffer[]>();
  /** Bytes in buffers waiting for reuse. */
  pooledBytes = 0;
  /** Bytes in buffers handed out and not yet given back. */
  liveBytes = 0;

  constructor(
    private readonly device: GPUDevice,
    /** Freed bytes kept for reuse beyond which buffers are destroyed instead. */
    private readonly maxPooledBytes = 256 << 20,
  ) {}

  acquire(bytes: number): GPUBuffer {
    const size = sizeClass(bytes);
    this.liveBytes += size;
    const list = this.free.get(size);
    const reused = list?.pop();
    if (reused) {
      this.pooledBytes -= size;
      return reused;
    }
    return this.device.createBuffer({ size, usage: STORAGE_USAGE });
  }

  release(buffer: GPUBuffer): void {
    const size = buffer.size;
    this.liveBytes -= size;
    if (this.pooledBytes + size > this.maxPooledBytes) {
      buffer.destroy();
      return;
    }
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    list.push(buffer);
    this.pooledBytes += size;
  }

  /** Destroy every pooled buffer (live ones are untouched). */
  drain(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
    this.pooledBytes = 0;
  }
}
