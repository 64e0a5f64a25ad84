// The WebAssembly builds of the native kernels (made by `npm run build:wasm` from native/src and
// native/wasm/wasm-entry.cc): wasm/nabla.wasm on one thread, and wasm/nabla-threads.wasm over a
// shared memory whose pool threads are host workers (wasm-workers.ts). Loading them, the few host
// functions they import, and their exports as typed functions. Every export that runs a kernel
// returns a status; a failure becomes a JS Error here with the C++ message, so bad input never
// traps or kills the process.
import { nodeBuiltins, packageRoot } from '../native/load-addon.js';
import { threadsFromEnvironment } from './wasm-thread-count.js';
import { startNodeWorker, startPageWorker, WORKER_STACK_BYTES, type StartedWorker, type WorkerStart } from './wasm-workers.js';

/** Linear memory is 32-bit: this much at most, and less where the host cannot give it. */
export const WASM_MEMORY_LIMIT = 4 * 1024 ** 3;

interface Exports {
  /** The one-thread module's own memory (the threaded one imports a shared memory). */
  readonly memory?: WebAssembly.Memory;
  /** Runs the C++ constructors: _initialize in the one-thread module, __wasm_call_ctors in the threaded one. */
  _initialize?(): void;
  __wasm_call_ctors?(): void;
  _emscripten_thread_init?(block: number, isMain: number, isRuntime: number, canBlock: number, profile: number): void;
  nabla_new_thread_block?(): number;
  nabla_alloc(bytes: number): number;
  nabla_free(ptr: number): void;
  nabla_error(): number;
  nabla_run_entry(entry: number, op: number, buffers: number, bufferCount: number, words: number, wordCount: number): number;
  nabla_create_plan(descriptor: number, count: number, out: number): number;
  nabla_destroy_plan(plan: number): void;
  nabla_run_plan(plan: number, inputs: number, inputCount: number, outputs: number, outputCount: number, threadCap: number): number;
  nabla_entry_count(): number;
  nabla_entry_name(i: number): number;
  nabla_entry_takes_op(i: number): number;
  nabla_entry_output(i: number): number;
  nabla_op_family(family: number): number;
  nabla_op_name(family: number, i: number): number;
  nabla_threads(): number;
  nabla_set_threads(threads: number): void;
  nabla_attached_workers(): number;
  nabla_pool_check(threads: number): number;
  nabla_simd128(): number;
  nabla_set_conv_forward(code: number): void;
  nabla_set_gemm_blocking(kc: number, mc: number, nc: number): void;
}

/** Statuses of native/wasm/wasm-entry.cc. */
const OK = 0;
const INPUT_ERROR = 1;
const OUT_OF_MEMORY = 2;

/** A module imports a memory exactly when it is the threaded build. */
const importsMemory = (module: WebAssembly.Module) => WebAssembly.Module.imports(module).some((i) => i.kind === 'memory');

/** Pages of 64 KiB: the threaded module's memory starts at 16 MiB (as the build's INITIAL_MEMORY) and may grow to 4 GiB. */
const PAGE = 65536;
const INITIAL_PAGES = 256;
const MAXIMUM_PAGES = 65536;

/**
 * Grow a shared memory to hold `requested` bytes (emscripten's sbrk asks through
 * emscripten_resize_heap, on whichever thread allocates): a fifth more than now where the host
 * allows, else exactly enough. 1 on success, 0 when it cannot (malloc then returns 0).
 * WORKER_SOURCE does the same in each worker.
 */
function growHeap(memory: WebAssembly.Memory, requested: number): number {
  requested >>>= 0;
  const now = memory.buffer.byteLength;
  if (requested <= now) return 1;
  if (requested > MAXIMUM_PAGES * PAGE) return 0;
  for (const want of [Math.min(MAXIMUM_PAGES * PAGE, Math.max(requested, now + Math.floor(now / 5))), requested]) {
    try {
      memory.grow(Math.ceil((want - memory.buffer.byteLength) / PAGE));
      return 1;
    } catch {
      // Another thread may have grown it meanwhile; else try exactly enough.
    }
    if (memory.buffer.byteLength >= requested) return 1;
  }
  return 0;
}

