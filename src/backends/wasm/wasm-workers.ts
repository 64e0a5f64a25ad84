// The threaded module's pool threads: host workers (Node's worker_threads; a page's Worker when it
// is cross-origin isolated), each instantiating the same compiled module over the same shared
// memory, giving its instance its own stack and thread state, and then serving the C++ pool
// (native/src/thread-pool.cc) in nabla_worker_loop for good. The worker's code is a string, run
// as given in either host: no file to find beside the bundle or the sources.

/** What a worker is sent: the module, the memory, and its stack and thread block in that memory. */
export interface WorkerStart {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  /** Highest and lowest address of its stack (stacks grow down). */
  readonly stackTop: number;
  readonly stackEnd: number;
  /** Its thread control block (emscripten's pthread struct, made by nabla_new_thread_block). */
  readonly threadBlock: number;
}

/** Bytes of stack per worker (emscripten's default for a thread). */
export const WORKER_STACK_BYTES = 2 * 1024 * 1024;

/**
 * The worker's code. Imports it does not provide throw naming themselves; the heap grows as on the
 * main thread (growHeap and clockGettime in wasm-module.ts, the same arithmetic). A kernel's C++ exception never
 * reaches here: the pool keeps it for the caller. Blocks in memory.atomic.wait between jobs, so
 * the worker's event loop never runs again: it gets its one message before it starts serving.
 */
export const WORKER_SOURCE = `'use strict';
function nablaServe(d) {
  const imports = {};
  for (const i of WebAssembly.Module.imports(d.module)) {
    imports[i.module] = imports[i.module] || {};
    if (i.kind === 'function') imports[i.module][i.name] = () => { throw new Error('nabla wasm worker: the module called ' + i.name + ', which a worker does not provide'); };
  }
  const env = imports.env;
  env.memory = d.memory;
  env.emscripten_get_now = () => performance.now();
  env.__clock_gettime = (clock, out) => {
    const ms = clock === 0 ? Date.now() : performance.now(), view = new DataView(d.memory.buffer);
    view.setInt32(out, Math.floor(ms / 1000), true);
    view.setInt32(out + 4, Math.floor((ms % 1000) * 1e6), true);
    return 0;
  };
  env._emscripten_notify_thread_queue = () => 0;
  env.clock_gettime = env.__clock_gettime;
  env.emscripten_memcpy_big = (to, from, bytes) => { new Uint8Array(d.memory.buffer).copyWithin(to >>> 0, from >>> 0, (from >>> 0) + (bytes >>> 0)); };
  env.emscripten_check_blocking_allowed = () => undefined;
  const wasi = imports.wasi_snapshot_preview1 || {};
  wasi.environ_sizes_get = (count, size) => { const v = new DataView(d.memory.buffer); v.setUint32(count, 0, true); v.setUint32(size, 0, true); return 0; };
  wasi.environ_get = () => 0;
  env.emscripten_resize_heap = (requested) => {
    requested >>>= 0;
    const page = 65536, most = 65536 * page;
    const now = d.memory.buffer.byteLength;
    if (requested <= now) return 1;
    if (requested > most) return 0;
    for (const want of [Math.min(most, Math.max(requested, now + Math.floor(now / 5))), requested]) {
      try { d.memory.grow(Math.ceil((want - d.memory.buffer.byteLength) / page)); return 1; } catch (e) {}
      if (d.memory.buffer.byteLength >= requested) return 1;
    }
    return 0;
  };
  const x = new WebAssembly.Instance(d.module, imports).exports;
  x.stackRestore(d.stackTop);
  x.emscripten_stack_set_limits(d.stackTop, d.stackEnd);
  x._emscripten_thread_init(d.threadBlock, 0, 0, 1, 0);
  x.emscripten_tls_init();
  x.nabla_worker_loop();
}
if (typeof require === 'function' && typeof process === 'object' && process.versions && process.versions.node) {
  nablaServe(require('node:worker_threads').workerData);
} else {
  self.onmessage = (e) => nablaServe(e.data);
}
`;

/** A started worker: only its failure is of interest (a worker never ends while it serves). */
export interface StartedWorker {
  /** Called with the message of an error the worker stopped with (it failed to start). */
  onError(listener: (message: string) => void): void;
}

/** Start a worker in Node; it never keeps the process alive. */
export function startNodeWorker(start: WorkerStart): StartedWorker {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  const threads = get?.('node:worker_threads') as typeof import('node:worker_threads') | undefined;
  if (!threads) throw new Error('node:worker_threads is not available');
  const worker = new threads.Worker(WORKER_SOURCE, { eval: true, workerData: start });
  worker.unref();
  return { onError: (listener) => worker.on('error', (e: Error) => listener(e.message)) };
}

/** Start a worker in a page (cross-origin isolated: the memory is shared). */
export function startPageWorker(start: WorkerStart): StartedWorker {
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  const worker = new Worker(url);
  worker.postMessage(start);
  return { onError: (listener) => worker.addEventListener('error', (e) => listener(e.message)) };
}
