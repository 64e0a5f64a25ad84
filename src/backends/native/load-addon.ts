// Finding and loading the compiled addon (native/build/Release/nabla.node). Uses Node's
// built-in modules through process.getBuiltinModule, so importing nabla in a browser bundle
// pulls in nothing from Node.
import type { DType, TypedArray } from '../../tensor/dtype.js';

/** The functions the C++ addon exports (native/src/addon.cc). Shapes travel in the setArgs buffer. */
export interface NativeAddon {
  setArgs(args: Float64Array): void;
  unary(op: number, x: TypedArray, out: TypedArray): void;
  binary(op: number, a: TypedArray, b: TypedArray, out: TypedArray): void;
  where(cond: TypedArray, a: TypedArray, b: TypedArray, out: TypedArray): void;
  cast(x: TypedArray, out: TypedArray): void;
  materialize(src: TypedArray, out: TypedArray): void;
  reduce(op: number, x: TypedArray, out: TypedArray): void;
  argReduce(op: number, x: TypedArray, out: TypedArray): void;
  matmul(a: TypedArray, b: TypedArray, out: TypedArray): void;
  /** Geometry: 19 integers (native/src/window-kernels.h). */
  conv2d(op: number, a: TypedArray, b: TypedArray, out: TypedArray): void;
  /** Geometry: 14 integers (native/src/window-kernels.h). */
  pool2d(op: number, a: TypedArray, b: TypedArray, out: TypedArray): void;
  /**
   * conv2d, bias, activation (op: its unary code or -1) and pool2d over the batch in cache-sized
   * pieces; arrays: x, filter, bias, the prepacked filter where there is one, out; words: conv2d's
   * 19, pool2d's 14, the pool mode, hasBias (native/src/conv-pool.h). Absent from binaries older
   * than this entry.
   */
  convPool?(act: number, ...arrays: TypedArray[]): void;
  /** The outputs (as many as the program's first word says), then the inputs; program in the argument buffer (native/src/fused.h). */
  fusedElementwise(...arrays: TypedArray[]): void;
  /** gather (op 0: x, indices) and unsortedSegmentSum (op 1: data, ids); native/src/index-kernels.h. */
  gather(op: number, x: TypedArray, indices: TypedArray, out: TypedArray): void;
  /** gatherND (op 0), scatterND (op 1), tensorScatterUpdate (op 2): their inputs, then the output. */
  indexND(op: number, ...arrays: TypedArray[]): void;
  /** The inputs, then the output. */
  concat(...arrays: TypedArray[]): void;
  pad(x: TypedArray, out: TypedArray): void;
  /** out = act(out + bias) row by row; words: rows, cols; act: a unary op code or -1 (native/src/fused.h). */
  biasActivation(act: number, out: TypedArray, bias: TypedArray): void;
  /** Softmax over rows (words: rows, cols); absent from addons older than the kernel. */
  softmaxRows?(x: TypedArray, out: TypedArray): void;
  /** Fill `out` from a random stream; op: the distribution; words: keys, then two parameters (native/src/random-kernels.h). */
  random(op: number, out: TypedArray): void;
  /** cumsum (op 0) and cumprod (op 1); words: x's shape, axis, exclusive, reverse (native/src/scan-kernels.h). */
  scan(op: number, x: TypedArray, out: TypedArray): void;
  /** Words: x's shape, axis, descending; the output is int32 (native/src/scan-kernels.h). */
  argsort(x: TypedArray, out: Int32Array): void;
  /** cholesky, triangularSolve, qr, lu (codes from opNames().linalg); words: batch count, then sizes and flags (native/src/linalg/linalg-kernels.h). */
  linalg(op: number, ...arrays: TypedArray[]): void;
  /** fft, rfft, irfft (codes from opNames().fft); words: rows, length, flag (native/src/linalg/linalg-kernels.h). */
  fft(op: number, x: TypedArray, out: TypedArray): void;
  /**
   * Prepacked weights (native/src/prepacked.h), by op: 0/1 ask whether a matmul/conv2d would read
   * prepacked panels (answer: an Int32Array of one); 2 packs a weight; 3/4 run matmul/conv2d
   * with it; 8 runs conv2d keeping a Winograd pack in a cache array (winograd-filter-cache.ts).
   * Absent from binaries older than this entry.
   */
  prepacked?(op: number, ...arrays: TypedArray[]): void;
  /** A replayable sequence of kernel calls (native/src/plan.h describes the descriptor). */
  createPlan(descriptor: Float64Array): NativePlanHandle;
  /** `threads`: at most this many threads for the plan's kernels (0 or absent: the pool's). */
  runPlan(plan: NativePlanHandle, inputs: readonly TypedArray[], outputs: readonly TypedArray[], threads?: number): void;
  /** Time per kernel entry and op inside plan runs since the last call; `on` turns profiling on or off. */
  planProfile(on?: boolean): { entry: KernelEntryName; op: number; calls: number; ms: number }[];
  /** The kernel entries a plan may call, in the order of their codes. */
  planEntries(): { name: KernelEntryName; takesOp: boolean; outputIndex: number }[];
  /** collectives: the library nb.distribute runs on ('gloo', or 'none' when the build did not find it); threadsWarning: why NABLA_NUM_THREADS was not used as given; linearMemoryBytes: the WebAssembly build's memory (staging areas, plan arenas, GEMM workspaces); oneThreadReason: why the wasm backend runs on one thread (no shared memory here). */
  info(): { simd: string; threads: number; blas: string; collectives?: string; sanitize?: boolean; threadsWarning?: string; linearMemoryBytes?: number; oneThreadReason?: string };
  setThreads(threads: number): void;
  opNames(): { unary: string[]; binary: string[]; reduce: string[]; arg: string[]; gather: string[]; indexND: string[]; scan: string[]; linalg: string[]; fft: string[] };
}

