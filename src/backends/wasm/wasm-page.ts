// The wasm module in a page: fetched and compiled while it downloads (browsers refuse to compile
// a module this size synchronously on the main thread), before the default backend is chosen.
import { markWasmUnavailable, provideWasmModule, WasmModule } from './wasm-module.js';

/** Set before importing the bundle to fetch the module from elsewhere than beside the bundle. */
export const WASM_URL_GLOBAL = 'NABLA_WASM_URL';

/** Where the module lies: the page's override, or nabla.wasm beside `base` (the bundle's own URL). */
export function wasmUrl(base: string): URL {
  const override = (globalThis as Record<string, unknown>)[WASM_URL_GLOBAL];
  return new URL(typeof override === 'string' || override instanceof URL ? override : 'nabla.wasm', base);
}

/**
 * Fetch and instantiate the module, so that the wasm backend can be made (and be the default).
 * Never rejects: on failure the page runs on js, and `backendInfo('wasm')` says why.
 */
export async function loadWasmInPage(base: string): Promise<boolean> {
  const url = wasmUrl(base);
  try {
    provideWasmModule(await WasmModule.instantiate(fetch(url)));
    return true;
  } catch (e) {
    const why = `could not load ${url.href}: ${e instanceof Error ? e.message : String(e)}`;
    markWasmUnavailable(why);
    console.warn(`nabla: the wasm backend is unavailable (${why}); running on js`);
    return false;
  }
}
