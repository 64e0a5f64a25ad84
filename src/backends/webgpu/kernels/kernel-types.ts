import type { KernelTensor, OutSpec } from '../../backend.js';
import type { GpuContext, GpuHandle } from '../gpu-context.js';

/** A WebGPU kernel: like a backend Kernel, with the device context passed in. */
export type GpuKernel<A> = (ctx: GpuContext, inputs: readonly KernelTensor<GpuHandle>[], attrs: A, outs: readonly OutSpec[]) => GpuHandle[];
