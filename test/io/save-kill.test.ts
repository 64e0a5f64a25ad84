// Saves killed with SIGKILL at random moments, in a folder that also holds the user's files: the
// folder must always load as the old model or the new one, and the next save must clean up.
// Two processes saving into one folder at once must both keep going without an error.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { addonPath } from '../../src/backends/native/load-addon.js';

const root = mkdtempSync(join(tmpdir(), 'nabla-save-kill-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const child = join(root, 'save-loop-child.mjs');

// Bundled once so that each child starts in well under a second (no TypeScript loader to start).
beforeAll(async () => {
  await build({
    entryPoints: [join(import.meta.dirname, 'fixtures', 'save-loop-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: child,
    external: ['webgpu'],
    keepNames: true,
    logLevel: 'error',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
}, 60_000);

function startSaver(dir: string, format: 'nabla' | 'tfjs'): { proc: ChildProcess; ready: Promise<void>; stderr: () => string } {
  const proc = spawn(process.execPath, [child, dir, format], { env: { ...process.env, NABLA_NATIVE_PATH: addonPath() }, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    proc.once('exit', (code) => reject(new Error(`saver exited (${code}) before it was ready: ${err}`)));
  });
  return { proc, ready, stderr: () => err };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function kill(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = once(proc, 'exit');
  proc.kill('SIGKILL');
  await exited;
}

/** Which of the child's models (every weight 1, or every weight 2) the folder holds; fails on anything else. */
async function savedModelNumber(dir: string): Promise<number> {
  const m = await nb.models.load(dir);
  const values = m.weights.flatMap((w) => [...w.dataSync()]);
  expect(values.length).toBe(256 * 64 + 64 + 64 * 8 + 8);
  expect(values[0] === 1 || values[0] === 2).toBe(true);
  expect(values.every((v) => v === values[0])).toBe(true);
  return values[0]!;
}

/** The child's model `k` (the same architecture and names as in save-loop-child.ts). */
function childModel(k: number): nb.Sequential {
  const m = new nb.Sequential([new nb.layers.Dense(64, { inputShape: [256], name: 'd1' }), new nb.layers.Dense(8, { name: 'd2' })]);
  for (const w of m.weights) w.assign(nb.full(w.shape, k));
  return m;
}

function userFolder(name: string): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'runs'), { recursive: true });
  writeFileSync(join(dir, 'notes.txt'), 'my notes');
  writeFileSync(join(dir, 'runs', 'log.csv'), 'epoch,loss\n1,0.5\n');
  return dir;
}

function expectUserFilesIntact(dir: string): void {
  expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('my notes');
  expect(readFileSync(join(dir, 'runs', 'log.csv'), 'utf8')).toBe('epoch,loss\n1,0.5\n');
}

describe('kill -9 during saves', () => {
  for (const [format, rounds, budgetMs, atLeast] of [['nabla', 24, 10_000, 8], ['tfjs', 8, 5_000, 3]] as const) {
    it(`${format} format: every kill leaves the old or the new model, beside the user's files`, async () => {
      const dir = userFolder(`killed-${format}`);
      await childModel(1).save(dir, { format });
      const start = Date.now();
      let done = 0;
      // At least `atLeast` kills however slow the machine is; more while the time budget lasts.
      while (done < atLeast || (done < rounds && Date.now() - start < budgetMs)) {
        const saver = startSaver(dir, format);
        await saver.ready;
        // Random moments: the child saves back to back, so these fall anywhere inside a save.
        await sleep(Math.random() * 120);
        await kill(saver.proc);
        await savedModelNumber(dir);
        done++;
      }
      expectUserFilesIntact(dir);
      // The next save (this process's) removes what the killed ones left.
      const m = new nb.Sequential([new nb.layers.Dense(1, { inputShape: [2] })]);
      await m.save(dir, { format });
      const weightFile = format === 'nabla' ? /^weights\.g[0-9a-z-]+\.safetensors$/ : /^group1-shard1of1\.g[0-9a-z-]+\.bin$/;
      const left = readdirSync(dir).sort();
      expect(left.filter((n) => !['model.json', 'notes.txt', 'runs'].includes(n))).toEqual([expect.stringMatching(weightFile)]);
      expect(left).toContain('model.json');
    }, 60_000);
  }
});

describe('several saves into one folder at once', () => {
  it('two processes saving by turns into one folder both keep running, and loads meanwhile all succeed', async () => {
    const dir = userFolder('two-savers');
    const savers = [startSaver(dir, 'nabla'), startSaver(dir, 'nabla')];
    try {
      await checkWhileSaving(dir, savers);
    } finally {
      await Promise.all(savers.map((s) => kill(s.proc)));
    }
    expect([1, 2]).toContain(await savedModelNumber(dir));
    expectUserFilesIntact(dir);
  }, 30_000);

  async function checkWhileSaving(dir: string, savers: ReturnType<typeof startSaver>[]): Promise<void> {
    await Promise.all(savers.map((s) => s.ready));
    while (!existsSync(join(dir, 'model.json'))) await sleep(10);
    // Loads meanwhile: a save may delete the weights a just-read model.json named; load reads again.
    const loaded: number[] = [];
    for (const until = Date.now() + 1500; Date.now() < until; ) loaded.push(await savedModelNumber(dir));
    expect(loaded.length).toBeGreaterThan(0);
    const running = savers.map((s) => s.proc.exitCode === null && s.proc.signalCode === null);
    expect(savers.map((s) => s.stderr())).toEqual(['', '']);
    expect(running).toEqual([true, true]);
  }

  it('saves started together in one process all succeed and leave one weights file', async () => {
    const dir = userFolder('in-process');
    const models = Array.from({ length: 6 }, (_, k) => {
      const m = new nb.Sequential([new nb.layers.Dense(3, { inputShape: [2], name: 'd' })]);
      for (const w of m.weights) w.assign(nb.full(w.shape, k));
      return m;
    });
    await Promise.all(models.map((m) => m.save(dir)));
    const loaded = await nb.models.load(dir);
    const k = loaded.weights[0]!.dataSync()[0]!;
    expect(loaded.weights.every((w) => [...w.dataSync()].every((v) => v === k))).toBe(true);
    // One more save cleans up the generations the racing ones left.
    await models[0]!.save(dir);
    expect(readdirSync(dir).filter((n) => n.startsWith('weights.'))).toHaveLength(1);
  });
});
