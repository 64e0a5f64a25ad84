// The WebAssembly backend: the native backend's kernels (same C++ sources, compiled to wasm with
// 128-bit SIMD) behind the addon interface, for hosts without the compiled addon. One thread.
import { NativeBackend } from '../native/native-backend.js';
import { ArgWriter } from '../native/kernel-table.js';
import { wasmAddon } from './wasm-addon.js';
import { loadWasmModule, type WasmModule } from './wasm-module.js';

export function createWasmBackend(mod: WasmModule = loadWasmModule()): NativeBackend {
  const args = new ArgWriter();
  return new NativeBackend(wasmAddon(mod, args), args, 'wasm');
}
