import type { Backend, BackendInfo, Kernel, Layout } from '../backend.js';
import { allocArray, type DType, type TypedArray } from '../../tensor/dtype.js';
import { forEachOffset } from '../../tensor/layout.js';
import { KERNEL_OPS } from '../kernel-ops.js';
import type { OpDef } from '../../ops/define-op.js';
import { sizeOf } from '../../tensor/shape.js';

/** Every primitive's reference kernel, by name (views have none). */
export function referenceKernels(): Record<string, Kernel<never, TypedArray>> {
  const out: Record<string, Kernel<never, TypedArray>> = {};
  for (const [name, def] of Object.entries(KERNEL_OPS as Record<string, OpDef<any>>)) {
    if (def.ref) out[name] = def.ref as Kernel<never, TypedArray>;
  }
  return out;
}

/** Gather a strided view into a new contiguous array. */
export function gatherStrided(h: TypedArray, dtype: DType, layout: Layout): TypedArray {
  const out = allocArray(dtype, sizeOf(layout.shape));
  forEachOffset(layout, (off, i) => (out[i] = h[off]!));
  return out;
}

/** The reference backend: plain TypeScript over typed arrays; the truth for tests. */
export class JsBackend implements Backend<TypedArray> {
  readonly name = 'js';
  readonly kernels = referenceKernels();
  readonly maxFusedOutputs = 16;

  upload(values: TypedArray): TypedArray {
    return values;
  }
  async read(h: TypedArray): Promise<TypedArray> {
    return h.slice();
  }
  readSync(h: TypedArray): TypedArray {
    return h.slice();
  }
  materialize(h: TypedArray, dtype: DType, layout: Layout): TypedArray {
    return gatherStrided(h, dtype, layout);
  }
  subrange(h: TypedArray, _dtype: DType, offset: number, size: number): TypedArray {
    return h.subarray(offset, offset + size);
  }
  free(): void {}
  byteLength(h: TypedArray): number {
    return h.byteLength;
  }
  info(): BackendInfo {
    return { name: 'js', simd: 'none', threads: 1 };
  }
}
