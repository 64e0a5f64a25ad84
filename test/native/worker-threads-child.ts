// The process the worker-threads test runs (so a crash or a hang fails the test instead of
// taking vitest down): the main thread starts WORKERS workers, releases them together and works
// alongside them, then works once more after they have exited. Prints one JSON line.
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { exercise, type ThreadReport } from './worker-threads-work.js';

const WORKERS = Number(process.env.WORKERS ?? 3);
const ROUNDS = Number(process.env.ROUNDS ?? 24);
const boot = fileURLToPath(new URL('./worker-threads-boot.mjs', import.meta.url));
const start = new Int32Array(new SharedArrayBuffer(4));

/** A worker's milestones; a worker that fails or exits early rejects the ones still to come. */
function track(w: Worker) {
  const failed = new Promise<never>((_, reject) => {
    w.once('error', reject);
    w.once('exit', (code) => reject(new Error(`worker exited with code ${code} before reporting`)));
  });
  failed.catch(() => {});
  const ready = new Promise<void>((resolve) => w.on('message', (m: { ready?: number }) => m.ready !== undefined && resolve()));
  const report = new Promise<ThreadReport>((resolve) => w.on('message', (m: ThreadReport | { ready: number }) => !('ready' in m) && resolve(m)));
  const exited = new Promise((resolve) => w.once('exit', resolve));
  return { ready: Promise.race([ready, failed]), report: Promise.race([report, failed]), exited };
}

const workers = Array.from({ length: WORKERS }, (_, i) => track(new Worker(boot, { workerData: { role: 'nabla-worker', id: i + 1, rounds: ROUNDS, start } })));
await Promise.all(workers.map((w) => w.ready));
Atomics.store(start, 0, 1);
Atomics.notify(start, 0);
const during = exercise(0, ROUNDS);
const fromWorkers = await Promise.all(workers.map((w) => w.report));
await Promise.all(workers.map((w) => w.exited));
(globalThis as { gc?: () => void }).gc?.();
const after = exercise(0, 4);
console.log(JSON.stringify({ during, workers: fromWorkers, after }));
