// The wasm module behind the native addon's interface (NativeAddon), so the wasm backend runs the
// native backend's kernels, argument packing, recorder and plan compiler unchanged. The backend's
// arrays live in linear memory (HeapArray, heap-array.ts) and are passed by address: a call
// copies only its words and buffer list into a staging area. A plain JS typed array (a tensor
// under HEAP_MIN_BYTES, a plan descriptor) is copied in, and back when written.
import { ValueError } from '../../errors.js';
import type { TypedArray } from '../../tensor/dtype.js';
import { DTYPE_CODE, writtenArrays, type KernelEntryName, type NativeAddon, type NativePlanHandle } from '../native/load-addon.js';
import type { ArgWriter } from '../native/kernel-table.js';
import type { WasmModule } from './wasm-module.js';
import { HeapArray } from './heap-array.js';

const ALIGN = 64;
/** A staging area larger than this is given back after the call that needed it. */
const KEEP_STAGING_BYTES = 64 * 1024 * 1024;

const align = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

/** Arrays copied into linear memory for a call (JS typed arrays, never the backend's own): tests read it. */
export const stagedCopies = { arrays: 0, bytes: 0 };

/** The dtype code of a call's argument `k` (the message is built only on error: a call makes no strings). */
function dtypeCode(a: unknown, what: string, k: number): number {
  if (a instanceof HeapArray) return DTYPE_CODE[a.dtype];
  if (a instanceof Float32Array) return 0;
  if (a instanceof Float64Array) return 1;
  if (a instanceof Int32Array) return 2;
  if (a instanceof Uint8Array) return 3;
  throw new Error(`nabla wasm: ${what} argument ${k} must be a typed array (Float32Array, Float64Array, Int32Array or Uint8Array)`);
}

interface PlanRef {
  readonly plan: number;
  /** Inputs the plan writes into (an in-place step over a span input): copied back after each run. */
  readonly writtenInputs: readonly number[];
}

/**
 * The span inputs a plan descriptor (src/backends/native/plan-compiler.ts) writes: those whose
 * region is the output array of some call. The backend's arrays are written in place; a JS typed
 * array given as input is a copy in linear memory, so it must be copied back like an output.
 */
function inputsWrittenBy(d: Float64Array, entries: readonly { name: string; outputIndex: number }[]): number[] {
  const regionCount = d[3]!;
  const callCount = d[5]!;
  const INPUT = 0;
  const inputOfRegion = new Map<number, number>();
  let at = 6;
  for (let r = 0; r < regionCount; r++, at += 5) if (d[at] === INPUT) inputOfRegion.set(r, d[at + 1]!);
  const written = new Set<number>();
  for (let c = 0; c < callCount; c++) {
    const entry = d[at]!;
    const wordsAt = at + 3;
    at += 3 + d[at + 2]!; // entry, op, word count, the words
    const arrayCount = d[at++]!;
    const out = writtenArrays(entries[entry] ?? { name: '', outputIndex: -1 }, arrayCount, d, wordsAt);
    for (let k = 0; k < arrayCount; k++, at += 4) {
      const input = inputOfRegion.get(d[at]!);
      if (k >= out.first && k < out.first + out.count && input !== undefined) written.add(input);
    }
  }
  return [...written];
}

/** Linear memory reused by every call for its arrays, words and buffer list. */
class Staging {
  private ptr = 0;
  private capacity = 0;

  constructor(private readonly mod: WasmModule) {}

  /** At least `bytes` of memory; its address. */
  reserve(bytes: number): number {
    if (bytes <= this.capacity) return this.ptr;
    this.release();
    this.ptr = this.mod.alloc(bytes, 'the arrays of one kernel call');
    this.capacity = bytes;
    return this.ptr;
  }

  /** Give a large area back, so one big call does not hold its memory for ever. */
  trim(): void {
    if (this.capacity > KEEP_STAGING_BYTES) this.release();
  }

  private release(): void {
    if (this.ptr) this.mod.free(this.ptr);
    this.ptr = 0;
    this.capacity = 0;
  }
}

