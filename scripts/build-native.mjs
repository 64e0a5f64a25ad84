// Builds the native addon (native/) with node-gyp. Run by `npm install` / `npm ci` as the
// package's install script. A failed build never fails the install: nabla then runs on the
// `js` backend and says so (with this reason) when it is imported.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = join(root, 'native');
const failureFile = join(nativeDir, 'build', 'build-failure.txt');

/** The node-gyp entry point: npm's own (npm passes it in the environment), else one on the path. */
function nodeGypCommand() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return [process.execPath, fromNpm];
  try {
    return [process.execPath, createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js')];
  } catch {
    const bundled = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
    if (existsSync(bundled)) return [process.execPath, bundled];
    return ['node-gyp'];
  }
}

function main() {
  if (process.env.NABLA_SKIP_NATIVE === '1') {
    console.log('nabla: NABLA_SKIP_NATIVE=1, not building the native addon');
    return;
  }
  const [cmd, ...pre] = nodeGypCommand();
  const args = [...pre, 'rebuild', '--directory', nativeDir, '--jobs', 'max'];
  if (process.env.NABLA_NATIVE_DEBUG === '1') args.push('--debug');
  // Outside npm, use the headers installed beside node (as a system node has) instead of downloading them.
  const prefix = join(dirname(process.execPath), '..');
  if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
  console.log(`nabla: building the native addon (${process.env.NABLA_BLAS ? `NABLA_BLAS=${process.env.NABLA_BLAS}` : 'BLAS auto'}${process.env.NABLA_SANITIZE === '1' ? ', AddressSanitizer' : ''})`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: nativeDir, env: process.env });
  if (r.status === 0) {
    rmSync(failureFile, { force: true });
    console.log('nabla: native addon built');
    return;
  }
  const why = r.error ? r.error.message : `node-gyp exited with status ${r.status}`;
  mkdirSync(dirname(failureFile), { recursive: true });
  writeFileSync(failureFile, `${why}\n`);
  console.warn(`nabla: the native addon did not build (${why}); nabla will run on the js backend. Install a C++17 compiler and run \`npm rebuild nabla\` to enable it.`);
}

main();
