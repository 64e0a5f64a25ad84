// The committed WebAssembly module (wasm/nabla.wasm) must be built from the C++ sources in this
// tree: its manifest names the hash of the sources and flags it came from, recomputed here. After
// editing native/src or native/wasm, run `npm run build:wasm` and commit wasm/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFiles, sourceHash, wasmDir } from '../../scripts/wasm-sources.mjs';

const manifest = JSON.parse(readFileSync(join(wasmDir, 'manifest.json'), 'utf8')) as { sourceHash: string; sources: string[]; bytes: number };

describe('the committed wasm module', () => {
  it('was built from the current C++ sources (else run `npm run build:wasm`)', () => {
    expect(manifest.sources).toEqual(sourceFiles());
    expect(manifest.sourceHash).toBe(sourceHash());
  });

  it('is the file the manifest describes and a valid module exporting the kernel entry', () => {
    const bytes = readFileSync(join(wasmDir, 'nabla.wasm'));
    expect(bytes.byteLength).toBe(manifest.bytes);
    const exports = WebAssembly.Module.exports(new WebAssembly.Module(bytes)).map((e) => e.name);
    expect(exports).toEqual(expect.arrayContaining(['memory', 'nabla_run_entry', 'nabla_create_plan', 'nabla_run_plan', 'nabla_alloc']));
  });
});
