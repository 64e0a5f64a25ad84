// nabla on native and on wasm in several worker_threads at once: three workers and the main thread
// run sums, pool-sized matmuls and a jitted training step together, each result checked against numbers
// computed in JS (worker-threads-work.ts), then the main thread once more after the workers have
// exited. Before the addon kept its state per environment, the last thread to load it took the
// process-wide argument buffer: the main thread's ops read a worker's arguments (wrong sums,
// shape errors) and, once the worker exited, freed memory; two threads could run a job on the one
// pool at once (hangs, crashes). On wasm each thread instantiates its own module, so the same work
// checks that no thread reaches another's memory. It all runs in a child process, so a crash or hang fails here.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import type { ThreadReport } from './worker-threads-work.js';

const CHILD = fileURLToPath(new URL('./worker-threads-child.ts', import.meta.url));

// wasm runs in a process whose addon path leads nowhere, so every thread falls back to its own
// wasm module (one per environment, like the addon's state).
const cases = [
  { backend: 'native', env: { NABLA_NUM_THREADS: '2' } },
  { backend: 'wasm', env: { NABLA_NATIVE_PATH: '/nonexistent/nabla.node' } },
] as const;

describe.each(cases)('$backend in worker threads', ({ backend, env }) => {
  it.runIf(nb.backendInfo(backend).available)(
    'three workers and the main thread compute at once, every result right; the main thread still right after they exit',
    () => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', CHILD], {
        encoding: 'utf8',
        // On native, two pool threads per environment, so the workers' matmuls and sums run pool jobs.
        env: { ...process.env, ...env, WORKERS: '3', ROUNDS: '16' },
        timeout: 120_000,
      });
      expect(r.signal, `the child was killed (${r.signal}): ${r.stderr}`).toBeNull();
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { during: ThreadReport; workers: ThreadReport[]; after: ThreadReport };
      const all = [out.during, ...out.workers, out.after];
      expect(out.workers.map((w) => w.id)).toEqual([1, 2, 3]);
      for (const report of all) {
        expect(report.backend).toBe(backend);
        expect(report.failures).toEqual([]);
        expect(report.checks).toBeGreaterThan(10);
      }
    },
    150_000,
  );
});
