// The native and wasm conv/pool kernels for channels-first images: the addon's strided copy
// (its materialize entry) permutes the images to NHWC scratch around the channels-last kernel,
// all inside the kernel call, so a jit plan records and replays the copies with it.
import type { TypedArray } from '../../tensor/dtype.js';
import { sizeOf } from '../../tensor/shape.js';
import { runWindowKernel, type StridedCopy } from '../channels-first-window.js';
import { hostArrays, type ArrayStore } from './array-store.js';
import type { NativeAddon } from './load-addon.js';
import type { AnyKernel, ArgWriter } from './kernel-table.js';
import type { KernelTensor, OutSpec } from '../backend.js';
import type { WindowOpName } from './window-kernels.js';

export function channelsFirstWindowKernels(base: Record<WindowOpName, AnyKernel>, addon: NativeAddon, args: ArgWriter, store: ArrayStore = hostArrays): Record<WindowOpName, AnyKernel> {
  const copy: StridedCopy<TypedArray> = (data, dtype, shape, strides) => {
    const out = store.alloc(dtype, sizeOf(shape), true);
    args.begin().shape('materialize', shape);
    for (const s of strides) args.int(s);
    args.int(0);
    addon.materialize(data, out);
    return out;
  };
  const wrap = (op: WindowOpName): AnyKernel => {
    const call = base[op] as unknown as (i: readonly KernelTensor<TypedArray>[], a: Record<string, unknown>, o: readonly OutSpec[]) => TypedArray[];
    return ((inputs: readonly KernelTensor<TypedArray>[], attrs: Record<string, unknown>, outs: readonly OutSpec[]) =>
      runWindowKernel(op, inputs, attrs, outs, call, copy)) as unknown as AnyKernel;
  };
  return Object.fromEntries(Object.keys(base).map((op) => [op, wrap(op as WindowOpName)])) as Record<WindowOpName, AnyKernel>;
}
