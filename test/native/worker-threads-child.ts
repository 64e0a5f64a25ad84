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

const workers = Array.from({ length: WORKERS }, (_, i) => new Worker(boot, { workerData: { role: 'nabla-worker', id: i + 1, rounds: ROUNDS, start } }));
const reports = workers.map(
  (w) =>
    new Promise<ThreadReport>((resolve, reject) => {
      w.on('message', (m: ThreadReport | { ready: number }) => {
        if (!('ready' in m)) resolve(m);
      });
      w.on('error', reject);
      w.on('exit', (code) => reject(new Error(`worker exited with code ${code} before reporting`)));
    }),
);
const ready = workers.map((w) => new Promise<void>((resolve) => w.on('message', (m: { ready?: number }) => m.ready !== undefined && resolve())));

await Promise.all(ready);
Atomics.store(start, 0, 1);
Atomics.notify(start, 0);
const during = exercise(0, ROUNDS);
const fromWorkers = await Promise.all(reports);
await Promise.all(workers.map((w) => new Promise((resolve) => (w.threadId < 0 ? resolve(0) : w.once('exit', resolve)))));
(globalThis as { gc?: () => void }).gc?.();
const after = exercise(0, 4);
console.log(JSON.stringify({ during, workers: fromWorkers, after }));
