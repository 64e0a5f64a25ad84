// The webgpu conv/pool kernels for channels-first images: each image operand is permuted to NHWC
// scratch by a strided-copy shader inside the kernel, the channels-last shader runs, and an image
// result is permuted back (src/backends/channels-first-window.ts).
import { sizeOf } from '../../../tensor/shape.js';
import { runWindowKernel, type StridedCopy, type WindowOp } from '../../channels-first-window.js';
import type { GpuContext, GpuHandle } from '../gpu-context.js';
import { groupsFor, perElementKernel } from '../wgsl.js';
import type { GpuKernel } from './kernel-types.js';

// meta: [total, rank, ...shape, ...strides, offset] (the backend's materialize layout).
const STRIDED_COPY = perElementKernel(
  [
    { name: 'src', type: 'f32', access: 'read' },
    { name: 'out', type: 'f32', access: 'read_write' },
  ],
  '  out[i] = src[M(2 + 2 * M(1)) + bcast(i, M(1), 2, 2 + M(1))];',
);

function stridedCopy(ctx: GpuContext): StridedCopy<GpuHandle> {
  return (data, _dtype, shape, strides) => {
    const n = sizeOf(shape);
    const out = ctx.alloc(n);
    if (n > 0) ctx.dispatch(STRIDED_COPY, [data, out], [n, shape.length, ...shape, ...strides, 0], groupsFor(n));
    return out;
  };
}

/** `kernels` with channels-first support for every window op among them. */
export function withChannelsFirst<K extends WindowOp>(kernels: Record<K, GpuKernel<any>>): Record<K, GpuKernel<any>> {
  const wrap =
    (op: K, base: GpuKernel<any>): GpuKernel<any> =>
    (ctx, inputs, attrs, outs) =>
      runWindowKernel(op, inputs, attrs as Record<string, unknown>, outs, (i, a, o) => base(ctx, i, a, o), stridedCopy(ctx), (h) => ctx.free(h));
  return Object.fromEntries(Object.entries(kernels).map(([op, k]) => [op, wrap(op as K, k as GpuKernel<any>)])) as Record<K, GpuKernel<any>>;
}
