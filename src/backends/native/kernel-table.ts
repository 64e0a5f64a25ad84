// What every native kernel module shares: the one kernel type the backend's table holds, the
// argument writer, op codes by name, and the check that the loaded addon has the entries a module
// calls.
import { ValueError } from '../../errors.js';
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

/** Room for four rank-64 shapes and then some; shapes of higher rank are refused. */
const ARG_CAPACITY = 1024;
const MAX_RANK = 64;

/** Writes shapes and integers into the addon's argument buffer, front to back, for one call. */
export class ArgWriter {
  readonly buffer = new Float64Array(ARG_CAPACITY);
  private at = 0;

  /** Numbers written since `begin`. */
  get used(): number {
    return this.at;
  }
  begin(): this {
    this.at = 0;
    return this;
  }
  shape(op: string, shape: readonly number[]): this {
    if (shape.length > MAX_RANK) throw new ValueError(`${op}: the native backend supports rank <= ${MAX_RANK}, got rank ${shape.length}`);
    this.buffer[this.at++] = shape.length;
    for (const d of shape) this.buffer[this.at++] = d;
    return this;
  }
  int(v: number): this {
    this.buffer[this.at++] = v;
    return this;
  }
  /** Any number, NaN and infinities included (the addon reads it as a double). */
  number(v: number): this {
    this.buffer[this.at++] = v;
    return this;
  }
}

/** The op families whose codes the addon lists by name (native/src/op-codes.h). */
export type OpFamily = keyof ReturnType<NativeAddon['opNames']>;

const opNamesOf = new WeakMap<NativeAddon, ReturnType<NativeAddon['opNames']>>();

/** The addon's code for op `name` of `family`; throws if the addon predates it. */
export function opCode(addon: NativeAddon, family: OpFamily, name: string): number {
  let names = opNamesOf.get(addon);
  if (!names) opNamesOf.set(addon, (names = addon.opNames()));
  const c = names[family]?.indexOf(name) ?? -1;
  if (c < 0) throw new Error(`the addon has no '${name}' kernel (it is older than this nabla; run \`npm rebuild\`)`);
  return c;
}

/** One kernel per op of a family (all the unary ops, ...), made by `make` from the op's name. */
export function familyKernels<K extends string>(family: Record<K, unknown>, make: (name: NoInfer<K>) => AnyKernel): Record<K, AnyKernel> {
  return Object.fromEntries(Object.keys(family).map((name) => [name, make(name as K)])) as Record<K, AnyKernel>;
}
