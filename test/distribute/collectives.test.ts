// nb.distribute's collectives between two processes on loopback (one thread each), on known values.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFixture, collectivesUnavailable, freePort, readJson, removeWorkDir, start, workDir } from './harness.js';

const unavailable = collectivesUnavailable();
afterAll(removeWorkDir);

describe.skipIf(unavailable !== null)(`nb.distribute collectives over gloo${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let child = '';
  beforeAll(async () => {
    child = await bundleFixture('collectives-child');
  }, 60_000);

  it('allReduce (sum, mean), broadcast and allGather give every rank the expected values', async () => {
    const port = await freePort();
    const outs = [0, 1].map((r) => join(workDir, `collectives-${r}.json`));
    const procs = [0, 1].map((rank) => start(child, [outs[rank]!], { rank, world: 2, port, timeoutMs: 20_000 }));
    const exits = await Promise.all(procs.map((p) => p.exited));
    for (const e of exits) expect(e.code, e.stderr).toBe(0);
    for (const rank of [0, 1]) {
      const r = readJson<Record<string, { shape: number[]; dtype: string; values: number[] } | string | number>>(outs[rank]!);
      expect(r.rank).toBe(rank);
      expect(r.world).toBe(2);
      // Rank r holds [r + 1, 10 (r + 1), -0.5 r].
      expect(r.sum32).toEqual({ shape: [3], dtype: 'float32', values: [3, 30, -0.5] });
      expect(r.mean64).toEqual({ shape: [3], dtype: 'float64', values: [1.5, 15, -0.25] });
      expect(r.broadcastFrom1).toEqual({ shape: [2, 2], dtype: 'float32', values: [1, 1, 1, 1] });
      expect(r.gathered).toEqual({ shape: [2, 3, 1], dtype: 'float64', values: [1, 10, 0, 2, 20, -0.5] });
      expect(r.int32Error).toMatch(/^DTypeError: nb\.distribute\.allReduce: expected a float32 or float64 tensor, got int32/);
      expect(r.badRoot).toMatch(/^ValueError: nb\.distribute\.broadcast: root must be a rank from 0 to 1, got 2/);
    }
  }, 60_000);

  it('init fails with a clear error when rank 0 never comes, after the timeout', async () => {
    const port = await freePort();
    const lonely = start(child, [join(workDir, 'never.json')], { rank: 1, world: 2, port, timeoutMs: 1500 });
    const e = await lonely.exited;
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/nb\.distribute\.init: rank 1 of 2 could not join the process group at 127\.0\.0\.1:\d+: cannot reach the rendezvous store of rank 0 .* within 1500 ms/);
  }, 60_000);
});
