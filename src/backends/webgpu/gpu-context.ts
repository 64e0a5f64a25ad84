/// <reference types="@webgpu/types" />
// The device-facing half of the backend: buffers (pooled), pipelines (cached by their WGSL),
// dispatches and reads. Every dispatch is submitted at once, so queue order is program order and
// a buffer freed to the pool can be handed out again immediately.
import { BufferPool } from './buffer-pool.js';

/** A tensor's elements on the GPU: 4 bytes each (f32, i32, or bool as i32), from `offset`. */
export interface GpuHandle {
  readonly buffer: GPUBuffer;
  /** Bytes from the buffer's start (a multiple of the storage-binding alignment). */
  readonly offset: number;
  /** Bytes of the elements (size * 4; may be 0). */
  readonly bytes: number;
  /** False for a zero-copy subrange of another handle's buffer, which its owner frees. */
  readonly owned: boolean;
}

/** How a kernel binds one buffer. */
export type Access = 'read' | 'read_write';

/** Elements per invocation group of the generated elementwise kernels (compatibility mode allows 128). */
export const WORKGROUP = 64;

/** Dispatches span at most this many workgroups per dimension. */
const MAX_GROUPS_PER_DIM = 65535;

/** Integers a kernel gets in its uniform `meta` block (vec4s, so 4 per slot). */
export const META_INTS = 256;

const MAP_READ = 0x0001;
const COPY_DST = 0x0008;
const UNIFORM = 0x0040;

export class GpuContext {
  readonly pool: BufferPool;
  private pipelines = new Map<string, GPUComputePipeline>();
  private meta: GPUBuffer;
  private metaHost = new Int32Array(META_INTS);
  /** Safety net: a handle dropped without free() gives its buffer back when it is collected. */
  private collected = new FinalizationRegistry<GPUBuffer>((b) => this.pool.release(b));
  readonly alignment: number;

  constructor(readonly device: GPUDevice) {
    this.pool = new BufferPool(device);
    this.meta = device.createBuffer({ size: META_INTS * 4, usage: UNIFORM | COPY_DST });
    this.alignment = device.limits.minStorageBufferOffsetAlignment;
    // Validation errors (a kernel that does not compile, a bad binding) surface on the next read
    // instead of as silently wrong values.
    device.onuncapturederror = (ev: GPUUncapturedErrorEvent) => {
      this.deviceError ??= ev.error.message;
    };
  }

  private deviceError: string | undefined;

  private throwDeviceError(): void {
    const message = this.deviceError;
    if (message === undefined) return;
    this.deviceError = undefined;
    throw new Error(`webgpu: a GPU command failed before this read, so values may be wrong: ${message}`);
  }

  /** A fresh owned buffer for `elements` 4-byte values. */
  alloc(elements: number): GpuHandle {
    const h: GpuHandle = { buffer: this.pool.acquire(elements * 4), offset: 0, bytes: elements * 4, owned: true };
    this.collected.register(h, h.buffer, h);
    return h;
  }

  free(h: GpuHandle): void {
    if (!h.owned) return;
    this.collected.unregister(h);
    this.pool.release(h.buffer);
  }

  upload(values: Float32Array | Int32Array): GpuHandle {
    const h = this.alloc(values.length);
    if (values.length) this.device.queue.writeBuffer(h.buffer, 0, values.buffer, values.byteOffset, values.byteLength);
    return h;
  }

  /** Copy `elements` values of `src`, from byte `srcOffset` on, into a new buffer. */
  copy(src: GpuHandle, srcOffset: number, elements: number): GpuHandle {
    const out = this.alloc(elements);
    if (elements) {
      const enc = this.device.createCommandEncoder();
      enc.copyBufferToBuffer(src.buffer, src.offset + srcOffset, out.buffer, 0, elements * 4);
      this.device.queue.submit([enc.finish()]);
    }
    return out;
  }

  /** The raw bytes of `h` on the host. The copy is queued before this returns, so `h` may be freed at once. */
  async read(h: GpuHandle): Promise<ArrayBuffer> {
    if (h.bytes === 0) return new ArrayBuffer(0);
    const staging = this.device.createBuffer({ size: h.bytes, usage: MAP_READ | COPY_DST });
    const enc = this.device.createCommandEncoder();
    enc.copyBufferToBuffer(h.buffer, h.offset, staging, 0, h.bytes);
    this.device.queue.submit([enc.finish()]);
    await staging.mapAsync(MAP_READ);
    const bytes = staging.getMappedRange().slice(0);
    staging.unmap();
    staging.destroy();
    this.throwDeviceError();
    return bytes;
  }

  private pipeline(source: string): GPUComputePipeline {
    let p = this.pipelines.get(source);
    if (!p) {
      const module = this.device.createShaderModule({ code: source });
      p = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
      this.pipelines.set(source, p);
    }
    return p;
  }

  /** Number of distinct pipelines compiled so far. */
  get pipelineCount(): number {
    return this.pipelines.size;
  }

  /**
   * Run `source` (bindings 0..n-1 are `buffers` in order, binding n is the meta block) over
   * `groups` workgroups (a count, spread over two dimensions when there are many, or explicit x, y, z).
   */
  dispatch(source: string, buffers: readonly GpuHandle[], meta: readonly number[], groups: number | readonly [number, number, number]): void {
    if (typeof groups === 'number' ? groups === 0 : groups.includes(0)) return;
    if (meta.length > META_INTS) throw new Error(`webgpu: a kernel needs ${meta.length} parameters, more than ${META_INTS}`);
    const pipeline = this.pipeline(source);
    this.metaHost.fill(0);
    this.metaHost.set(meta);
    this.device.queue.writeBuffer(this.meta, 0, this.metaHost);
    const entries: GPUBindGroupEntry[] = buffers.map((h, i) => ({
      binding: i,
      resource: { buffer: h.buffer, offset: h.offset, size: Math.max(4, h.bytes) },
    }));
    entries.push({ binding: buffers.length, resource: { buffer: this.meta } });
    const bindGroup = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    const enc = this.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    if (typeof groups === 'number') {
      const x = Math.min(groups, MAX_GROUPS_PER_DIM);
      pass.dispatchWorkgroups(x, Math.ceil(groups / x));
    } else {
      pass.dispatchWorkgroups(groups[0], groups[1], groups[2]);
    }
    pass.end();
    this.device.queue.submit([enc.finish()]);
  }
}
