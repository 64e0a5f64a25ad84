// The WebAssembly backend: the native backend's kernels (same C++ sources, compiled to wasm with
// 128-bit SIMD) behind the addon interface, for hosts without the compiled addon. Multithreaded
// where memory can be shared (Node; a cross-origin isolated page), with the native pool's threads
// as host workers; one thread otherwise. Tensors live in the module's linear memory
// (heap-array.ts), so kernels run on them in place.
import { NativeBackend } from '../native/native-backend.js';
import { ArgWriter } from '../native/kernel-table.js';
import { wasmAddon } from './wasm-addon.js';
import { heapArrays } from './heap-array.js';
import { loadWasmModule, type WasmModule } from './wasm-module.js';
import { threadsFromEnvironment } from './wasm-thread-count.js';

export function createWasmBackend(given?: WasmModule, name = 'wasm'): NativeBackend {
  const mod = given ?? loadWasmModule();
  // A NABLA_NUM_THREADS the module could not use as given, said once as native says it.
  const { warning } = threadsFromEnvironment();
  if (warning && mod.threaded && !given) console.warn(`nabla: ${warning}`);
  const args = new ArgWriter();
  return new NativeBackend(wasmAddon(mod, args, mod.threaded ? warning : undefined), args, name, heapArrays(mod));
}
