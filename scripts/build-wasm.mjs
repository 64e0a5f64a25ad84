// Builds the WebAssembly modules (wasm/nabla.wasm, one thread; wasm/nabla-threads.wasm, threaded
// over a shared memory) from the same C++ kernels as the native addon, with emscripten (Debian:
// `apt-get install emscripten`), and writes wasm/manifest.json naming the hash of the sources
// they came from. Users never run this: the built modules are committed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { inputFiles, root, sourceFiles, sourceHash, variants, wasmDir } from './wasm-sources.mjs';

// Outside native/build, which node-gyp's rebuild deletes.
const objRoot = join(root, 'native', 'wasm');

// Debian's emcc runs its JS optimiser with the system node, which does not search Debian's own
// module folder for acorn.
const env = { ...process.env, NODE_PATH: [process.env.NODE_PATH, '/usr/share/nodejs'].filter(Boolean).join(':') };

function emccVersion() {
  const r = spawnSync('emcc', ['--version'], { encoding: 'utf8', env });
  if (r.error || r.status !== 0) {
    console.error('nabla: emcc not found; install emscripten (Debian: apt-get install -y emscripten)');
    process.exit(1);
  }
  return r.stdout.split('\n')[0].trim();
}

function run(args) {
  return new Promise((resolve, reject) => {
    const p = spawn('emcc', args, { stdio: 'inherit', env });
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`emcc ${args.join(' ')} exited with ${code}`))));
  });
}

/** Compile the stale objects of `variant` and link its module into wasm/. */
async function build(variant, version, jobs) {
  const objDir = join(objRoot, variant.objDir);
  mkdirSync(objDir, { recursive: true });
  const sources = sourceFiles();
  const objects = sources.map((s) => join(objDir, s.replace(/[/\\]/g, '_').replace(/\.cc$/, '.o')));
  // An object is reused when it is newer than its source and every header (no dependency scan).
  const mtime = (f) => statSync(join(root, f)).mtimeMs;
  const newestHeader = Math.max(...inputFiles().filter((f) => f.endsWith('.h')).map(mtime));
  const stale = (src, obj) => !existsSync(obj) || statSync(obj).mtimeMs < Math.max(mtime(src), newestHeader);
  const queue = sources.map((s, i) => [s, objects[i]]).filter(([s, o]) => stale(s, o));
  console.log(`nabla: building wasm/${variant.file} from ${sources.length} sources (${queue.length} to compile) with ${version} (${jobs} jobs)`);
  await Promise.all(
    Array.from({ length: jobs }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [src, obj] = next;
        await run([...variant.compileFlags, '-c', join(root, src), '-o', obj]);
      }
    }),
  );
  const out = join(wasmDir, variant.file);
  await run([...variant.linkFlags, ...objects, '-o', out]);
  return { file: variant.file, threads: variant.threads, bytes: statSync(out).size };
}

async function main() {
  const version = emccVersion();
  mkdirSync(wasmDir, { recursive: true });
  const jobs = Math.max(1, Math.min(cpus().length, Number(process.env.NABLA_WASM_JOBS) || cpus().length));
  const modules = [];
  for (const variant of variants) modules.push(await build(variant, version, jobs));
  const single = modules.find((m) => !m.threads);
  const manifest = { sourceHash: sourceHash(), emscripten: version, sources: sourceFiles(), bytes: single.bytes, modules };
  writeFileSync(join(wasmDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`nabla: ${modules.map((m) => `wasm/${m.file} (${m.bytes} bytes)`).join(', ')} built`);
}

main().catch((e) => {
  console.error(`nabla: the wasm build failed: ${e.message}`);
  process.exit(1);
});