/** clock_gettime for the threaded module: a 32-bit timespec (seconds, nanoseconds); clock 0 is the wall clock. */
function clockGettime(memory: WebAssembly.Memory, clock: number, out: number): number {
  const ms = clock === 0 ? Date.now() : performance.now();
  const view = new DataView(memory.buffer);
  view.setInt32(out, Math.floor(ms / 1000), true);
  view.setInt32(out + 4, Math.floor((ms % 1000) * 1e6), true);
  return 0;
}

/** The functions the module imports, bound to its exports once it is instantiated. */
class Host {
  exports: Exports | undefined;
  onGrow = (): void => undefined;
  /** The threaded module's shared memory (made here, before instantiation). */
  readonly sharedMemory: WebAssembly.Memory | undefined;
  readonly imports: WebAssembly.Imports;

  constructor(module: WebAssembly.Module) {
    if (!importsMemory(module)) {
      this.imports = {
        env: { emscripten_notify_memory_growth: () => this.onGrow() },
        wasi_snapshot_preview1: wasiImports(() => this.exports!.memory!),
      };
      return;
    }
    const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared: true });
    this.sharedMemory = memory;
    // Imports this host leaves out throw naming themselves (emscripten's JS runtime would have them).
    const imports: Record<string, Record<string, unknown>> = {};
    for (const i of WebAssembly.Module.imports(module)) {
      const into = (imports[i.module] ??= {});
      if (i.kind === 'function')
        into[i.name] = () => {
          throw new Error(`nabla wasm: the threaded module called ${i.name}, which this host does not provide`);
        };
    }
    const aborted = (what: string) => () => {
      throw new Error(`nabla wasm: the module aborted (${what})`);
    };
    Object.assign((imports.env ??= {}), {
      memory,
      emscripten_get_now: () => performance.now(),
      __clock_gettime: (clock: number, out: number) => clockGettime(memory, clock, out),
      clock_gettime: (clock: number, out: number) => clockGettime(memory, clock, out),
      // memcpy hands copies past a size to the host.
      emscripten_memcpy_big: (to: number, from: number, bytes: number) => {
        new Uint8Array(memory.buffer).copyWithin(to >>> 0, from >>> 0, (from >>> 0) + (bytes >>> 0));
      },
      emscripten_check_blocking_allowed: () => undefined,
      emscripten_resize_heap: (requested: number) => growHeap(memory, requested),
      _emscripten_notify_thread_queue: () => 0,
      // The main thread's thread state, set while the constructors run: it may not block (a page's
      // main thread spins instead). Its thread-locals stay at address 0 (their image is all zeros,
      // below the static data): clang 14 addresses the C++ landing-pad context there in code while
      // the unwinder reads the thread's copy, so only a thread whose block is at 0 catches C++
      // exceptions by type. Workers get their own blocks and catch only with catch (...).
      __emscripten_init_main_thread_js: (block: number) => this.exports!._emscripten_thread_init!(block, 1, 1, 0, 0),
      abort: aborted('abort'),
      exit: (code: number) => aborted(`exit status ${code}`)(),
    });
    const wasi = wasiImports(() => memory);
    Object.assign((imports.wasi_snapshot_preview1 ??= {}), { environ_sizes_get: wasi.environ_sizes_get, environ_get: wasi.environ_get });
    this.imports = imports as WebAssembly.Imports;
  }
}

export class WasmModule {
  private readonly x: Exports;
  private readonly memory: WebAssembly.Memory;
  private bytes: Uint8Array;
  /** The compiled module (the threaded module's workers instantiate it too). */
  private readonly compiled: WebAssembly.Module;
  private readonly workers: StartedWorker[] = [];
  private workerFailure: string | undefined;
  /** Why this module runs on one thread where it does (the one-thread build was chosen, or workers failed). */
  oneThreadReason: string | undefined;

