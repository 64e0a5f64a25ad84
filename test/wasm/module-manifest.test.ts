// The committed WebAssembly modules (wasm/nabla.wasm, one thread; wasm/nabla-threads.wasm,
// threaded) must be built from the C++ sources in this tree: the manifest names the hash of the
// sources and flags they came from, recomputed here. After editing native/src or native/wasm, run
// `npm run build:wasm` and commit wasm/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFiles, sourceHash, variants, wasmDir } from '../../scripts/wasm-sources.mjs';

interface Manifest {
  sourceHash: string;
  sources: string[];
  bytes: number;
  modules: { file: string; threads: boolean; bytes: number }[];
}
const manifest = JSON.parse(readFileSync(join(wasmDir, 'manifest.json'), 'utf8')) as Manifest;

describe('the committed wasm modules', () => {
  it('were built from the current C++ sources (else run `npm run build:wasm`)', () => {
    expect(manifest.sources).toEqual(sourceFiles());
    expect(manifest.sourceHash).toBe(sourceHash());
  });

  it('the manifest names both: the one-thread module and the threaded one', () => {
    expect(manifest.modules.map((m) => [m.file, m.threads])).toEqual(variants.map((v) => [v.file, v.threads]));
    expect(manifest.modules.map((m) => m.file)).toEqual(['nabla.wasm', 'nabla-threads.wasm']);
    expect(manifest.bytes).toBe(manifest.modules[0]!.bytes);
  });

  for (const { file, threads } of variants) {
    it(`${file} is the file the manifest describes and a valid module exporting the kernel entry`, () => {
      const bytes = readFileSync(join(wasmDir, file));
      expect(bytes.byteLength).toBe(manifest.modules.find((m) => m.file === file)!.bytes);
      const module = new WebAssembly.Module(bytes);
      const exports = WebAssembly.Module.exports(module).map((e) => e.name);
      expect(exports).toEqual(expect.arrayContaining(['nabla_run_entry', 'nabla_create_plan', 'nabla_run_plan', 'nabla_alloc']));
      const memoryImported = WebAssembly.Module.imports(module).some((i) => i.kind === 'memory');
      // The threaded module imports its (shared) memory and has the workers' entry; the other owns its memory.
      expect(memoryImported).toBe(threads);
      expect(exports.includes('memory')).toBe(!threads);
      expect(exports.includes('nabla_worker_loop')).toBe(threads);
    });
  }
});
