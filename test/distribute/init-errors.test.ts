// nb.distribute.init's errors that need no second process: bad options and environment, and an
// addon built without gloo (simulated: the addon's collectives removed).
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.mock('../../src/backends/native/load-addon.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/backends/native/load-addon.js')>();
  return { ...real, loadAddon: () => ({ ...real.loadAddon(), collectives: undefined }) };
});

const nb = await import('../../src/index.js');

const saved = { ...process.env };
afterEach(() => {
  for (const k of ['RANK', 'WORLD_SIZE', 'MASTER_PORT', 'NABLA_DIST_TIMEOUT_MS']) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

describe('nb.distribute.init errors', () => {
  it('an addon without gloo: says what to install and how to rebuild', async () => {
    const e = await nb.distribute.init({ rank: 0, worldSize: 2 }).catch((err: Error) => err);
    expect(e).toBeInstanceOf(nb.NablaError);
    expect((e as Error).message).toMatch(/apt-get install libgloo-dev/);
    expect((e as Error).message).toMatch(/npm rebuild nabla/);
    expect(nb.distribute.isInitialized()).toBe(false);
  });

  it('missing or bad rank, world size, port and timeout name the option and the variable', async () => {
    delete process.env.RANK;
    delete process.env.WORLD_SIZE;
    await expect(nb.distribute.init()).rejects.toThrow(/nb\.distribute\.init: worldSize is not set: pass \{ worldSize \} or set WORLD_SIZE/);
    process.env.WORLD_SIZE = '2';
    await expect(nb.distribute.init()).rejects.toThrow(/rank is not set: pass \{ rank \} or set RANK/);
    process.env.RANK = 'one';
    await expect(nb.distribute.init()).rejects.toThrow(/environment variable RANK must be an integer, got 'one'/);
    await expect(nb.distribute.init({ rank: 2, worldSize: 2 })).rejects.toThrow(/rank must be an integer from 0 to 1 \(worldSize 2\), got 2/);
    await expect(nb.distribute.init({ rank: 0, worldSize: 0 })).rejects.toThrow(/worldSize must be a positive integer, got 0/);
    await expect(nb.distribute.init({ rank: 0, worldSize: 2, masterPort: 70000 })).rejects.toThrow(/masterPort must be a port number \(1 to 65535\), got 70000/);
    await expect(nb.distribute.init({ rank: 0, worldSize: 2, timeout: -5 })).rejects.toThrow(/timeout must be a positive whole number of milliseconds, got -5/);
  });

  it('a single process is rank 0 of 1, and collectives before init say to call it', async () => {
    expect(nb.distribute.rank()).toBe(0);
    expect(nb.distribute.worldSize()).toBe(1);
    await expect(nb.distribute.allReduce(nb.tensor([1, 2]))).rejects.toThrow(/nb\.distribute\.allReduce: no process group: call await nb\.distribute\.init\(\) first/);
    await expect(nb.distribute.barrier()).rejects.toThrow(/nb\.distribute\.barrier: no process group/);
  });
});