  /** Compiles and instantiates synchronously (Node; browsers refuse this on the main thread past 4 KB). */
  constructor(binary: BufferSource);
  constructor(instance: WebAssembly.Instance, host: Host, compiled: WebAssembly.Module);
  constructor(source: BufferSource | WebAssembly.Instance, given?: Host, givenModule?: WebAssembly.Module) {
    const compiled = givenModule ?? new WebAssembly.Module(source as BufferSource);
    const host = given ?? new Host(compiled);
    const instance = source instanceof WebAssembly.Instance ? source : new WebAssembly.Instance(compiled, host.imports);
    const exports = instance.exports as unknown as Exports;
    host.exports = exports;
    this.compiled = compiled;
    this.x = exports;
    this.memory = host.sharedMemory ?? exports.memory!;
    this.bytes = new Uint8Array(this.memory.buffer);
    if (exports._initialize) exports._initialize();
    else exports.__wasm_call_ctors!();
  }

  /** Compiles while the bytes arrive (compileStreaming), as a page must; bytes are accepted too. */
  static async instantiate(source: Response | PromiseLike<Response> | BufferSource): Promise<WasmModule> {
    let module: WebAssembly.Module;
    if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
      module = await WebAssembly.compile(source);
    } else {
      const response = await source;
      if (!response.ok) throw new Error(`nabla wasm: fetching ${response.url} gave HTTP ${response.status} ${response.statusText}`.trim());
      const streams = typeof WebAssembly.compileStreaming === 'function' && /application\/wasm/.test(response.headers.get('content-type') ?? '');
      module = streams ? await WebAssembly.compileStreaming(response) : await WebAssembly.compile(await response.arrayBuffer());
    }
    const host = new Host(module);
    return new WasmModule(await WebAssembly.instantiate(module, host.imports), host, module);
  }

  /** True for the threaded build (its memory is a SharedArrayBuffer). */
  get threaded(): boolean {
    return this.x.memory === undefined;
  }

  /**
   * The module's memory as bytes (never keep it across calls: a growth detaches the one-thread
   * module's views, and leaves a shared memory's old views short; any thread may grow it).
   */
  get heap(): Uint8Array {
    const buffer = this.memory.buffer;
    if (this.bytes.buffer !== buffer) this.bytes = new Uint8Array(buffer);
    return this.bytes;
  }

  /** Bytes of linear memory now (it only grows). */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** Workers started for the pool (the threaded module only). */
  get startedWorkers(): number {
    return this.workers.length;
  }

  /** Workers serving the pool now. */
  get attachedWorkers(): number {
    return this.x.nabla_attached_workers();
  }

  /**
   * Use `threads` threads (the caller and threads - 1 workers) from the next call on, starting the
   * workers missing. In Node this waits (at most `waitMs`) until they serve, so the count is real
   * at once; a page's main thread may not wait, and its calls use the workers that have started.
   */
  setThreads(threads: number, waitMs = 10_000): void {
    if (!this.threaded) {
      if (threads !== 1) throw new RangeError(`the one-thread wasm module runs on 1 thread (${this.oneThreadReason ?? 'it was chosen'}), got ${threads}`);
      return;
    }
    const inNode = typeof process !== 'undefined' && !!process.versions?.node;
    while (this.workers.length < threads - 1) this.startWorker(inNode);
    this.x.nabla_set_threads(threads);
    if (!inNode || this.attachedWorkers >= threads - 1) return;
    const pause = new Int32Array(new SharedArrayBuffer(4));
    const deadline = performance.now() + waitMs;
    while (this.attachedWorkers < threads - 1 && !this.workerFailure && performance.now() < deadline) Atomics.wait(pause, 0, 0, 1);
    if (this.attachedWorkers < threads - 1) {
      const serving = 1 + this.attachedWorkers;
      this.x.nabla_set_threads(serving);
      this.oneThreadReason = serving === 1 ? `no worker started: ${this.workerFailure ?? `none within ${waitMs} ms`}` : undefined;
      throw new Error(`nabla wasm: ${threads} threads asked for, ${serving} serving (${this.workerFailure ?? `the workers did not start within ${waitMs} ms`})`);
    }
  }

  private startWorker(inNode: boolean): void {
    const stackEnd = this.alloc(WORKER_STACK_BYTES, "a worker thread's stack");
    const threadBlock = this.x.nabla_new_thread_block!() >>> 0;
    if (threadBlock === 0) throw new RangeError("nabla wasm: out of memory allocating a worker thread's state");
    const start: WorkerStart = { module: this.compiled, memory: this.memory, stackTop: stackEnd + WORKER_STACK_BYTES, stackEnd, threadBlock };
    const worker = inNode ? startNodeWorker(start) : startPageWorker(start);
    worker.onError((message) => {
      this.workerFailure ??= message;
      console.warn(`nabla: a wasm worker thread failed: ${message}`);
    });
    this.workers.push(worker);
  }

  /** 64-byte aligned memory, or a RangeError naming the size when the module cannot grow that far. */
  alloc(bytes: number, what: string): number {
    // Addresses past 2 GiB come back as negative int32s.
    const ptr = Number.isInteger(bytes) && bytes >= 0 && bytes <= WASM_MEMORY_LIMIT - 65536 ? this.x.nabla_alloc(bytes) >>> 0 : 0;
    if (ptr === 0) {
      throw new RangeError(
        `nabla wasm: out of memory allocating ${bytes} bytes for ${what} (linear memory holds ${this.memoryBytes} bytes; a wasm32 module can address at most 4 GiB)`,
      );
    }
    return ptr;
  }

  free(ptr: number): void {
    this.x.nabla_free(ptr);
  }

  runEntry(entry: number, op: number, buffers: number, bufferCount: number, words: number, wordCount: number, name: string): void {
    this.check(this.x.nabla_run_entry(entry, op, buffers, bufferCount, words, wordCount), name);
  }

  /** A plan from a descriptor already in memory at `descriptor`; `slot` is 4 bytes of scratch. */
  createPlan(descriptor: number, count: number, slot: number): number {
    this.check(this.x.nabla_create_plan(descriptor, count, slot), 'createPlan');
    return new Int32Array(this.heap.buffer, slot, 1)[0]!;
  }

  destroyPlan(plan: number): void {
    this.x.nabla_destroy_plan(plan);
  }

  runPlan(plan: number, inputs: number, inputCount: number, outputs: number, outputCount: number, threadCap: number): void {
    this.check(this.x.nabla_run_plan(plan, inputs, inputCount, outputs, outputCount, threadCap), 'runPlan');
  }

  entries(): { name: string; takesOp: boolean; outputIndex: number }[] {
    const n = this.x.nabla_entry_count();
    return Array.from({ length: n }, (_, i) => ({
      name: this.string(this.x.nabla_entry_name(i)),
      takesOp: this.x.nabla_entry_takes_op(i) === 1,
      outputIndex: this.x.nabla_entry_output(i),
    }));
  }

  /** Every op family's op names in code order, by family name (native/src/op-codes.h's opFamilies). */
  opNames(): Record<string, string[]> {
    const families: Record<string, string[]> = {};
    for (let f = 0, name = this.x.nabla_op_family(0); name !== 0; name = this.x.nabla_op_family(++f)) {
      const names: string[] = [];
      for (let p = this.x.nabla_op_name(f, 0); p !== 0; p = this.x.nabla_op_name(f, names.length)) names.push(this.string(p));
      families[this.string(name)] = names;
    }
    return families;
  }

  /** Runs a job on `threads` pool threads whose last share throws (nabla_pool_check): its error, as every kernel's. */
  poolCheck(threads: number): void {
    this.check(this.x.nabla_pool_check(threads), 'poolCheck');
  }

  /** Threads calls run on now: the caller and the workers serving, up to the count set (a page's workers attach a moment after they are started). */
  get threads(): number {
    return Math.min(this.x.nabla_threads(), 1 + this.attachedWorkers);
  }
  get simd(): string {
    return this.x.nabla_simd128() === 1 ? 'simd128' : 'scalar';
  }

  /** Force the float32 forward convolution's algorithm (undefined: the per-shape choice), as NABLA_CONV_FORWARD does on native; for tests and benchmarks. */
  setConvForward(path: 'tiled' | 'gemm' | 'winograd' | undefined): void {
    this.x.nabla_set_conv_forward(path === undefined ? -1 : ['tiled', 'gemm', 'winograd'].indexOf(path));
  }

  /** Set float32's GEMM cache blocking in elements (as NABLA_GEMM_TUNE=kc,mc,nc on native); for benchmarks that tune it. */
  setGemmBlocking(kc: number, mc: number, nc: number): void {
    this.x.nabla_set_gemm_blocking(kc, mc, nc);
  }

  private string(address: number): string {
    const heap = this.heap;
    const ptr = address >>> 0;
    let end = ptr;
    while (heap[end] !== 0) end++;
    // A copy: TextDecoder refuses views of a SharedArrayBuffer.
    return new TextDecoder().decode(heap.slice(ptr, end));
  }

  private check(status: number, name: string): void {
    if (status === OK) return;
    const message = this.string(this.x.nabla_error());
    if (status === OUT_OF_MEMORY) throw new RangeError(`nabla wasm: out of memory in ${name} (linear memory holds ${this.memoryBytes} bytes; at most 4 GiB)`);
    if (status === INPUT_ERROR) throw new Error(message);
    throw new Error(`nabla wasm: ${name} failed: ${message}`);
  }
}

