// The builds of the C++ kernels a test can call directly through the addon interface: the N-API
// addon where it is built, and the WebAssembly module (a fresh instance, so a test owns its memory
// and its argument buffer).
import * as nb from '../../src/index.js';
import { loadAddon, type NativeAddon } from '../../src/backends/native/load-addon.js';
import { ArgWriter } from '../../src/backends/native/kernel-table.js';
import { wasmAddon } from '../../src/backends/wasm/wasm-addon.js';
import { readWasmBinary, WasmModule } from '../../src/backends/wasm/wasm-module.js';

export interface AddonUnderTest {
  readonly name: 'native' | 'wasm';
  load(): NativeAddon;
}

export function addonsUnderTest(): AddonUnderTest[] {
  const list: AddonUnderTest[] = [{ name: 'wasm', load: () => wasmAddon(new WasmModule(readWasmBinary()), new ArgWriter()) }];
  if (nb.backendInfo('native').available) list.unshift({ name: 'native', load: loadAddon });
  return list;
}
