// The WebAssembly backend: the native backend's kernels (same C++ sources, compiled to wasm with
// 128-bit SIMD) behind the addon interface, for hosts without the compiled addon. One thread.
// Tensors live in the module's linear memory (heap-array.ts), so kernels run on them in place.
import { NativeBackend } from '../native/native-backend.js';
import { ArgWriter } from '../native/kernel-table.js';
import { wasmAddon } from './wasm-addon.js';
import { heapArrays } from './heap-array.js';
import { loadWasmModule, type WasmModule } from './wasm-module.js';

export function createWasmBackend(mod: WasmModule = loadWasmModule()): NativeBackend {
  const args = new ArgWriter();
  return new NativeBackend(wasmAddon(mod, args), args, 'wasm', heapArrays(mod));
}
