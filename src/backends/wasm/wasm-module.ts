// The WebAssembly build of the native kernels (wasm/nabla.wasm, made by `npm run build:wasm` from
// native/src and native/wasm/wasm-entry.cc): loading it, the few host functions it imports, and
// its exports as typed functions. Every export that runs a kernel returns a status; a failure
// becomes a JS Error here with the C++ message, so bad input never traps or kills the process.
import { nodeBuiltins, packageRoot } from '../native/load-addon.js';

/** Linear memory is 32-bit: this much at most, and less where the host cannot give it. */
export const WASM_MEMORY_LIMIT = 4 * 1024 ** 3;

interface Exports {
  readonly memory: WebAssembly.Memory;
  _initialize(): void;
  nabla_alloc(bytes: number): number;
  nabla_free(ptr: number): void;
  nabla_error(): number;
  nabla_run_entry(entry: number, op: number, buffers: number, bufferCount: number, words: number, wordCount: number): number;
  nabla_create_plan(descriptor: number, count: number, out: number): number;
  nabla_destroy_plan(plan: number): void;
  nabla_run_plan(plan: number, inputs: number, inputCount: number, outputs: number, outputCount: number): number;
  nabla_entry_count(): number;
  nabla_entry_name(i: number): number;
  nabla_entry_takes_op(i: number): number;
  nabla_entry_output(i: number): number;
  nabla_op_family(family: number): number;
  nabla_op_name(family: number, i: number): number;
  nabla_threads(): number;
  nabla_simd128(): number;
  nabla_set_conv_forward(code: number): void;
}

/** Statuses of native/wasm/wasm-entry.cc. */
const OK = 0;
const INPUT_ERROR = 1;
const OUT_OF_MEMORY = 2;

/** The functions the module imports, bound to its exports once it is instantiated. */
class Host {
  exports: Exports | undefined;
  onGrow = (): void => undefined;
  readonly imports: WebAssembly.Imports = {
    env: { emscripten_notify_memory_growth: () => this.onGrow() },
    wasi_snapshot_preview1: wasiImports(() => this.exports!.memory),
  };
}

export class WasmModule {
  private readonly x: Exports;
  private bytes: Uint8Array;

  /** Compiles and instantiates synchronously (Node; browsers refuse this on the main thread past 4 KB). */
  constructor(binary: BufferSource);
  constructor(instance: WebAssembly.Instance, host: Host);
  constructor(source: BufferSource | WebAssembly.Instance, given?: Host) {
    const host = given ?? new Host();
    const instance = source instanceof WebAssembly.Instance ? source : new WebAssembly.Instance(new WebAssembly.Module(source), host.imports);
    const exports = instance.exports as unknown as Exports;
    host.exports = exports;
    host.onGrow = () => {
      this.bytes = new Uint8Array(exports.memory.buffer);
    };
    this.x = exports;
    this.bytes = new Uint8Array(exports.memory.buffer);
    exports._initialize();
  }

  /** Compiles while the bytes arrive (instantiateStreaming), as a page must; bytes are accepted too. */
  static async instantiate(source: Response | PromiseLike<Response> | BufferSource): Promise<WasmModule> {
    const host = new Host();
    let instance: WebAssembly.Instance;
    if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
      instance = (await WebAssembly.instantiate(source, host.imports)).instance;
    } else {
      const response = await source;
      if (!response.ok) throw new Error(`nabla wasm: fetching ${response.url} gave HTTP ${response.status} ${response.statusText}`.trim());
      const streams = typeof WebAssembly.instantiateStreaming === 'function' && /application\/wasm/.test(response.headers.get('content-type') ?? '');
      instance = streams
        ? (await WebAssembly.instantiateStreaming(response, host.imports)).instance
        : (await WebAssembly.instantiate(await response.arrayBuffer(), host.imports)).instance;
    }
    return new WasmModule(instance, host);
  }

  /** The module's memory as bytes (a new view after the memory grows: never keep it across calls). */
  get heap(): Uint8Array {
    if (this.bytes.byteLength === 0) this.bytes = new Uint8Array(this.x.memory.buffer);
    return this.bytes;
  }

  /** Bytes of linear memory now (it only grows). */
  get memoryBytes(): number {
    return this.x.memory.buffer.byteLength;
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

  runPlan(plan: number, inputs: number, inputCount: number, outputs: number, outputCount: number): void {
    this.check(this.x.nabla_run_plan(plan, inputs, inputCount, outputs, outputCount), 'runPlan');
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

  get threads(): number {
    return this.x.nabla_threads();
  }
  get simd(): string {
    return this.x.nabla_simd128() === 1 ? 'simd128' : 'scalar';
  }

  /** Force the float32 forward convolution's algorithm (undefined: the per-shape choice), as NABLA_CONV_FORWARD does on native; for tests and benchmarks. */
  setConvForward(path: 'tiled' | 'gemm' | 'winograd' | undefined): void {
    this.x.nabla_set_conv_forward(path === undefined ? -1 : ['tiled', 'gemm', 'winograd'].indexOf(path));
  }

  private string(address: number): string {
    const heap = this.heap;
    const ptr = address >>> 0;
    let end = ptr;
    while (heap[end] !== 0) end++;
    return new TextDecoder().decode(heap.subarray(ptr, end));
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

/** The committed module's bytes, from the package's wasm/ folder (Node). */
export function readWasmBinary(): Uint8Array<ArrayBuffer> {
  const node = nodeBuiltins();
  const file = node.path.join(packageRoot(node), 'wasm', 'nabla.wasm');
  if (!node.fs.existsSync(file)) throw new Error(`${file} not found; run \`npm run build:wasm\``);
  const bytes = node.fs.readFileSync(file);
  return new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
}

let loaded: WasmModule | undefined;
let unavailable: string | undefined;

/** The module, compiled and instantiated once (synchronously in Node, so it can be the default backend). */
export function loadWasmModule(): WasmModule {
  if (!loaded && unavailable) throw new Error(unavailable);
  loaded ??= new WasmModule(readWasmBinary());
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
