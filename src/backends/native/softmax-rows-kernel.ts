// softmaxRows (the jit's one-kernel softmax over the last axis) on the native and wasm backends.
import { softmaxRowsReference, type SoftmaxRowsAttrs } from '../../jit/softmax-rows-op.js';
import { sizeOf } from '../../tensor/shape.js';
import type { ArrayStore } from './array-store.js';
import type { NativeAddon } from './load-addon.js';
import { kernel, type AnyKernel, type ArgWriter } from './kernel-table.js';

export function softmaxRowsKernel(addon: NativeAddon, args: ArgWriter, store: ArrayStore): AnyKernel {
  return kernel<SoftmaxRowsAttrs>(([x], attrs, [o]) => {
    const size = sizeOf(o!.shape);
    const cols = attrs.shape[attrs.shape.length - 1] ?? 1;
    const out = store.alloc(o!.dtype, size, true);
    if (!addon.softmaxRows) {
      // An addon older than the kernel: the reference's steps on the host copy.
      store.host(out).set(softmaxRowsReference(store.host(x!.data), cols, attrs.dtype));
      return [out];
    }
    args.begin().int(size / Math.max(1, cols)).int(cols);
    addon.softmaxRows(x!.data, out);
    return [out];
  });
}
