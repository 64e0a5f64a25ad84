// NABLA_NUM_THREADS that cannot be used as given (not a whole number from 1 to the cores, or
// more than the cores) gives the cores and one warning naming the variable, the value and the
// count used. Before, `0` and `abc` were ignored without a word and `1000` became 256 threads.
// The addon reads the variable when it loads, so each value runs in its own child process.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { addonPath } from '../../src/backends/native/load-addon.js';

const nativeUp = nb.backendInfo('native').available;
const cores = availableParallelism();
const INDEX = fileURLToPath(new URL('../../src/index.ts', import.meta.url));

/** The addon's info() when loaded with NABLA_NUM_THREADS = value (unset when undefined). */
function addonInfo(value: string | undefined): { threads: number; threadsWarning?: string } {
  const env = { ...process.env };
  delete env.NABLA_NUM_THREADS;
  if (value !== undefined) env.NABLA_NUM_THREADS = value;
  const r = spawnSync(process.execPath, ['-e', 'console.log(JSON.stringify(require(process.argv[1]).info()))', addonPath()], { env, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe.runIf(nativeUp)('NABLA_NUM_THREADS', () => {
  it.each(['0', 'abc', '-2', '2.5', ' 3'])('%j is not a thread count: the cores, and a warning naming it', (value) => {
    const info = addonInfo(value);
    expect(info.threads).toBe(cores);
    expect(info.threadsWarning).toBe(`NABLA_NUM_THREADS="${value}" is not a whole number from 1 to ${cores} (the cores available); using ${cores} thread${cores === 1 ? '' : 's'}`);
  });

  it('1000 is capped at the cores available, with a warning', () => {
    const info = addonInfo('1000');
    expect(info.threads).toBe(cores);
    expect(info.threadsWarning).toBe(`NABLA_NUM_THREADS=1000 is more than the cores available (${cores}); using ${cores} thread${cores === 1 ? '' : 's'}`);
  });

  it('1 and the core count are used as given, without a warning; unset or empty means the cores', () => {
    expect(addonInfo('1')).toMatchObject({ threads: 1 });
    expect(addonInfo('1').threadsWarning).toBeUndefined();
    expect(addonInfo(String(cores))).toMatchObject({ threads: cores });
    expect(addonInfo(String(cores)).threadsWarning).toBeUndefined();
    for (const value of [undefined, '']) {
      const info = addonInfo(value);
      expect(info.threads).toBe(cores);
      expect(info.threadsWarning).toBeUndefined();
    }
  });

  it('nabla prints the warning once, on stderr, and runs with the cores', () => {
    const script = `const nb = await import(${JSON.stringify(INDEX)});
      nb.sum(nb.ones([4])).dataSync(); nb.matmul(nb.ones([2, 2]), nb.ones([2, 2])).dataSync();
      console.log(JSON.stringify(nb.backendInfo()));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, NABLA_NUM_THREADS: '1000' },
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout.trim().split('\n').pop()!) as { name: string; threads: number };
    expect(info).toMatchObject({ name: 'native', threads: cores });
    const warnings = r.stderr.split('\n').filter((line) => line.includes('NABLA_NUM_THREADS'));
    expect(warnings).toEqual([`nabla: NABLA_NUM_THREADS=1000 is more than the cores available (${cores}); using ${cores} thread${cores === 1 ? '' : 's'}`]);
  });
});
