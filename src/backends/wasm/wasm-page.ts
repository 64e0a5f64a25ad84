// The wasm module in a page: fetched and compiled while it downloads (browsers refuse to compile
// a module this size synchronously on the main thread), before the default backend is chosen.
// A cross-origin isolated page (SharedArrayBuffer available) gets the threaded module, its pool's
// workers started at once (they attach while the page goes on; calls use those attached); any
// other page the one-thread module, and backendInfo('wasm').oneThreadReason says why.
import { markWasmUnavailable, provideWasmModule, sharedMemoryUnavailable, WASM_FILE, WASM_THREADS_FILE, WasmModule } from './wasm-module.js';
import { threadsFromEnvironment } from './wasm-thread-count.js';

/** Set before importing the bundle to fetch the module from elsewhere than beside the bundle. */
export const WASM_URL_GLOBAL = 'NABLA_WASM_URL';
/** The same for the threaded module. */
export const WASM_THREADS_URL_GLOBAL = 'NABLA_WASM_THREADS_URL';

/** Where a module lies: the page's override, or the file beside `base` (the bundle's own URL). */
export function wasmUrl(base: string, threaded = false): URL {
  const override = (globalThis as Record<string, unknown>)[threaded ? WASM_THREADS_URL_GLOBAL : WASM_URL_GLOBAL];
  return new URL(typeof override === 'string' || override instanceof URL ? override : threaded ? WASM_THREADS_FILE : WASM_FILE, base);
}

/**
 * Fetch and instantiate the module, so that the wasm backend can be made (and be the default).
 * Never rejects: on failure the page runs on js, and `backendInfo('wasm')` says why.
 */
export async function loadWasmInPage(base: string): Promise<boolean> {
  const noSharing = sharedMemoryUnavailable();
  if (!noSharing) {
    const url = wasmUrl(base, true);
    try {
      const mod = await WasmModule.instantiate(fetch(url));
      mod.setThreads(threadsFromEnvironment().threads);
      provideWasmModule(mod);
      return true;
    } catch (e) {
      console.warn(`nabla: the threaded wasm module could not be loaded from ${url.href} (${e instanceof Error ? e.message : String(e)}); trying the one-thread module`);
    }
  }
  const url = wasmUrl(base);
  try {
    const mod = await WasmModule.instantiate(fetch(url));
    mod.oneThreadReason = noSharing ?? `the threaded module could not be loaded`;
    provideWasmModule(mod);
    return true;
  } catch (e) {
    const why = `could not load ${url.href}: ${e instanceof Error ? e.message : String(e)}`;
    markWasmUnavailable(why);
    console.warn(`nabla: the wasm backend is unavailable (${why}); running on js`);
    return false;
  }
}
