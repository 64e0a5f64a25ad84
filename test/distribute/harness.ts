// Runs fixture scripts as the ranks of a job on this machine (loopback, one thread each).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { addonPath, loadAddon } from '../../src/backends/native/load-addon.js';

/** Why the distributed tests cannot run here, or null when the addon has gloo's collectives. */
export function collectivesUnavailable(): string | null {
  try {
    const info = loadAddon().info();
    return info.collectives === 'gloo' ? null : 'the native addon was built without gloo (apt-get install libgloo-dev, then npm run build:native)';
  } catch (e) {
    return `the native addon is unavailable (${(e as Error).message})`;
  }
}

export const workDir = mkdtempSync(join(tmpdir(), 'nabla-distribute-'));
export const removeWorkDir = () => rmSync(workDir, { recursive: true, force: true });

/** Bundle a fixture (fixtures/NAME.ts) so each process starts without a TypeScript loader. */
export async function bundleFixture(name: string): Promise<string> {
  const outfile = join(workDir, `${name}.mjs`);
  await build({
    entryPoints: [join(import.meta.dirname, 'fixtures', `${name}.ts`)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile,
    external: ['webgpu'],
    keepNames: true,
    logLevel: 'error',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  return outfile;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Date.now() when the process exited. */
  at: number;
}

export interface Proc {
  exited: Promise<Exit>;
  /** Resolves with Date.now() when stdout first contains `text`. */
  printed(text: string): Promise<number>;
  kill(signal: NodeJS.Signals): void;
}

/** Start `script args` with one thread; `rank` set: as that rank of a world of `world` on `port`. */
export function start(script: string, args: string[], job: { rank: number; world: number; port: number; timeoutMs?: number } | null): Proc {
  const env: NodeJS.ProcessEnv = { ...process.env, NABLA_NATIVE_PATH: addonPath(), NABLA_NUM_THREADS: '1' };
  for (const k of ['RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT', 'NABLA_DIST_TIMEOUT_MS']) delete env[k];
  if (job) {
    Object.assign(env, { RANK: String(job.rank), WORLD_SIZE: String(job.world), MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(job.port) });
    if (job.timeoutMs) env.NABLA_DIST_TIMEOUT_MS = String(job.timeoutMs);
  }
  const proc = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: { text: string; resolve: (t: number) => void }[] = [];
  proc.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    for (const w of waiters.splice(0)) if (stdout.includes(w.text)) w.resolve(Date.now());
    else waiters.push(w);
  });
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<Exit>((resolve) => proc.once('close', (code, signal) => resolve({ code, signal, stdout, stderr, at: Date.now() })));
  return {
    exited,
    printed: (text) => new Promise((resolve) => (stdout.includes(text) ? resolve(Date.now()) : waiters.push({ text, resolve }))),
    kill: (signal) => void proc.kill(signal),
  };
}

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}