/** The WASI functions the C++ runtime imports: a clock, no environment, and exit as an exception. */
function wasiImports(memory: () => WebAssembly.Memory): Record<string, (...a: never[]) => unknown> {
  const ERRNO_INVAL = 28;
  return {
    clock_time_get(id: number, _precision: bigint, out: number): number {
      const ms = id === 0 ? Date.now() : performance.now();
      if (id > 3) return ERRNO_INVAL;
      new DataView(memory().buffer).setBigUint64(out, BigInt(Math.round(ms * 1e6)), true);
      return 0;
    },
    environ_sizes_get(count: number, size: number): number {
      const view = new DataView(memory().buffer);
      view.setUint32(count, 0, true);
      view.setUint32(size, 0, true);
      return 0;
    },
    environ_get: () => 0,
    proc_exit(code: number): never {
      throw new Error(`nabla wasm: the module aborted (exit status ${code})`);
    },
  };
}

/** The file of the one-thread module, and of the threaded one. */
export const WASM_FILE = 'nabla.wasm';
export const WASM_THREADS_FILE = 'nabla-threads.wasm';

/** A committed module's bytes, from the package's wasm/ folder (Node). */
export function readWasmBinary(name = WASM_FILE): Uint8Array<ArrayBuffer> {
  const node = nodeBuiltins();
  const file = node.path.join(packageRoot(node), 'wasm', name);
  if (!node.fs.existsSync(file)) throw new Error(`${file} not found; run \`npm run build:wasm\``);
  const bytes = node.fs.readFileSync(file);
  return new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
}

