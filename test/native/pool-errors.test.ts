// A kernel whose worker thread fails (here: argsort's per-thread scratch cannot be allocated)
// raises a JS error, and the thread pool runs the next job normally. Before, an exception on a
// pool thread terminated the process. The child runs under a virtual-memory limit (ulimit -v) set
// from a bare node's own size, so its arrays fit but the threads' 512 MiB of scratch each do not.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { addonPath } from '../../src/backends/native/load-addon.js';

const nativeUp = nb.backendInfo('native').available && process.platform === 'linux';
// Under qemu (npm run test:arm64) the virtual-memory limit would count the emulator's own reservations.
const emulated = process.env.NABLA_ARM64_NODE !== undefined;

const CHILD = `
const addon = require(process.argv[1]);
const args = new Float64Array(1024);
addon.setArgs(args);
const n = 2 ** 24;
const x = new Float64Array(2 * n).fill(1);
const out = new Int32Array(2 * n);
let error = '';
args.set([2, 2, n, 1, 0]);
try { addon.argsort(x, out); } catch (e) { error = String(e); }
// The pool after the failure: a two-line argsort split between the threads.
const m = 3000;
const y = Float64Array.from({ length: 2 * m }, (_, i) => (i * 7919) % m);
const order = new Int32Array(2 * m);
args.set([2, 2, m, 1, 0]);
addon.argsort(y, order);
let sorted = true;
for (let l = 0; l < 2; l++) for (let i = 1; i < m; i++) if (y[l * m + order[l * m + i]] < y[l * m + order[l * m + i - 1]]) sorted = false;
console.log(JSON.stringify({ threads: addon.info().threads, error, sorted }));
`;

describe.runIf(nativeUp)('native thread pool errors', () => {
  it.skipIf(emulated)('an allocation failure on a pool thread is a JS error, and the pool keeps working', () => {
    // A bare node's virtual size here, plus the child's arrays (384 MiB) and 400 MiB of room: well
    // under the 1 GiB the two threads' scratch needs.
    const bare = spawnSync(process.execPath, ['-e', "console.log(/VmSize:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1])"], { encoding: 'utf8' });
    const limitKb = Number(bare.stdout.trim()) + 784 * 1024;
    const r = spawnSync('bash', ['-c', `ulimit -v ${limitKb} && exec "$0" -e "$1" "$2"`, process.execPath, CHILD, addonPath()], { encoding: 'utf8', env: { ...process.env, NABLA_NUM_THREADS: '2' } });
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as { threads: number; error: string; sorted: boolean };
    expect(result.threads).toBe(2);
    expect(result.error).toMatch(/out of memory/);
    expect(result.sorted).toBe(true);
  });
});
