// Native kernels of the primitives that run along one axis, line by line: cumsum, cumprod and
// argsort (native/src/scan-kernels.h). The axis and flags go into the shared argument buffer.
import type { ScanAttrs } from '../../ops/primitives/cumulative.js';
import type { ArgsortAttrs } from '../../ops/primitives/sort.js';
import { hostArrays, type ArrayStore } from './array-store.js';
import type { NativeAddon } from './load-addon.js';
import { kernel, opCode, requireEntries, type AnyKernel, type ArgWriter } from './kernel-table.js';

export type ScanOpName = 'cumsum' | 'cumprod' | 'argsort';

/** The scan and sort kernels; throws if the addon predates them. */
export function scanKernels(addon: NativeAddon, args: ArgWriter, store: ArrayStore = hostArrays): Record<ScanOpName, AnyKernel> {
  const allocOutput = store.alloc;
  requireEntries(addon, ['scan', 'argsort']);

  const scan = (name: 'cumsum' | 'cumprod'): AnyKernel => {
    const code = opCode(addon, 'scan', name);
    return kernel<ScanAttrs>(([x], attrs, [o]) => {
      const out = allocOutput(o!.dtype, x!.data.length, true);
      args.begin().shape(name, x!.shape).int(attrs.axis).int(attrs.exclusive ? 1 : 0).int(attrs.reverse ? 1 : 0);
      addon.scan(code, x!.data, out);
      return [out];
    });
  };

  const argsort = kernel<ArgsortAttrs>(([x], attrs) => {
    const out = allocOutput('int32', x!.data.length, true) as Int32Array;
    args.begin().shape('argsort', x!.shape).int(attrs.axis).int(attrs.descending ? 1 : 0);
    addon.argsort(x!.data, out);
    return [out];
  });

  return { cumsum: scan('cumsum'), cumprod: scan('cumprod'), argsort };
}
