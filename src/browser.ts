// The browser bundle's entry (dist/nabla.browser.js): the whole API, with the wasm module fetched
// from beside the bundle (or globalThis.NABLA_WASM_URL) before the first op, so a page's default
// backend is wasm, and js when the module cannot be loaded.
import { loadWasmInPage } from './backends/wasm/wasm-page.js';

await loadWasmInPage(import.meta.url);

export * from './index.js';
