import { JsBackend } from './js/js-backend.js';
import { createNativeBackend } from './native/native-backend.js';
import { engine } from '../engine/engine.js';
import { createWasmBackend } from './wasm/wasm-backend.js';

engine.registerBackend({ name: 'js', priority: 1, create: () => new JsBackend() });
// The C++ addon, default in Node when built; elsewhere (or unbuilt) it fails to create and js runs.
engine.registerBackend({ name: 'native', priority: 2, create: createNativeBackend });
// The same C++ kernels compiled to WebAssembly (wasm/nabla.wasm): the default where the addon is missing.
engine.registerBackend({ name: 'wasm', priority: 1.5, create: createWasmBackend });
// WGSL kernels on a GPU (Dawn in Node, navigator.gpu in browsers): never the default, opened only by
// `await setBackend('webgpu')`, and its module is loaded only then.
engine.registerBackend({
  name: 'webgpu',
  priority: 0,
  onDemand: true,
  create: () => import('./webgpu/webgpu-backend.js').then((m) => m.createWebGpuBackend()),
});

/** Switch the backend all new tensors are created and computed on. */
export function setBackend(name: string): Promise<void> {
  return engine.setBackend(name);
}

/** Name of the backend new tensors are created and computed on. */
export function getBackend(): string {
  return engine.backend.name;
}

/** Registered backends, best first. */
export function backends(): string[] {
  return engine.backendNames();
}

/** Run `fn` with the named backend current, restoring the previous one after. */
export function withBackend<T>(name: string, fn: () => T): T {
  return engine.withBackend(name, fn);
}

/** What the current (or named) backend is: SIMD level, threads, BLAS, adapter. */
export function backendInfo(name?: string) {
  const b = name ? engine.instance(name) : engine.backend;
  if (!b) return { name: name!, available: false, reason: engine.whyUnavailable(name!) };
  return { available: true, ...b.info() };
}

/** Run `fn`, then dispose every tensor it created except those it returns, kept ones and variables. */
export function tidy<T>(fn: () => T): T {
  return engine.tidy(fn);
}

/** Exempt `t` from disposal by the enclosing `tidy`. */
export function keep<T extends import('../tensor/tensor.js').Tensor>(t: T): T {
  return engine.keep(t);
}

/** Dispose a tensor, a model or layer, or every tensor in an array or plain object. */
export function dispose(x: unknown): void {
  if (x && typeof x === 'object') {
    if ('dispose' in x && typeof (x as { dispose: unknown }).dispose === 'function') (x as { dispose(): void }).dispose();
    else if (Array.isArray(x)) x.forEach(dispose);
    else if (Object.getPrototypeOf(x) === Object.prototype) Object.values(x).forEach(dispose);
  }
}

/**
 * Live tensors, buffers and bytes, per backend; a buffer shared by views counts once in
 * `numBuffers`/`numBytes`. Disposed tensors come off at once; tensors that were never disposed
 * come off once the garbage collector has taken them and the event loop has turned (collection
 * is observable only between tasks), so inside a long synchronous loop without `tidy` the counts
 * grow until the loop yields, while the memory itself does not.
 */
export function memory() {
  return engine.memory.snapshot();
}