let loaded: WasmModule | undefined;
let unavailable: string | undefined;

/** Why this host cannot run the threaded module (no SharedArrayBuffer, no shared WebAssembly.Memory), or undefined. */
export function sharedMemoryUnavailable(): string | undefined {
  if (typeof SharedArrayBuffer === 'undefined') {
    const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
    return isolated === false ? 'the page is not cross-origin isolated, so SharedArrayBuffer is unavailable' : 'SharedArrayBuffer is unavailable here';
  }
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return undefined;
  } catch (e) {
    return `a shared WebAssembly.Memory cannot be made here (${(e as Error).message})`;
  }
}

/**
 * The module, compiled and instantiated once (synchronously in Node, so it can be the default
 * backend): the threaded one where memory can be shared, with its workers started now (the
 * backend's first use), else the one-thread one.
 */
export function loadWasmModule(): WasmModule {
  if (!loaded && unavailable) throw new Error(unavailable);
  if (loaded) return loaded;
  const why = sharedMemoryUnavailable();
  const mod = new WasmModule(readWasmBinary(why ? WASM_FILE : WASM_THREADS_FILE));
  mod.oneThreadReason = why;
  try {
    if (!why) mod.setThreads(threadsFromEnvironment().threads);
  } catch (e) {
    // Fewer workers than asked for serve, or none could be started (a host without worker_threads): run on those.
    const message = (e as Error).message;
    console.warn(`nabla: ${message}`);
    if (mod.threads === 1) mod.oneThreadReason ??= message;
  }
  loaded = mod;
  return loaded;
}

/** Use this module from now on (a page instantiates it asynchronously before the backend is made). */
export function provideWasmModule(mod: WasmModule): void {
  loaded = mod;
}

/** The module could not be had here (a page whose fetch failed): the backend's creation fails with this. */
export function markWasmUnavailable(reason: string): void {
  unavailable = reason;
}
