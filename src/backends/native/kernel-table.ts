// What every native kernel module shares: the one kernel type the backend's table holds, and the
// check that the loaded addon has the entries a module calls.
import type { Kernel } from '../backend.js';
import type { TypedArray } from '../../tensor/dtype.js';
import type { NativeAddon } from './load-addon.js';

/** A kernel of any op, as the backend's table stores it. */
export type AnyKernel = Kernel<never, TypedArray>;

/** A kernel typed by its attributes, stored in the table that holds kernels of every op. */
export function kernel<A>(k: Kernel<A, TypedArray>): AnyKernel {
  return k as unknown as AnyKernel;
}

/** Throw unless the addon exports every entry (an addon built from older sources lacks new ones). */
export function requireEntries(addon: NativeAddon, entries: readonly (keyof NativeAddon)[]): void {
  for (const entry of entries) {
    if (typeof addon[entry] !== 'function') throw new Error(`the addon has no '${entry}' kernel (it is older than this nabla; run \`npm rebuild\`)`);
  }
}
