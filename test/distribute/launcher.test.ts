// bin/nabla-run: the ranks' environment, and a failing rank stopping the job with its status.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const launcher = join(import.meta.dirname, '../../bin/nabla-run.mjs');
const child = join(import.meta.dirname, 'fixtures/launcher-child.mjs');

function envLines(stdout: string): Record<string, string>[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('env '))
    .map((l) => JSON.parse(l.slice(4)) as Record<string, string>)
    .sort((a, b) => Number(a.RANK) - Number(b.RANK));
}

describe('nabla-run', () => {
  it('starts --nproc processes with their rank, the world size, the master and one thread each', async () => {
    const { stdout } = await run(process.execPath, [launcher, '--nproc', '3', child]);
    const envs = envLines(stdout);
    expect(envs.map((e) => [e.RANK, e.LOCAL_RANK, e.WORLD_SIZE, e.NABLA_NUM_THREADS])).toEqual([
      ['0', '0', '3', '1'],
      ['1', '1', '3', '1'],
      ['2', '2', '3', '1'],
    ]);
    expect(new Set(envs.map((e) => `${e.MASTER_ADDR}:${e.MASTER_PORT}`)).size).toBe(1);
    expect(envs[0]!.MASTER_ADDR).toBe('127.0.0.1');
    expect(Number(envs[0]!.MASTER_PORT)).toBeGreaterThan(0);
  }, 30_000);

  it('numbers the ranks of a second node after the first', async () => {
    const { stdout } = await run(process.execPath, [launcher, '--nnodes', '2', '--node-rank', '1', '--nproc', '2', '--master-addr', '10.1.2.3', '--master-port', '29555', '--threads', '2', child]);
    expect(envLines(stdout).map((e) => [e.RANK, e.LOCAL_RANK, e.WORLD_SIZE, e.MASTER_ADDR, e.MASTER_PORT, e.NABLA_NUM_THREADS])).toEqual([
      ['2', '0', '4', '10.1.2.3', '29555', '2'],
      ['3', '1', '4', '10.1.2.3', '29555', '2'],
    ]);
  }, 30_000);

  it('a rank that fails stops the others, and nabla-run exits with its status', async () => {
    const e = await run(process.execPath, [launcher, '--nproc', '3', child, 'fail']).then(
      () => null,
      (err: { code: number; stderr: string }) => err,
    );
    expect(e?.code).toBe(3);
    expect(e?.stderr).toMatch(/nabla-run: rank 1 exited with status 3; stopping the other ranks/);
  }, 30_000);

  it('bad arguments: the problem and the usage, status 2', async () => {
    for (const [args, message] of [
      [['--nproc', '0', child], /--nproc must be a positive integer, got '0'/],
      [['--nproc', '2'], /no script given/],
      [['--nnodes', '2', child], /with --nnodes > 1, give --master-addr/],
      [['--bogus', child], /unknown option --bogus/],
    ] as const) {
      const e = await run(process.execPath, [launcher, ...args]).then(
        () => null,
        (err: { code: number; stderr: string }) => err,
      );
      expect(e?.code).toBe(2);
      expect(e?.stderr).toMatch(message);
      expect(e?.stderr).toMatch(/usage: nabla-run/);
    }
  }, 30_000);
});
