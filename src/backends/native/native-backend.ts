import type { Backend, BackendInfo, CompiledKernels, Kernel, KernelCapture, Layout, RecordedKernels, WeightPrepack } from '../backend.js';
import { KERNEL_OPS, type KernelOpName } from '../kernel-ops.js';
import type { OpDef } from '../../ops/define-op.js';
import { bytesPerElement, copyArray, type DType, type TypedArray } from '../../tensor/dtype.js';
import { hostArrays, onStore, type ArrayStore } from './array-store.js';
import { sizeOf } from '../../tensor/shape.js';
import { ValueError } from '../../errors.js';
import { fallbackMessage, loadAddon, type NativeAddon } from './load-addon.js';
import { KERNEL_SOURCES, namesWithSource } from './kernel-sources.js';
import { CallRecorder, type RecordedCall } from './call-recorder.js';
import { compilePlan } from './plan-compiler.js';
import { nativeKernels } from './native-kernels.js';
import { prepackedKernels } from './prepacked-kernels.js';
import { winogradFilterCache, type WinogradFilterCache } from './winograd-filter-cache.js';
import { ArgWriter } from './kernel-table.js';

/**
 * The Node CPU backend: C++ kernels (SIMD, multithreaded) working in place on the tensors' own
 * typed arrays, so storage stays in JS ArrayBuffers and the garbage collector frees it. The wasm
 * backend is this class over the WebAssembly build, its arrays living in the module's memory
 * (`store`, src/backends/wasm/heap-array.ts).
 */
export class NativeBackend implements Backend<TypedArray> {
  readonly kernels: Readonly<Record<string, Kernel<never, TypedArray> | undefined>>;
  readonly capture: KernelCapture<TypedArray>;
  readonly prepack?: WeightPrepack;
  /** The addon's limit (native/src/fused.cc). */
  readonly maxFusedOutputs = 16;
  /** The addon as kernels call it: calls go through the recorder, which notes them while recording. */
  private readonly addon: NativeAddon;
  /** @internal Eager conv2d's kept Winograd filters (tests read its stats). */
  readonly winograd: WinogradFilterCache | undefined;

  /** `name`, `args` and `store`: the wasm backend runs these kernels on the WebAssembly build (src/backends/wasm/). */
  constructor(
    rawAddon: NativeAddon,
    private readonly args = new ArgWriter(),
    readonly name: string = 'native',
    private readonly store: ArrayStore = hostArrays,
  ) {
    rawAddon.setArgs(this.args.buffer);
    const recorder = new CallRecorder(rawAddon, this.args);
    const addon = (this.addon = recorder.live);
    this.capture = nativeCapture(rawAddon, recorder, store);
    this.winograd = winogradFilterCache(addon, this.args, store, () => recorder.recording);
    const table: Record<string, Kernel<never, TypedArray>> = { ...nativeKernels(addon, this.args, () => recorder.taint(), store, this.winograd) };
    for (const name of namesWithSource('reference')) {
      const ref = (KERNEL_OPS[name] as OpDef<unknown>).ref;
      if (ref) table[name] = onStore(store, ref) as Kernel<never, TypedArray>;
    }
    this.kernels = table;
    const prepacked = prepackedKernels(addon, this.args, store);
    if (prepacked) this.prepack = prepacked.prepack;
  }

  upload(values: TypedArray): TypedArray {
    return this.store.adopt(values);
  }
  async read(h: TypedArray): Promise<TypedArray> {
    return copyArray(this.store.host(h));
  }
  readSync(h: TypedArray): TypedArray {
    return copyArray(this.store.host(h));
  }
  materialize(h: TypedArray, dtype: DType, layout: Layout): TypedArray {
    const out = this.store.alloc(dtype, sizeOf(layout.shape));
    this.args.begin().shape('materialize', layout.shape);
    for (const s of layout.strides) this.args.int(s);
    this.args.int(layout.offset);
    this.addon.materialize(h, out);
    return out;
  }
  subrange(h: TypedArray, dtype: DType, offset: number, size: number): TypedArray {
    return this.store.viewOf(h, offset * bytesPerElement(dtype), size, dtype);
  }
  free(h: TypedArray): void {
    this.winograd?.forget(h);
    this.store.free(h);
  }
  byteLength(h: TypedArray): number {
    return h.byteLength;
  }
  info(): BackendInfo {
    const i = this.addon.info();
    return {
      name: this.name,
      simd: i.simd,
      threads: i.threads,
      blas: i.blas,
      ...(i.collectives !== undefined ? { collectives: i.collectives } : {}),
      ...(i.sanitize ? { sanitize: true } : {}),
      ...(i.linearMemoryBytes !== undefined ? { linearMemoryBytes: i.linearMemoryBytes } : {}),
      ...(i.oneThreadReason ? { oneThreadReason: i.oneThreadReason } : {}),
    };
  }

  /** Resize the addon's thread pool (results are bitwise stable for a given count). */
  setThreads(threads: number): void {
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
      throw new ValueError(`setThreads: expected an integer from 1 to 256, got ${threads}`);
    }
    this.addon.setThreads(threads);
  }

  /** Primitives this backend runs with the reference kernels. */
  static referenceOps(): KernelOpName[] {
    return namesWithSource('reference');
  }
}

interface NativeRecording extends RecordedKernels {
  readonly calls: readonly RecordedCall[];
}

/** Spans of native kernels recorded and replayed as one addon call (native/src/plan.h). */
function nativeCapture(addon: NativeAddon, recorder: CallRecorder, store: ArrayStore): KernelCapture<TypedArray> {
  // A plan finds each recorded array by its memory: none may be given back and reused for another
  // array between the first recorded call and the plan's compilation.
  return {
    canCapture: (name) => (KERNEL_SOURCES as Record<string, string>)[name] === 'native',
    begin: () => {
      store.holdFrees?.(true);
      recorder.begin();
    },
    end: (failed?: boolean): NativeRecording | null => {
      const calls = recorder.end();
      if (calls && !failed) return { callCount: calls.length, calls };
      store.holdFrees?.(false);
      return null;
    },
    compile: (recorded, inputs, outputs, donors): CompiledKernels<TypedArray> | null => {
      try {
        return compilePlan(addon, store, (recorded as NativeRecording).calls, inputs, outputs, donors);
      } finally {
        store.holdFrees?.(false);
      }
    },
  };
}

let reported = false;

/** The registry's factory: the backend, or an Error saying why not (printed once in Node). */
export function createNativeBackend(): NativeBackend {
  try {
    const addon = loadAddon();
    // A NABLA_NUM_THREADS the addon could not use as given (not a whole number, or more than the cores).
    const { threadsWarning } = addon.info();
    if (threadsWarning) console.warn(`nabla: ${threadsWarning}`);
    return new NativeBackend(addon);
  } catch (e) {
    const reason = (e as Error).message;
    const inNode = typeof process !== 'undefined' && !!process.versions?.node;
    if (inNode && !reported) {
      reported = true;
      console.warn(fallbackMessage(reason));
    }
    throw e;
  }
}
