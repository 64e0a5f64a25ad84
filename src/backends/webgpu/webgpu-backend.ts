/// <reference types="@webgpu/types" />
import type { Backend, BackendInfo, Kernel, KernelTensor, Layout, OutSpec } from '../backend.js';
import type { DType, TypedArray } from '../../tensor/dtype.js';
import { sizeOf } from '../../tensor/shape.js';
import { acquireDevice } from './device.js';
import { GpuContext, type GpuHandle } from './gpu-context.js';
import { float64Error, groupsFor, perElementKernel, wgslType } from './wgsl.js';
import type { GpuKernel } from './kernels/kernel-types.js';
import type { ComputedOpName } from '../kernel-ops.js';
import { elementwiseKernels } from './kernels/elementwise.js';
import { reduceKernels } from './kernels/reduce.js';
import { matmulKernels } from './kernels/matmul.js';
import { structureKernels } from './kernels/structure.js';
import { indexingKernels } from './kernels/indexing.js';
import { convKernels } from './kernels/conv.js';
import { poolKernels } from './kernels/pool.js';
import { withChannelsFirst } from './kernels/channels-first.js';
import { sortKernels } from './kernels/sort.js';
import { gatherNDKernels } from './kernels/gather-nd.js';
import { linalgKernels } from './kernels/linalg.js';
import { fusedLinearKernel } from './kernels/fused-linear.js';
import { fftKernels } from './kernels/fft.js';

/** A kernel for every primitive that is not a view: a missing one does not compile. */
function allKernels(): Record<ComputedOpName, GpuKernel<any>> {
  const table: Omit<Record<ComputedOpName, GpuKernel<any>>, 'fusedLinear'> = {
    ...elementwiseKernels(),
    ...reduceKernels(),
    ...matmulKernels(),
    ...structureKernels(),
    ...indexingKernels(),
    ...withChannelsFirst(convKernels()),
    ...withChannelsFirst(poolKernels()),
    ...sortKernels(),
    ...gatherNDKernels(),
    ...fftKernels(),
    ...linalgKernels(),
  };
  return { ...table, fusedLinear: fusedLinearKernel(table) };
}

/**
 * WGSL kernels on a GPUDevice (Dawn in Node, navigator.gpu in browsers). Every dtype is stored in
 * 4 bytes (bool as i32); reads are asynchronous only, so `dataSync()` asks for `data()`.
 */
export class WebGpuBackend implements Backend<GpuHandle> {
  readonly name = 'webgpu';
  /**
   * A fused loop binds each input as a storage buffer, its output too, and a shader stage is only
   * guaranteed 8 (WebGPU's default limit; Chromium's SwiftShader allows 10, where a 14-input loop
   * failed to dispatch).
   */
  readonly maxFusedInputs = 7;
  readonly kernels: Readonly<Record<string, Kernel<never, GpuHandle> | undefined>>;
  private readonly strided = new Map<DType, string>();

  constructor(
    readonly ctx: GpuContext,
    private readonly adapterName: string,
    private readonly source: string,
  ) {
    const table: Record<string, Kernel<never, GpuHandle>> = {};
    for (const [name, k] of Object.entries(allKernels())) table[name] = this.wrapKernel(name, k);
    this.kernels = table;
  }

  /** Refuse float64 up front, and skip dispatches whose outputs are all empty. */
  private wrapKernel(op: string, k: GpuKernel<any>): Kernel<never, GpuHandle> {
    const ctx = this.ctx;
    return ((inputs: readonly KernelTensor<GpuHandle>[], attrs: unknown, outs: readonly OutSpec[]) => {
      for (const t of inputs) if (t.dtype === 'float64') throw float64Error(op);
      for (const o of outs) if (o.dtype === 'float64') throw float64Error(op);
      if (outs.every((o) => sizeOf(o.shape) === 0)) return outs.map(() => ctx.alloc(0));
      return k(ctx, inputs, attrs, outs);
    }) as Kernel<never, GpuHandle>;
  }

  upload(values: TypedArray): GpuHandle {
    if (values instanceof Float64Array) throw float64Error('a float64 tensor');
    if (values instanceof Uint8Array) return this.ctx.upload(Int32Array.from(values));
    return this.ctx.upload(values);
  }

  async read(h: GpuHandle, dtype: DType, size: number): Promise<TypedArray> {
    if (dtype === 'float64') throw float64Error('data');
    const view: GpuHandle = size * 4 === h.bytes ? h : { ...h, bytes: size * 4 };
    const bytes = await this.ctx.read(view);
    if (dtype === 'float32') return new Float32Array(bytes);
    const ints = new Int32Array(bytes);
    return dtype === 'bool' ? Uint8Array.from(ints) : ints;
  }

  materialize(h: GpuHandle, dtype: DType, layout: Layout): GpuHandle {
    if (dtype === 'float64') throw float64Error('materialize');
    const n = sizeOf(layout.shape);
    const out = this.ctx.alloc(n);
    if (n === 0) return out;
    const rank = layout.shape.length;
    let source = this.strided.get(dtype);
    if (!source) {
      const t = wgslType(dtype, 'materialize');
      source = perElementKernel(
        [
          { name: 'src', type: t, access: 'read' },
          { name: 'out', type: t, access: 'read_write' },
        ],
        '  out[i] = src[M(2 + 2 * M(1)) + bcast(i, M(1), 2, 2 + M(1))];',
      );
      this.strided.set(dtype, source);
    }
    this.ctx.dispatch(source, [h, out], [n, rank, ...layout.shape, ...layout.strides, layout.offset], groupsFor(n));
    return out;
  }

  subrange(h: GpuHandle, dtype: DType, offset: number, size: number): GpuHandle {
    if (dtype === 'float64') throw float64Error('subrange');
    const start = h.offset + offset * 4;
    // Storage bindings must start at an aligned offset (256 bytes by default); copy otherwise.
    if (size > 0 && start % this.ctx.alignment === 0) return { buffer: h.buffer, offset: start, bytes: size * 4, owned: false };
    return this.ctx.copy(h, offset * 4, size);
  }

  free(h: GpuHandle): void {
    this.ctx.free(h);
  }

  byteLength(h: GpuHandle): number {
    return h.owned ? h.buffer.size : 0;
  }

  info(): BackendInfo {
    return {
      name: 'webgpu',
      adapter: this.adapterName,
      source: this.source,
      pipelines: this.ctx.pipelineCount,
      pooledBytes: this.ctx.pool.pooledBytes,
    };
  }
}

/** The registry's async factory: rejects with the reason when there is no WebGPU adapter. */
export async function createWebGpuBackend(): Promise<WebGpuBackend> {
  const { device, adapterName, source } = await acquireDevice();
  device.lost.then((info) => {
    if (info.reason !== 'destroyed') console.warn(`nabla: the webgpu device was lost: ${info.message}`);
  });
  return new WebGpuBackend(new GpuContext(device), adapterName, source);
}
