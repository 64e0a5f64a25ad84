// What the WebAssembly modules (one thread, and threaded) are built from: the C++ sources (native/src, minus the N-API
// binding and the x86/arm-only kernels, plus native/wasm) and the compiler flags, with one hash
// over all of it. The build records the hash in wasm/manifest.json; a test recomputes it, so a
// committed module older than its sources fails the suite.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const wasmDir = join(root, 'wasm');

/** emcc flags for every source and for the link; -ffp-contract=off as the addon (results match js bit for bit). */
export const compileFlags = ['-std=c++17', '-O3', '-msimd128', '-fwasm-exceptions', '-ffp-contract=off', '-fno-math-errno'];
export const linkFlags = [
  '-O3',
  '-msimd128',
  '-fwasm-exceptions',
  '--no-entry',
  '-sSTANDALONE_WASM=1',
  '-sALLOW_MEMORY_GROWTH=1',
  '-sINITIAL_MEMORY=16MB',
  '-sMAXIMUM_MEMORY=4GB',
];

/**
 * The threaded variant (wasm/nabla-threads.wasm): the same sources with atomics and bulk memory
 * against emscripten's thread-safe C and C++ libraries, over an imported shared memory. Linked
 * without emscripten's JS runtime (our loader supplies the imports, by their C names);
 * the pool's workers are the host's (src/backends/wasm/wasm-workers.ts), never pthread_create.
 */
export const threadsCompileFlags = [...compileFlags, '-pthread', '-DNABLA_WASM_THREADS'];
export const threadsLinkFlags = [
  ...linkFlags.filter((f) => f !== '-sSTANDALONE_WASM=1'),
  '-pthread',
  // The .wasm alone, its imports named as in C (emcc refuses STANDALONE_WASM with threads).
  '--oformat=bare',
  '-Wno-experimental',
  '-Wno-pthreads-mem-growth',
  '-sEXPORTED_FUNCTIONS=_nabla_worker_loop,__emscripten_thread_init,_emscripten_tls_init,_emscripten_stack_set_limits,_stackRestore',
];

/** The modules the build writes into wasm/, with the flags of each. */
export const variants = [
  { file: 'nabla.wasm', objDir: 'build', compileFlags, linkFlags, threads: false },
  { file: 'nabla-threads.wasm', objDir: 'build-threads', compileFlags: threadsCompileFlags, linkFlags: threadsLinkFlags, threads: true },
];

/** Binding and instruction-set-specific files that are not part of the wasm build. */
const EXCLUDED = [/^native\/src\/addon\.cc$/, /-(avx2|avx512|neon)\.cc$/];
/** The collectives (nb.distribute over gloo) are addon-only: neither compiled into the module nor hashed. */
const ADDON_ONLY_DIRS = [/^native\/src\/collectives\//];

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Every file the module depends on (sources and headers), as sorted paths relative to the root. */
export function inputFiles() {
  return [...walk(join(root, 'native', 'src')), ...walk(join(root, 'native', 'wasm'))]
    .map((f) => relative(root, f).split('\\').join('/'))
    .filter((f) => /\.(cc|h)$/.test(f) && !ADDON_ONLY_DIRS.some((re) => re.test(f)))
    .sort();
}

/** The translation units compiled into the module. */
export function sourceFiles() {
  return inputFiles().filter((f) => f.endsWith('.cc') && !EXCLUDED.some((re) => re.test(f)));
}

/** sha256 over the input files' paths and contents and the flags. */
export function sourceHash() {
  const h = createHash('sha256');
  h.update(JSON.stringify({ compileFlags, linkFlags, threadsCompileFlags, threadsLinkFlags }));
  for (const f of inputFiles()) {
    h.update(`\0${f}\0`);
    h.update(readFileSync(join(root, f)));
  }
  return h.digest('hex');
}