/** Typed views over the whole linear memory, made again only when the memory grew (one set per call would cost more than a small kernel). */
class HeapViews {
  private buffer: ArrayBufferLike | null = null;
  private views: TypedArray[] = [];

  constructor(private readonly mod: WasmModule) {}

  /**
   * The views by dtype code (load-addon's DTYPE_CODE), covering at least the bytes below `end`; ask
   * after a call's last allocation, which may have grown the memory. Views that still cover `end`
   * serve without asking the memory for its buffer (that getter costs a tenth of a 1-element add):
   * a growth detaches the one-thread module's views (their length drops to 0) and leaves a shared
   * memory's old views valid over the bytes they had.
   */
  current(end: number): readonly TypedArray[] {
    if (end <= (this.views[3]?.byteLength ?? 0)) return this.views;
    const bytes = this.mod.heap;
    if (bytes.buffer !== this.buffer) {
      this.buffer = bytes.buffer;
      this.views = [new Float32Array(bytes.buffer), new Float64Array(bytes.buffer), new Int32Array(bytes.buffer), bytes];
    }
    return this.views;
  }
}

const I32 = 2;
/** Arrays up to this many elements are copied element by element: cheaper than making a view for them. */
const LOOP_COPY_MAX = 32;

/** Where a call's pieces lie in the staging area. */
interface Placed {
  /** Buffer list: (address, length, dtype) per array, as int32s. */
  readonly list: number;
  readonly words: number;
}

