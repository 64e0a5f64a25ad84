// The random primitive on the native backend: the C++ kernel draws the same streams as the
// reference kernel (src/ops/primitives/random.ts), bit for bit, on every thread.
import type { Kernel } from '../backend.js';
import type { RandomAttrs } from '../../ops/primitives/random.js';
import type { TypedArray } from '../../tensor/dtype.js';
import { sizeOf } from '../../tensor/shape.js';
import type { NativeAddon } from './load-addon.js';
import type { ArgWriter } from './kernel-table.js';
import { hostArrays, type ArrayStore } from './array-store.js';
import { requireEntries } from './kernel-table.js';

/** native/src/random-kernels.h's distribution codes. */
const DISTRIBUTION = { uniform: 0, normal: 1, truncatedNormal: 2, int: 3 } as const;

/** The random kernel; throws if the addon predates it. */
export function randomKernel(addon: NativeAddon, args: ArgWriter, store: ArrayStore = hostArrays): Kernel<RandomAttrs, TypedArray> {
  requireEntries(addon, ['random']);
  return (_inputs, attrs, [o]) => {
    const out = store.alloc(o!.dtype, sizeOf(o!.shape), true);
    const d = attrs.dist;
    const [code, a, b] =
      d.kind === 'normal' ? [d.truncated ? DISTRIBUTION.truncatedNormal : DISTRIBUTION.normal, d.mean, d.stddev] : [DISTRIBUTION[d.kind], d.min, d.max];
    // The reference kernel's hashing reads each key as a 32-bit word.
    args.begin().int(attrs.key[0] >>> 0).int(attrs.key[1] >>> 0).number(a).number(b);
    addon.random(code, out);
    return [out];
  };
}
