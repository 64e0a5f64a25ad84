// The asynchronous path a page takes: WasmModule.instantiate from a fetch Response (streaming when
// the server says application/wasm, from the bytes otherwise), and a clear error on a failed fetch.
import { describe, expect, it } from 'vitest';
import { readWasmBinary, WasmModule } from '../../src/backends/wasm/wasm-module.js';
import { createWasmBackend } from '../../src/backends/wasm/wasm-backend.js';
import { engine } from '../../src/engine/engine.js';
import '../../src/index.js';

async function matmulOn(mod: WasmModule): Promise<number[]> {
  const backend = createWasmBackend(mod);
  engine.registerBackend({ name: 'wasm-instantiated', priority: -1, create: () => backend });
  const nb = await import('../../src/index.js');
  return nb.withBackend('wasm-instantiated', () => Array.from(nb.matmul(nb.tensor([[1, 2], [3, 4]]), nb.tensor([[5], [6]])).dataSync()));
}

describe('WasmModule.instantiate', () => {
  it('compiles while streaming a Response served as application/wasm', async () => {
    const mod = await WasmModule.instantiate(Promise.resolve(new Response(readWasmBinary(), { headers: { 'content-type': 'application/wasm' } })));
    expect(mod.simd).toBe('simd128');
    expect(await matmulOn(mod)).toEqual([17, 39]);
  });

  it('compiles from the bytes when the server sends another content type, or from bytes given', async () => {
    const fromOctets = await WasmModule.instantiate(new Response(readWasmBinary(), { headers: { 'content-type': 'application/octet-stream' } }));
    expect(fromOctets.entries().length).toBeGreaterThan(10);
    const fromBytes = await WasmModule.instantiate(readWasmBinary());
    expect(fromBytes.entries().length).toBe(fromOctets.entries().length);
  });

  it('a failed fetch is an error naming the status', async () => {
    await expect(WasmModule.instantiate(new Response('no', { status: 404, statusText: 'Not Found' }))).rejects.toThrow(/HTTP 404 Not Found/);
  });
});