/** The addon's dtype codes (native/src/common.h's DType). */
export const DTYPE_CODE: Readonly<Record<DType, number>> = { float32: 0, float64: 1, int32: 2, bool: 3 };

/**
 * The arrays a call of a kernel entry writes: `count` of them from `first`. An entry writes the
 * array its spec names (-1: the last), except fusedElementwise, whose program words (after the
 * word count) start with its number of outputs, the arrays it writes first.
 */
export function writtenArrays(spec: { readonly name: string; readonly outputIndex: number }, arrayCount: number, words: ArrayLike<number>, wordsAt = 0): { first: number; count: number } {
  const first = spec.outputIndex >= 0 ? spec.outputIndex : arrayCount - 1;
  return { first, count: spec.name === 'fusedElementwise' ? words[wordsAt + 1]! : 1 };
}

/** An addon-owned plan (an N-API external). */
export type NativePlanHandle = { readonly __nativePlan: unique symbol };

/** The addon functions that run kernels (every one may be recorded into a plan). */
export type KernelEntryName =
  | 'unary'
  | 'binary'
  | 'where'
  | 'cast'
  | 'materialize'
  | 'reduce'
  | 'argReduce'
  | 'matmul'
  | 'prepacked'
  | 'conv2d'
  | 'pool2d'
  | 'fusedElementwise'
  | 'gather'
  | 'indexND'
  | 'concat'
  | 'pad'
  | 'biasActivation'
  | 'random'
  | 'scan'
  | 'argsort'
  | 'linalg'
  | 'fft'
  | 'convPool'
  | 'softmaxRows';

export interface NodeBuiltins {
  module: typeof import('node:module');
  fs: typeof import('node:fs');
  path: typeof import('node:path');
  url: typeof import('node:url');
}

export function nodeBuiltins(): NodeBuiltins {
  const proc = (globalThis as { process?: NodeJS.Process }).process;
  if (!proc?.versions?.node) throw new Error('not running in Node.js');
  const get = (proc as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  if (!get) throw new Error(`Node.js ${proc.versions.node} lacks process.getBuiltinModule; use Node >= 20.16`);
  return {
    module: get('node:module') as NodeBuiltins['module'],
    fs: get('node:fs') as NodeBuiltins['fs'],
    path: get('node:path') as NodeBuiltins['path'],
    url: get('node:url') as NodeBuiltins['url'],
  };
}

/** The package root: the nearest directory above this file that holds native/binding.gyp. */
export function packageRoot(node: NodeBuiltins): string {
  let dir = node.path.dirname(node.url.fileURLToPath(import.meta.url));
  for (;;) {
    if (node.fs.existsSync(node.path.join(dir, 'native', 'binding.gyp'))) return dir;
    const up = node.path.dirname(dir);
    if (up === dir) throw new Error('cannot find the nabla package directory (native/binding.gyp)');
    dir = up;
  }
}

/** Where the addon is looked for: NABLA_NATIVE_PATH, or the package's native build. */
export function addonPath(): string {
  const node = nodeBuiltins();
  const override = process.env.NABLA_NATIVE_PATH;
  if (override) return node.path.resolve(override);
  return node.path.join(packageRoot(node), 'native', 'build', 'Release', 'nabla.node');
}

/** Load the addon, or throw an Error whose message says why it is unavailable. */
export function loadAddon(): NativeAddon {
  const node = nodeBuiltins();
  const file = addonPath();
  if (!node.fs.existsSync(file)) {
    const failure = node.path.join(node.path.dirname(file), '..', 'build-failure.txt');
    const why = node.fs.existsSync(failure) ? `its build failed: ${node.fs.readFileSync(failure, 'utf8').trim()}` : 'it was not built';
    throw new Error(`${file} not found; ${why}`);
  }
  try {
    return node.module.createRequire(import.meta.url)(file) as NativeAddon;
  } catch (e) {
    throw new Error(`cannot load ${file}: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** The one line printed when nabla falls back to wasm. */
export function fallbackMessage(reason: string): string {
  return `nabla: native backend unavailable (${reason}); using wasm (the same kernels compiled to WebAssembly). Run \`npm rebuild\` with a C++ compiler to enable it.`;
}