export function wasmAddon(mod: WasmModule, args: ArgWriter, threadsWarning?: string): NativeAddon {
  const staging = new Staging(mod);
  const heapViews = new HeapViews(mod);
  const entries = mod.entries();
  const plans = new FinalizationRegistry<number>((plan) => mod.destroyPlan(plan));
  // Per array of the call being placed: its dtype code, and its address in linear memory or -1 for
  // a HeapArray (nothing to copy back). Calls never nest, so one scratch serves them all.
  const codes: number[] = [];
  const data: number[] = [];

  /**
   * Write the buffer list for arrays[first..] and `wordCount` words of `words` into linear memory,
   * copying in any JS typed array.
   */
  const place = (arrays: readonly unknown[], first: number, what: string, words: Float64Array | null, wordCount: number): Placed => {
    const count = arrays.length - first;
    let size = align(12 * count) + align(8 * wordCount);
    for (let k = 0; k < count; k++) {
      const a = arrays[first + k];
      codes[k] = dtypeCode(a, what, k);
      if (a instanceof HeapArray) {
        if (a.freed || a.owner?.freed) throw new Error(`nabla wasm: ${what}: an array was used after its memory was freed`);
        data[k] = -1;
      } else {
        data[k] = size;
        size += align((a as TypedArray).byteLength);
      }
    }
    const staged = Math.max(size, ALIGN);
    const base = staging.reserve(staged);
    // Only now, after the last allocation of the call: a view made earlier may have been detached.
    const views = heapViews.current(base + staged);
    const i32 = views[I32] as Int32Array;
    for (let k = 0, at = base >>> 2; k < count; k++, at += 3) {
      const a = arrays[first + k] as TypedArray | HeapArray;
      if (a instanceof HeapArray) {
        i32[at] = a.byteOffset;
      } else {
        const address = base + data[k]!;
        data[k] = address;
        i32[at] = address;
        const view = views[codes[k]!]!;
        view.set(a as never, address / view.BYTES_PER_ELEMENT);
        stagedCopies.arrays++;
        stagedCopies.bytes += a.byteLength;
      }
      i32[at + 1] = a.length;
      i32[at + 2] = codes[k]!;
    }
    const wordsAt = base + align(12 * count);
    if (words && wordCount > 0) {
      const f64 = views[1] as Float64Array;
      const at = wordsAt / 8;
      if (wordCount <= LOOP_COPY_MAX) for (let i = 0; i < wordCount; i++) f64[at + i] = words[i]!;
      else f64.set(words.subarray(0, wordCount), at);
    }
    return { list: base, words: wordsAt };
  };

  /** Copy a JS typed array back from linear memory after a kernel wrote it (a HeapArray was written in place). */
  const copyBack = (a: unknown, k: number) => {
    const at = data[k]!;
    if (at < 0) return;
    const t = a as TypedArray;
    const view = heapViews.current(at + t.byteLength)[codes[k]!]!;
    const from = at / view.BYTES_PER_ELEMENT;
    if (t.length <= LOOP_COPY_MAX) for (let i = 0; i < t.length; i++) t[i] = view[from + i]!;
    else t.set(view.subarray(from, from + t.length) as never);
  };

  // The words of each call: the backend's ArgWriter (as many as it wrote), or a buffer a caller
  // set with setArgs (all of it), as the addon reads them.
  let words: Float64Array = args.buffer;
  const wordCount = () => (words === args.buffer ? args.used : words.length);

  const entry = (index: number, spec: { name: string; takesOp: boolean; outputIndex: number }) =>
    function (...a: unknown[]): void {
      const op = spec.takesOp ? (a[0] as number) : 0;
      if (spec.takesOp && typeof op !== 'number') throw new Error(`nabla wasm: ${spec.name}: op must be a number`);
      const first = spec.takesOp ? 1 : 0;
      const arrayCount = a.length - first;
      const count = wordCount();
      const placed = place(a, first, spec.name, words, count);
      try {
        mod.runEntry(index, op | 0, placed.list, arrayCount, placed.words, count, spec.name);
        const out = writtenArrays(spec, arrayCount, words);
        for (let k = Math.max(out.first, 0); k < Math.min(out.first + out.count, arrayCount); k++) copyBack(a[first + k], k);
      } finally {
        staging.trim();
      }
    };

  const addon: Record<string, unknown> = {
    setArgs(buffer: Float64Array): void {
      if (!(buffer instanceof Float64Array)) throw new TypeError('setArgs: expected a Float64Array');
      words = buffer;
    },
    createPlan(descriptor: Float64Array): NativePlanHandle {
      const placed = place([descriptor], 0, 'createPlan', null, 0);
      const slot = placed.list; // the buffer list is no longer needed: reuse it for the result
      try {
        const plan = mod.createPlan(data[0]!, descriptor.length, slot);
        const ref: PlanRef = { plan, writtenInputs: inputsWrittenBy(descriptor, entries) };
        plans.register(ref, plan);
        return ref as unknown as NativePlanHandle;
      } finally {
        staging.trim();
      }
    },
    runPlan(handle: NativePlanHandle, inputs: readonly TypedArray[], outputs: readonly TypedArray[], threads = 0): void {
      const ref = handle as unknown as PlanRef;
      if (!ref || typeof ref.plan !== 'number') throw new Error('runPlan: expected a plan from createPlan');
      const placed = place([...inputs, ...outputs], 0, 'runPlan', null, 0);
      try {
        mod.runPlan(ref.plan, placed.list, inputs.length, placed.list + 12 * inputs.length, outputs.length, threads | 0);
        outputs.forEach((o, k) => copyBack(o, inputs.length + k));
        for (const k of ref.writtenInputs) copyBack(inputs[k]!, k);
      } finally {
        staging.trim();
      }
    },
    planProfile: () => [],
    planEntries: () => entries.map((e) => ({ ...e, name: e.name as KernelEntryName })),
    info: () => ({
      simd: mod.simd,
      threads: mod.threads,
      blas: 'nabla-gemm',
      linearMemoryBytes: mod.memoryBytes,
      ...(mod.oneThreadReason && mod.threads === 1 ? { oneThreadReason: mod.oneThreadReason } : {}),
      ...(threadsWarning ? { threadsWarning } : {}),
    }),
    setThreads(threads: number): void {
      if (!mod.threaded && threads !== 1) {
        throw new ValueError(`setThreads: the wasm backend runs its one-thread module (${mod.oneThreadReason ?? 'chosen by the host'}), got ${threads}`);
      }
      mod.setThreads(threads);
    },
    // The families the module lists by name, as the addon does (native/src/op-codes.h's opFamilies).
    opNames: () => mod.opNames() as ReturnType<NativeAddon['opNames']>,
  };
  entries.forEach((spec, i) => (addon[spec.name] = entry(i, spec)));
  return addon as unknown as NativeAddon;
}
